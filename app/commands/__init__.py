"""CLI subcommands: one module per group, each exposing ``register(subparsers)``."""

__all__: list[str] = []
