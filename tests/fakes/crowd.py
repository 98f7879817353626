"""A big community in the database at once: thousands of members inserted in one transaction (Core, not the ORM).

For tests and benches of what a command does at scale (``/cop pair now`` with 10,000 members); joining them one
event at a time would take minutes and test nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert

from storage.db import Database
from storage.models import Member

ZONES = ("Europe/Berlin", "Europe/London", "America/New_York", "Asia/Kolkata", "America/Sao_Paulo")


def seed_members(db: Database, community: str, count: int, key_of: Callable[[int], str], joined: datetime) -> None:
    """``count`` members who joined a month before ``joined``, welcomed, in a few time zones and interests."""
    table = Member.__table__  # type: ignore[attr-defined]
    rows: list[dict[str, Any]] = [
        {"community": community, "key": key_of(i), "platform": key_of(i).split(":", 1)[0], "name": f"Member {i}",
         "tz": ZONES[i % len(ZONES)], "interests": "k8s,observability" if i % 3 else "terraform", "team": None,
         "joined_at": joined - timedelta(days=30, minutes=i), "left_at": None, "welcomed": True}
        for i in range(count)
    ]  # fmt: skip
    with db.engine.begin() as conn:
        for start in range(0, len(rows), 5000):
            conn.execute(insert(table), rows[start : start + 5000])
