"""Tables and queries of kudos: thank-yous between members, and the milestones already announced.

A kudos row is written in the same transaction as the command that gave it (the runtime claims the command's
event id there), so a platform retry never thanks anyone twice. A milestone is announced once per member and
count: its primary key is the promise.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Index, func
from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import _utc_column
from storage.once import insert_once


class Kudos(SQLModel, table=True):
    """One thank-you: who gave it, to whom, for what, and whether it was public."""

    __tablename__ = "kudos"
    __table_args__ = (
        Index("ix_kudos_receiver", "community", "receiver"),
        Index("ix_kudos_giver_at", "community", "giver", "given_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community: str
    giver: str
    receiver: str
    reason: str  # member text, markers stripped; rendered without any platform mention
    private: bool = False
    given_at: datetime = Field(sa_column=_utc_column(index=True))


class KudosMilestone(SQLModel, table=True):
    """A milestone ("10 kudos received") announced for one member; announced once."""

    __tablename__ = "kudos_milestones"

    community: str = Field(primary_key=True)
    member: str = Field(primary_key=True)
    count: int = Field(primary_key=True)
    announced_at: datetime = Field(sa_column=_utc_column())


def add(tx: Session, row: Kudos) -> Kudos:
    tx.add(row)
    tx.flush()
    return row


def given_since(tx: Session, community: str, giver: str, since: datetime) -> int:
    """How many kudos ``giver`` gave from ``since`` on (the daily cap counts these)."""
    query = select(func.count()).select_from(Kudos).where(
        Kudos.community == community, Kudos.giver == giver, col(Kudos.given_at) >= since
    )
    return int(tx.exec(query).one())


def between(tx: Session, community: str, start: datetime | None, end: datetime) -> Sequence[Kudos]:
    """Kudos given in [start, end), oldest first (the digest's content)."""
    query = select(Kudos).where(Kudos.community == community, col(Kudos.given_at) < end)
    if start is not None:
        query = query.where(col(Kudos.given_at) >= start)
    return tx.exec(query.order_by(col(Kudos.given_at), col(Kudos.id))).all()


def received_counts(tx: Session, community: str, since: datetime | None = None) -> Counter[str]:
    """Kudos received per member (optionally only since a time)."""
    query = select(Kudos.receiver, func.count()).where(Kudos.community == community)
    if since is not None:
        query = query.where(col(Kudos.given_at) >= since)
    rows = tx.exec(query.group_by(Kudos.receiver)).all()
    return Counter({receiver: int(n) for receiver, n in rows})


def received_count(tx: Session, community: str, member: str) -> int:
    query = select(func.count()).select_from(Kudos).where(Kudos.community == community, Kudos.receiver == member)
    return int(tx.exec(query).one())


def given_count(tx: Session, community: str, member: str) -> int:
    query = select(func.count()).select_from(Kudos).where(Kudos.community == community, Kudos.giver == member)
    return int(tx.exec(query).one())


def claim_milestone(tx: Session, community: str, member: str, count: int, now: datetime) -> bool:
    """True the first time this milestone is claimed for this member; False if it was already announced."""
    if tx.get(KudosMilestone, (community, member, count)) is not None:
        return False
    return insert_once(tx, KudosMilestone(community=community, member=member, count=count, announced_at=now))
