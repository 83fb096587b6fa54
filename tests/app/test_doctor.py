"""`facepay doctor` against a real ledger process: ready, then each fault named with a fix."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.demo_world import ledger_process
from payments.signing import generate_key, save_public_key

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    work = tmp_path_factory.mktemp("ledger")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "ledger",
            "init",
            "--db",
            f"sqlite:///{work}/ledger.db",
            "--ledger-key",
            str(work / "ledger.key"),
            "--demo",
            "--out",
            str(work),
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    with ledger_process(work) as url:
        yield work, url


def env_for(monkeypatch: pytest.MonkeyPatch, work: Path, url: str, data: Path) -> None:
    demo = json.loads((work / "demo.json").read_text())
    monkeypatch.setenv("FACEPAY_LEDGER_URL", url)
    monkeypatch.setenv("FACEPAY_LEDGER_TERMINAL_ID", demo["terminal_id"])
    monkeypatch.setenv("FACEPAY_LEDGER_KEY_FILE", str(work / "terminal.key"))
    monkeypatch.setenv("FACEPAY_LEDGER_LEDGER_PUB", str(work / "ledger.pub"))
    monkeypatch.setenv("FACEPAY_PAYMENTS_DATA_DIR", str(data))
    monkeypatch.delenv("FACEPAY_GALLERY_KEY", raising=False)


def doctor(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, dict[str, str]]]:
    rc = main(["doctor", "--json", *args])
    out = json.loads(capsys.readouterr().out)
    return rc, {c["name"]: c for c in out["checks"]}


def test_ready_kiosk(ledger, monkeypatch, tmp_path: Path, capsys) -> None:
    work, url = ledger
    env_for(monkeypatch, work, url, tmp_path / "data")
    rc, checks = doctor(capsys)
    assert rc == 0, checks
    assert checks["ledger"]["status"] == "ok" and "signature verified" in checks["ledger"]["detail"]
    assert checks["clock"]["status"] == "ok"
    assert checks["model yunet-2023mar"]["status"] == "ok"


def test_each_fault_is_named_with_a_fix(ledger, monkeypatch, tmp_path: Path, capsys) -> None:
    work, url = ledger
    fake = tmp_path / "keys"
    fake.mkdir()
    shutil.copy(work / "terminal.key", fake / "terminal.key")
    os.chmod(fake / "terminal.key", 0o644)
    save_public_key(generate_key().public_key(), fake / "ledger.pub")  # not the ledger's key
    env_for(monkeypatch, work, url, tmp_path / "data")
    monkeypatch.setenv("FACEPAY_LEDGER_KEY_FILE", str(fake / "terminal.key"))
    monkeypatch.setenv("FACEPAY_LEDGER_LEDGER_PUB", str(fake / "ledger.pub"))
    monkeypatch.setenv("FACEPAY_MODEL_DIR", str(tmp_path / "no-models"))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "journal.db").write_bytes(b"this is not a journal" * 100)
    rc, checks = doctor(capsys, "--camera", str(tmp_path / "nocam.mkv"))
    assert rc == 1
    assert checks["terminal key"]["status"] == "FAIL" and "chmod 600" in checks["terminal key"]["fix"]
    assert checks["ledger"]["status"] == "FAIL" and "ledger.pub" in checks["ledger"]["fix"]
    assert checks["model yunet-2023mar"]["status"] == "FAIL"
    assert "fetch" in checks["model yunet-2023mar"]["fix"]
    assert checks["journal"]["status"] == "FAIL"
    assert checks["camera"]["status"] == "FAIL"
    assert (tmp_path / "data" / "journal.db").read_bytes().startswith(b"this is not")  # left as it was


def test_ledger_down(ledger, monkeypatch, tmp_path: Path, capsys) -> None:
    work, _ = ledger
    env_for(monkeypatch, work, "http://127.0.0.1:9", tmp_path / "data")
    rc, checks = doctor(capsys)
    assert rc == 1 and checks["ledger"]["status"] == "FAIL"
    assert rc == 1 and doctor(capsys, "--no-ledger")[0] == 0


def test_wrong_ledger_pub_says_payments_of_unknown_outcome_stay_open(
    ledger, monkeypatch, tmp_path: Path, capsys
) -> None:
    from payments.journal import EntryKind, EntryState, Journal, NewEntry
    from payments.money import Money

    work, url = ledger
    env_for(monkeypatch, work, url, tmp_path / "data")
    save_public_key(generate_key().public_key(), tmp_path / "wrong.pub")
    monkeypatch.setenv("FACEPAY_LEDGER_LEDGER_PUB", str(tmp_path / "wrong.pub"))
    terminal_id = json.loads((work / "demo.json").read_text())["terminal_id"]
    with Journal.open(tmp_path / "data" / "journal.db", terminal_id) as journal:
        journal.record_intent(
            NewEntry(
                transfer_id="tx_1",
                idempotency_key="ik_1",
                kind=EntryKind.DEBIT,
                amount=Money(100, "EUR"),
                customer_id="c-1",
                merchant_ref="s-1",
                request_body=b"{}",
            )
        )
        journal.begin_attempt("tx_1")
        journal.mark("tx_1", EntryState.UNKNOWN, abandoned=True)
    rc, checks = doctor(capsys)
    assert rc == 1 and checks["ledger"]["status"] == "FAIL"
    assert "ledger.pub" in checks["ledger"]["fix"] and "unknown outcome stay open" in checks["ledger"]["fix"]
    assert checks["journal"]["status"] == "warn" and "1 of unknown outcome" in checks["journal"]["detail"]


def test_a_terminal_the_ledger_does_not_know_is_named(ledger, monkeypatch, tmp_path: Path, capsys) -> None:
    work, url = ledger
    env_for(monkeypatch, work, url, tmp_path / "data")
    monkeypatch.setenv("FACEPAY_LEDGER_TERMINAL_ID", "t-demo-l")  # a typo of the demo's terminal id
    rc, checks = doctor(capsys)
    assert rc == 1
    known = checks["terminal at the ledger"]
    assert known["status"] == "FAIL" and "does not know terminal 't-demo-l'" in known["detail"]
    assert "add-terminal" in known["fix"] and "typo" in known["fix"]


def test_no_enrolled_face_is_a_warning_that_face_payment_is_impossible(
    ledger, monkeypatch, tmp_path: Path, capsys
) -> None:
    work, url = ledger
    env_for(monkeypatch, work, url, tmp_path / "data")
    rc, checks = doctor(capsys)
    assert rc == 0  # a warning: the kiosk still takes PIN payments
    assert checks["gallery"]["status"] == "warn" and "face payment impossible" in checks["gallery"]["detail"]
    assert checks["terminal at the ledger"]["status"] == "ok"
    assert checks["display"]["status"] == "ok"


def _snapshot(*folders: Path) -> dict[str, bytes]:
    return {
        str(p): p.read_bytes() for folder in folders for p in sorted(folder.rglob("*")) if p.is_file()
    } | {str(p): b"<dir>" for folder in folders for p in folder.rglob("*") if p.is_dir()}


def test_doctor_changes_nothing_on_disk(ledger, monkeypatch, tmp_path: Path, capsys) -> None:
    from payments.journal import Journal

    work, url = ledger
    data, config = tmp_path / "data", tmp_path / "config"
    env_for(monkeypatch, work, url, data)
    monkeypatch.setenv("FACEPAY_PAYMENTS_GALLERY_KEY_FILE", str(config / "gallery.key"))
    config.mkdir()
    (config / "facepay.toml").write_text('[kiosk]\nmerchant = "Corner Shop"\n')
    monkeypatch.setenv("FACEPAY_CONFIG", str(config / "facepay.toml"))
    data.mkdir()
    terminal_id = json.loads((work / "demo.json").read_text())["terminal_id"]
    Journal.open(data / "journal.db", terminal_id).close()
    before = _snapshot(data, config)
    rc, checks = doctor(capsys)
    assert rc == 0, checks
    assert _snapshot(data, config) == before  # no gallery key, no gallery store, journal untouched
    assert not (config / "gallery.key").exists()


def test_a_journal_of_another_terminal_says_how_to_recover(
    ledger, monkeypatch, tmp_path: Path, capsys
) -> None:
    from payments.journal import Journal

    work, url = ledger
    env_for(monkeypatch, work, url, tmp_path / "data")
    (tmp_path / "data").mkdir()
    Journal.open(tmp_path / "data" / "journal.db", "t-other").close()
    rc, checks = doctor(capsys)
    assert rc == 1 and checks["journal"]["status"] == "FAIL"
    assert "mistyped" in checks["journal"]["fix"] and "move" in checks["journal"]["fix"]


def test_a_display_that_cannot_open_is_named(monkeypatch) -> None:
    from app.doctor import Status, check_display

    monkeypatch.setenv("QT_QPA_PLATFORM", "no-such-platform")
    found = check_display()
    assert found.status is Status.FAIL and found.detail.startswith("cannot open") and "DISPLAY" in found.fix


def test_cashiers_are_checked_at_the_ledger(ledger, monkeypatch, tmp_path: Path, capsys) -> None:
    work, url = ledger
    env_for(monkeypatch, work, url, tmp_path / "data")
    monkeypatch.delenv("FACEPAY_LEDGER_CASHIER_ID", raising=False)
    monkeypatch.delenv("FACEPAY_LEDGER_CASHIER_IDS", raising=False)
    rc, checks = doctor(capsys)
    assert rc == 0 and checks["cashiers"]["status"] == "warn"  # none configured: said, not "ready" silently
    assert "no cashier configured" in checks["cashiers"]["detail"]
    cashier = json.loads((work / "demo.json").read_text())["cashier"]["id"]
    monkeypatch.setenv("FACEPAY_LEDGER_CASHIER_ID", cashier)
    rc, checks = doctor(capsys)
    assert rc == 0 and checks["cashiers"]["status"] == "ok"
    monkeypatch.setenv("FACEPAY_LEDGER_CASHIER_IDS", "k-nobody")
    rc, checks = doctor(capsys)
    assert rc == 1 and checks["cashiers"]["status"] == "FAIL"
    assert "k-nobody" in checks["cashiers"]["detail"] and cashier not in checks["cashiers"]["detail"]
    assert "add-cashier" in checks["cashiers"]["fix"]
