"""The kiosk's start-up checks: the doctor's own ``Check`` records, sorted into what stops the
kiosk (it shows the out-of-service page and exits) and what it runs without (a part down:
the flow shows what still works).

A journal is bound to a terminal id when it is created, so the kiosk never creates one before
the ledger has confirmed that id: a mistyped ``--terminal`` would otherwise bind the journal
and every later start would fail.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.doctor import Check, Status, run_checks
from app.settings import Settings

__all__ = ["Preflight", "preflight"]

# Checks the kiosk cannot run without: it would lose money records, refuse every shopper or
# sign requests the ledger rejects. The camera, the ledger's reachability and the clock are
# not among them: without those the kiosk runs degraded and says so.
_FATAL = ("model ", "disk", "gallery", "journal", "terminal key", "terminal at the ledger", "gallery key")
_LEDGER = ("ledger", "clock")


@dataclass(frozen=True)
class Preflight:
    """What the start-up checks found.

    Attributes:
        checks: every check, in the doctor's order.
        fatal: the failures that keep the kiosk from starting.
        camera: the camera gave a frame.
        ledger: the ledger answered, signed, with a usable clock.
    """

    checks: tuple[Check, ...]
    fatal: tuple[Check, ...]
    camera: bool
    ledger: bool

    @property
    def problems(self) -> tuple[Check, ...]:
        """Every check that is not ok (failures and warnings), for the log."""
        return tuple(c for c in self.checks if c.status in (Status.FAIL, Status.WARN))


def _is(check: Check, names: tuple[str, ...]) -> bool:
    return any(check.name == n or (n.endswith(" ") and check.name.startswith(n)) for n in names)


def preflight(settings: Settings, camera: str | None) -> Preflight:
    """Run the doctor's checks for a kiosk about to start with ``settings`` and ``camera``."""
    checks = run_checks(settings, camera=camera, ledger=True, display=False)
    failed = [c for c in checks if c.status is Status.FAIL]
    fatal = [c for c in failed if _is(c, _FATAL)]
    ledger = not any(_is(c, _LEDGER) for c in failed)
    journal = settings.payments.data_dir / "journal.db"
    if not ledger and not journal.exists():
        unbound = Check(
            "journal",
            Status.FAIL,
            f"not created: the ledger has not confirmed terminal {settings.ledger.terminal_id!r}",
            "start the kiosk once the ledger answers (`facepay doctor` shows why it does not)",
        )
        checks.append(unbound)
        fatal.append(unbound)
    camera_ok = camera is None or not any(c.name == "camera" for c in failed)
    return Preflight(tuple(checks), tuple(fatal), camera_ok, ledger)
