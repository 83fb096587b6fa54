"""The sale desk: sales a till opens, the kiosk takes one at a time and reports back.

Pure and thread-safe: the till server's request threads and the kiosk's GUI thread
share one ``SaleDesk``. A sale moves ``pending -> in_progress -> approved | declined |
cancelled | failed``; ``pending`` and ``in_progress`` are open, the rest final. One sale
is open at a time (a kiosk serves one shopper). Opening the same ``sale_ref`` again with
the same amount is idempotent; with another amount it is refused.

Exceptions::

    DeskError(Exception)
    ├── Busy              another sale is still open
    ├── RefReused         this reference was opened with another amount or currency
    └── UnknownSale       no sale with this reference
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

__all__ = [
    "Busy",
    "DeskError",
    "RefReused",
    "Sale",
    "SaleDesk",
    "SaleResult",
    "SaleStatus",
    "UnknownSale",
]

# Finished sales the desk remembers for status queries (a till asks again after a restart).
REMEMBERED_SALES = 500


class SaleStatus(StrEnum):
    PENDING = "pending"
    IN_PROGRESS = "in_progress"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"
    FAILED = "failed"

    @property
    def open(self) -> bool:
        return self in (SaleStatus.PENDING, SaleStatus.IN_PROGRESS)


@dataclass(frozen=True)
class SaleResult:
    """How a sale ended, as the till's receipt needs it (no personal data).

    Attributes:
        transfer_id: the ledger transfer ("" when nothing was posted).
        method: ``face``, ``face+pin``, ``pin`` or ``""``.
        reason: a short machine-readable reason for declined / failed / cancelled.
        at: ISO 8601 UTC time the kiosk learnt the outcome.
    """

    transfer_id: str = ""
    method: str = ""
    reason: str = ""
    at: str = ""


@dataclass(frozen=True)
class Sale:
    """One sale opened by a till.

    Attributes:
        sale_ref: the till's reference (unique per sale).
        amount_minor: amount in minor units.
        currency: ISO 4217 code.
        till_id: the till that opened it.
        status: where it is.
        version: grows by one at every change (for long polls).
        cancel_requested: the till asked to cancel; the kiosk stops unless already paid.
        result: set once the sale is final.
    """

    sale_ref: str
    amount_minor: int
    currency: str
    till_id: str
    status: SaleStatus = SaleStatus.PENDING
    version: int = 1
    cancel_requested: bool = False
    result: SaleResult | None = None

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "sale_ref": self.sale_ref,
            "amount_minor": self.amount_minor,
            "currency": self.currency,
            "status": self.status.value,
            "version": self.version,
            "cancel_requested": self.cancel_requested,
        }
        if self.result is not None:
            out["result"] = {
                "transfer_id": self.result.transfer_id,
                "method": self.result.method,
                "reason": self.result.reason,
                "at": self.result.at,
            }
        return out


class DeskError(Exception):
    """A till request the desk refuses."""


class Busy(DeskError):
    """Another sale is still open."""


class RefReused(DeskError):
    """The reference was already used for another amount or currency."""


class UnknownSale(DeskError):
    """No sale with this reference."""


class SaleDesk:
    """Sales in order; ``take()`` hands the kiosk the pending one."""

    def __init__(self, *, on_change: Callable[[Sale], None] | None = None) -> None:
        self._sales: OrderedDict[str, Sale] = OrderedDict()
        self._cond = threading.Condition()
        self._on_change = on_change
        self._cancels_told: set[str] = set()

    def _store(self, sale: Sale) -> Sale:
        self._sales[sale.sale_ref] = sale
        self._sales.move_to_end(sale.sale_ref)
        while len(self._sales) > REMEMBERED_SALES:
            oldest = next(iter(self._sales.values()))
            if oldest.status.open:
                break
            self._sales.popitem(last=False)
        self._cond.notify_all()
        if self._on_change is not None:
            self._on_change(sale)
        return sale

    def open_sale(self) -> Sale | None:
        with self._cond:
            return next((s for s in self._sales.values() if s.status.open), None)

    def open(self, sale_ref: str, amount_minor: int, currency: str, till_id: str) -> tuple[Sale, bool]:
        """Open a sale; returns it and whether it is new (False: the same request again)."""
        with self._cond:
            known = self._sales.get(sale_ref)
            if known is not None:
                if (known.amount_minor, known.currency) != (amount_minor, currency):
                    raise RefReused(f"sale {sale_ref} was opened for another amount")
                return known, False
            current = next((s for s in self._sales.values() if s.status.open), None)
            if current is not None:
                raise Busy(f"sale {current.sale_ref} is still open")
            return self._store(Sale(sale_ref, amount_minor, currency, till_id)), True

    def get(self, sale_ref: str) -> Sale:
        with self._cond:
            sale = self._sales.get(sale_ref)
            if sale is None:
                raise UnknownSale(f"no sale {sale_ref}")
            return sale

    def wait(self, sale_ref: str, after_version: int, timeout_s: float) -> Sale:
        """The sale once its version passes ``after_version`` (or as it is at the timeout)."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while True:
                sale = self._sales.get(sale_ref)
                if sale is None:
                    raise UnknownSale(f"no sale {sale_ref}")
                left = deadline - time.monotonic()
                if sale.version > after_version or left <= 0:
                    return sale
                self._cond.wait(left)

    def cancel(self, sale_ref: str) -> Sale:
        """Ask to cancel: a pending sale ends at once; one in progress when the kiosk says so."""
        with self._cond:
            sale = self.get(sale_ref)
            if not sale.status.open or sale.cancel_requested:
                return sale
            if sale.status is SaleStatus.PENDING:
                ended = replace(
                    sale,
                    status=SaleStatus.CANCELLED,
                    cancel_requested=True,
                    version=sale.version + 1,
                    result=SaleResult(reason="cancelled_by_till"),
                )
                return self._store(ended)
            return self._store(replace(sale, cancel_requested=True, version=sale.version + 1))

    # --- the kiosk's side ------------------------------------------------------

    def take(self) -> Sale | None:
        """The pending sale for the kiosk to show, now ``in_progress`` (None: nothing new)."""
        with self._cond:
            sale = next((s for s in self._sales.values() if s.status is SaleStatus.PENDING), None)
            if sale is None:
                return None
            return self._store(replace(sale, status=SaleStatus.IN_PROGRESS, version=sale.version + 1))

    def poll(self, wait_s: float, *, free: Callable[[], bool] = lambda: True) -> Sale | None:
        """What the kiosk must hear, waiting up to ``wait_s``: a pending sale, now taken (only
        while ``free()``, asked each time the desk wakes: the kiosk may have become busy), or
        the sale on screen whose cancel the till just asked for (told once). None when
        nothing happened."""
        deadline = time.monotonic() + wait_s
        with self._cond:
            while True:
                if free() and (sale := self.take()) is not None:
                    return sale
                for sale in self._sales.values():
                    if sale.cancel_requested and sale.status.open and sale.sale_ref not in self._cancels_told:
                        self._cancels_told.add(sale.sale_ref)
                        return sale
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self._cond.wait(left)

    def finish(self, sale_ref: str, status: SaleStatus, result: SaleResult) -> Sale:
        """The kiosk's final word on a sale; a sale already final keeps its first outcome."""
        if status.open:
            raise ValueError("finish() needs a final status")
        with self._cond:
            sale = self.get(sale_ref)
            if not sale.status.open:
                return sale
            return self._store(replace(sale, status=status, result=result, version=sale.version + 1))
