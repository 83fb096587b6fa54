"""The till interface: the shop's register opens sales on the kiosk (see ``TILL.md``).

The register never types on the shopper's screen: it opens a sale (amount, currency,
its own reference), follows it and may cancel it; the kiosk answers every request signed
with its terminal key. The kiosk's own amount pad stays for shops without a till.
"""

from payments.till._client import (
    BadKioskSignature,
    TillClient,
    TillError,
    TillRefused,
    TillUnreachable,
)
from payments.till._desk import (
    Busy,
    DeskError,
    RefReused,
    Sale,
    SaleDesk,
    SaleResult,
    SaleStatus,
    UnknownSale,
)
from payments.till._server import HEADER_TERMINAL_SIGNATURE, TillServer, TillServerConfig

__all__ = [
    "HEADER_TERMINAL_SIGNATURE",
    "BadKioskSignature",
    "Busy",
    "DeskError",
    "RefReused",
    "Sale",
    "SaleDesk",
    "SaleResult",
    "SaleStatus",
    "TillClient",
    "TillError",
    "TillRefused",
    "TillServer",
    "TillServerConfig",
    "TillUnreachable",
    "UnknownSale",
]
