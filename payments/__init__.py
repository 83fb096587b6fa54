"""payments package."""

__all__ = [
    "client",
    "journal",
    "ledger",
    "money",
    "outcomes",
    "pinblock",
    "reconcile",
    "report",
    "signing",
    "terminal",
]
