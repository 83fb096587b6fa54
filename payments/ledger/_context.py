"""What every action is given: the store, the guard (PINs and parties) and the clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from payments.ledger._authz import Guard
from payments.ledger._messages import Request, Work
from payments.ledger.records import Terminal
from payments.ledger.store import LedgerStore
from payments.signing import RequestAuth

__all__ = ["Context", "Preparer"]


@dataclass(frozen=True, slots=True)
class Context:
    """The ledger's parts an action may use.

    Attributes:
        store: the ledger store (reads outside the transaction only).
        guard: PIN checks, lockouts and party checks.
        clock: wall-clock seconds.
    """

    store: LedgerStore
    guard: Guard
    clock: Callable[[], float]


# An action: everything before the transaction (parse, open PIN blocks, hash), returning the
# work to run inside it. Raises BadInput for a request it refuses outright.
Preparer = Callable[[Context, RequestAuth, Terminal, Request, Mapping[str, str]], Work]
