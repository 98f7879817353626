"""A pairing cycle of many pairs written straight into storage, for tests of what its status looks like."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from storage import pairing as store
from storage import queries
from storage.db import Database


def seed_pairs(db: Database, community: str, keys: Sequence[str], at: datetime, platform: str) -> int:
    """Members ``keys`` (named "Member 0001", ...) paired two by two in one cycle started at ``at``; returns pairs."""
    with db.session() as tx:
        for n, key in enumerate(keys, start=1):
            queries.upsert_member(tx, community=community, key=key, platform=platform, name=f"Member {n:04d}",
                                  tz="Europe/Berlin", joined_at=at - timedelta(days=30), interests=(), welcomed=False)
        cycle = store.add_cycle(tx, store.PairingCycle(community=community, slot=at, mode="peer", source="schedule",
                                                       followup_due_at=at + timedelta(days=4)))
        assert cycle.id is not None
        pairs = [((keys[first], keys[first + 1]), "What are you learning?") for first in range(0, len(keys) - 1, 2)]
        store.add_groups(tx, community, cycle.id, "peer", pairs)
        tx.commit()
    return len(keys) // 2


def pair_lines(count: int) -> list[str]:
    """The status lines of the seeded pairs, in order, as the core writes them."""
    return [f"• Member {2 * n + 1:04d} + Member {2 * n + 2:04d}: no answer yet" for n in range(count)]
