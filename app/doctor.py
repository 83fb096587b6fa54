"""``facepay doctor``: one line per check of a kiosk's health, each with a fix.

Checks are plain functions returning ``Check`` records (findings are data); the
command prints them and exits non-zero when any failed.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from app.settings import Settings
from models import load_manifest, verify

__all__ = ["Check", "Status", "run_checks"]

# Below this much free space the journal may not be able to fsync a payment.
MIN_FREE_BYTES = 200 * 1024 * 1024
WARN_FREE_BYTES = 2 * 1024 * 1024 * 1024
# The ledger refuses requests more than 300 s off its clock; warn well before that.
MAX_SKEW_S = 300.0
WARN_SKEW_S = 30.0


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
    from payments.journal import Journal, JournalError

    path = settings.payments.data_dir / "journal.db"
    if not path.exists():
        return Check("journal", Status.OK, f"{path} not created yet (first payment creates it)")
    try:
        journal = Journal.open(path, settings.ledger.terminal_id)
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


def check_gallery(settings: Settings) -> Check:
    from app.wiring import open_gallery
    from vision import VisionError

    try:
        gallery = open_gallery(settings)
        count = gallery.count()
        gallery.close()
    except VisionError as exc:
        return Check("gallery", Status.FAIL, str(exc), "restore gallery.key from the backup of this kiosk")
    return Check("gallery", Status.OK, f"{count} templates, key opens the store")


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
        return [
            Check(
                "ledger",
                Status.FAIL,
                f"{led.url}: {exc}",
                "check the network and that the ledger runs; a bad signature means a wrong ledger.pub",
            )
        ]
    finally:
        client.close()
    ledger_now = datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    skew = ledger_now - (before + after) / 2.0
    checks = [Check("ledger", Status.OK, f"{led.url} answered, signature verified")]
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


def run_checks(
    settings: Settings, *, camera: str | None, ledger: bool = True, replica: Path | None = None
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
