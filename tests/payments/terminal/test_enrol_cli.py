"""``facepay enroll --pin-stdin`` and ``facepay customer delete`` with a real ledger: the PIN comes
from stdin only, a refused cashier leaves nothing behind, deletion erases the ledger link too."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from payments.money import Money
from payments.terminal import Approved

from .conftest import TerminalKit
from .test_enrolment_link import ledger_row, new_customer, pay

PHOTOS = [f"deepface__tests_unit_dataset_img{i}.jpg" for i in (1, 2)]


def run(kit: TerminalKit, *args: str, stdin: str = "") -> tuple[int, str, str]:
    env = {"FACEPAY_MODEL_DIR": os.environ["FACEPAY_MODEL_DIR"],
           "FACEPAY_PAYMENTS_DATA_DIR": str(kit.tmp / "data")}
    done = kit.cli(*args, stdin=stdin, through_proxy=False, extra_env=env)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.xfail(reason="customer delete at the ledger now needs the shopper's or a cashier's PIN; "
                          "the command learns it with the kiosk proof change", strict=True)
def test_enrol_and_delete_at_the_ledger(kit: TerminalKit, dev_faces: Path) -> None:
    world = kit.world
    customer = new_customer(world, pin="1111")
    cashier_id, cashier_pin = world.cashier
    photos = [str(dev_faces / p) for p in PHOTOS]
    enrol = ["enroll", "--customer", customer, "--name", "Zoe Example", "--accept-consent",
             "--cashier", cashier_id, *photos]

    code, _, err = run(kit, *enrol)  # a ledger is configured: no PIN, no enrolment
    assert code == 2 and "--pin-stdin" in err
    wrong = "0000" if cashier_pin != "0000" else "0001"
    code, _, err = run(kit, *enrol, "--pin-stdin", stdin=f"2468\n{wrong}\n")
    assert code == 1 and "wrong_pin" in err and "nothing was stored" in err
    assert ledger_row(world, customer)[2] is None
    code, _, err = run(kit, *enrol, "--pin-stdin", stdin="24\n")
    assert code == 2 and "4 to 12 digits" in err

    code, out, err = run(kit, *enrol, "--pin-stdin", stdin=f"1111\n{cashier_pin}\n")  # the account's PIN
    assert code == 0, err
    result = json.loads(out)
    assert result["templates"] == 2 and result["ledger"]["cashier_id"] == cashier_id
    assert "1111" not in out + err
    assert isinstance(pay(kit, customer, "1111"), Approved)

    code, out, err = run(kit, "customer", "delete", customer)
    assert code == 0, err
    erased = json.loads(out)
    assert erased["templates_removed"] == 2 and erased["ledger"]["was_linked"] is True
    assert len(erased["ledger"]["audit_hash"]) == 64
    assert ledger_row(world, customer)[2] is None
    assert isinstance(pay(kit, customer, "1111"), Approved)  # erasure keeps the account and its PIN

    code, out, err = run(kit, "customer", "delete", "c-nobody-at-all")
    assert code == 1 and "nothing was erased" in err
    assert isinstance(kit.service().pay(customer, Money(1, "EUR"), evidence={}), Approved)  # account kept
