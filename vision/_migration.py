"""Moving a gallery from one recogniser to another, shopper by shopper.

No photos are kept, so a template of one model cannot be recomputed for another. While a
gallery moves from a *source* recogniser to a *target*, the kiosk embeds every face with both
(:class:`PairedEmbedder`: one vector, the two L2-normalised embeddings side by side, scaled so
the whole has unit length) and :class:`MigratingGallery` searches it per shopper: a customer
with a target template is scored by the target model, every other customer by the source
model. The pipeline, the window fusion (the mean of paired vectors is the pair of the means)
and the same-face check (the mean of the two models' similarities) need no change.

The paired probe the scan searched last (the window's fused probe once the policy decided) is
kept until the next scan, so the composition root can add the shopper's target template when a
payment confirms who they are (``app.migration``).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vision._challenge import ChallengeLimits
from vision._decision import Decision, Match, NeedPin, Reason
from vision._embedder import Embedder, l2_normalise
from vision._gallery import Candidate, Gallery, TemplateIndex
from vision._pipeline import Pipeline
from vision._policy import DecisionPolicy
from vision._session import ScanSession

__all__ = ["MigratingGallery", "MigratingScanSession", "MigrationCoverage", "PairedEmbedder"]


class PairedEmbedder(Embedder):
    """The source and target recognisers as one ``Embedder``: ``[source | target] / sqrt(2)``."""

    def __init__(self, source: Embedder, target: Embedder) -> None:  # no session of its own
        self.source, self.target = source, target
        self.model_id = f"{source.model_id}+{target.model_id}"
        self.dim = source.dim + target.dim

    def embed(self, crops: NDArray[np.uint8]) -> NDArray[np.float32]:
        both = np.hstack([self.source.embed(crops), self.target.embed(crops)])
        out: NDArray[np.float32] = (both / math.sqrt(2.0)).astype(np.float32)
        return out

    def split(self, probe: NDArray[np.float32]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
        """The source and target embeddings (each L2-normalised) of a paired vector."""
        vec = np.asarray(probe, dtype=np.float32)
        if vec.shape[-1] != self.dim:
            raise ValueError(f"a paired probe has {self.dim} values, not {vec.shape[-1]}")
        n = self.source.dim
        return l2_normalise(vec[..., :n]), l2_normalise(vec[..., n:])


@dataclass(frozen=True)
class MigrationCoverage:
    """How far a gallery has moved to the target recogniser.

    Attributes:
        source: the recogniser the gallery moves from.
        target: the recogniser it moves to.
        customers: customers with any template.
        covered: customers with at least one target template (matched by the target model).
        source_only: customers with source templates only (still matched by the source model).
    """

    source: str
    target: str
    customers: int
    covered: int
    source_only: int

    @property
    def fraction(self) -> float:
        return self.covered / self.customers if self.customers else 1.0

    @classmethod
    def of(cls, gallery: Gallery, source: str, target: str) -> MigrationCoverage:
        everyone = set(gallery.customers())
        covered = set(gallery.customers(target)) & everyone
        return cls(source, target, len(everyone), len(covered), len(everyone - covered))


class MigratingGallery:
    """A ``Searchable`` over a gallery holding two recognisers' templates.

    ``gallery`` is opened for the target model (new enrolments store target templates only,
    so a shopper enrolled during the migration is covered from the start).
    """

    def __init__(self, gallery: Gallery, embedder: PairedEmbedder) -> None:
        if gallery.model_id != embedder.target.model_id:
            raise ValueError(
                f"the gallery is opened for {gallery.model_id}, the migration goes to "
                f"{embedder.target.model_id}"
            )
        self.gallery = gallery
        self.embedder = embedder
        self.source = embedder.source.model_id
        self.target = embedder.target.model_id
        self._built = -1
        self._target_index = TemplateIndex([], np.zeros((0, embedder.target.dim), np.float32))
        self._source_index = TemplateIndex([], np.zeros((0, embedder.source.dim), np.float32))
        self._customers = 0
        self.last_probe: NDArray[np.float32] | None = None
        # The scan searches on the vision worker, a payment adds templates on the payments
        # worker: both hold this while they touch the indices or the last probe.
        self.lock = threading.RLock()

    def _refresh(self) -> None:
        if self._built == self.gallery.version:
            return
        self._target_index = self.gallery.index(model_id=self.target)
        covered = set(self.gallery.customers(self.target))
        ids, matrix = self.gallery.templates(model_id=self.source)
        keep = [i for i, c in enumerate(ids) if c not in covered]
        self._source_index = TemplateIndex([ids[i] for i in keep], matrix[keep])
        self._customers = len(covered | set(ids))
        self._built = self.gallery.version

    def search(self, probe: NDArray[np.float32], k: int) -> tuple[Candidate, ...]:
        """The ``k`` best customers, each scored by the model that covers them, best first;
        the probe is kept as ``last_probe``."""
        with self.lock:
            self.last_probe = np.array(probe, dtype=np.float32, copy=True)
            return self.rank(probe, k)

    def rank(self, probe: NDArray[np.float32], k: int) -> tuple[Candidate, ...]:
        """``search`` without keeping the probe."""
        source, target = self.embedder.split(probe)
        with self.lock:
            self._refresh()
            found = self._target_index.search(target, k) + self._source_index.search(source, k)
        return tuple(sorted(found, key=lambda c: -c.score)[:k])

    def customer_count(self) -> int:
        with self.lock:
            self._refresh()
            return self._customers

    def source_ranking(self, probe: NDArray[np.float32], k: int) -> tuple[Candidate, ...]:
        """Every customer with source templates (covered ones too) ranked by the source model."""
        return self.gallery.index(model_id=self.source).search(self.embedder.split(probe)[0], k)

    def forget_probe(self) -> None:
        with self.lock:
            self.last_probe = None

    def coverage(self) -> MigrationCoverage:
        return MigrationCoverage.of(self.gallery, self.source, self.target)


class MigratingScanSession(ScanSession):
    """A ``ScanSession`` over a ``MigratingGallery``.

    It forgets the last probe at each new scan, so a payment is never credited with the face
    of an earlier shopper; and with ``pin_below`` set, a shopper still matched by the source
    model at a score under ``pin_below`` is asked for their PIN instead (``NeedPin`` with that
    one candidate), once: that PIN-confirmed payment moves them, after which the target model
    matches them. Without it a shopper the source model matches often but never strongly would
    never move.
    """

    def __init__(
        self,
        pipeline: Pipeline,
        policy: DecisionPolicy,
        challenge: ChallengeLimits,
        *,
        pin_below: float | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(pipeline.gallery, MigratingGallery):
            raise ValueError("a MigratingScanSession searches a MigratingGallery")
        self.migrating: MigratingGallery = pipeline.gallery
        self.pin_below = pin_below
        super().__init__(pipeline, policy, challenge, **kwargs)

    def reset(self, *, amount_minor: int = 0) -> None:
        super().reset(amount_minor=amount_minor)
        self.migrating.forget_probe()

    def _decide(self, decision: Decision) -> None:
        if (
            isinstance(decision, Match)
            and self.pin_below is not None
            and decision.score < self.pin_below
            and self.migrating.gallery.template_count(decision.customer_id, self.migrating.target) == 0
        ):
            decision = NeedPin((decision.customer_id,), Reason.LOW_SCORE)
        super()._decide(decision)
