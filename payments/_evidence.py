"""Why the terminal believes a debit is the shopper's: one record for the flow, the journal and the wire."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

__all__ = ["Evidence"]


@dataclass(frozen=True, slots=True)
class Evidence:
    """The biometric evidence behind a debit (never the image).

    On the wire and in the journal it is :meth:`to_json`: every field that is not ``None``
    or empty text, under its own name (``models`` as an object).

    Attributes:
        method: "face", "face+pin", "pin", or "operator" for a debit typed at the command line.
        score: match score of the customer, when a face matched.
        liveness: liveness score of the scan, when known.
        masked: the face was judged masked; None when no face was looked at (``facepay pay``).
        reason: why a PIN was needed ("masked", "stranger"...), empty for a face match.
        models: (role, model id) of the models that produced the scores, when a kiosk sends it.
        source: what took the payment when it was not the kiosk ("facepay pay").
    """

    method: str
    score: float | None = None
    liveness: float | None = None
    masked: bool | None = False
    reason: str = ""
    models: tuple[tuple[str, str], ...] | None = None
    source: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON object sent with the debit and journalled with it."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None or value == "":
                continue
            out[f.name] = dict(value) if f.name == "models" else value
        return out

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Evidence:
        """Read :meth:`to_json` back (unknown keys are ignored; a missing method reads as "")."""
        models = obj.get("models")
        return cls(
            method=str(obj.get("method", "")),
            score=_number(obj.get("score")),
            liveness=_number(obj.get("liveness")),
            masked=masked if isinstance(masked := obj.get("masked"), bool) else None,
            reason=str(obj.get("reason", "")),
            models=tuple((str(k), str(v)) for k, v in models.items()) if isinstance(models, dict) else None,
            source=str(obj.get("source", "")),
        )


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
