"""One kiosk lane on its merchant's shared gallery: the replica as the pipeline's gallery,
enrolment that uploads to the ledger host, erasure, and payment by face from a photo.

A lane keeps everything in its own data folder: the terminal key and ``ledger.pub`` (as for
``facepay pay``), the replica (``replica.db``) and its box key (``gallery_box.key``), the
journal. The replica recognises while the ledger host is unreachable, but only for as long as
its last complete sync is younger than ``payments.replica_max_age_s`` (default 24 h): past
that it never matches a face (the shopper pays with the PIN) until it has caught up, so a
face erased at another lane cannot keep paying here.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from app.settings import REPLICA_MAX_AGE_S, REPLICA_POLL_S, Settings
from payments.client import LedgerEnrolment, LedgerErasure, LedgerUnreachable
from payments.gallery_replica import (
    BOX_KEY_FILE,
    REPLICA_FILE,
    GalleryClient,
    Replica,
    ReplicaError,
    SyncReport,
    load_box_key,
    sync_replica,
)
from payments.gallery_wire import seal_templates
from payments.signing import load_private_key, load_public_key
from vision import Candidate, TemplateIndex

__all__ = [
    "REPLICA_MAX_AGE_S",
    "REPLICA_POLL_S",
    "LaneGallery",
    "LaneMatch",
    "ReplicaSearch",
    "decide_match",
    "enrol_at_lane",
    "erase_at_lane",
    "open_lane_gallery",
    "open_replica",
    "try_sync",
]

log = logging.getLogger(__name__)


def open_replica(data_dir: Path, terminal_id: str, ledger_key: object) -> Replica:
    """The lane's replica in ``data_dir`` (created empty, with a fresh box key, on first use)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return Replica(data_dir / REPLICA_FILE, load_box_key(data_dir / BOX_KEY_FILE), ledger_key, terminal_id)


class ReplicaSearch:
    """The replica as the pipeline's gallery (``vision.Searchable``), PIN only once stale.

    The decrypted templates are held in memory (a ``TemplateIndex``); :meth:`refresh` rebuilds
    them after a sync changed the replica.
    """

    def __init__(
        self,
        replica: Replica,
        model_id: str,
        *,
        max_age_s: float = REPLICA_MAX_AGE_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.replica = replica
        self.model_id = model_id
        self.max_age_s = max_age_s
        self._clock = clock
        self._index = TemplateIndex([], np.zeros((0, 1), dtype=np.float32))
        self._synced_at: float | None = None
        self.refresh()

    def refresh(self, *, templates: bool = True) -> None:
        """Read the replica again: its sync time, and (``templates``) every template."""
        if templates:
            ids, matrix = self.replica.templates(self.model_id)
            self._index = (
                TemplateIndex(ids, matrix) if ids else TemplateIndex([], np.zeros((0, 1), np.float32))
            )
        self._synced_at = self.replica.synced_at

    @property
    def stale(self) -> bool:
        """True when the last complete sync is older than the limit (or there never was one)."""
        return self._synced_at is None or self._clock() - self._synced_at > self.max_age_s

    def search(self, probe: NDArray[np.float32], k: int) -> tuple[Candidate, ...]:
        return () if self.stale else self._index.search(probe, k)

    def customer_count(self) -> int:
        return 0 if self.stale else self._index.customer_count()


class LaneGallery(ReplicaSearch):
    """The replica as the kiosk's whole gallery (what ``KioskEnroller`` and the scan session use).

    Templates the enroller stores go to the merchant's gallery at the ledger host (sealed here,
    right after the ledger linked the face) and come back through the feed; an erasure deletes
    here at once and at every other lane through the feed. :meth:`sync_now` runs on a timer;
    every method may be called from any thread.
    """

    def __init__(
        self,
        replica: Replica,
        client: GalleryClient,
        model_id: str,
        *,
        max_age_s: float = REPLICA_MAX_AGE_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._lock = threading.RLock()
        self.client = client
        super().__init__(replica, model_id, max_age_s=max_age_s, clock=clock)

    def sync_now(self) -> SyncReport | None:
        """One sync (None when the ledger host is unreachable or refused this kiosk)."""
        with self._lock:
            try:
                report = try_sync(self.client, self.replica)
            except ReplicaError as exc:
                log.warning("gallery sync refused: %s", exc)
                report = None
            changed = report is not None and (report.applied > 0 or report.bootstrapped > 0)
            self.refresh(templates=changed)
            return report

    def add(self, customer_id: str, templates: NDArray[np.float32], *, kind: str = "face") -> int:
        """Seal and upload the templates of the enrolment this terminal just linked."""
        rows = np.atleast_2d(np.asarray(templates, dtype=np.float32))
        with self._lock:
            enrol_id = f"e{secrets.token_hex(8)}"
            sealed = seal_templates(
                self.replica.gallery_key(),
                rows,
                merchant_id=self.replica.merchant_id,
                customer_id=customer_id,
                enrol_id=enrol_id,
                model_id=self.model_id,
            )
            self.client.gallery_upload(customer_id, enrol_id, self.model_id, sealed)
            self.sync_now()
        return int(rows.shape[0])

    def remove(self, customer_id: str) -> int:
        """Delete the customer's templates here now (the ledger's erasure reaches the others)."""
        with self._lock:
            removed = self.replica.forget(customer_id)
            self.refresh()
        return removed

    def customers(self) -> list[str]:
        with self._lock:
            return self.replica.customers()

    def index(self, kind: str = "face") -> TemplateIndex:
        return self._index

    def search(self, probe: NDArray[np.float32], k: int = 3, kind: str = "face") -> tuple[Candidate, ...]:
        return super().search(probe, k)

    def close(self) -> None:
        with self._lock:
            self.replica.close()
            self.client.close()


def open_lane_gallery(
    settings: Settings, url: str, terminal_id: str, key_file: Path, ledger_pub: Path
) -> LaneGallery:
    """The kiosk's replica in ``payments.data_dir`` as its gallery (see :class:`LaneGallery`)."""
    public = load_public_key(ledger_pub)
    client = GalleryClient(
        url, terminal_id, load_private_key(key_file), public, timeout_s=settings.ledger.timeout_s
    )
    replica = open_replica(settings.payments.data_dir, terminal_id, public)
    return LaneGallery(
        replica, client, settings.models.recogniser, max_age_s=settings.payments.replica_max_age_s
    )


def try_sync(client: GalleryClient, replica: Replica) -> SyncReport | None:
    """Sync when the ledger host answers; None when it cannot be reached (the replica serves on)."""
    try:
        return sync_replica(client, replica)
    except LedgerUnreachable as exc:
        log.warning("gallery sync skipped, the ledger host is unreachable: %s", exc)
        return None


@dataclass(frozen=True, slots=True)
class LaneMatch:
    """What the face said at this lane.

    Attributes:
        customer_id: the matched customer, or None.
        score: the best score (0.0 without a face or candidate).
        reason: ``match``, ``stranger``, ``no_face`` or ``pin_only`` (the replica is stale).
        candidates: the best candidates, best first.
    """

    customer_id: str | None
    score: float
    reason: str
    candidates: tuple[Candidate, ...]


def decide_match(
    candidates: Sequence[Candidate], limits: tuple[float, float] | None, *, stale: bool
) -> LaneMatch:
    """A Match when the best candidate clears the threshold for the gallery size with the margin
    over the runner-up (``limits`` from the decision policy); otherwise a stranger."""
    cands = tuple(candidates)
    if stale:
        return LaneMatch(None, 0.0, "pin_only", ())
    if not cands or limits is None:
        return LaneMatch(None, cands[0].score if cands else 0.0, "stranger", cands)
    threshold, margin = limits
    best = cands[0]
    runner_up = cands[1].score if len(cands) > 1 else -1.0
    if best.score >= threshold and best.score - runner_up >= margin:
        return LaneMatch(best.customer_id, best.score, "match", cands)
    return LaneMatch(None, best.score, "stranger", cands)


def enrol_at_lane(
    client: GalleryClient,
    replica: Replica,
    link: Callable[[], LedgerEnrolment],
    customer_id: str,
    templates: Sequence[NDArray[np.float32]],
    model_id: str,
) -> tuple[LedgerEnrolment, dict[str, object]]:
    """Link the face at the ledger (``link``: the signed enrolment with the shopper's proof),
    then upload the templates sealed under the merchant's gallery key, then sync.

    The templates never leave the kiosk in clear, and are not kept anywhere but the gallery."""
    if not replica.registered:
        try_sync(client, replica)
    key = replica.gallery_key()  # before the link: a kiosk that cannot seal enrols nothing
    record = link()
    enrol_id = f"e{secrets.token_hex(8)}"
    sealed = seal_templates(
        key,
        np.vstack(templates),
        merchant_id=replica.merchant_id,
        customer_id=customer_id,
        enrol_id=enrol_id,
        model_id=model_id,
    )
    uploaded = client.gallery_upload(customer_id, enrol_id, model_id, sealed, record.linked_at)
    try_sync(client, replica)
    return record, uploaded


def erase_at_lane(
    client: GalleryClient, replica: Replica, erase: Callable[[], LedgerErasure]
) -> tuple[LedgerErasure, SyncReport | None]:
    """Erase at the ledger (the face link and every gallery copy), then sync this lane."""
    receipt = erase()
    try:
        report = try_sync(client, replica)
    except ReplicaError as exc:
        log.warning("the erasure is recorded at the ledger; this lane's sync failed: %s", exc)
        report = None
    return receipt, report
