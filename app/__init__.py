"""facepay composition root: settings, CLI, wiring and the checkout flow."""

__all__: list[str] = []
