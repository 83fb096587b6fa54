"""The demo world: people picked from a labelled photo folder, a local ledger with their
accounts, their enrolment, and a camera video per scripted step. No Qt here.

The photo folder has a ``labels.csv`` (file, identity, masked, spoof). The demo takes:
the identity with the most unmasked live photos as the face-pay shopper (enrolled from
all but one; the held-out photo is what the camera sees), an identity with both a masked
and an unmasked live photo as the masked shopper, other identities with at least two
unmasked photos as further customers, and the spoof photo the passive liveness model is
surest about as the photo attack.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import httpx
import numpy as np
from numpy.typing import NDArray

from app.commands.pay_cmd import DEMO_TERMINAL_DIR
from app.evaluate import LabelRow, read_labels
from app.settings import Settings
from app.wiring import build_pipeline, open_gallery
from enrolment import NoUsablePhoto, Registry, enrol_photos
from vision import ImageError, read_image

__all__ = [
    "DemoError",
    "DemoPerson",
    "DemoWorld",
    "build_world",
    "camera_video",
    "ledger_process",
    "pick_attack_photo",
    "pick_people",
]

log = logging.getLogger(__name__)

NAMES = (
    "Anna Kowalska",
    "Ben Okafor",
    "Chen Wei",
    "Dana Levi",
    "Emil Novak",
    "Farah Haddad",
    "Goran Ilic",
    "Hana Sato",
    "Ivo Mendes",
    "Jana Horak",
    "Kofi Mensah",
    "Lea Moreau",
)
FRAME_W, FRAME_H = 640, 480


class DemoError(RuntimeError):
    """The demo cannot be set up (no suitable photos, ledger did not start...)."""


@dataclass(frozen=True)
class DemoPerson:
    """One demo customer.

    Attributes:
        name: display name.
        customer_id: numeric customer number (a shopper can type it).
        pin: the shopper's PIN at the ledger.
        enrol: photos used for enrolment.
        probe: the photo the demo camera shows (never enrolled), or None.
        masked_probe: a masked photo for the PIN step, or None.
    """

    name: str
    customer_id: str
    pin: str
    enrol: tuple[Path, ...]
    probe: Path | None = None
    masked_probe: Path | None = None


@dataclass(frozen=True)
class DemoWorld:
    """Everything the scripted demo needs.

    Attributes:
        workdir: where the ledger, keys, journal and gallery live.
        settings: terminal settings pointing into ``workdir``.
        face_shopper: pays by face.
        masked_shopper: wears a mask and pays by PIN.
        attack_photo: a spoof photo held up to the camera.
        people: every enrolled customer.
        cashier_id: the demo cashier.
        cashier_pin: their PIN.
        terminal_id: the demo terminal.
        key_file: its private key.
    """

    workdir: Path
    settings: Settings
    face_shopper: DemoPerson
    masked_shopper: DemoPerson
    attack_photo: Path
    people: tuple[DemoPerson, ...]
    cashier_id: str
    cashier_pin: str
    terminal_id: str
    key_file: Path


def _pin() -> str:
    return f"{secrets.randbelow(9000) + 1000}"


def pick_people(photos: Path) -> tuple[DemoPerson, DemoPerson, list[DemoPerson], list[Path]]:
    rows, _ = read_labels(photos / "labels.csv")
    live = [
        r
        for r in rows
        if not r.spoof and not r.identity.startswith("unknown_") and (photos / r.file).is_file()
    ]
    by_id: dict[str, list[LabelRow]] = {}
    for r in live:
        by_id.setdefault(r.identity, []).append(r)
    unmasked = {k: sorted(r.file for r in v if not r.masked) for k, v in by_id.items()}
    masked = {k: sorted(r.file for r in v if r.masked) for k, v in by_id.items()}
    face_id = max(sorted(unmasked), key=lambda k: len(unmasked[k]), default=None)
    mask_id = next((k for k in sorted(masked) if masked[k] and unmasked[k] and k != face_id), None)
    spoofs = [photos / r.file for r in rows if r.spoof and (photos / r.file).is_file()]
    if face_id is None or len(unmasked[face_id]) < 2 or mask_id is None or not spoofs:
        raise DemoError(
            f"{photos}/labels.csv needs an identity with 2+ unmasked photos, one with a "
            "masked and an unmasked photo, and a spoof photo"
        )
    names = iter(NAMES)
    number = iter(range(100001, 100100))
    face = DemoPerson(
        next(names),
        str(next(number)),
        _pin(),
        tuple(photos / f for f in unmasked[face_id][:-1]),
        photos / unmasked[face_id][-1],
    )
    mask = DemoPerson(
        next(names),
        str(next(number)),
        _pin(),
        tuple(photos / f for f in unmasked[mask_id]),
        None,
        photos / masked[mask_id][0],
    )
    rest = [k for k in sorted(unmasked) if k not in (face_id, mask_id) and len(unmasked[k]) >= 2]
    others = [
        DemoPerson(name, str(next(number)), _pin(), tuple(photos / f for f in unmasked[k]))
        for k, name in zip(rest, names, strict=False)
    ]
    return face, mask, others, spoofs


def letterbox(img: NDArray[np.uint8]) -> NDArray[np.uint8]:
    h, w = img.shape[:2]
    s = min(FRAME_W / w, FRAME_H / h)
    small = cv2.resize(
        img,
        (max(1, round(w * s)), max(1, round(h * s))),
        interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR,
    )
    canvas = np.full((FRAME_H, FRAME_W, 3), 40, np.uint8)
    y0, x0 = (FRAME_H - small.shape[0]) // 2, (FRAME_W - small.shape[1]) // 2
    canvas[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    return canvas


def camera_video(photo: Path | None, path: Path, *, seconds: float = 2.0, fps: float = 15.0) -> Path:
    """A lossless 640x480 video of ``photo`` (an empty scene when None), as a camera shows it:
    the first half second empty, then the photo, with a pixel of hand-held jitter."""
    empty = np.full((FRAME_H, FRAME_W, 3), 40, np.uint8)
    face = letterbox(read_image(photo)) if photo is not None else empty
    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"FFV1"), fps, (FRAME_W, FRAME_H))
    if not out.isOpened():
        raise DemoError(f"cannot write the demo camera video {path}")
    rng = np.random.default_rng(0)
    for i in range(int(seconds * fps)):
        if i < int(0.5 * fps):
            out.write(empty)
            continue
        dx, dy = (int(v) for v in rng.integers(-1, 2, size=2))
        out.write(np.roll(face, (dy, dx), axis=(0, 1)))
    out.release()
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def ledger_process(workdir: Path, *, timeout_s: float = 30.0) -> Iterator[str]:
    """Run ``facepay ledger serve`` on 127.0.0.1 for the demo world; yields its URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable,
        "-m",
        "app.cli",
        "ledger",
        "serve",
        "--db",
        f"sqlite:///{workdir}/ledger.db",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--ledger-key",
        str(workdir / "ledger.key"),
    ]
    logf = (workdir / "ledger.log").open("wb")
    proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise DemoError(f"the demo ledger exited (see {workdir / 'ledger.log'})")
            try:
                if httpx.get(f"{url}/v1/health", timeout=1.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise DemoError(f"the demo ledger did not answer on {url} within {timeout_s:.0f} s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        logf.close()


def _init_ledger(workdir: Path, people: list[DemoPerson]) -> dict[str, object]:
    customers = [{"name": p.name, "id": p.customer_id, "pin": p.pin, "balance_minor": 50_000} for p in people]
    (workdir / "customers.json").write_text(json.dumps(customers), encoding="utf-8")
    cmd = [
        sys.executable,
        "-m",
        "app.cli",
        "ledger",
        "init",
        "--db",
        f"sqlite:///{workdir}/ledger.db",
        "--ledger-key",
        str(workdir / "ledger.key"),
        "--demo",
        "--out",
        str(workdir),
        "--customers-file",
        str(workdir / "customers.json"),
        "--terminals",
        "3",  # the kiosk window's lane and two headless lanes sharing the merchant gallery
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise DemoError(f"facepay ledger init failed: {done.stderr.strip() or done.stdout.strip()}")
    demo: dict[str, object] = json.loads((workdir / "demo.json").read_text(encoding="utf-8"))
    return demo


def pick_attack_photo(settings: Settings, spoofs: list[Path]) -> Path:
    """The spoof photo whose face the passive model judges least live."""
    pipeline = build_pipeline(settings)
    scored: list[tuple[float, Path]] = []
    for path in spoofs:
        try:
            face = pipeline.process(letterbox(read_image(path))).face
        except ImageError:
            continue
        if face is not None and face.liveness is not None:
            scored.append((face.liveness, path))
    if not scored:
        raise DemoError("no spoof photo shows a face the detector finds")
    return min(scored)[1]


def build_world(settings: Settings, photos: Path, workdir: Path) -> DemoWorld:
    """Create the ledger database and keys, enrol the people, return the world."""
    workdir.mkdir(parents=True, exist_ok=True)
    face, mask, others, spoofs = pick_people(photos)
    people = [face, mask, *others]
    demo = _init_ledger(workdir, people)
    terminal_id = str(demo["terminal_id"])
    cashier = demo["cashier"]
    assert isinstance(cashier, dict)
    settings = replace(
        settings,
        payments=replace(
            settings.payments,
            data_dir=workdir / DEMO_TERMINAL_DIR,
            gallery_key_file=workdir / "keys" / "gallery.key",
        ),
        ledger=replace(
            settings.ledger,
            terminal_id=terminal_id,
            key_file=workdir / "terminal.key",
            ledger_pub=workdir / "ledger.pub",
            cashier_id=str(cashier["id"]),
        ),
        kiosk=replace(settings.kiosk, merchant="Demo Shop"),
    )
    os.environ.pop("FACEPAY_GALLERY_KEY", None)
    gallery = open_gallery(settings)
    registry = Registry(settings.payments.data_dir / "enrolment.db")
    pipeline = build_pipeline(settings)
    try:
        for person in people:
            registry.record_consent(person.customer_id, terminal_id)  # the demo people agreed
            try:
                result = enrol_photos(
                    pipeline, gallery, registry, person.customer_id, person.name, list(person.enrol)
                )
            except NoUsablePhoto as exc:
                if person in (face, mask):
                    raise DemoError(str(exc)) from exc
                log.warning("not enrolled: %s", exc)
                continue
            log.info("enrolled %s (%s) from %d photos", person.name, person.customer_id, result.templates)
    finally:
        gallery.close()
        registry.close()
    return DemoWorld(
        workdir,
        settings,
        face,
        mask,
        pick_attack_photo(settings, spoofs),
        tuple(people),
        str(cashier["id"]),
        str(cashier["pin"]),
        terminal_id,
        workdir / "terminal.key",
    )
