"""payments package."""

__all__ = ["ledger", "money", "pinblock", "signing"]
