"""Audit anchors: the audit head (line number and hash), signed by the ledger key and kept
outside the database, so that a rewritten chain is caught.

The hash chain alone shows an edit only to someone who did not recompute the hashes: whoever can
write the database can cut the tail, or edit a line and rehash everything after it, and the
chain checks again. An anchor is a statement signed by the ledger ("line N has hash H") stored
elsewhere (an operator's file written by a timer, a terminal's journal). The chain in the
database must still contain line N with hash H; a cut tail leaves N missing, a rewritten line
changes H. This is the idea of Certificate Transparency's signed tree heads, kept small: the
anchors are checked by `facepay ledger audit-verify --anchors FILE`.

One anchor per line of an anchors file (JSON Lines): ``{"seq", "hash", "at", "signature"}``,
the signature being Ed25519 by the ledger key over :func:`anchor_message`.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature

from payments._private_file import append_private
from payments.ledger.audit import AuditFinding
from payments.ledger.keys import LedgerKeys
from payments.ledger.records import AuditEntry
from payments.ledger.store import LedgerStore
from payments.signing import Ed25519PublicKey
from payments.wire import anchor_message, anchor_text, iso_time

__all__ = [
    "Anchor",
    "anchor_message",
    "check_anchors",
    "header_text",
    "read_anchors",
    "sign_anchor",
    "write_anchor",
]


@dataclass(frozen=True, slots=True)
class Anchor:
    """A signed audit head.

    Attributes:
        seq: the audit line number it vouches for.
        hash: that line's chain hash.
        at: when it was signed (wire time).
        signature: base64 Ed25519 signature by the ledger key over :func:`anchor_message`.
    """

    seq: int
    hash: str
    at: str
    signature: str

    def to_json(self) -> dict[str, object]:
        return {"seq": self.seq, "hash": self.hash, "at": self.at, "signature": self.signature}


def sign_anchor(keys: LedgerKeys, seq: int, hash_: str, at: str | None = None) -> Anchor:
    at = at or iso_time(time.time())
    signature = base64.b64encode(keys.signing.sign(anchor_message(seq, hash_, at))).decode("ascii")
    return Anchor(seq, hash_, at, signature)


def header_text(anchor: Anchor) -> str:
    """The anchor as the ``FacePay-Audit-Anchor`` header value: ``seq;hash;at;signature``."""
    return f"{anchor.seq};{anchor.hash};{anchor.at};{anchor.signature}"


def write_anchor(store: LedgerStore, keys: LedgerKeys, path: Path) -> Anchor:
    """Sign the current audit head and append it to ``path`` (created mode 600)."""
    seq, hash_ = store.audit_head()
    anchor = sign_anchor(keys, seq, hash_)
    line = (anchor_text(anchor.to_json()) + "\n").encode("ascii")
    append_private(path, line)
    return anchor


def read_anchors(path: Path) -> tuple[list[Anchor], list[str]]:
    """The anchors in a file, and a problem text for each line that is not one."""
    anchors: list[Anchor] = []
    problems: list[str] = []
    for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
            anchors.append(Anchor(int(raw["seq"]), str(raw["hash"]), str(raw["at"]), str(raw["signature"])))
        except (ValueError, KeyError, TypeError):
            problems.append(f"{path}:{n}: not an anchor")
    return anchors, problems


def check_anchors(
    entries: Iterable[AuditEntry], anchors: Iterable[Anchor], ledger_key: Ed25519PublicKey
) -> list[AuditFinding]:
    """Findings where the chain no longer holds a line an anchor vouches for (or an anchor is forged)."""
    wanted: dict[int, list[Anchor]] = {}
    findings: list[AuditFinding] = []
    for anchor in anchors:
        try:
            ledger_key.verify(
                base64.b64decode(anchor.signature), anchor_message(anchor.seq, anchor.hash, anchor.at)
            )
        except (InvalidSignature, ValueError):
            findings.append(
                AuditFinding(anchor.seq, "bad-anchor", "the anchor's signature is not the ledger's")
            )
            continue
        wanted.setdefault(anchor.seq, []).append(anchor)
    if not wanted:
        return findings
    last = 0
    for entry in entries:
        last = entry.seq
        for anchor in wanted.pop(entry.seq, []):
            if anchor.hash != entry.hash:
                findings.append(
                    AuditFinding(
                        entry.seq,
                        "rewritten",
                        f"line {entry.seq} no longer has the hash signed at {anchor.at}",
                    )
                )
    for seq in sorted(wanted):
        if seq > 0:
            findings.append(
                AuditFinding(
                    seq, "cut", f"line {seq}, signed at {wanted[seq][0].at}, is gone (the log ends at {last})"
                )
            )
    return findings
