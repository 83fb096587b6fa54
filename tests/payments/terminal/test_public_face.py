"""The payments package's public face: one Evidence record whose JSON is what the terminal always
sent and journalled, one retry rule, transport errors that say whether anything was sent, and a
ledger package that imports without the web stack."""

from __future__ import annotations

import importlib
import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import payments
from payments import Evidence, Journal, Retry
from payments.client import Declined, LedgerClient, LedgerTimeout, LedgerUnreachable
from payments.journal import EntryKind, NewEntry
from payments.money import Money
from payments.signing import generate_key
from payments.wire import json_bytes

REPO = Path(__file__).resolve().parents[3]


def test_evidence_json_is_what_the_kiosk_and_the_cli_always_sent() -> None:
    kiosk = Evidence("face", 0.71, 0.93, False, models=(("recogniser", "r-1"), ("detector", "d-1")))
    assert json_bytes(kiosk.to_json()) == (
        b'{"liveness":0.93,"masked":false,"method":"face",'
        b'"models":{"detector":"d-1","recogniser":"r-1"},"score":0.71}'
    )
    masked_pin = Evidence("face+pin", 0.4, None, True, "masked", models=())
    assert json_bytes(masked_pin.to_json()) == (
        b'{"masked":true,"method":"face+pin","models":{},"reason":"masked","score":0.4}'
    )
    assert json_bytes(Evidence("pin").to_json()) == b'{"masked":false,"method":"pin"}'
    cli = Evidence("operator", masked=None, source="facepay pay")
    assert json_bytes(cli.to_json()) == b'{"method":"operator","source":"facepay pay"}'


@pytest.mark.parametrize(
    "stored",
    [
        '{"liveness":0.93,"masked":false,"method":"face","models":{"detector":"d-1"},"score":0.71}',
        '{"method":"operator","source":"facepay pay"}',
        '{"masked":true,"method":"face+pin","reason":"masked","score":0.4}',
    ],
)
def test_evidence_stored_by_earlier_versions_reads_back_unchanged(tmp_path: Path, stored: str) -> None:
    with Journal.open(tmp_path / "journal.db", "t-1") as journal:
        evidence = Evidence.from_json(json.loads(stored))
        new = NewEntry("tx_1", "ik_1", EntryKind.DEBIT, Money(100, "EUR"), "c-1", "sale-1", b"{}", evidence)
        entry = journal.record_intent(new)
    assert entry.evidence_json == stored
    assert Evidence.from_json(entry.evidence).to_json() == entry.evidence


def test_evidence_from_json_ignores_what_is_not_evidence() -> None:
    odd = Evidence.from_json({"method": "face", "score": True, "liveness": "high", "masked": "yes", "x": 1})
    assert odd == Evidence("face", None, None, None)


def test_retry_pauses_between_sends_and_raises_the_last_failure() -> None:
    slept: list[float] = []
    calls: list[int] = []

    def down() -> str:
        calls.append(1)
        raise LedgerTimeout(f"try {len(calls)}")

    with pytest.raises(LedgerTimeout, match="try 4"):
        Retry(4, (0.2, 0.6), slept.append).run(down)
    assert slept == [0.2, 0.6, 0.6] and len(calls) == 4
    slept.clear()
    with pytest.raises(LedgerTimeout, match="try 5"):
        Retry(3, (), slept.append).run(down, attempts=1)
    assert slept == []


def test_retry_stops_at_an_answer() -> None:
    answers: list[Exception | None] = [LedgerUnreachable("down"), Declined("insufficient_funds", "no")]

    def call() -> str:
        answer = answers.pop(0)
        if answer is not None:
            raise answer
        return "posted"

    with pytest.raises(Declined):
        Retry(5, (0.0,), lambda _: None).run(call)
    assert answers == []
    answers[:] = [LedgerUnreachable("down"), None]
    assert Retry(5, (0.0,), lambda _: None).run(call) == "posted"


def test_a_refused_connection_is_known_not_to_have_been_sent() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    key = generate_key()
    client = LedgerClient(f"http://127.0.0.1:{port}", "t-1", key, key.public_key(), timeout_s=2.0)
    with client, pytest.raises(LedgerUnreachable) as caught:
        client.ledger_time()
    assert caught.value.maybe_delivered is False
    assert LedgerTimeout("read timed out").maybe_delivered is True


def test_the_public_names_are_sorted_and_all_resolve() -> None:
    constants = [n for n in payments.__all__ if n.isupper()]
    classes = [n for n in payments.__all__ if not n.isupper() and n[0].isupper()]
    functions = [n for n in payments.__all__ if n[0].islower()]
    assert payments.__all__ == sorted(constants) + sorted(classes) + sorted(functions)
    for name in payments.__all__:
        assert getattr(payments, name) is not None, name
    with pytest.raises(AttributeError):
        payments.no_such_name  # noqa: B018
    assert importlib.import_module("payments").PaymentService.__module__ == "payments.terminal"


def test_importing_the_ledger_does_not_load_the_web_stack() -> None:
    probe = (
        "import sys, payments.ledger\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'starlette', 'uvicorn', 'httpx'}"
        " or m in {'payments.ledger.bench', 'payments.ledger.app', 'payments.client'})\n"
        "print(','.join(heavy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == ""
