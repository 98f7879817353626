"""Tables and queries of the member ladder: each member's confirmed rung, and every suggestion's life.

A suggestion moves ``suggested`` → ``invited`` (a facilitator said yes) → ``accepted`` / ``declined`` /
``expired`` (the member's answer), or ``suggested`` → ``dismissed`` (a facilitator said "not now"). Only an
accepted invitation changes a member's rung: nothing here is automatic without a human yes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import _utc_column

OPEN = ("suggested", "invited")


class LadderStep(SQLModel, table=True):
    """The rung a member accepted last (newcomer when there is no row)."""

    __tablename__ = "ladder_steps"

    community: str = Field(primary_key=True)
    member: str = Field(primary_key=True)
    rung: str
    since: datetime = Field(sa_column=_utc_column())
    confirmed_by: str  # the facilitator who invited them


class LadderSuggestion(SQLModel, table=True):
    """One suggestion that ``member`` may be ready for ``rung``, with the figures that were shown."""

    __tablename__ = "ladder_suggestions"
    __table_args__ = (Index("ix_ladder_member", "community", "member"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str
    member: str
    rung: str
    figures: str = Field(sa_column=Column(Text, nullable=False))  # JSON: {"prompt_replies": 7, ...}
    status: str = "suggested"  # suggested | invited | accepted | declined | dismissed | expired
    suggested_at: datetime = Field(sa_column=_utc_column())
    decided_by: str | None = None  # the facilitator who invited or dismissed
    decided_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    expires_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    answered_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


def steps(tx: Session, community: str) -> dict[str, str]:
    """Each member's confirmed rung."""
    return {row.member: row.rung for row in tx.exec(select(LadderStep).where(LadderStep.community == community))}


def set_step(tx: Session, community: str, member: str, rung: str, by: str, now: datetime) -> None:
    row = tx.get(LadderStep, (community, member))
    if row is None:
        row = LadderStep(community=community, member=member, rung=rung, since=now, confirmed_by=by)
    else:
        row.rung, row.since, row.confirmed_by = rung, now, by
    tx.add(row)


def suggestions(tx: Session, community: str, statuses: Sequence[str] | None = None) -> Sequence[LadderSuggestion]:
    query = select(LadderSuggestion).where(LadderSuggestion.community == community)
    if statuses is not None:
        query = query.where(col(LadderSuggestion.status).in_(list(statuses)))
    return tx.exec(query.order_by(col(LadderSuggestion.id))).all()


def suggestion(tx: Session, community: str, suggestion_id: int) -> LadderSuggestion | None:
    row = tx.get(LadderSuggestion, suggestion_id)
    return row if row is not None and row.community == community else None


def save(tx: Session, row: LadderSuggestion) -> LadderSuggestion:
    tx.add(row)
    tx.flush()
    return row
