"""The composition root of the kiosk: builds models, stores, the ledger client and the
window from Settings and passes them in. The only place in ``app`` that touches Qt.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from app.adapters import KioskEnroller, LedgerPayments
from app.migration import (
    HarvestingPayments,
    TemplateHarvest,
    build_migration_scan_session,
    migration_active,
)
from app.preflight import TillStartError, check_till_port, till_listen_address
from app.replica import open_lane_gallery
from app.settings import Settings
from app.wiring import build_pipeline, build_scan_session, open_gallery
from enrolment import Registry
from payments.client import LedgerClient, LedgerClientError
from payments.journal import Journal
from payments.receipts import receipt_token, receipt_url
from payments.signing import load_private_key, load_public_key
from payments.terminal import OfflineRules, PaymentService
from payments.till import SaleDesk, TillServer, TillServerConfig
from vision import Frame, Gallery, ScanSession, open_source

__all__ = [
    "KioskParts",
    "TerminalIdentity",
    "has_display",
    "kiosk_parts",
    "run_kiosk",
    "show_out_of_service",
    "start_till",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TerminalIdentity:
    """Who this terminal is at its ledger.

    Attributes:
        url: ledger base URL.
        terminal_id: this terminal's id.
        key_file: its Ed25519 private key (PKCS8 PEM, mode 600).
        ledger_pub: the ledger's response-signing public key.
    """

    url: str
    terminal_id: str
    key_file: Path
    ledger_pub: Path

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        url: str | None = None,
        key_file: Path | None = None,
        terminal_id: str | None = None,
    ) -> TerminalIdentity:
        led = settings.ledger
        key = key_file or Path(led.key_file)
        pub = key.parent / "ledger.pub" if key_file is not None else Path(led.ledger_pub)
        return cls(url or led.url, terminal_id or led.terminal_id, key, pub)

    def applied(self, settings: Settings) -> Settings:
        """``settings`` with this identity as its ledger section (the kiosk's flags win)."""
        ledger = dataclasses.replace(
            settings.ledger,
            url=self.url,
            terminal_id=self.terminal_id,
            key_file=self.key_file,
            ledger_pub=self.ledger_pub,
        )
        return dataclasses.replace(settings, ledger=ledger)


@dataclass
class KioskParts:
    """Everything the kiosk window needs, built once and closed together."""

    analyser: ScanSession
    camera: Callable[[], Iterator[Frame]]
    payments: LedgerPayments
    directory: Registry
    service: PaymentService
    closer: ExitStack
    enroller: KioskEnroller | None = None
    desk: SaleDesk | None = None


# Open journal entries (outage, store-and-forward) are retried this often while the kiosk runs.
RECOVERY_INTERVAL_S = 60.0


@contextmanager
def periodic(job: Callable[[], object], interval_s: float) -> Iterator[None]:
    """Run ``job`` every ``interval_s`` on a background thread until the block ends."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(interval_s):
            try:
                job()
            except Exception:  # the next round tries again; the kiosk keeps selling
                log.exception("periodic %s failed", getattr(job, "__name__", "job"))

    thread = threading.Thread(target=loop, name="facepay-recovery", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or os.environ.get(
        "QT_QPA_PLATFORM", ""
    ) not in ("", "xcb", "wayland")


@contextmanager
def kiosk_parts(
    settings: Settings,
    identity: TerminalIdentity,
    camera_spec: str,
    *,
    loop_camera: bool = False,
    lane: bool = False,
) -> Iterator[KioskParts]:
    """Build and later close the vision session, gallery, journal and ledger client.

    ``lane``: the gallery is this kiosk's replica of the merchant gallery (``app.replica``),
    synced every ``payments.replica_poll_s``; otherwise the kiosk's own encrypted gallery."""
    with ExitStack() as stack:
        gallery: Gallery
        if lane:
            lane_gallery = open_lane_gallery(
                settings, identity.url, identity.terminal_id, identity.key_file, identity.ledger_pub
            )
            stack.callback(lane_gallery.close)
            lane_gallery.sync_now()
            stack.enter_context(periodic(lane_gallery.sync_now, settings.payments.replica_poll_s))
            gallery = cast(Gallery, lane_gallery)  # the Gallery calls the kiosk makes, on the replica
        else:
            gallery = open_gallery(settings)
            stack.callback(gallery.close)
        registry = Registry(settings.payments.data_dir / "enrolment.db")
        stack.callback(registry.close)
        journal = Journal.open(settings.payments.data_dir / "journal.db", identity.terminal_id)
        stack.callback(journal.close)
        client = LedgerClient.from_files(
            identity.url,
            identity.terminal_id,
            identity.key_file,
            identity.ledger_pub,
            timeout_s=settings.ledger.timeout_s,
        )
        stack.callback(client.close)
        p = settings.payments
        service = PaymentService(
            client,
            journal,
            currency=p.currency,
            rules=OfflineRules(p.store_and_forward, p.offline_floor_minor, p.offline_exposure_minor),
            tz=ZoneInfo(settings.shop.timezone),  # the cashier's "today": the shop's business day
        )
        models = {"recogniser": settings.models.recogniser, "antispoof": settings.models.antispoof}
        links = receipt_links(identity, settings.ledger.receipt_url or identity.url)
        analyser: ScanSession
        if migration_active(settings):  # two recognisers: every confirmed payment moves a shopper
            moving = build_migration_scan_session(settings, gallery)
            models["recogniser_source"] = settings.migration.source
            harvest = TemplateHarvest.from_settings(settings, moving.migrating)
            analyser = moving
            payments: LedgerPayments = HarvestingPayments(
                service, models=models, harvest=harvest, receipt_link=links
            )
        else:
            analyser = build_scan_session(settings, gallery)
            payments = LedgerPayments(service, models=models, receipt_link=links)
        still_open = payments.recover()
        if still_open:
            log.warning("%d journal entries still open after start-up recovery", still_open)
        stack.enter_context(periodic(payments.recover, RECOVERY_INTERVAL_S))

        def camera() -> Iterator[Frame]:
            return iter(open_source(camera_spec, realtime=True, loop=loop_camera))

        enroller = KioskEnroller(
            build_pipeline(settings),
            gallery,
            registry,
            payments,
            terminal_id=identity.terminal_id,
            reject_below=settings.liveness.passive.pass_threshold,
            already_at=settings.recognition.enrolled_threshold,
        )
        desk = start_till(settings, identity, stack) if settings.till.enabled else None
        yield KioskParts(analyser, camera, payments, registry, service, stack, enroller, desk)


def receipt_links(identity: TerminalIdentity, base_url: str) -> Callable[[str], str]:
    """The shopper's receipt link of a transfer: the ledger host's page at ``base_url``, signed
    by this terminal."""
    key = load_private_key(identity.key_file)

    def link(transfer_id: str) -> str:
        return receipt_url(base_url, transfer_id, receipt_token(key, transfer_id))

    return link


def start_till(settings: Settings, identity: TerminalIdentity, stack: ExitStack) -> SaleDesk:
    """The till interface (``[till]``): a sale desk the window serves, and its HTTP server."""
    t = settings.till
    host, port = till_listen_address(t.listen)
    config = TillServerConfig(
        host=host,
        port=port,
        tills={t.till_id: load_public_key(Path(t.public_key_file))},
        currency=settings.payments.currency,
        max_sale_minor=settings.payments.max_sale_minor,
    )
    desk = SaleDesk()
    try:
        server = TillServer(config, desk, load_private_key(identity.key_file)).start()
    except OSError as exc:  # taken since the start-up checks: the same one line with its fix
        raise TillStartError(check_till_port(t.listen).line) from exc
    stack.callback(server.close)
    return desk


def run_kiosk(
    settings: Settings,
    identity: TerminalIdentity,
    camera_spec: str,
    *,
    windowed: bool,
    camera_ok: bool = True,
    ledger_ok: bool = True,
    lane: bool = False,
) -> int:
    """Run the kiosk window until it is closed; a part found down at start (``camera_ok``,
    ``ledger_ok``) shows as the out-of-service page and as a warning in the cashier's menu;
    ``lane``: on the merchant gallery's replica."""
    from PySide6.QtWidgets import QApplication

    from app.kiosk_options import kiosk_options
    from checkout import HealthChanged
    from terminal_ui import KioskWindow

    app: Any = QApplication.instance() or QApplication(sys.argv[:1])
    with kiosk_parts(settings, identity, camera_spec, lane=lane) as parts:
        client = parts.service.client

        def ledger_up() -> bool:
            try:
                return client.health()
            except LedgerClientError:
                return False

        window = KioskWindow(
            parts.analyser,
            parts.camera,
            parts.payments,
            parts.directory,
            dataclasses.replace(  # its own receipts open the refund by scanning their QR code
                kiosk_options(settings, fullscreen=not windowed),
                receipt_key=load_private_key(identity.key_file).public_key(),
            ),
            enroller=parts.enroller,
            till=parts.desk,
            ledger_probe=ledger_up,
        )
        window.dispatch(HealthChanged(camera=camera_ok, ledger=ledger_ok))
        window.show_kiosk()
        return int(app.exec())


def show_out_of_service(
    reasons: tuple[str, ...], *, windowed: bool, retry_s: float, language: str = "en"
) -> int:
    """A kiosk that cannot start shows the out-of-service page (not a black screen) in the shop's
    ``language`` with the reasons for staff, for ``retry_s``; then returns 2 so its service
    manager starts it again."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    from checkout import OutOfServiceView, say
    from terminal_ui.i18n import Languages
    from terminal_ui.screens import OutOfServiceScreen
    from terminal_ui.style import STYLE_SHEET
    from terminal_ui.window import KIOSK_SIZE

    app: Any = QApplication.instance() or QApplication(sys.argv[:1])
    languages = Languages(language)
    page = OutOfServiceScreen()
    page.show_view(OutOfServiceView(say("oos.closed"), say("oos.closed.body"), reasons, staff=False))
    window = QMainWindow()
    window.setCentralWidget(page)
    window.setStyleSheet(STYLE_SHEET)
    window.setWindowTitle("facepay: out of service")
    if windowed:
        window.resize(*KIOSK_SIZE)
        window.show()
    else:
        window.setGeometry(window.screen().geometry())
        window.showFullScreen()
    QTimer.singleShot(int(retry_s * 1000), app.quit)
    app.exec()
    window.close()
    languages.close()
    return 2
