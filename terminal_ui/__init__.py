"""terminal_ui package."""

__all__: list[str] = []
