"""The ledger service: signed debits, refunds, voids, idempotency, audit log; SQLite or PostgreSQL.

See payments/PROTOCOL.md for the wire protocol and payments/ledger/README.md for
operations and measured figures.

The HTTP app (:mod:`payments.ledger.app`, starlette) and the load generator
(:mod:`payments.ledger.bench`, httpx) are not re-exported: importing the ledger's domain
must not load a web framework or an HTTP client. Import them from their modules.
"""

from payments.ledger.admin import (
    DemoCustomer,
    add_cashier,
    add_customer,
    add_merchant,
    add_terminal,
    build_demo,
    check_invariants,
    ensure_keys,
    init_schema,
    issue_enrolment_code,
    parse_customer_spec,
    set_enabled,
    set_face_only_limit,
    top_up,
    unlock_pin,
    verify_audit,
)
from payments.ledger.audit import AuditFinding, verify_chain
from payments.ledger.errors import (
    ERRORS,
    AdminError,
    ErrorCode,
    LedgerError,
    LedgerKeyError,
    StoreConfigError,
    StoreConflict,
    StoreError,
)
from payments.ledger.keys import LedgerKeys, default_key_path, load_ledger_keys, save_ledger_keys
from payments.ledger.pins import LockoutPolicy, hash_pin, verify_pin
from payments.ledger.records import (
    Account,
    AuditEntry,
    Cashier,
    Customer,
    Merchant,
    StoredResponse,
    Terminal,
    Transfer,
    TransferKind,
    TransferStatus,
)
from payments.ledger.service import (
    MAX_AMOUNT_MINOR,
    MAX_BODY_BYTES,
    TIMESTAMP_WINDOW_S,
    Ledger,
    Pending,
    Reply,
    Request,
)
from payments.ledger.store import LedgerStore, LedgerTx, open_store

__all__ = [
    "ERRORS",
    "MAX_AMOUNT_MINOR",
    "MAX_BODY_BYTES",
    "TIMESTAMP_WINDOW_S",
    "Account",
    "AdminError",
    "AuditEntry",
    "AuditFinding",
    "Cashier",
    "Customer",
    "DemoCustomer",
    "ErrorCode",
    "Ledger",
    "LedgerError",
    "LedgerKeyError",
    "LedgerKeys",
    "LedgerStore",
    "LedgerTx",
    "LockoutPolicy",
    "Merchant",
    "Pending",
    "Reply",
    "Request",
    "StoreConfigError",
    "StoreConflict",
    "StoreError",
    "StoredResponse",
    "Terminal",
    "Transfer",
    "TransferKind",
    "TransferStatus",
    "add_cashier",
    "add_customer",
    "add_merchant",
    "add_terminal",
    "build_demo",
    "check_invariants",
    "default_key_path",
    "ensure_keys",
    "hash_pin",
    "init_schema",
    "issue_enrolment_code",
    "load_ledger_keys",
    "open_store",
    "parse_customer_spec",
    "save_ledger_keys",
    "set_enabled",
    "set_face_only_limit",
    "top_up",
    "unlock_pin",
    "verify_audit",
    "verify_chain",
    "verify_pin",
]
