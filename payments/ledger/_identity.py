"""Actions on people: a cashier signing in, a shopper's face enrolment linked and erased."""

from __future__ import annotations

from collections.abc import Mapping

from payments.ledger._authz import CashierProof
from payments.ledger._context import Context
from payments.ledger._messages import BadInput, Outcome, Request, Work, error, parse_body
from payments.ledger.audit import canonical_json
from payments.ledger.errors import ErrorCode
from payments.ledger.gallery import record_erasures
from payments.ledger.pins import hash_pin, verify_pin
from payments.ledger.records import FaceLink, Terminal
from payments.ledger.store import LedgerTx
from payments.signing import RequestAuth
from payments.wire import ID_PATTERN

__all__ = ["CODE_SUBJECT", "prepare_enrol", "prepare_erase", "prepare_verify_cashier"]


def prepare_verify_cashier(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    """A cashier signing in at a terminal: the PIN is checked (and counted towards the lockout)
    exactly as for a refund; nothing moves."""
    body = parse_body(req.body, {"cashier_id", "cashier_pin"})
    cashier = ctx.guard.cashier_proof(body, auth)

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        refused = ctx.guard.authorise_cashier(tx, terminal, cashier, now)
        if refused is not None:
            return refused
        return Outcome(
            200, {"cashier_id": cashier.cashier_id, "verified": True}, {"cashier_id": cashier.cashier_id}
        )

    return work


def prepare_enrol(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    """A shopper enrolled at a terminal, authorised by a cashier of its merchant: link the face
    enrolment to the account. The account holder proves themself: with the account's PIN (kept
    as it is), or with a one-time enrolment code, which also sets the PIN sent in ``pin`` (a new
    account, or a forgotten PIN). Nothing links a face to an account, or replaces a PIN, without
    one of the two."""
    body = parse_body(
        req.body, {"customer_id", "pin", "cashier_id", "cashier_pin", "consent_version", "enrolment_code"}
    )
    customer_id = body.text("customer_id", pattern=ID_PATTERN)
    consent_version = body.text("consent_version", max_len=64)
    if not consent_version.strip():
        raise BadInput(ErrorCode.MALFORMED, "consent_version is required: no enrolment without consent")
    if not body.has("pin"):
        raise BadInput(ErrorCode.MALFORMED, "pin (a PIN object) is required")
    cashier = ctx.guard.cashier_proof(body, auth)
    pin = ctx.guard.open_pin(body.data["pin"], auth, customer_id)
    code = (
        ctx.guard.open_pin(body.data["enrolment_code"], auth, customer_id + CODE_SUBJECT)
        if body.has("enrolment_code")
        else None
    )
    current = ctx.store.customer(customer_id)
    # Slow hashes before the transaction: only the one the request needs.
    new_pin_hash = hash_pin(pin) if code is not None else None
    pin_ok = code is None and current is not None and verify_pin(pin, current.pin_hash)
    guard = ctx.guard

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        refused = guard.authorise_cashier(tx, terminal, cashier, now)
        if refused is not None:
            return refused
        customer = tx.customer(customer_id, lock=True)
        if customer is None:
            return error(ErrorCode.UNKNOWN_CUSTOMER, customer_id=customer_id)
        if not customer.enabled:
            return error(ErrorCode.CUSTOMER_DISABLED, customer_id=customer_id)
        budget = guard.budget_refusal(tx, terminal, now)
        if budget is not None:
            return error(budget.code, extra=budget.extra, customer_id=customer_id)
        if code is not None:
            refused = _use_code(tx, terminal, customer_id, code, now, at, ctx)
        elif customer.pin_hash:
            pin_refusal = guard.pin_verdict(tx, "customers", customer, pin_ok, now)
            if pin_refusal is not None and pin_refusal.code is ErrorCode.WRONG_PIN:
                guard.count_wrong_pin(tx, terminal, now, at)
            refused = (
                None
                if pin_refusal is None
                else error(pin_refusal.code, extra=pin_refusal.extra, customer_id=customer_id)
            )
        else:
            refused = error(
                ErrorCode.PROOF_REQUIRED,
                "this account has no PIN yet: an enrolment code is required",
                customer_id=customer_id,
            )
        if refused is not None:
            return refused
        previous = tx.face_link(customer_id)
        link = FaceLink(
            customer_id, terminal.merchant_id, terminal.terminal_id, cashier.cashier_id, consent_version, at
        )
        tx.link_face(link, new_pin_hash)
        payload = {
            "customer_id": customer_id,
            "linked": True,
            "relinked": previous is not None,
            "linked_at": at,
            "terminal_id": terminal.terminal_id,
            "cashier_id": cashier.cashier_id,
            "consent_version": consent_version,
            "pin_set": new_pin_hash is not None,
        }
        return Outcome(
            201,
            payload,
            {
                "customer_id": customer_id,
                "cashier_id": cashier.cashier_id,
                "consent_version": consent_version,
                "relinked": previous is not None,
                "previous_merchant": previous.merchant_id if previous else None,
                "proof": "enrolment_code" if code is not None else "pin",
            },
        )

    return work


# A code's PIN block names this after the customer id, so a PIN block cannot pass as a code.
CODE_SUBJECT = "#code"


def _use_code(
    tx: LedgerTx, terminal: Terminal, customer_id: str, code: str, now: float, at: str, ctx: Context
) -> Outcome | None:
    """None when ``code`` is the customer's unused, unexpired code for this merchant (now used)."""
    stored = tx.enrolment_code(customer_id)
    usable = (
        stored is not None
        and not stored.used
        and stored.expires_at > now
        and stored.failures < ctx.guard.lockout.max_failures
        and stored.merchant_id in (None, terminal.merchant_id)
    )
    if stored is not None and usable and verify_pin(code, stored.code_hash):
        tx.update_enrolment_code(customer_id, failures=stored.failures, used=True)
        return None
    if stored is not None and usable:
        tx.update_enrolment_code(customer_id, failures=stored.failures + 1, used=False)
    ctx.guard.count_wrong_pin(tx, terminal, now, at)
    return error(ErrorCode.BAD_ENROLMENT_CODE, customer_id=customer_id)


def prepare_erase(
    ctx: Context, auth: RequestAuth, terminal: Terminal, req: Request, params: Mapping[str, str]
) -> Work:
    """Erase a shopper's face link (the biometric enrolment); the account, its money, name and PIN
    stay. Needs the shopper's PIN, or a cashier of the merchant where the face was enrolled.
    Recorded by an audit line whose hash is returned as the receipt."""
    customer_id = params.get("customer_id", "")
    if not ID_PATTERN.fullmatch(customer_id):
        raise BadInput(ErrorCode.MALFORMED, "the path must name a customer id")
    body = parse_body(req.body or b"{}", {"pin", "cashier_id", "cashier_pin", "reason"})
    reason = body.text("reason", required=False, max_len=256)
    cashier: CashierProof | None = None
    pin_ok: bool | None = None
    if body.has("pin"):
        current = ctx.store.customer(customer_id)
        pin_ok = ctx.guard.pin_ok(body.data["pin"], auth, customer_id, current.pin_hash if current else None)
    elif "cashier_id" in body.data or "cashier_pin" in body.data:
        cashier = ctx.guard.cashier_proof(body, auth)
    guard = ctx.guard

    def work(tx: LedgerTx, now: float, at: str) -> Outcome:
        customer = tx.customer(customer_id, lock=True)
        link = tx.face_link(customer_id)
        foreign = link is not None and link.merchant_id != terminal.merchant_id
        if customer is None or (pin_ok is None and foreign):
            return error(ErrorCode.UNKNOWN_CUSTOMER, customer_id=customer_id)  # no oracle across merchants
        if pin_ok is not None:
            budget = guard.budget_refusal(tx, terminal, now)
            if budget is not None:
                return error(budget.code, extra=budget.extra, customer_id=customer_id)
            refusal = guard.pin_verdict(tx, "customers", customer, pin_ok, now)
            if refusal is not None:
                if refusal.code is ErrorCode.WRONG_PIN:
                    guard.count_wrong_pin(tx, terminal, now, at)
                return error(refusal.code, extra=refusal.extra, customer_id=customer_id)
        elif cashier is not None:
            refused = guard.authorise_cashier(tx, terminal, cashier, now)
            if refused is not None:
                return refused
        else:
            return error(
                ErrorCode.PROOF_REQUIRED,
                "the shopper's PIN or a cashier of the enrolling merchant is required",
                customer_id=customer_id,
            )
        was_linked = tx.unlink_face(customer_id)
        # The face leaves the merchant galleries too: the shopper's own PIN erases it from every
        # merchant's, a cashier from their merchant's; each kiosk confirms through the feed.
        galleries = record_erasures(
            tx, guard.keys, customer_id, None if pin_ok is not None else terminal.merchant_id, at
        )
        detail = {
            "customer_id": customer_id,
            "was_linked": was_linked,
            "reason": reason,
            "proof": "pin" if pin_ok is not None else "cashier",
            "cashier_id": cashier.cashier_id if cashier else None,
            "terminal_id": terminal.terminal_id,
            "enrolled_at_merchant": link.merchant_id if link else None,
        }
        entry = tx.append_audit(
            at, f"terminal:{terminal.terminal_id}", "erase-face-link", "ok", canonical_json(detail)
        )
        payload = {
            "customer_id": customer_id,
            "erased": True,
            "was_linked": was_linked,
            "erased_at": at,
            "audit_seq": entry.seq,
            "audit_hash": entry.hash,
            "gallery_erasures": [{"merchant_id": g.merchant_id, "seq": g.seq} for g in galleries],
        }
        return Outcome(
            200, payload, {"customer_id": customer_id, "was_linked": was_linked, "audit_seq": entry.seq}
        )

    return work
