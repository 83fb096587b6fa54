"""``facepay doctor``: one line per check of a kiosk's health, each with a fix.

Checks are plain functions returning ``Check`` records (findings are data); the
command prints them and exits non-zero when any failed. ``facepay kiosk`` runs the same
checks before it starts. No check writes anything: a doctor run leaves the data and
configuration folders as it found them (the gallery and journal are only opened when
they exist; nothing is created). The display is tried in a child process, so no Qt is
loaded here.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from app.settings import Settings

if TYPE_CHECKING:  # the client is imported where a check needs it (doctor starts fast)
    from payments.client import LedgerClient
from models import load_manifest, verify

__all__ = ["Check", "Status", "check_display", "check_terminal_known", "run_checks"]

# Below this much free space the journal may not be able to fsync a payment.
MIN_FREE_BYTES = 200 * 1024 * 1024
WARN_FREE_BYTES = 2 * 1024 * 1024 * 1024
# The ledger refuses requests more than 300 s off its clock; warn well before that.
MAX_SKEW_S = 300.0
WARN_SKEW_S = 30.0
# Opening the display in a child process (PySide6 import + QApplication) takes about 1 s here;
# well past that the display is not answering.
DISPLAY_TIMEOUT_S = 20.0
# The signed listing that proves the ledger knows this terminal asks for this last stretch only.
KNOWN_PROBE_S = 60.0


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "FAIL"
    SKIP = "skip"


@dataclass(frozen=True)
class Check:
    """The result of one check.

    Attributes:
        name: what was checked.
        status: ok / warn / FAIL / skip.
        detail: what was found.
        fix: what to do about it (empty when nothing).
    """

    name: str
    status: Status
    detail: str
    fix: str = ""

    @property
    def line(self) -> str:
        """The check as one line, with its fix when it is not ok."""
        text = f"{self.name}: {self.detail}"
        if self.fix and self.status is not Status.OK:
            text += f" -> fix: {self.fix}"
        return text


def check_models(settings: Settings) -> list[Check]:
    out = []
    for st in verify(load_manifest(), settings.models.dir):
        if st.ok:
            out.append(Check(f"model {st.spec.id}", Status.OK, f"{st.path} sha256 ok"))
        elif not st.required:
            out.append(Check(f"model {st.spec.id}", Status.SKIP, f"optional, {st.state.value}"))
        else:
            out.append(Check(f"model {st.spec.id}", Status.FAIL, f"{st.path}: {st.state.value}", st.fix))
    return out


def check_camera(spec: str, timeout_s: float = 5.0) -> Check:
    from vision import VisionError, open_source

    try:
        source = open_source(spec)
        start = time.monotonic()
        frame = next(iter(source), None)
        source.close()
    except VisionError as exc:
        return Check(
            "camera",
            Status.FAIL,
            str(exc),
            "plug the camera in; check the kiosk user is in the 'video' group; or set --camera",
        )
    if frame is None:
        return Check("camera", Status.FAIL, f"{spec}: no frame", "check the camera cable and permissions")
    took = time.monotonic() - start
    h, w = frame.image.shape[:2]
    status = Status.OK if took <= timeout_s else Status.WARN
    return Check("camera", status, f"{spec}: {w}x{h} frame in {took:.2f} s")


def check_disk(settings: Settings) -> Check:
    folder = settings.payments.data_dir
    probe = folder if folder.exists() else folder.parent
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    free = shutil.disk_usage(probe).free
    text = f"{free / 2**30:.1f} GiB free at {probe}"
    if free < MIN_FREE_BYTES:
        return Check("disk", Status.FAIL, text, "free disk space: the journal must be able to write")
    if free < WARN_FREE_BYTES:
        return Check("disk", Status.WARN, text, "free some disk space soon")
    return Check("disk", Status.OK, text)


def check_secret_file(name: str, path: Path) -> Check:
    if not path.exists():
        return Check(name, Status.FAIL, f"{path} is missing", f"create {path} (mode 600)")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Check(name, Status.FAIL, f"{path} has mode {mode:o}", f"chmod 600 {path}")
    return Check(name, Status.OK, f"{path} mode {mode:o}")


def check_journal(settings: Settings) -> Check:
    from payments.journal import Journal, JournalError, JournalWrongTerminal

    path = settings.payments.data_dir / "journal.db"
    if not path.exists():
        return Check("journal", Status.OK, f"{path} not created yet (first payment creates it)")
    try:
        journal = Journal.open(path, settings.ledger.terminal_id)
    except JournalWrongTerminal as exc:
        return Check(
            "journal",
            Status.FAIL,
            str(exc),
            f"if ledger.terminal_id ({settings.ledger.terminal_id}) is mistyped, set the id the journal "
            f"names; if this kiosk really is a new terminal, move {path} aside (keep it: its payments "
            "are reconciled with `facepay reconcile --journal FILE`) and start again",
        )
    except JournalError as exc:
        return Check(
            "journal", Status.FAIL, str(exc), "keep the file for the auditor; see packaging/README.md"
        )
    try:
        open_entries = journal.open_entries()
    finally:
        journal.close()
    if open_entries:
        unknown = sum(1 for e in open_entries if e.abandoned or e.is_reversal)
        detail = f"{len(open_entries)} payments not yet resolved"
        if unknown:
            detail += f" ({unknown} of unknown outcome: read back, and reversed if charged)"
        return Check(
            "journal", Status.WARN, detail, "run `facepay journal recover` once the ledger is reachable"
        )
    return Check("journal", Status.OK, f"{path}: integrity ok, nothing open")


_ENROL_FIX = "enrol shoppers (the kiosk's Enrol shopper, or `facepay enroll`); until then PIN only"


def check_gallery(settings: Settings) -> Check:
    """Whether the gallery opens and holds templates, without creating the store or its key."""
    from app.wiring import gallery_key_path
    from vision import Gallery, VisionError, load_key

    store = settings.payments.data_dir / "gallery.db"
    if not store.exists():
        detail = "no gallery yet: 0 templates, face payment impossible"
        return Check("gallery", Status.WARN, detail, _ENROL_FIX)
    key_file = gallery_key_path(settings)
    if not os.environ.get("FACEPAY_GALLERY_KEY") and not key_file.exists():
        return Check(
            "gallery",
            Status.FAIL,
            f"{store} exists but its key {key_file} is missing",
            "restore gallery.key from the backup of this kiosk",
        )
    try:
        gallery = Gallery(store, load_key(key_file), model_id=settings.models.recogniser)
        count = gallery.count()
        gallery.close()
    except VisionError as exc:
        return Check("gallery", Status.FAIL, str(exc), "restore gallery.key from the backup of this kiosk")
    if count == 0:
        return Check("gallery", Status.WARN, "0 templates: face payment impossible", _ENROL_FIX)
    return Check("gallery", Status.OK, f"{count} templates, key opens the store")


_DISPLAY_PROBE = (
    "import sys\n"
    "from PySide6.QtWidgets import QApplication\n"
    "app = QApplication(sys.argv[:1])\n"
    "screen = app.primaryScreen()\n"
    "if screen is None:\n"
    "    sys.exit('no screen')\n"
    "size = screen.size()\n"
    "print(app.platformName(), size.width(), size.height())\n"
)


def check_display(timeout_s: float = DISPLAY_TIMEOUT_S) -> Check:
    """Whether the kiosk window can open: a child process starts a QApplication."""
    fix = "run on the kiosk's display (DISPLAY=:0, as the kiosk user) or check the Qt libraries"
    try:
        done = subprocess.run(
            [sys.executable, "-c", _DISPLAY_PROBE],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return Check("display", Status.FAIL, f"no answer within {timeout_s:.0f} s", fix)
    if done.returncode != 0:
        lines = [line for line in (done.stderr or "").splitlines() if line.strip()]
        why = lines[-1] if lines else f"exit status {done.returncode}"
        return Check("display", Status.FAIL, f"cannot open: {why}", fix)
    platform, width, height = [*done.stdout.split(), "?", "?", "?"][:3]
    return Check("display", Status.OK, f"{platform} {width}x{height}")


def check_ledger(settings: Settings) -> list[Check]:
    from payments.client import BadLedgerSignature, LedgerClient, LedgerClientError

    led = settings.ledger
    if not led.terminal_id:
        return [
            Check(
                "ledger",
                Status.FAIL,
                "no terminal id configured",
                "set ledger.terminal_id (FACEPAY_LEDGER_TERMINAL_ID)",
            )
        ]
    try:
        client = LedgerClient.from_files(
            led.url, led.terminal_id, Path(led.key_file), Path(led.ledger_pub), timeout_s=led.timeout_s
        )
    except LedgerClientError as exc:
        return [
            Check(
                "ledger", Status.FAIL, str(exc), "install terminal.key and ledger.pub (packaging/README.md)"
            )
        ]
    try:
        before = time.time()
        text = client.ledger_time()
        after = time.time()
    except BadLedgerSignature as exc:
        client.close()
        return [
            Check(
                "ledger",
                Status.FAIL,
                f"{led.url}: {exc}",
                "install this ledger's ledger.pub: until then no answer can be trusted, so payments "
                "of unknown outcome stay open and recovery keeps retrying them (none is closed or "
                "reversed)",
            )
        ]
    except LedgerClientError as exc:
        client.close()
        return [
            Check(
                "ledger",
                Status.FAIL,
                f"{led.url}: {exc}",
                "check the network and that the ledger runs; a bad signature means a wrong ledger.pub",
            )
        ]
    ledger_now = datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    skew = ledger_now - (before + after) / 2.0
    checks = [Check("ledger", Status.OK, f"{led.url} answered, signature verified")]
    try:  # signed reads: the ledger knows this terminal, then its cashiers
        checks.append(check_terminal_known(settings, client))
        if checks[-1].status is Status.OK:
            checks.append(check_cashiers(settings, client))
    finally:
        client.close()
    if abs(skew) > MAX_SKEW_S:
        checks.append(
            Check(
                "clock",
                Status.FAIL,
                f"{skew:+.1f} s off the ledger",
                "enable NTP (timedatectl set-ntp true): the ledger refuses requests > 300 s off",
            )
        )
    elif abs(skew) > WARN_SKEW_S:
        checks.append(Check("clock", Status.WARN, f"{skew:+.1f} s off the ledger", "enable NTP"))
    else:
        checks.append(Check("clock", Status.OK, f"{skew:+.2f} s off the ledger"))
    return checks


def check_terminal_known(settings: Settings, client: LedgerClient) -> Check:
    """Whether the ledger knows this terminal and its key: a signed listing of the last minute
    (401 ``unknown_terminal``: it does not)."""
    from payments.client import LedgerClientError, LedgerRefused
    from payments.wire import iso_time

    led = settings.ledger
    name = "terminal at the ledger"
    now = time.time()
    try:
        client.list_transfers(iso_time(now - KNOWN_PROBE_S), iso_time(now + 1))
    except LedgerRefused as exc:
        if exc.code == "unknown_terminal":
            return Check(
                name,
                Status.FAIL,
                f"the ledger does not know terminal {led.terminal_id!r}",
                "check ledger.terminal_id for a typo, or register it on the ledger host "
                "(`facepay ledger add-terminal`)",
            )
        return Check(
            name,
            Status.FAIL,
            f"the ledger refused terminal {led.terminal_id!r}: {exc.code}",
            "install this terminal's own terminal.key (the ledger holds its public key)",
        )
    except LedgerClientError as exc:
        return Check(name, Status.FAIL, str(exc), "check the network and that the ledger runs")
    return Check(name, Status.OK, f"terminal {led.terminal_id} known, signed listing answered")


def configured_cashiers(settings: Settings) -> list[str]:
    """The cashier ids the kiosk offers at staff sign-in: the default first, no repeats."""
    listed = [c.strip() for c in settings.ledger.cashier_ids.split(",") if c.strip()]
    default = [settings.ledger.cashier_id] if settings.ledger.cashier_id else []
    return list(dict.fromkeys(default + listed))


def check_cashiers(settings: Settings, client: LedgerClient) -> Check:
    """Whether the kiosk has cashiers configured and the ledger knows each as one of this shop's
    (a signed read that says nothing about their PINs)."""
    from payments.client import LedgerClientError, LedgerRefused

    name = "cashiers"
    wanted = configured_cashiers(settings)
    if not wanted:
        return Check(
            name,
            Status.WARN,
            "no cashier configured: staff must type their id at sign-in, and the commands have no default",
            "set ledger.cashier_id (and ledger.cashier_ids) to this shop's cashiers",
        )
    try:
        unknown = [c for c in wanted if not client.cashier_known(c)]
    except LedgerRefused as exc:
        return Check(name, Status.WARN, f"the ledger cannot tell ({exc.code})", "update the ledger service")
    except LedgerClientError as exc:
        return Check(name, Status.FAIL, str(exc), "check the network and that the ledger runs")
    if unknown:
        return Check(
            name,
            Status.FAIL,
            f"not cashiers of this shop at the ledger: {', '.join(unknown)}",
            "fix ledger.cashier_id / ledger.cashier_ids, or add them on the ledger host "
            "(`facepay ledger add-cashier`)",
        )
    return Check(name, Status.OK, f"{', '.join(wanted)} known at the ledger")


def run_checks(
    settings: Settings,
    *,
    camera: str | None,
    ledger: bool = True,
    display: bool = False,
    replica: Path | None = None,
) -> list[Check]:
    """Every check, in the order an operator fixes things; ``replica``: a lane's data folder
    whose gallery replica to check (default: the data folder)."""
    from app.replica_doctor import check_replica

    checks: list[Check] = []
    steps: list[Callable[[], list[Check]]] = [
        lambda: check_models(settings),
        lambda: [check_disk(settings)],
        lambda: [check_gallery(settings)],
        lambda: [check_journal(settings)] if settings.ledger.terminal_id else [],
        lambda: check_replica(
            replica or settings.payments.data_dir, max_age_s=settings.payments.replica_max_age_s
        ),
    ]
    if camera is not None:
        steps.append(lambda: [check_camera(camera)])
    if display:
        steps.append(lambda: [check_display()])
    if ledger:
        steps.append(lambda: [check_secret_file("terminal key", Path(settings.ledger.key_file))])
        steps.append(lambda: check_ledger(settings))
    for step in steps:
        try:
            checks.extend(step())
        except Exception as exc:  # a check that breaks must not hide the others
            checks.append(Check(getattr(step, "__name__", "check"), Status.FAIL, f"check crashed: {exc}"))
    if os.environ.get("FACEPAY_GALLERY_KEY") is None:
        checks.extend(check_gallery_key(settings))
    return checks


def check_gallery_key(settings: Settings) -> list[Check]:
    """The key file's mode, and whether it sits in the templates' folder (a copy of one
    would then be a copy of both)."""
    from app.wiring import gallery_key_path

    key = gallery_key_path(settings)
    if not key.exists():
        return []
    checks = [check_secret_file("gallery key", key)]
    if key.parent.resolve() == settings.payments.data_dir.resolve():
        checks.append(
            Check(
                "gallery key place",
                Status.WARN,
                f"{key} sits beside the templates it protects ({settings.payments.data_dir})",
                f"move it to {settings.payments.gallery_key_file} (or set "
                "payments.gallery_key_file to a folder outside data_dir) and back it up apart",
            )
        )
    return checks
