"""payments package."""

__all__ = ["client", "journal", "ledger", "money", "pinblock", "reconcile", "report", "signing", "terminal"]
