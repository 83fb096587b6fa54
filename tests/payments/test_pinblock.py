"""PIN blocks: X25519 + HKDF + AES-GCM, bound to one request intent."""

from __future__ import annotations

import base64

import pytest

from payments.pinblock import (
    MalformedPinBlock,
    PinDecryptError,
    decrypt_pin,
    encrypt_pin,
    generate_pin_key,
    pin_context,
)

CTX = pin_context("t-1", "idem-1", "c-alice")


def test_round_trip_and_fresh_ephemeral_key() -> None:
    key = generate_pin_key()
    a = encrypt_pin(key.public_key(), "1234", context=CTX)
    b = encrypt_pin(key.public_key(), "1234", context=CTX)
    assert a["epk"] != b["epk"] and a["ct"] != b["ct"]
    assert decrypt_pin(key, a, context=CTX) == "1234"
    assert "1234" not in str(a)


def test_length_is_hidden() -> None:
    key = generate_pin_key()
    short = encrypt_pin(key.public_key(), "1234", context=CTX)
    long = encrypt_pin(key.public_key(), "123456789012", context=CTX)
    assert len(str(short["ct"])) == len(str(long["ct"]))


@pytest.mark.parametrize(
    "context",
    [
        pin_context("t-2", "idem-1", "c-alice"),
        pin_context("t-1", "idem-2", "c-alice"),
        pin_context("t-1", "idem-1", "c-bob"),
    ],
)
def test_other_context_does_not_decrypt(context: bytes) -> None:
    key = generate_pin_key()
    block = encrypt_pin(key.public_key(), "1234", context=CTX)
    with pytest.raises(PinDecryptError):
        decrypt_pin(key, block, context=context)


def test_other_key_and_tampering_do_not_decrypt() -> None:
    key = generate_pin_key()
    block = encrypt_pin(key.public_key(), "1234", context=CTX)
    with pytest.raises(PinDecryptError):
        decrypt_pin(generate_pin_key(), block, context=CTX)
    ct = bytearray(base64.b64decode(str(block["ct"])))
    ct[0] ^= 1
    with pytest.raises(PinDecryptError):
        decrypt_pin(key, {**block, "ct": base64.b64encode(bytes(ct)).decode()}, context=CTX)


@pytest.mark.parametrize("block", [None, [], {"v": 1}, {"v": 2, "alg": "x", "epk": "", "iv": "", "ct": ""}])
def test_malformed_objects(block: object) -> None:
    with pytest.raises(MalformedPinBlock):
        decrypt_pin(generate_pin_key(), block, context=CTX)


@pytest.mark.parametrize("pin", ["123", "1234567890123", "12a4", "", "１２３４"])
def test_invalid_pins_are_refused(pin: str) -> None:
    with pytest.raises(MalformedPinBlock):
        encrypt_pin(generate_pin_key().public_key(), pin, context=CTX)
