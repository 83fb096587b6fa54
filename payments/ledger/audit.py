"""The hash-chained audit log: how a line is hashed and how the chain is checked.

Each line's hash is the SHA-256 of the canonical JSON of its fields and the
previous line's hash. Editing a line breaks its own hash; deleting one leaves a
gap in ``seq`` and a ``prev_hash`` that no longer matches; deleting the last lines
leaves the head row (last seq and hash) pointing past the end.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

from payments.ledger.records import AuditEntry

__all__ = ["GENESIS_HASH", "AuditFinding", "canonical_json", "chain_hash", "verify_chain"]

GENESIS_HASH = "0" * 64


def canonical_json(obj: object) -> str:
    """Sorted keys, no spaces, ASCII only: one text per value."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def chain_hash(seq: int, at: str, actor: str, action: str, outcome: str, detail: str, prev_hash: str) -> str:
    """Hash of one audit line given the hash of the line before it."""
    line = canonical_json(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "outcome": outcome,
            "detail": detail,
            "prev": prev_hash,
        }
    )
    return hashlib.sha256(line.encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditFinding:
    """One inconsistency in the audit log.

    Attributes:
        seq: the line where it shows (the head's seq for a truncated tail).
        problem: ``edited``, ``missing`` (gap or broken link) or ``truncated``.
        detail: human-readable explanation.
    """

    seq: int
    problem: str
    detail: str


def verify_chain(entries: Iterable[AuditEntry], head: tuple[int, str]) -> tuple[int, list[AuditFinding]]:
    """Check every line and the head; returns (lines read, findings)."""
    findings: list[AuditFinding] = []
    expected_seq, prev, count = 1, GENESIS_HASH, 0
    for e in entries:
        count += 1
        if e.seq != expected_seq:
            findings.append(AuditFinding(e.seq, "missing", f"lines {expected_seq}..{e.seq - 1} are missing"))
        elif e.prev_hash != prev:
            findings.append(AuditFinding(e.seq, "missing", "prev_hash does not match the line before"))
        if chain_hash(e.seq, e.at, e.actor, e.action, e.outcome, e.detail, e.prev_hash) != e.hash:
            findings.append(AuditFinding(e.seq, "edited", "line content does not match its hash"))
        expected_seq, prev = e.seq + 1, e.hash
    head_seq, head_hash = head
    if head_seq != expected_seq - 1 or (head_seq and head_hash != prev):
        findings.append(
            AuditFinding(
                head_seq,
                "truncated",
                f"head says line {head_seq} is last, the log ends at {expected_seq - 1}",
            )
        )
    return count, findings
