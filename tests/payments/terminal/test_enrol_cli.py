"""``facepay enroll --pin-stdin`` and ``facepay customer delete`` with a real ledger: the account
holder's proof and the cashier's PIN come from stdin only, a refused proof or cashier leaves nothing
behind, a face already enrolled is refused, deletion with a cashier's PIN erases the ledger link
too (the account, its money and its PIN stay)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from payments import Evidence
from payments.money import Money
from payments.terminal import Approved

from .conftest import TerminalKit
from .test_enrolment_link import ledger_row, new_customer, pay

PHOTOS = [f"deepface__tests_unit_dataset_img{i}.jpg" for i in (1, 2)]


def run(kit: TerminalKit, *args: str, stdin: str = "") -> tuple[int, str, str]:
    env = {
        "FACEPAY_MODEL_DIR": os.environ["FACEPAY_MODEL_DIR"],
        "FACEPAY_PAYMENTS_DATA_DIR": str(kit.tmp / "data"),
    }
    done = kit.cli(*args, stdin=stdin, through_proxy=False, extra_env=env)
    return done.returncode, done.stdout, done.stderr


def test_enrol_and_delete_at_the_ledger(kit: TerminalKit, dev_faces: Path) -> None:
    world = kit.world
    customer = new_customer(world, pin="1111")
    cashier_id, cashier_pin = world.cashier
    photos = [str(dev_faces / p) for p in PHOTOS]
    enrol = [
        "enroll",
        "--customer",
        customer,
        "--name",
        "Zoe Example",
        "--accept-consent",
        "--cashier",
        cashier_id,
        *photos,
    ]

    code, _, err = run(kit, *enrol)  # a ledger is configured: no proof, no enrolment
    assert code == 2 and "--pin-stdin" in err
    wrong = "0000" if cashier_pin != "0000" else "0001"
    code, _, err = run(kit, *enrol, "--pin-stdin", stdin=f"1111\n{wrong}\n")
    assert code == 1 and "wrong_pin" in err and "nothing was stored" in err
    assert ledger_row(world, customer)[2] is None
    code, _, err = run(kit, *enrol, "--pin-stdin", stdin=f"2468\n{cashier_pin}\n")  # not its PIN
    assert code == 1 and "wrong_pin" in err and ledger_row(world, customer)[2] is None
    code, _, err = run(kit, *enrol, "--pin-stdin", stdin="24\n")
    assert code == 2 and "4 to 12 digits" in err
    code, _, err = run(kit, *enrol, "--pin-stdin", "--code", stdin="123\n")
    assert code == 2 and "10 digits" in err

    code, out, err = run(kit, *enrol, "--pin-stdin", stdin=f"1111\n{cashier_pin}\n")
    assert code == 0, err
    result = json.loads(out)
    assert result["templates"] == 2 and result["ledger"]["cashier_id"] == cashier_id
    assert result["ledger"]["pin_set"] is False and "1111" not in out + err
    assert isinstance(pay(kit, customer, "1111"), Approved)  # the account's PIN is unchanged

    # the same face under another customer number is refused before the ledger is asked
    other = new_customer(world, pin="2222")
    again = [
        "enroll",
        "--customer",
        other,
        "--name",
        "Yan Other",
        "--accept-consent",
        "--cashier",
        cashier_id,
        "--pin-stdin",
        *photos,
    ]
    code, _, err = run(kit, *again, stdin=f"2222\n{cashier_pin}\n")
    assert code == 1 and f"already enrolled as customer {customer}" in err
    assert ledger_row(world, other)[2] is None

    code, out, err = run(kit, "customer", "delete", customer)  # no proof: the ledger link stays
    assert code == 1 and "--pin-stdin" in err
    assert json.loads(out)["templates_removed"] == 2
    code, out, err = run(
        kit, "customer", "delete", customer, "--pin-stdin", "--cashier", cashier_id, stdin=f"{cashier_pin}\n"
    )
    assert code == 0, err
    erased = json.loads(out)
    assert erased["ledger"]["was_linked"] is True and len(erased["ledger"]["audit_hash"]) == 64
    assert ledger_row(world, customer)[2] is None
    assert isinstance(pay(kit, customer, "1111"), Approved)  # the account, its money and PIN stay

    code, out, err = run(
        kit,
        "customer",
        "delete",
        "c-nobody-at-all",
        "--pin-stdin",
        "--cashier",
        cashier_id,
        stdin=f"{cashier_pin}\n",
    )
    assert code == 1
    assert isinstance(kit.service().pay(customer, Money(1, "EUR"), evidence=Evidence("face")), Approved)
