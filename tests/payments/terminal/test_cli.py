"""The operator's commands end to end: pay offline and forward, list what is outstanding, reconcile."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

from app.commands.pay_cmd import DEMO_TERMINAL_DIR
from payments.journal import Journal

from .conftest import FACEPAY, REPO, TerminalKit, clean_env, served_world

STORE_AND_FORWARD = {
    "FACEPAY_PAYMENTS_STORE_AND_FORWARD": "true",
    "FACEPAY_PAYMENTS_OFFLINE_FLOOR_MINOR": "2000",
    "FACEPAY_PAYMENTS_OFFLINE_EXPOSURE_MINOR": "5000",
}


def test_offline_payment_is_outstanding_then_forwarded_and_reconciled(kit: TerminalKit) -> None:
    assert kit.cli("pay", "--customer", "c-alice", "--amount", "4.10").returncode == 0
    kit.proxy.down()
    offline = kit.cli(
        "pay", "--customer", "c-bob", "--amount", "12.50", "--json", extra_env=STORE_AND_FORWARD
    )
    assert offline.returncode == 0, offline.stderr
    stored = json.loads(offline.stdout)
    assert stored["outcome"] == "stored_offline"
    declined = kit.cli("pay", "--customer", "c-bob", "--amount", "20.01", extra_env=STORE_AND_FORWARD)
    assert declined.returncode == 3 and "above the offline limit" in declined.stdout
    outstanding = json.loads(kit.cli("journal", "outstanding", "--json").stdout)
    assert [o["transfer_id"] for o in outstanding["outstanding"]] == [stored["transfer_id"]]
    assert outstanding["outstanding"][0]["age_s"] >= 0
    assert outstanding["offline_exposure"] == {"minor": 1250, "currency": "EUR"}

    unconfirmed = kit.cli("reconcile", "--json")
    assert unconfirmed.returncode == 3
    assert json.loads(unconfirmed.stdout)["verdict"] == "totals unconfirmed"

    kit.proxy.up()
    pending = kit.cli("reconcile", "--json")  # ledger back, but the offline payment not forwarded yet
    assert json.loads(pending.stdout)["verdict"] == "totals unconfirmed"
    assert kit.cli("journal", "recover").returncode == 0
    html_path, csv_path = kit.tmp / "day.html", kit.tmp / "day.csv"
    done = kit.cli("reconcile", "--html", str(html_path), "--csv", str(csv_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == "totals agree: net 16.60 EUR"
    page = html_path.read_text(encoding="utf-8")
    assert "Totals agree" in page and "<svg" in page and stored["transfer_id"] in page
    rows = list(csv.DictReader(csv_path.open(encoding="utf-8")))
    assert {r["finding"] for r in rows} == {"matched"}
    assert any(r["transfer_id"] == stored["transfer_id"] and "offline" in r["note"] for r in rows)


def test_reconcile_lists_a_payment_the_journal_lost(kit: TerminalKit) -> None:
    assert kit.cli("pay", "--customer", "c-carol", "--amount", "3.00").returncode == 0
    kit.journal_path.unlink()  # a terminal whose journal was lost: the ledger still has the sale
    for suffix in ("-wal", "-shm"):
        kit.journal_path.with_name(kit.journal_path.name + suffix).unlink(missing_ok=True)
    run = kit.cli("reconcile", "--json")
    assert run.returncode == 1
    report = json.loads(run.stdout)
    assert report["verdict"] == "totals do not agree"
    assert [f["kind"] for f in report["findings"]] == ["ledger_only"]
    assert report["differences"] == {"EUR": {"minor": 300, "currency": "EUR"}}


def test_pin_payment_from_stdin(kit: TerminalKit) -> None:
    pin = kit.world.customer_pin("c-erin")
    wrong = "9999" if pin != "9999" else "8888"
    pay = ("pay", "--customer", "c-erin", "--amount", "2.00", "--pin-stdin", "--json")
    bad = kit.cli(*pay, stdin=wrong + "\n")
    assert bad.returncode == 1 and json.loads(bad.stdout)["code"] == "wrong_pin"
    good = kit.cli(*pay, stdin=pin + "\n")
    assert good.returncode == 0 and json.loads(good.stdout)["outcome"] == "approved"
    entries = json.loads(kit.cli("journal", "list", "--json").stdout)
    assert [(e["state"], e["pin_used"]) for e in entries] == [("declined", True), ("approved", True)]
    with Journal.open(kit.journal_path, kit.terminal_id) as journal:
        # Only the encrypted PIN block was ever stored, and it is dropped once the answer is in.
        assert [e.request_body for e in journal.entries()] == [None, None]


def test_pay_with_demo_writes_the_demo_kiosks_journal_so_reconcile_agrees(tmp_path: Path) -> None:
    """`facepay pay --demo` once wrote a journal of its own beside the demo kiosk's, and
    `reconcile` of the kiosk's journal then reported the payment as a difference."""
    with served_world(f"sqlite:///{tmp_path}/ledger.db", tmp_path) as world:
        demo = world.out / "demo.json"
        env = clean_env(tmp_path)

        def facepay(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [str(FACEPAY), *args, "--demo", str(demo), "--ledger", world.url],
                env=env,
                cwd=REPO,
                text=True,
                capture_output=True,
                timeout=120,
            )

        paid = facepay("pay", "--customer", "c-alice", "--amount", "25.00")
        assert paid.returncode == 0, paid.stderr
        kiosk_journal = world.out / DEMO_TERMINAL_DIR / "journal.db"
        with Journal.open(kiosk_journal, str(world.demo["terminal_id"])) as journal:
            assert [e.amount.minor for e in journal.entries()] == [2500]
        day = facepay("reconcile", "--json")
        assert day.returncode == 0, day.stdout + day.stderr
        assert json.loads(day.stdout)["verdict"] == "totals agree"
