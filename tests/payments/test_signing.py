"""Request and response signatures of the protocol."""

from __future__ import annotations

import base64
import hashlib
import stat
from pathlib import Path

import pytest

from payments.signing import (
    BadSignature,
    KeyFileError,
    canonical_request,
    canonical_response,
    generate_key,
    load_private_key,
    load_public_key,
    public_key_from_text,
    public_key_text,
    save_private_key,
    save_public_key,
    sign_request,
    sign_response,
    verify_request,
    verify_response,
)


def test_canonical_request_is_the_documented_lines() -> None:
    body = b'{"a":1}'
    message = canonical_request("post", "/v1/debits?x=1", 1700000000, "ab" * 16, "key-1", body)
    assert (
        message
        == (
            "POST\n/v1/debits?x=1\n1700000000\n" + "ab" * 16 + "\nkey-1\n" + hashlib.sha256(body).hexdigest()
        ).encode()
    )
    assert (
        canonical_response(201, "cd" * 16, b"")
        == ("201\n" + "cd" * 16 + "\n" + hashlib.sha256(b"").hexdigest()).encode()
    )


def test_sign_and_verify_request() -> None:
    key = generate_key()
    headers = sign_request(
        key, terminal_id="t-1", method="POST", path="/v1/debits", body=b"{}", idempotency_key="k1"
    )
    auth = verify_request(key.public_key(), method="POST", path="/v1/debits", headers=headers, body=b"{}")
    assert (auth.terminal_id, auth.idempotency_key, len(auth.nonce)) == ("t-1", "k1", 32)


@pytest.mark.parametrize("change", ["method", "path", "body", "idem", "timestamp", "nonce", "key"])
def test_any_change_breaks_the_request_signature(change: str) -> None:
    key = generate_key()
    headers = sign_request(
        key, terminal_id="t-1", method="POST", path="/v1/debits", body=b"{}", idempotency_key="k1"
    )
    method, path, body, public = "POST", "/v1/debits", b"{}", key.public_key()
    if change == "method":
        method = "PUT"
    elif change == "path":
        path = "/v1/debits?x=1"
    elif change == "body":
        body = b"{ }"
    elif change == "idem":
        headers["Idempotency-Key"] = "k2"
    elif change == "timestamp":
        headers["FacePay-Timestamp"] = str(int(headers["FacePay-Timestamp"]) + 1)
    elif change == "nonce":
        headers["FacePay-Nonce"] = "00" * 16
    else:
        public = generate_key().public_key()
    with pytest.raises(BadSignature):
        verify_request(public, method=method, path=path, headers=headers, body=body)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("FacePay-Nonce", "short"),
        ("FacePay-Nonce", "AB" * 16),
        ("FacePay-Timestamp", "-5"),
        ("FacePay-Signature", "!!"),
        ("FacePay-Terminal", "has space"),
    ],
)
def test_malformed_headers(name: str, value: str) -> None:
    key = generate_key()
    headers = sign_request(key, terminal_id="t-1", method="GET", path="/v1/health")
    headers[name] = value
    with pytest.raises(BadSignature):
        verify_request(key.public_key(), method="GET", path="/v1/health", headers=headers, body=b"")


def test_response_signature() -> None:
    key = generate_key()
    sig = sign_response(key, 201, "ab" * 16, b"{}")
    verify_response(key.public_key(), 201, "ab" * 16, b"{}", sig)
    for status, nonce, body, s in [
        (200, "ab" * 16, b"{}", sig),
        (201, "cd" * 16, b"{}", sig),
        (201, "ab" * 16, b"[]", sig),
        (201, "ab" * 16, b"{}", None),
    ]:
        with pytest.raises(BadSignature):
            verify_response(key.public_key(), status, nonce, body, s)


def test_key_files(tmp_path: Path) -> None:
    key = generate_key()
    save_private_key(key, tmp_path / "t.key")
    assert stat.S_IMODE((tmp_path / "t.key").stat().st_mode) == 0o600
    assert (tmp_path / "t.key").read_text().startswith("-----BEGIN PRIVATE KEY-----")
    loaded = load_private_key(tmp_path / "t.key")
    assert public_key_text(loaded.public_key()) == public_key_text(key.public_key())
    save_public_key(key.public_key(), tmp_path / "t.pub")
    assert public_key_text(load_public_key(tmp_path / "t.pub")) == public_key_text(key.public_key())
    text = public_key_text(key.public_key())
    assert len(base64.b64decode(text)) == 32
    assert public_key_text(public_key_from_text(text)) == text
    (tmp_path / "junk.key").write_text("nope")
    with pytest.raises(KeyFileError):
        load_private_key(tmp_path / "junk.key")
    with pytest.raises(KeyFileError):
        load_private_key(tmp_path / "missing.key")
