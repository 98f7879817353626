"""A member's own settings for the whole bot: optional DMs off, a pause, a time zone and team of their choosing.

Why one table in the core, not one per ritual: "not now" must hold for every ritual at once (``/cop dm off``,
``/cop pause until``), and the outbox, which knows no ritual, is where it is applied (bot/dm_policy.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import _utc_column


class MemberPrefs(SQLModel, table=True):
    """What a member told the bot about themselves. A missing row means: defaults (DMs on, no pause)."""

    __tablename__ = "member_prefs"

    community: str = Field(primary_key=True)
    member: str = Field(primary_key=True)
    dms_off: bool = False  # optional DMs (nudges, check-ins, digests) turned down; essential ones still come
    paused_until: date | None = None  # optional DMs held back until this local day (exclusive)
    tz: str | None = None  # chosen with /cop timezone; wins over the platform's
    updated_at: datetime = Field(sa_column=_utc_column())


_KEEP = object()


def prefs(tx: Session, community: str, member: str) -> MemberPrefs | None:
    return tx.get(MemberPrefs, (community, member))


def prefs_of(tx: Session, community: str, members: Iterable[str]) -> dict[str, MemberPrefs]:
    """Just these members' rows (most members have none), by key."""
    wanted = sorted(set(members))
    found: dict[str, MemberPrefs] = {}
    for start in range(0, len(wanted), 500):  # stay under every backend's bound-parameter limit
        chunk = wanted[start : start + 500]
        query = select(MemberPrefs).where(MemberPrefs.community == community, col(MemberPrefs.member).in_(chunk))
        found.update((row.member, row) for row in tx.exec(query))
    return found


def all_prefs(tx: Session, community: str) -> dict[str, MemberPrefs]:
    return {row.member: row for row in tx.exec(select(MemberPrefs).where(MemberPrefs.community == community))}


def set_prefs(
    tx: Session,
    community: str,
    member: str,
    now: datetime,
    *,
    dms_off: bool | None = None,
    paused_until: date | object | None = _KEEP,
    tz: str | object | None = _KEEP,
) -> MemberPrefs:
    """Change what is given (``paused_until=None`` or ``tz=None`` clears it; leaving it out keeps it)."""
    row = tx.get(MemberPrefs, (community, member)) or MemberPrefs(community=community, member=member, updated_at=now)
    if dms_off is not None:
        row.dms_off = dms_off
    if paused_until is not _KEEP:
        row.paused_until = paused_until if isinstance(paused_until, date) else None
    if tz is not _KEEP:
        row.tz = tz if isinstance(tz, str) else None
    row.updated_at = now
    tx.add(row)
    return row


def is_resting(row: MemberPrefs | None, today: date) -> bool:
    """Has the member turned optional DMs down, or paused them until after ``today``?"""
    return row is not None and (row.dms_off or (row.paused_until is not None and today < row.paused_until))
