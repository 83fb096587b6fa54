"""``facepay doctor`` on a lane's gallery replica: readable, current, nothing refused.

Findings are data (``Check`` records); each failing one says what to do.
"""

from __future__ import annotations

import time
from pathlib import Path

from app.doctor import Check, Status, check_secret_file
from app.replica import REPLICA_MAX_AGE_S
from payments.gallery_replica import BOX_KEY_FILE, REPLICA_FILE, Replica, ReplicaError, load_box_key

__all__ = ["check_replica"]

_FIXES = {
    "tampered": (
        "an entry or snapshot failed its hash or the ledger's signature: the answer was altered on "
        "the way or in the ledger's database. Nothing after it was applied. Ask the ledger operator "
        "to run `facepay ledger audit-verify`; once the ledger is sound run `facepay replica reset`"
    ),
    "replayed": (
        "an old entry was served again (a replayed answer); nothing was applied. Check what sits "
        "between the kiosk and the ledger host, then `facepay replica sync`"
    ),
    "out_of_order": (
        "an entry skipped positions or does not follow the replica's head (a feed restored from an "
        "older backup or forked): `facepay replica reset` bootstraps the replica from a snapshot"
    ),
    "other_merchant": "the ledger served another merchant's gallery: check the terminal id and key",
    "refused": (
        "the ledger refused this kiosk (disabled, or its box key is not registered): the operator "
        "re-enables it (`facepay ledger enable-terminal --id ID`) or the kiosk registers again with "
        "`facepay replica reset`; the replica matches no face once it is older than the limit"
    ),
}


def check_replica(
    folder: Path, *, max_age_s: float = REPLICA_MAX_AGE_S, now: float | None = None
) -> list[Check]:
    """The lane's replica in ``folder`` (none when the lane never synced)."""
    path = folder / REPLICA_FILE
    if not path.exists():
        return []
    checks = [check_secret_file("gallery box key", folder / BOX_KEY_FILE)]
    try:
        replica = Replica(path, load_box_key(folder / BOX_KEY_FILE), None, "")
    except (ReplicaError, ValueError) as exc:
        return [
            *checks,
            Check("gallery replica", Status.FAIL, str(exc), "`facepay replica reset` bootstraps it again"),
        ]
    try:
        damage = replica.integrity_problems()
        if damage:
            checks.append(
                Check(
                    "gallery replica",
                    Status.FAIL,
                    f"{path}: {'; '.join(damage)[:200]}",
                    "`facepay replica reset` bootstraps it again from the ledger's snapshot",
                )
            )
        age = replica.age_s(time.time() if now is None else now)
        seq = replica.cursor[0]
        if age is None:
            checks.append(
                Check(
                    "gallery sync",
                    Status.WARN,
                    "never synced: the lane matches no face",
                    "`facepay replica sync`",
                )
            )
        elif age > max_age_s:
            checks.append(
                Check(
                    "gallery sync",
                    Status.FAIL,
                    f"last complete sync {age / 3600:.1f} h ago (limit {max_age_s / 3600:.0f} h): PIN only",
                    "restore the network to the ledger host, then `facepay replica sync`",
                )
            )
        else:
            checks.append(
                Check(
                    "gallery sync",
                    Status.OK,
                    f"entry {seq}, synced {age:.0f} s ago, {len(replica.customers())} customers",
                )
            )
        for p in replica.problems():
            checks.append(
                Check(
                    f"gallery feed {p.kind}",
                    Status.FAIL,
                    f"entry {p.seq}: {p.detail}",
                    _FIXES.get(p.kind, "`facepay replica reset`"),
                )
            )
    finally:
        replica.close()
    return checks
