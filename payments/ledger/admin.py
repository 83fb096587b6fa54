"""Admin functions: schema, merchants, customers, cashiers, terminals, top-ups, the demo world, checks.

Every change is one transaction with an audit line (actor ``admin``); PINs are
hashed with scrypt before they reach the store and never appear in the audit log.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization

from payments._private_file import write_private
from payments.ledger.audit import AuditFinding, canonical_json, verify_chain
from payments.ledger.errors import AdminError, StoreConflict, StoreError
from payments.ledger.keys import LedgerKeys, load_ledger_keys, save_ledger_keys
from payments.ledger.pins import hash_pin
from payments.ledger.records import (
    Account,
    AuditEntry,
    Cashier,
    Customer,
    EnrolmentCode,
    Merchant,
    Terminal,
    Transfer,
    TransferKind,
    TransferStatus,
)
from payments.ledger.store import LedgerStore, LedgerTx
from payments.money import Money, exponent
from payments.pinblock import pin_public_key_text, valid_pin
from payments.signing import generate_key, public_key_from_text, public_key_text, save_private_key
from payments.wire import iso_time

__all__ = [
    "ENROLMENT_CODE_TTL_HOURS",
    "DemoCustomer",
    "add_cashier",
    "add_customer",
    "add_merchant",
    "add_terminal",
    "build_demo",
    "check_invariants",
    "ensure_keys",
    "init_schema",
    "issue_enrolment_code",
    "parse_customer_spec",
    "set_enabled",
    "set_face_only_limit",
    "top_up",
    "unlock_pin",
    "verify_audit",
]

DEMO_MERCHANT = "m-demo"
DEMO_CASHIER = "k-demo"
# Demo balances: enough for a long bench run at 1 minor unit per debit.
DEMO_BALANCE_MINOR = 50_000
DEMO_CUSTOMERS = (("Alice", "c-alice"), ("Bob", "c-bob"), ("Carol", "c-carol"), ("Dave", "c-dave"))


@dataclass(frozen=True, slots=True)
class DemoCustomer:
    """A customer to create in the demo world.

    Attributes:
        name: display name (e.g. the identity name of an enrolled photo set).
        customer_id: ledger id.
        balance_minor: opening balance; None for the default.
        pin: PIN; None for a random 4-digit one.
    """

    name: str
    customer_id: str
    balance_minor: int | None = None
    pin: str | None = None


def _now_iso() -> str:
    return iso_time(time.time())


def _admin(store: LedgerStore, action: str, detail: dict[str, Any], work: Any) -> Any:
    try:
        with store.transaction() as tx:
            result = work(tx)
            tx.append_audit(_now_iso(), "admin", action, "ok", canonical_json(detail))
            return result
    except StoreConflict as exc:
        raise AdminError(f"{action}: {exc}") from exc


def init_schema(store: LedgerStore) -> None:
    """Create the tables (idempotent)."""
    store.create_schema()


def ensure_keys(path: Path) -> LedgerKeys:
    """Load the ledger keys at ``path``, creating them on first use."""
    if path.exists():
        return load_ledger_keys(path)
    keys = LedgerKeys.generate()
    save_ledger_keys(keys, path)
    return keys


def _issuer(tx: LedgerTx, currency: str, at: str) -> str:
    account_id = f"issuer:{currency}"
    if not tx.lock_accounts([account_id]):
        tx.add_account(Account(account_id, "issuer", 0, currency, None), at)
    return account_id


def add_merchant(store: LedgerStore, merchant_id: str, name: str, currency: str) -> Merchant:
    exponent(currency)
    merchant = Merchant(merchant_id, name, f"merch:{merchant_id}", f"holds:{merchant_id}")

    def work(tx: LedgerTx) -> Merchant:
        at = _now_iso()
        if tx.merchant(merchant_id) is not None:
            raise AdminError(f"merchant {merchant_id} exists already")
        tx.add_account(Account(merchant.account_id, "merchant", 0, currency, 0), at)
        tx.add_account(Account(merchant.holds_account_id, "holds", 0, currency, 0), at)
        tx.add_merchant(merchant, at)
        return merchant

    result: Merchant = _admin(store, "add-merchant", {"merchant_id": merchant_id, "currency": currency}, work)
    return result


def add_customer(
    store: LedgerStore, customer_id: str, name: str, pin: str | None, currency: str, *, min_balance: int = 0
) -> Customer:
    exponent(currency)
    if pin is not None and not valid_pin(pin):
        raise AdminError("a PIN is 4 to 12 digits")
    pin_hash = hash_pin(pin) if pin else None
    customer = Customer(customer_id, name, f"cust:{customer_id}", pin_hash, 0, 0.0, True)

    def work(tx: LedgerTx) -> Customer:
        at = _now_iso()
        if tx.customer(customer_id, lock=False) is not None:
            raise AdminError(f"customer {customer_id} exists already")
        tx.add_account(Account(customer.account_id, "customer", 0, currency, min_balance), at)
        tx.add_customer(customer, at)
        return customer

    result: Customer = _admin(store, "add-customer", {"customer_id": customer_id, "currency": currency}, work)
    return result


def add_cashier(store: LedgerStore, cashier_id: str, name: str, merchant_id: str, pin: str) -> Cashier:
    if not valid_pin(pin):
        raise AdminError("a PIN is 4 to 12 digits")
    cashier = Cashier(cashier_id, name, merchant_id, hash_pin(pin), 0, 0.0, True)

    def work(tx: LedgerTx) -> Cashier:
        if tx.merchant(merchant_id) is None:
            raise AdminError(f"no merchant {merchant_id}")
        if tx.cashier(cashier_id, lock=False) is not None:
            raise AdminError(f"cashier {cashier_id} exists already")
        tx.add_cashier(cashier, _now_iso())
        return cashier

    detail = {"cashier_id": cashier_id, "merchant_id": merchant_id}
    result: Cashier = _admin(store, "add-cashier", detail, work)
    return result


def add_terminal(store: LedgerStore, terminal_id: str, merchant_id: str, public_key: str) -> Terminal:
    """Register a terminal by its Ed25519 public key (PEM text or base64 of the raw 32 bytes)."""
    try:
        key_text = public_key_text(public_key_from_text(public_key))
    except Exception as exc:
        raise AdminError(f"not an Ed25519 public key: {exc}") from exc
    terminal = Terminal(terminal_id, merchant_id, key_text, True)

    def work(tx: LedgerTx) -> Terminal:
        if tx.merchant(merchant_id) is None:
            raise AdminError(f"no merchant {merchant_id}")
        if tx.terminal(terminal_id) is not None:
            raise AdminError(f"terminal {terminal_id} exists already")
        tx.add_terminal(terminal, _now_iso())
        return terminal

    result: Terminal = _admin(
        store,
        "add-terminal",
        {"terminal_id": terminal_id, "merchant_id": merchant_id, "public_key": key_text},
        work,
    )
    return result


def set_enabled(store: LedgerStore, kind: str, row_id: str, enabled: bool) -> None:
    """Enable or disable a terminal, customer or cashier (``kind`` is the singular name)."""
    table = {"terminal": "terminals", "customer": "customers", "cashier": "cashiers"}[kind]

    def work(tx: LedgerTx) -> None:
        if not tx.set_enabled(table, row_id, enabled):
            raise AdminError(f"no {kind} {row_id}")

    _admin(store, f"{'enable' if enabled else 'disable'}-{kind}", {f"{kind}_id": row_id}, work)


def top_up(store: LedgerStore, customer_id: str, amount: Money) -> Transfer:
    """Credit a customer from the issuer account of the currency (money entering the system)."""
    if amount.minor <= 0:
        raise AdminError("a top-up is a positive amount")

    def work(tx: LedgerTx) -> Transfer:
        at = _now_iso()
        customer = tx.customer(customer_id, lock=True)
        if customer is None:
            raise AdminError(f"no customer {customer_id}")
        issuer = _issuer(tx, amount.currency, at)
        account = tx.lock_accounts([customer.account_id, issuer])[customer.account_id]
        if account.currency != amount.currency:
            raise AdminError(f"customer {customer_id} holds {account.currency}, not {amount.currency}")
        t = Transfer(
            f"tr_{secrets.token_hex(12)}",
            TransferKind.TOPUP,
            "posted",
            amount,
            issuer,
            customer.account_id,
            customer_id,
            None,
            None,
            None,
            "top-up",
            None,
            None,
            None,
            "{}",
            at,
        )
        tx.move(issuer, customer.account_id, amount.minor)
        tx.insert_transfer(t)
        return t

    result: Transfer = _admin(store, "top-up", {"customer_id": customer_id, "amount": amount.to_json()}, work)
    return result


def check_invariants(store: LedgerStore) -> list[str]:
    """Problems with the books: a damaged database, per-currency sums not zero, balances below
    their floor, and any balance that differs from the sum of the transfers that moved it."""
    problems = [f"database damaged: {p}" for p in store.integrity_problems()]
    try:
        accounts = store.accounts()
        totals = store.movement_totals()
        holds = store.holds_accounts()
    except (StoreError, ValueError, TypeError) as exc:
        return [*problems, f"cannot read the books: {exc}"]
    sums: dict[str, int] = {}
    for a in accounts:
        sums[a.currency] = sums.get(a.currency, 0) + a.balance
        if a.min_balance is not None and a.balance < a.min_balance:
            problems.append(f"{a.account_id} balance {a.balance} is below its floor {a.min_balance}")
    problems += [f"{cur} balances sum to {total}, not 0" for cur, total in sorted(sums.items()) if total]
    expected = _balances_from_transfers(totals, holds)
    for a in accounts:
        want = expected.pop(a.account_id, 0)
        if a.balance != want:
            problems.append(f"{a.account_id} balance {a.balance} differs from its transfers (sum {want})")
    problems += [
        f"transfers move {total} through {account_id}, which is not an account"
        for account_id, total in sorted(expected.items())
        if total
    ]
    return problems


def _balances_from_transfers(
    totals: list[tuple[str, str, str, int]], holds: dict[str, str]
) -> dict[str, int]:
    """What each balance must be, from the transfers alone.

    Every transfer but a declined one moved its amount from its debit to its credit account
    (a voided one too: its void is a transfer of its own moving the money back). A posted
    transfer credited to a holds account is a captured hold: the capture moved the money on
    to the merchant account.
    """
    expected: dict[str, int] = {}
    for debit, credit, status, total in totals:
        expected[debit] = expected.get(debit, 0) - total
        expected[credit] = expected.get(credit, 0) + total
        if status == TransferStatus.POSTED and credit in holds:
            expected[credit] -= total
            expected[holds[credit]] = expected.get(holds[credit], 0) + total
    return expected


def verify_audit(store: LedgerStore) -> tuple[int, list[AuditFinding]]:
    """Check the audit chain; returns (lines checked, findings).

    A damaged database is a finding (``damaged``), and so is a log that cannot be read to
    its end (``unreadable``): the check reports, it never fails with a traceback."""
    found = [AuditFinding(0, "damaged", p) for p in store.integrity_problems()]
    try:
        head = store.audit_head()
    except (StoreError, ValueError, TypeError) as exc:
        return 0, [*found, AuditFinding(0, "unreadable", f"the audit head cannot be read: {exc}")]
    last = [0]

    def readable() -> Iterator[AuditEntry]:
        try:
            for entry in store.audit_entries():
                last[0] = entry.seq
                yield entry
        except (StoreError, ValueError, TypeError) as exc:
            found.append(AuditFinding(last[0] + 1, "unreadable", f"the log cannot be read from here: {exc}"))

    try:
        count, findings = verify_chain(readable(), head)
    except (ValueError, TypeError) as exc:  # a line whose fields are not text any more
        return last[0], [*found, AuditFinding(last[0], "unreadable", f"a line cannot be checked: {exc}")]
    return count, [*found, *findings]


def parse_customer_spec(text: str) -> list[DemoCustomer]:
    """``NAME:ID,NAME:ID`` (an ID defaults to ``c-<name in lower case>``)."""
    customers = []
    for item in (p.strip() for p in text.split(",")):
        if not item:
            continue
        name, _, cid = item.partition(":")
        cid = cid.strip() or "c-" + "-".join(name.lower().split())
        customers.append(DemoCustomer(name.strip(), cid))
    if not customers:
        raise AdminError("no customers given")
    return customers


def _write_public(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o644)


def build_demo(
    store: LedgerStore,
    keys: LedgerKeys,
    out: Path,
    db_url: str,
    *,
    currency: str = "EUR",
    customers: Sequence[DemoCustomer] = (),
    terminals: int = 1,
) -> dict[str, Any]:
    """Create the demo world and write terminal keys, ledger public keys and demo.json into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    people = list(customers) or [DemoCustomer(n, i) for n, i in DEMO_CUSTOMERS]
    add_merchant(store, DEMO_MERCHANT, "Demo Shop", currency)
    cashier_pin = f"{secrets.randbelow(10**6):06d}"
    add_cashier(store, DEMO_CASHIER, "Demo Cashier", DEMO_MERCHANT, cashier_pin)
    terminal_entries = []
    for n in range(1, terminals + 1):
        key = generate_key()
        key_file = "terminal.key" if n == 1 else f"terminal-{n}.key"
        save_private_key(key, out / key_file)
        terminal = add_terminal(store, f"t-demo-{n}", DEMO_MERCHANT, public_key_text(key.public_key()))
        terminal_entries.append({"id": terminal.terminal_id, "key_file": key_file})
    customer_entries = []
    for person in people:
        pin = person.pin or f"{secrets.randbelow(10**4):04d}"
        add_customer(store, person.customer_id, person.name, pin, currency)
        opening = DEMO_BALANCE_MINOR if person.balance_minor is None else person.balance_minor
        balance = Money(opening, currency)
        if balance.minor:
            top_up(store, person.customer_id, balance)
        customer_entries.append(
            {"id": person.customer_id, "name": person.name, "pin": pin, "balance": balance.to_json()}
        )
    pub = serialization.PublicFormat.SubjectPublicKeyInfo
    _write_public(out / "ledger.pub", keys.signing.public_key().public_bytes(serialization.Encoding.PEM, pub))
    _write_public(out / "ledger_pin.pub", keys.pin.public_key().public_bytes(serialization.Encoding.PEM, pub))
    demo = {
        "db": db_url,
        "currency": currency,
        "merchant": {"id": DEMO_MERCHANT, "name": "Demo Shop"},
        "terminal_id": terminal_entries[0]["id"],
        "terminal_key": terminal_entries[0]["key_file"],
        "terminals": terminal_entries,
        "cashier": {"id": DEMO_CASHIER, "name": "Demo Cashier", "pin": cashier_pin},
        "customers": customer_entries,
        "ledger_pub": "ledger.pub",
        "ledger_pin_pub": "ledger_pin.pub",
        "pin_key": pin_public_key_text(keys.pin.public_key()),
    }
    write_private(out / "demo.json", (json.dumps(demo, indent=2) + "\n").encode("utf-8"))  # it holds PINs
    return demo


# An enrolment code lives this long by default: a shopper gets it from the shop or by post.
ENROLMENT_CODE_TTL_HOURS = 72
# Digits of an enrolment code: 10^10 possibilities, single use, five wrong tries revoke it.
ENROLMENT_CODE_DIGITS = 10


def issue_enrolment_code(
    store: LedgerStore,
    customer_id: str,
    *,
    merchant_id: str | None = None,
    ttl_hours: float = ENROLMENT_CODE_TTL_HOURS,
) -> str:
    """A fresh one-time code with which the account holder sets their PIN at enrolment.

    The code is returned once and stored only as a slow hash; a new code replaces any earlier
    one. With ``merchant_id`` only that merchant's terminals accept it.
    """
    if not 0 < ttl_hours <= 24 * 30:
        raise AdminError("--ttl-hours must be more than 0 and at most 720")
    code = "".join(str(secrets.randbelow(10)) for _ in range(ENROLMENT_CODE_DIGITS))
    code_hash = hash_pin(code)

    def work(tx: LedgerTx) -> None:
        if tx.customer(customer_id, lock=True) is None:
            raise AdminError(f"no customer {customer_id}")
        if merchant_id is not None and tx.merchant(merchant_id) is None:
            raise AdminError(f"no merchant {merchant_id}")
        tx.put_enrolment_code(
            EnrolmentCode(customer_id, code_hash, merchant_id, time.time() + ttl_hours * 3600, 0, False),
            _now_iso(),
        )

    _admin(
        store,
        "issue-enrolment-code",
        {"customer_id": customer_id, "merchant_id": merchant_id, "ttl_hours": ttl_hours},
        work,
    )
    return code


def unlock_pin(store: LedgerStore, kind: str, row_id: str) -> None:
    """Clear a customer's or cashier's PIN lockout and failure count (audited)."""
    table = {"customer": "customers", "cashier": "cashiers"}[kind]

    def work(tx: LedgerTx) -> None:
        row = tx.customer(row_id, lock=True) if kind == "customer" else tx.cashier(row_id, lock=True)
        if row is None:
            raise AdminError(f"no {kind} {row_id}")
        tx.set_pin_state(table, row_id, 0, 0.0)

    _admin(store, f"unlock-{kind}", {f"{kind}_id": row_id}, work)


def set_face_only_limit(store: LedgerStore, merchant_id: str, limit: Money) -> None:
    """Set the largest payment a merchant's terminals may take by face alone (above it: face + PIN)."""
    if limit.minor < 0:
        raise AdminError("the face-only limit cannot be negative")

    def work(tx: LedgerTx) -> None:
        merchant = tx.merchant(merchant_id)
        if merchant is None:
            raise AdminError(f"no merchant {merchant_id}")
        currency = tx.lock_accounts([merchant.account_id])[merchant.account_id].currency
        if currency != limit.currency:
            raise AdminError(f"merchant {merchant_id} sells in {currency}, not {limit.currency}")
        tx.set_face_only_limit(merchant_id, limit.minor)

    _admin(store, "set-face-only-limit", {"merchant_id": merchant_id, "limit": limit.to_json()}, work)
