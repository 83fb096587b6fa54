"""Enrol once, pay at every lane: one ledger process and three kiosk processes (``facepay
replica``, headless, each with its own data folder, terminal key, box key and replica) of one
merchant, on SQLite and on PostgreSQL.

Enrol at kiosk 1, pay by face at kiosk 3; erase at kiosk 2: the face is a stranger at all three
and ``facepay ledger erasure-status`` lists three confirmations; kiosk 3 is cut off during an
enrolment and an erasure, keeps recognising from its replica, stops matching once its replica is
too old, and when it is back it applies both entries in order."""

from __future__ import annotations

import json
import secrets
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from payments.ledger import add_cashier, add_customer, add_merchant, add_terminal, open_store, top_up
from payments.money import Money
from payments.signing import generate_key, public_key_text, save_private_key

from .conftest import FACEPAY, REPO, LedgerWorld, Proxy, clean_env

pytestmark = pytest.mark.slow

ALICE = ["deepface__tests_unit_dataset_img1.jpg", "deepface__tests_unit_dataset_img2.jpg"]
ALICE_PAYS = "deepface__tests_unit_dataset_img5.jpg"
BOB = ["deepface__tests_unit_dataset_img13.jpg", "deepface__tests_unit_dataset_img14.jpg"]
BOB_PAYS = "deepface__tests_unit_dataset_img15.jpg"
CAROL = ["facerec__examples_obama.jpg", "facerec__examples_obama2.jpg"]
CAROL_PAYS = "facerec__tests_test_images_obama3.jpg"
CASHIER_PIN = "482916"


@dataclass
class Shop:
    """A merchant of this test alone: a cashier, three lanes, three shoppers."""

    world: LedgerWorld
    merchant: str
    cashier: str
    shoppers: dict[str, tuple[str, str]]  # name -> (customer id, PIN)


def _shop(world: LedgerWorld, tmp: Path) -> tuple[Shop, list[tuple[str, Path]]]:
    tag = secrets.token_hex(3)
    merchant, cashier = f"m-lanes-{tag}", f"k-lanes-{tag}"
    store = open_store(world.db)
    lanes = []
    try:
        add_merchant(store, merchant, "Three Lanes", "EUR")
        add_cashier(store, cashier, "Lane Cashier", merchant, CASHIER_PIN)
        shoppers = {}
        for n, name in enumerate(("alice", "bob", "carol")):
            customer = f"c-{name}-{tag}"
            add_customer(store, customer, name.title(), f"{4711 + n}", "EUR")
            top_up(store, customer, Money(50_000, "EUR"))
            shoppers[name] = (customer, f"{4711 + n}")
        for n in (1, 2, 3):
            folder = tmp / f"kiosk{n}"
            folder.mkdir()
            key = generate_key()
            save_private_key(key, folder / "terminal.key")
            (folder / "ledger.pub").write_bytes((world.out / "ledger.pub").read_bytes())
            terminal = f"t-lane{n}-{tag}"
            add_terminal(store, terminal, merchant, public_key_text(key.public_key()))
            lanes.append((terminal, folder))
    finally:
        store.close()
    return Shop(world, merchant, cashier, shoppers), lanes


class Kiosk:
    """One kiosk process per command, its own data folder."""

    def __init__(self, terminal: str, folder: Path, url: str, dev_faces: Path) -> None:
        self.terminal, self.folder, self.url, self.faces = terminal, folder, url, dev_faces

    def run(self, *args: str, stdin: str = "") -> tuple[int, dict[str, Any]]:
        env = clean_env(self.folder)
        env["FACEPAY_MODEL_DIR"] = str(REPO.parent / "shared" / "models")
        cmd = [str(FACEPAY), "replica", args[0], "--dir", str(self.folder), "--ledger", self.url]
        cmd += ["--terminal", self.terminal, "--timeout", "3", *args[1:]]
        done = subprocess.run(
            cmd, env=env, cwd=REPO, input=stdin, text=True, capture_output=True, timeout=180
        )
        assert done.stdout.strip() or done.returncode != 0, done.stderr
        try:
            data = json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}
        except ValueError:
            raise AssertionError(done.stdout + done.stderr) from None
        return done.returncode, data

    def enrol(self, shop: Shop, name: str, photos: list[str]) -> dict[str, Any]:
        customer, pin = shop.shoppers[name]
        code, data = self.run(
            "enrol",
            "--customer",
            customer,
            "--cashier",
            shop.cashier,
            "--accept-consent",
            *(str(self.faces / p) for p in photos),
            stdin=f"{pin}\n{CASHIER_PIN}\n",
        )
        assert code == 0, data
        return data

    def pay(self, photo: str, *extra: str) -> tuple[int, dict[str, Any]]:
        return self.run("pay", "--amount", "3.50", *extra, str(self.faces / photo))

    def erase(self, shop: Shop, name: str) -> dict[str, Any]:
        code, data = self.run(
            "erase", "--customer", shop.shoppers[name][0], "--cashier", shop.cashier, stdin=f"{CASHIER_PIN}\n"
        )
        assert code == 0, data
        return data


def erasure_status(world: LedgerWorld, customer: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [str(FACEPAY), "ledger", "erasure-status", "--db", world.db, customer, "--json"],
        env=clean_env(world.out),
        cwd=REPO,
        text=True,
        capture_output=True,
        timeout=60,
    )
    return done.returncode, json.loads(done.stdout)


def _three_lanes(world: LedgerWorld, tmp: Path, dev_faces: Path) -> None:
    shop, lanes = _shop(world, tmp)
    proxy = Proxy(world.port, world.signing_key)  # kiosk 3 reaches the ledger through it
    try:
        k1, k2 = (Kiosk(t, f, world.url, dev_faces) for t, f in lanes[:2])
        k3 = Kiosk(*lanes[2], proxy.url, dev_faces)
        for k in (k1, k2, k3):
            assert k.run("sync")[0] == 0
        alice, bob, carol = (shop.shoppers[n][0] for n in ("alice", "bob", "carol"))

        # enrol once at kiosk 1, pay by face at kiosk 3
        assert k1.enrol(shop, "alice", ALICE)["gallery"]["kind"] == "enrol"
        code, paid = k3.pay(ALICE_PAYS)
        assert (code, paid["face"], paid["customer_id"], paid["outcome"]) == (0, "match", alice, "approved")

        # erase at kiosk 2: a stranger at all three, three confirmations
        k2.erase(shop, "alice")
        for k in (k1, k2, k3):
            code, seen = k.pay(ALICE_PAYS)
            assert (code, seen["outcome"], seen["customer_id"]) == (1, "no_match", None), seen
        code, status = erasure_status(world, alice)
        [record] = status["erasures"]
        assert code == 0 and record["complete"] and record["merchant_id"] == shop.merchant
        assert sorted(k["terminal_id"] for k in record["kiosks"]) == sorted(t for t, _ in lanes)
        assert all(k["confirmed_at"] for k in record["kiosks"])

        # kiosk 3 offline during an enrolment and an erasure
        k2.enrol(shop, "carol", CAROL)
        assert k3.run("sync")[0] == 0
        seq_before = k3.run("status")[1]["seq"]
        proxy.down()
        k1.enrol(shop, "bob", BOB)
        k2.erase(shop, "carol")
        # kiosk 3 recognises from its replica; the payment follows the offline rules
        code, offline = k3.pay(CAROL_PAYS)
        assert offline["face"] == "match" and offline["customer_id"] == carol and offline["sync"] is None
        assert k3.pay(CAROL_PAYS, "--max-age-hours", "0.00001")[1]["face"] == "pin_only"  # too old: PIN only
        assert erasure_status(world, carol)[0] == 1  # kiosk 3 has not confirmed yet
        proxy.up()
        code, synced = k3.run("sync")
        assert code == 0, synced
        assert synced["sync"]["enrolled"] == [bob] and synced["sync"]["erased"] == [carol]
        assert synced["seq"] == seq_before + 2  # both entries, in order
        assert k3.pay(BOB_PAYS)[1]["customer_id"] == bob
        assert k3.pay(CAROL_PAYS)[1]["outcome"] == "no_match"
        assert k1.run("sync")[0] == 0
        code, status = erasure_status(world, carol)
        assert code == 0 and all(k["confirmed_at"] for k in status["erasures"][0]["kiosks"])
        assert k3.run("status")[1]["problems"] == []

        # the operator disables kiosk 3: its sync is refused, recorded, and doctor says what to do
        done = subprocess.run(
            [str(FACEPAY), "ledger", "disable-terminal", "--db", world.db, "--id", lanes[2][0]],
            env=clean_env(world.out),
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        time.sleep(1.5)  # the ledger re-reads a terminal's state within a second
        code, refused = k3.run("sync")
        assert code == 1 and refused == {}
        assert k3.run("status")[1]["problems"][0]["kind"] == "refused"
        doctor = subprocess.run(
            [str(FACEPAY), "doctor", "--no-ledger", "--quick", "--replica", str(lanes[2][1])],
            env={**clean_env(lanes[2][1]), "FACEPAY_MODEL_DIR": str(REPO.parent / "shared" / "models")},
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        line = next(x for x in doctor.stdout.splitlines() if "gallery feed refused" in x)
        assert "FAIL" in line and "enable-terminal" in line and doctor.returncode == 1
    finally:
        proxy.close()


def test_three_lanes_share_one_gallery(ledger_world: LedgerWorld, tmp_path: Path, dev_faces: Path) -> None:
    _three_lanes(ledger_world, tmp_path, dev_faces)


@pytest.mark.postgres
def test_three_lanes_share_one_gallery_on_postgresql(
    pg_ledger_world: LedgerWorld, tmp_path: Path, dev_faces: Path
) -> None:
    _three_lanes(pg_ledger_world, tmp_path, dev_faces)
