"""Read-only queries behind the health report: only the columns the figures need, as plain rows.

Why not ``storage.queries.participation``: that loads whole ORM objects, which costs most of a report's time
on a large community (see bench/health.py); the report needs four columns per event and no identity map.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table, select
from sqlmodel import Session

from storage.models import ParticipationEvent

EVENTS: Table = ParticipationEvent.__table__  # type: ignore[attr-defined]


def participation_rows(tx: Session, community: str, since: datetime) -> list[tuple[str, str, datetime, str]]:
    """(member, kind, at, subject) of every participation event since ``since``, oldest first."""
    c = EVENTS.c
    query = (
        select(c.member, c.kind, c.at, c.subject)
        .where(c.community == community, c.at >= since)
        .order_by(c.at)
    )
    return [(member, kind, at, subject) for member, kind, at, subject in tx.connection().execute(query)]
