"""vision package."""

__all__: list[str] = []
