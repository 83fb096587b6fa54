"""The kiosk's start-up checks: the doctor's own ``Check`` records, sorted into what stops the
kiosk (it shows the out-of-service page and exits) and what it runs without (a part down:
the flow shows what still works).

A journal is bound to a terminal id when it is created, so the kiosk never creates one before
the ledger has confirmed that id: a mistyped ``--terminal`` would otherwise bind the journal
and every later start would fail.

With the till interface on (``[till]``), its register key and its port are checked too: a
kiosk that cannot hear its till would leave the shop with no way to start a sale.
"""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass
from pathlib import Path

from app.doctor import Check, Status, run_checks
from app.settings import TILL_PORT, Settings
from payments.signing import KeyFileError, load_public_key

__all__ = ["Preflight", "TillStartError", "check_till", "check_till_port", "preflight", "till_listen_address"]

# Checks the kiosk cannot run without: it would lose money records, refuse every shopper or
# sign requests the ledger rejects. The camera, the ledger's reachability and the clock are
# not among them: without those the kiosk runs degraded and says so.
_FATAL: tuple[str, ...] = ("model ", "disk", "gallery", "journal", "terminal key", "terminal at the ledger")
_FATAL += ("gallery key", "till key", "till port")
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


class TillStartError(RuntimeError):
    """The till interface could not start; the message is one line with its fix."""


def till_listen_address(listen: str) -> tuple[str, int]:
    """``till.listen`` ("host:port", host optional) as (host, port); ValueError when it is not one."""
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"till.listen = {listen!r} is not HOST:PORT")
    return host.strip("[]") or "127.0.0.1", int(port)


def _till_key(path: Path) -> Check:
    try:
        load_public_key(path)
    except KeyFileError as exc:
        found = "is missing" if not path.exists() else f"is not the register's key ({exc})"
        return Check(
            "till key",
            Status.FAIL,
            f"{path} {found}",
            f"run `facepay till keygen DIR` for the register and copy DIR/till.pub to {path} "
            "(or set till.public_key_file), or turn the till off (till.enabled = false)",
        )
    return Check("till key", Status.OK, f"{path} ok")


def check_till_port(listen: str) -> Check:
    """Whether the till interface can listen on ``till.listen`` (free, and an address here)."""
    fix = (
        "stop the program that holds it (`ss -ltnp` names it; another kiosk?) or set till.listen "
        "(FACEPAY_TILL_LISTEN) to a free port and give the register the same URL"
    )
    try:
        host, port = till_listen_address(listen)
    except ValueError as exc:
        return Check("till port", Status.FAIL, str(exc), f'write it like "127.0.0.1:{TILL_PORT}"')
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the till server binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return Check("till port", Status.FAIL, f"{host}:{port} is in use by another program", fix)
            return Check(
                "till port",
                Status.FAIL,
                f"cannot listen on {host}:{port} ({exc.strerror})",
                f"set till.listen to an address of this machine, e.g. 127.0.0.1:{TILL_PORT}",
            )
    return Check("till port", Status.OK, f"{host}:{port} free")


def check_till(settings: Settings) -> list[Check]:
    """The till interface's register key and port, when the till is on (else nothing)."""
    if not settings.till.enabled:
        return []
    return [_till_key(Path(settings.till.public_key_file)), check_till_port(settings.till.listen)]


def preflight(settings: Settings, camera: str | None) -> Preflight:
    """Run the doctor's checks for a kiosk about to start with ``settings`` and ``camera``."""
    checks = run_checks(settings, camera=camera, ledger=True, display=False)
    checks.extend(check_till(settings))
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
