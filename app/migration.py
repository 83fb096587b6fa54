"""The recogniser migration as the kiosk runs it (``migration.source`` set).

The scan embeds with both recognisers and searches per shopper (``vision.MigratingGallery``);
after each approved payment :class:`TemplateHarvest` decides whether that payment confirmed
who the shopper is, and if so adds the shopper's target template, made from the very scan
that paid (the window's fused probe), to the gallery:

- confirmed by the shopper's PIN, and the face ranked that account among its first
  ``recognition.pin_candidates`` (a PIN typed for someone else's account, or a customer number
  the face never pointed at, adds nothing);
- or a face-only payment whose source-model score for that account is at least
  ``migration.strong_match`` and first.

Nothing is added for a payment stored offline (its PIN is not checked yet), nor once the
shopper holds ``migration.templates`` target templates.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.adapters import LedgerPayments
from app.settings import Settings, SettingsError
from app.wiring import build_embedder, build_pipeline, build_policy, challenge_limits
from checkout import Approved, Declined, Evidence
from models import load_manifest
from payments.terminal import PaymentService
from vision import Gallery, MigratingGallery, MigratingScanSession, PairedEmbedder, Pipeline

__all__ = [
    "HarvestOutcome",
    "HarvestingPayments",
    "TemplateHarvest",
    "build_migrating_pipeline",
    "build_migration_scan_session",
    "migration_active",
]

log = logging.getLogger(__name__)


def migration_active(settings: Settings) -> bool:
    """A migration is under way: a source recogniser other than the one in use is set."""
    source = settings.migration.source
    return bool(source) and source != settings.models.recogniser


def _check(settings: Settings) -> None:
    manifest = load_manifest()
    for name, model_id in (
        ("migration.source", settings.migration.source),
        ("models.recogniser", settings.models.recogniser),
    ):
        spec = manifest.get(model_id)
        if spec.task != "recogniser":
            raise SettingsError(f"{name} = {model_id!r} is a {spec.task}, not a recogniser")


def build_migrating_pipeline(settings: Settings, gallery: Gallery, *, passive: bool = True) -> Pipeline:
    """The per-frame pipeline embedding with both recognisers over a ``MigratingGallery``."""
    _check(settings)
    paired = PairedEmbedder(
        build_embedder(settings, model_id=settings.migration.source),
        build_embedder(settings, model_id=settings.models.recogniser),
    )
    pipeline = build_pipeline(settings, passive=passive)
    pipeline.embedder = paired
    pipeline.gallery = MigratingGallery(gallery, paired)
    return pipeline


def build_migration_scan_session(
    settings: Settings,
    gallery: Gallery,
    *,
    clock: Callable[[], float] = time.monotonic,
    rng: random.Random | None = None,
) -> MigratingScanSession:
    """The kiosk's ``FaceAnalyser`` during a migration (see ``app.wiring.build_scan_session``)."""
    m = settings.migration
    return MigratingScanSession(
        build_migrating_pipeline(settings, gallery),
        build_policy(settings),
        challenge_limits(settings),
        pin_below=m.strong_match if m.pin_to_move else None,
        clock=clock,
        rng=rng if rng is not None else random.SystemRandom(),
    )


@dataclass(frozen=True)
class HarvestOutcome:
    """What one approved payment did for the migration.

    Attributes:
        customer_id: the customer charged.
        added: a target template was added.
        why: why (or why not), in words for the log.
    """

    customer_id: str
    added: bool
    why: str


class TemplateHarvest:
    """Adds target templates from payments that confirmed the shopper (see the module doc)."""

    def __init__(
        self, gallery: MigratingGallery, *, strong_match: float, templates: int, candidates: int
    ) -> None:
        self.gallery = gallery
        self.strong_match = strong_match
        self.templates = templates
        self.candidates = candidates

    @classmethod
    def from_settings(cls, settings: Settings, gallery: MigratingGallery) -> TemplateHarvest:
        m = settings.migration
        return cls(
            gallery,
            strong_match=m.strong_match,
            templates=m.templates,
            candidates=settings.recognition.pin_candidates,
        )

    def after_payment(self, customer_id: str, *, pin_confirmed: bool) -> HarvestOutcome:
        """Called once per approved (online) payment, with the customer the ledger charged."""
        with self.gallery.lock:
            return self._after_payment(customer_id, pin_confirmed)

    def _after_payment(self, customer_id: str, pin_confirmed: bool) -> HarvestOutcome:
        probe = self.gallery.last_probe
        self.gallery.forget_probe()  # one scan, at most one template
        if probe is None:
            return HarvestOutcome(customer_id, False, "no scan behind this payment")
        store = self.gallery.gallery
        if store.template_count(customer_id, self.gallery.target) >= self.templates:
            return HarvestOutcome(customer_id, False, "already holds its target templates")
        if pin_confirmed:
            ranked = [c.customer_id for c in self.gallery.rank(probe, self.candidates)]
            if customer_id not in ranked:
                return HarvestOutcome(customer_id, False, "PIN confirmed, but the face did not rank it")
            why = "confirmed by PIN"
        else:
            top = self.gallery.source_ranking(probe, 1)
            if not top or top[0].customer_id != customer_id or top[0].score < self.strong_match:
                return HarvestOutcome(customer_id, False, "face match not strong under the source model")
            why = f"strong source match {top[0].score:.3f}"
        _, target = self.gallery.embedder.split(probe)
        store.add(customer_id, target, model_id=self.gallery.target)
        return HarvestOutcome(customer_id, True, why)


class HarvestingPayments(LedgerPayments):
    """``LedgerPayments`` that hands every approved online payment to a ``TemplateHarvest``."""

    def __init__(
        self,
        service: PaymentService,
        *,
        models: dict[str, str],
        harvest: TemplateHarvest,
        receipt_link: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__(service, models=models, receipt_link=receipt_link)
        self.harvest = harvest

    def pay(
        self,
        customer_id: str,
        amount_minor: int,
        currency: str,
        pin: str | None,
        evidence: Evidence,
        allow_offline: bool,
        candidates: tuple[str, ...] = (),
        reference: str = "",
        opened_by: str = "",
    ) -> Approved | Declined:
        outcome = super().pay(
            customer_id,
            amount_minor,
            currency,
            pin,
            evidence,
            allow_offline,
            candidates,
            reference=reference,
            opened_by=opened_by,
        )
        if not isinstance(outcome, Approved):
            return outcome
        if outcome.offline:
            self.harvest.gallery.forget_probe()
            return outcome
        charged = customer_id
        if pin is not None and len(set(candidates)) > 1:  # the ledger chose among the candidates
            try:
                posted = self.service.client.transfer(outcome.transfer_id)
            except Exception as exc:  # the payment stands; only the template waits for another
                log.warning("migration: could not read back transfer %s: %s", outcome.transfer_id, exc)
                self.harvest.gallery.forget_probe()
                return outcome
            if posted is None or not posted.customer_id:
                self.harvest.gallery.forget_probe()
                return outcome
            charged = posted.customer_id
        try:
            done = self.harvest.after_payment(charged, pin_confirmed=pin is not None)
        except Exception:  # never let the migration fail a payment that went through
            log.exception("migration: adding a template for %s failed", charged)
            return outcome
        what = "template added" if done.added else "no template"
        log.info("migration: %s: %s (%s)", charged, what, done.why)
        return outcome
