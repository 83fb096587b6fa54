"""The merchant's day: one report over every lane of the shop, in the shop's time zone, with
the shop's name, the method split, cashier and sale reference columns and a next action per
finding (``facepay report`` against a real ledger process)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from payments import Evidence, day_bounds
from payments.merchant_day import NEXT_ACTION, NO_LEDGER_ACTION
from payments.money import Money
from payments.reconcile import FindingKind
from payments.terminal import Approved, PaymentService

from .conftest import Proxy, TerminalKit, new_terminal

SHOP = {"FACEPAY_KIOSK_MERCHANT": "Corner Shop", "FACEPAY_SHOP_TIMEZONE": "Asia/Tokyo"}
FACE = Evidence("face", 0.81, 0.97, False)


@contextmanager
def _service(kit: TerminalKit) -> Iterator[PaymentService]:
    service = kit.service()
    try:
        yield service
    finally:
        service.client.close()
        service.journal.close()


def _pay(kit: TerminalKit, customer: str, minor: int, ref: str, evidence: Evidence, opener: str = "") -> str:
    with _service(kit) as service:
        money = Money(minor, "EUR")
        outcome = service.pay(customer, money, evidence=evidence, merchant_ref=ref, opened_by=opener)
    assert isinstance(outcome, Approved), outcome
    return outcome.transfer_id


def test_the_shop_day_runs_midnight_to_midnight_on_the_shop_clock() -> None:
    assert day_bounds("2026-12-03", ZoneInfo("Asia/Tokyo")) == (
        "2026-12-03",
        "2026-12-02T15:00:00.000000Z",
        "2026-12-03T15:00:00.000000Z",
    )
    _, first, end = day_bounds("2026-03-29", ZoneInfo("Europe/Berlin"))  # clocks go forward
    assert (first, end) == ("2026-03-28T23:00:00.000000Z", "2026-03-29T22:00:00.000000Z")


def test_one_report_over_every_lane_with_methods_cashier_reference_and_next_actions(
    kit: TerminalKit, proxy: Proxy, tmp_path: Path
) -> None:
    lane2 = new_terminal(kit.world, proxy, tmp_path / "lane2")
    face_sale = _pay(kit, "c-alice", 1250, "R-100", FACE, "till:till-1")
    pin = kit.world.customer_pin("c-bob")
    with _service(lane2) as service:
        pin_sale = service.pay(
            "c-bob", Money(800, "EUR"), evidence=Evidence("pin", masked=True), pin=pin, merchant_ref="R-200"
        )
        assert isinstance(pin_sale, Approved)
        cashier, cashier_pin = kit.world.cashier
        refund = service.refund(pin_sale.transfer_id, Money(300, "EUR"), cashier_id=cashier, cashier_pin=pin)
        assert not isinstance(refund, Approved)  # a shopper's PIN is not a cashier's
        refund = service.refund(
            pin_sale.transfer_id, Money(300, "EUR"), cashier_id=cashier, cashier_pin=cashier_pin
        )
        assert isinstance(refund, Approved)
    copy = tmp_path / "lane2-copy.db"
    shutil.copy(lane2.journal_path, copy)  # the copy the merchant has of lane 2's journal...
    lost = _pay(lane2, "c-carol", 450, "R-201", FACE)  # ...misses a later sale

    day = datetime.now(UTC).astimezone(ZoneInfo("Asia/Tokyo")).strftime("%Y-%m-%d")
    lanes = ("--lane", f"{kit.terminal_id}={kit.journal_path}", "--lane", f"{lane2.terminal_id}={copy}")
    run = kit.cli("report", "--date", day, *lanes, "--json", extra_env=SHOP)
    assert run.returncode == 1, run.stdout + run.stderr  # lane 2 does not agree
    report = json.loads(run.stdout)
    assert (report["shop"], report["day"], report["timezone"]) == ("Corner Shop", day, "Asia/Tokyo")
    assert [(lane["terminal_id"], lane["verdict"]) for lane in report["lanes"]] == [
        (kit.terminal_id, "totals agree"),
        (lane2.terminal_id, "totals do not agree"),
    ]
    split = {m["method"]: (m["count"], m["amount"]["minor"]) for m in report["methods"]}
    assert split == {"face": (2, 1700), "face+pin": (0, 0), "pin": (1, 800), "operator": (0, 0)}
    rows = {t["transfer_id"]: t for t in report["transfers"]}
    assert rows[face_sale]["lane"] == kit.terminal_id and rows[face_sale]["sale_ref"] == "R-100"
    assert rows[face_sale]["method"] == "face" and rows[face_sale]["next_action"] == ""
    assert rows[face_sale]["cashier_id"] == "till:till-1"  # who opened the sale (here: the till)
    assert rows[pin_sale.transfer_id]["method"] == "pin"
    assert rows[refund.transfer_id]["cashier_id"] == cashier and rows[refund.transfer_id]["kind"] == "refund"
    missing = rows[lost]
    assert missing["finding"] == "ledger_only" and missing["sale_ref"] == "R-201"
    assert missing["next_action"] == NEXT_ACTION[FindingKind.LEDGER_ONLY]
    assert all(t["at"].startswith(day) for t in report["transfers"])  # Tokyo's clock, not UTC's

    text = kit.cli("report", "--date", day, *lanes, extra_env=SHOP)
    assert text.stdout.startswith(f"Corner Shop: the day {day} (Asia/Tokyo), 2 lane(s)")
    assert "to do:" in text.stdout and "R-201" in text.stdout


def test_a_lane_written_wrongly_or_missing_is_one_line(kit: TerminalKit, tmp_path: Path) -> None:
    for lane, says in (("no-equals-sign", "write TERMINAL=JOURNAL"), (f"x={tmp_path}/none.db", "no journal")):
        run = kit.cli("report", "--lane", lane)
        assert run.returncode == 2 and says in run.stderr and "Traceback" not in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
    bad_zone = kit.cli("report", extra_env={"FACEPAY_SHOP_TIMEZONE": "Mars/Olympus"})
    assert bad_zone.returncode == 2 and "IANA time zone" in bad_zone.stderr


def test_with_the_ledger_down_the_report_is_unconfirmed_and_says_to_reach_the_ledger(
    kit: TerminalKit,
) -> None:
    _pay(kit, "c-dave", 300, "R-300", FACE)
    kit.proxy.down()
    run = kit.cli("report", "--json", extra_env=SHOP)
    assert run.returncode == 3, run.stdout + run.stderr
    report = json.loads(run.stdout)
    assert report["verdict"] == "totals unconfirmed"
    assert {t["next_action"] for t in report["transfers"]} == {NO_LEDGER_ACTION}
