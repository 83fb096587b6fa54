"""`facepay kiosk` start-up errors against a real ledger process: each is one line with its fix
(never a traceback), the out-of-service page is shown instead of a black screen, and a journal
is never bound to a terminal id the ledger does not know."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.doctor import Status
from app.preflight import check_till
from app.settings import load_settings
from payments.journal import Journal
from payments.signing import generate_key, save_public_key

from .test_doctor import ledger  # noqa: F401  (the module's real ledger process)

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def kiosk(work: Path, url: str, data: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    demo = json.loads((work / "demo.json").read_text())
    full = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "FACEPAY_LEDGER_URL": url,
        "FACEPAY_LEDGER_TERMINAL_ID": demo["terminal_id"],
        "FACEPAY_LEDGER_KEY_FILE": str(work / "terminal.key"),
        "FACEPAY_LEDGER_LEDGER_PUB": str(work / "ledger.pub"),
        "FACEPAY_PAYMENTS_DATA_DIR": str(data),
        "FACEPAY_PAYMENTS_GALLERY_KEY_FILE": str(data.parent / "gallery.key"),
        "FACEPAY_KIOSK_OUT_OF_SERVICE_RETRY_S": "0.5",
        **env,
    }
    full.pop("FACEPAY_GALLERY_KEY", None)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "kiosk",
            "--windowed",
            "--camera",
            str(data / "no-camera.mkv"),
            *args,
        ],
        cwd=REPO,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line_each(done: subprocess.CompletedProcess[str]) -> list[str]:
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    ours = [line for line in lines if line.startswith("facepay kiosk:")]
    assert ours and ours[-1].startswith("facepay kiosk: not started")
    return ours


def test_missing_key_file(ledger, tmp_path: Path) -> None:  # noqa: F811
    work, url = ledger
    done = kiosk(work, url, tmp_path / "data", FACEPAY_LEDGER_KEY_FILE=str(tmp_path / "nokey.pem"))
    lines = one_line_each(done)
    key = next(line for line in lines if "terminal key:" in line)
    assert "[FAIL]" in key and "is missing" in key and "-> fix: create" in key


def test_mistyped_terminal_binds_no_journal(ledger, tmp_path: Path) -> None:  # noqa: F811
    work, url = ledger
    data = tmp_path / "data"
    done = kiosk(work, url, data, "--terminal", "t-demo-l")
    lines = one_line_each(done)
    assert any("does not know terminal 't-demo-l'" in line and "typo" in line for line in lines)
    assert not (data / "journal.db").exists()
    # the right id still starts afterwards: nothing was bound to the typo
    again = kiosk(work, url, data, FACEPAY_MODEL_DIR=str(tmp_path / "no-models"))
    assert not any("journal" in line for line in one_line_each(again))


def test_journal_of_another_terminal_explains_the_recovery(ledger, tmp_path: Path) -> None:  # noqa: F811
    work, url = ledger
    data = tmp_path / "data"
    data.mkdir()
    Journal.open(data / "journal.db", "t-other").close()
    lines = one_line_each(kiosk(work, url, data))
    journal = next(line for line in lines if "journal:" in line)
    assert "t-other" in journal and "mistyped" in journal and "move" in journal


def test_missing_models_and_a_camera_that_is_not_there(ledger, tmp_path: Path) -> None:  # noqa: F811
    work, url = ledger
    lines = one_line_each(kiosk(work, url, tmp_path / "data", FACEPAY_MODEL_DIR=str(tmp_path / "none")))
    assert any(line.startswith("facepay kiosk: [FAIL] model ") and "fetch" in line for line in lines)
    assert any("[FAIL] camera:" in line for line in lines)  # said, but not what stops the start


def test_ledger_down_at_first_start_binds_no_journal(ledger, tmp_path: Path) -> None:  # noqa: F811
    work, _ = ledger
    data = tmp_path / "data"
    lines = one_line_each(kiosk(work, "http://127.0.0.1:9", data))
    assert any("journal: not created" in line for line in lines)
    assert not (data / "journal.db").exists()


def test_bad_settings_are_one_line(ledger, tmp_path: Path) -> None:  # noqa: F811
    work, url = ledger
    done = kiosk(work, url, tmp_path / "data", FACEPAY_PAYMENTS_MAX_SALE_MINOR="lots")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "max_sale_minor" in lines[0]


def test_till_key_missing_and_till_port_taken_are_one_line_each(ledger, tmp_path: Path) -> None:  # noqa: F811
    work, url = ledger
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = kiosk(
            work,
            url,
            tmp_path / "data",
            FACEPAY_TILL_ENABLED="true",
            FACEPAY_TILL_PUBLIC_KEY_FILE=str(tmp_path / "till.pub"),
            FACEPAY_TILL_LISTEN=f"127.0.0.1:{port}",
        )
    lines = one_line_each(done)
    key = next(line for line in lines if "till key:" in line)
    assert "[FAIL]" in key and "is missing" in key and "-> fix: run `facepay till keygen DIR`" in key
    busy = next(line for line in lines if "till port:" in line)
    assert "[FAIL]" in busy and f"127.0.0.1:{port} is in use" in busy and "-> fix:" in busy


@pytest.mark.parametrize(
    ("key_text", "listen", "says"),
    [
        ("not a key\n", "127.0.0.1:{free}", "till key: {key} is not the register's key"),
        (None, "8731", "till port: till.listen = '8731' is not HOST:PORT -> fix:"),
        (None, "192.0.2.1:8731", "till port: cannot listen on 192.0.2.1:8731"),
    ],
)
def test_till_checks_name_the_problem_and_its_fix(
    tmp_path: Path, key_text: str | None, listen: str, says: str
) -> None:
    key = tmp_path / "till.pub"
    if key_text is None:
        save_public_key(generate_key().public_key(), key)
    else:
        key.write_text(key_text)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    listen = listen.format(free=free)
    env = {
        "FACEPAY_TILL_ENABLED": "yes",
        "FACEPAY_TILL_PUBLIC_KEY_FILE": str(key),
        "FACEPAY_TILL_LISTEN": listen,
    }
    checks = check_till(load_settings(env=env))
    failed = [c.line for c in checks if c.status is Status.FAIL]
    assert len(failed) == 1 and failed[0].startswith(says.format(key=key)), failed
    assert check_till(load_settings(env={})) == []  # no till, nothing to check


def test_a_till_port_taken_after_the_checks_is_still_one_line(tmp_path: Path) -> None:
    """The port can be taken between the start-up checks and the server's bind: the kiosk's
    start then ends with the same line and fix as the check's (no traceback)."""
    from contextlib import ExitStack

    from app.main import TerminalIdentity, start_till
    from app.preflight import TillStartError
    from payments.signing import save_private_key

    key = tmp_path / "terminal.key"
    save_private_key(generate_key(), key)
    till_pub = tmp_path / "till.pub"
    save_public_key(generate_key().public_key(), till_pub)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {"FACEPAY_TILL_ENABLED": "yes", "FACEPAY_TILL_PUBLIC_KEY_FILE": str(till_pub)}
        settings = load_settings(env={**env, "FACEPAY_TILL_LISTEN": f"127.0.0.1:{port}"})
        identity = TerminalIdentity("http://127.0.0.1:9", "t-1", key, tmp_path / "ledger.pub")
        with ExitStack() as stack, pytest.raises(TillStartError) as raised:
            start_till(settings, identity, stack)
    line = str(raised.value)
    assert line.startswith(f"till port: 127.0.0.1:{port} is in use") and "-> fix:" in line
    assert "\n" not in line
