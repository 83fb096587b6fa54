"""Actions on people: a cashier signing in, a shopper's face enrolment linked and erased."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from payments.ledger._authz import CashierProof
from payments.ledger._context import Context
from payments.ledger._messages import BadInput, Outcome, Request, Work, error, parse_body
from payments.ledger.audit import canonical_json
from payments.ledger.errors import ErrorCode
from payments.ledger.pins import hash_pin
from payments.ledger.records import FaceLink, Terminal
from payments.ledger.store import LedgerTx
from payments.signing import RequestAuth
from payments.wire import ID_PATTERN

__all__ = ["prepare_enrol", "prepare_erase", "prepare_verify_cashier"]


def prepare_verify_cashier(ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request,
                           params: Mapping[str, str]) -> Work:
    """A cashier signing in at a terminal: the PIN is checked (and counted towards the lockout)
    exactly as for a refund; nothing moves."""
    body = parse_body(req.body, {"cashier_id", "cashier_pin"})
    cashier = ctx.guard.cashier_proof(body, auth)

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        refused = ctx.guard.authorise_cashier(tx, terminal, cashier, now)
        if refused is not None:
            return refused
        return Outcome(200, {"cashier_id": cashier.cashier_id, "verified": True},
                       {"cashier_id": cashier.cashier_id})

    return work


def prepare_enrol(ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request,
                  params: Mapping[str, str]) -> Work:
    """A shopper enrolled at a terminal: link the face enrolment to the account and set the
    shopper's PIN (sent as a PIN block, kept only as a scrypt hash), authorised by a cashier."""
    body = parse_body(req.body, {"customer_id", "pin", "cashier_id", "cashier_pin", "consent_version"})
    customer_id = body.text("customer_id", pattern=ID_PATTERN)
    consent_version = body.text("consent_version", max_len=64)
    if not consent_version.strip():
        raise BadInput(ErrorCode.MALFORMED, "consent_version is required: no enrolment without consent")
    if not body.has("pin"):
        raise BadInput(ErrorCode.MALFORMED, "pin (a PIN object) is required")
    cashier = ctx.guard.cashier_proof(body, auth)
    pin_hash = hash_pin(ctx.guard.open_pin(body.data["pin"], auth, customer_id))  # slow: before the tx

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        refused = ctx.guard.authorise_cashier(tx, terminal, cashier, now)
        if refused is not None:
            return refused
        customer = tx.customer(customer_id, lock=True)
        if customer is None:
            return error(ErrorCode.UNKNOWN_CUSTOMER, customer_id=customer_id)
        if not customer.enabled:
            return error(ErrorCode.CUSTOMER_DISABLED, customer_id=customer_id)
        relinked = tx.face_link(customer_id) is not None
        link = FaceLink(customer_id, terminal.merchant_id, terminal.terminal_id, cashier.cashier_id,
                        consent_version, at)
        tx.link_face(link, pin_hash)
        payload = {"customer_id": customer_id, "linked": True, "relinked": relinked, "linked_at": at,
                   "terminal_id": terminal.terminal_id, "cashier_id": cashier.cashier_id,
                   "consent_version": consent_version}
        return Outcome(201, payload, {"customer_id": customer_id, "cashier_id": cashier.cashier_id,
                                      "consent_version": consent_version, "relinked": relinked})

    return work


def prepare_erase(ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request,
                  params: Mapping[str, str]) -> Work:
    """Erase a shopper's face link: the link, the PIN hash and the name go (the name becomes a
    pseudonym); the account and every transfer stay. A cashier, when named, must give their PIN;
    without one the erasure is the terminal's own (signed) request. Recorded by an audit line
    whose hash is returned as the receipt."""
    customer_id = params.get("customer_id", "")
    if not ID_PATTERN.fullmatch(customer_id):
        raise BadInput(ErrorCode.MALFORMED, "the path must name a customer id")
    body = parse_body(req.body or b"{}", {"cashier_id", "cashier_pin", "reason"})
    reason = body.text("reason", required=False, max_len=256)
    cashier: CashierProof | None = None
    if "cashier_id" in body.data or "cashier_pin" in body.data:
        cashier = ctx.guard.cashier_proof(body, auth)

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        if cashier is not None:
            refused = ctx.guard.authorise_cashier(tx, terminal, cashier, now)
            if refused is not None:
                return refused
        customer = tx.customer(customer_id, lock=True)
        if customer is None:
            return error(ErrorCode.UNKNOWN_CUSTOMER, customer_id=customer_id)
        pseudonym = "erased-" + hashlib.sha256(f"{customer_id}\n{at}".encode()).hexdigest()[:12]
        was_linked = tx.unlink_face(customer_id, pseudonym)
        detail = {"customer_id": customer_id, "was_linked": was_linked, "reason": reason,
                  "cashier_id": cashier.cashier_id if cashier else None, "terminal_id": terminal.terminal_id}
        entry = tx.append_audit(at, f"terminal:{terminal.terminal_id}", "erase-face-link", "ok",
                                canonical_json(detail))
        payload = {"customer_id": customer_id, "erased": True, "was_linked": was_linked, "erased_at": at,
                   "audit_seq": entry.seq, "audit_hash": entry.hash}
        return Outcome(200, payload, {"customer_id": customer_id, "was_linked": was_linked,
                                      "audit_seq": entry.seq})

    return work
