"""The nudges ritual's table: who was nudged when, and the queries that tell who went quiet and who came back.

A nudge is unique per (community, member, slot): a retried slot never nudges twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import UniqueConstraint, func
from sqlmodel import Field, Session, SQLModel, col, select

from storage.activity import ACTIVITY_KINDS
from storage.models import ParticipationEvent, _utc_column
from storage.times import utc


class Nudge(SQLModel, table=True):
    """One friendly DM to a member who had gone quiet."""

    __tablename__ = "nudges"
    __table_args__ = (UniqueConstraint("community", "member", "nudged_at", name="uq_nudge"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    member: str
    nudged_at: datetime = Field(sa_column=_utc_column())
    quiet_since: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


_KINDS = sorted(ACTIVITY_KINDS)
"""Quiet and back again are read with the one definition of activity every figure uses (storage/activity.py)."""


def last_active(tx: Session, community: str) -> dict[str, datetime]:
    """Each member's latest activity."""
    query = (
        select(ParticipationEvent.member, func.max(ParticipationEvent.at))
        .where(ParticipationEvent.community == community, col(ParticipationEvent.kind).in_(_KINDS))
        .group_by(col(ParticipationEvent.member))
    )
    return {member: utc(at) for member, at in tx.exec(query) if at is not None}


def activity_since(tx: Session, community: str, members: Iterable[str], since: datetime) -> dict[str, list[datetime]]:
    """When each of ``members`` was active from ``since`` on, oldest first (who came back after a nudge)."""
    wanted = sorted(set(members))
    found: dict[str, list[datetime]] = {}
    for start in range(0, len(wanted), 500):
        query = (
            select(ParticipationEvent.member, ParticipationEvent.at)
            .where(
                ParticipationEvent.community == community,
                col(ParticipationEvent.member).in_(wanted[start : start + 500]),
                col(ParticipationEvent.at) >= since,
                col(ParticipationEvent.kind).in_(_KINDS),
            )
            .order_by(col(ParticipationEvent.at))
        )
        for member, at in tx.exec(query):
            found.setdefault(member, []).append(utc(at))
    return found


def add(tx: Session, row: Nudge) -> None:
    tx.add(row)


def nudges(tx: Session, community: str, since: datetime | None = None) -> Sequence[Nudge]:
    query = select(Nudge).where(Nudge.community == community)
    if since is not None:
        query = query.where(col(Nudge.nudged_at) >= since)
    return tx.exec(query.order_by(col(Nudge.nudged_at), col(Nudge.id))).all()


def last_nudged(tx: Session, community: str) -> dict[str, datetime]:
    query = select(Nudge.member, func.max(Nudge.nudged_at)).where(Nudge.community == community).group_by(
        col(Nudge.member)
    )
    return {member: utc(at) for member, at in tx.exec(query) if at is not None}
