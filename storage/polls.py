"""Tables and queries of pulse polls: a poll, and one response row per member (a new vote replaces the old).

The unique (poll, member) row is what makes "one vote per member" hold across double clicks, retries
and replicas; a vote and an open answer are two columns of that same row, each replaced on its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import _utc_column


class Poll(SQLModel, table=True):
    """A poll as posted: its question, options (JSON list), optional open question, and when it closes."""

    __tablename__ = "polls"

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    question: str = Field(sa_column=Column(Text, nullable=False))
    options: str = Field(sa_column=Column(Text, nullable=False))  # JSON list of labels
    open_question: str = ""
    anonymous: bool = True
    source: str  # command | pulse
    created_by: str
    channel: str
    opened_at: datetime = Field(sa_column=_utc_column())
    closes_at: datetime = Field(sa_column=_utc_column(index=True))
    closed_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    message_ref: str | None = None  # the poll message, whose thread takes open answers

    def labels(self) -> list[str]:
        return list(json.loads(self.options))


class PollResponse(SQLModel, table=True):
    """One member's answer to one poll: the option chosen and/or the open answer, each replaceable."""

    __tablename__ = "poll_responses"
    __table_args__ = (UniqueConstraint("poll_id", "member", name="uq_poll_response"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str
    poll_id: int = Field(foreign_key="polls.id", index=True)
    member: str
    choice: int | None = None
    answer: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    at: datetime = Field(sa_column=_utc_column())


def add_poll(tx: Session, poll: Poll) -> Poll:
    tx.add(poll)
    tx.flush()
    return poll


def poll(tx: Session, community: str, poll_id: int) -> Poll | None:
    row = tx.get(Poll, poll_id)
    return row if row is not None and row.community == community else None


def poll_by_message(tx: Session, community: str, message_ref: str) -> Poll | None:
    return tx.exec(select(Poll).where(Poll.community == community, Poll.message_ref == message_ref)).first()


def open_polls(tx: Session, community: str) -> Sequence[Poll]:
    return tx.exec(
        select(Poll).where(Poll.community == community, col(Poll.closed_at).is_(None)).order_by(col(Poll.id))
    ).all()


def due_to_close(tx: Session, community: str, now: datetime) -> Sequence[Poll]:
    return tx.exec(
        select(Poll)
        .where(Poll.community == community, col(Poll.closed_at).is_(None), col(Poll.closes_at) <= now)
        .order_by(col(Poll.id))
    ).all()


def closed_polls(tx: Session, community: str, since: datetime) -> Sequence[Poll]:
    return tx.exec(
        select(Poll)
        .where(Poll.community == community, col(Poll.closed_at).is_not(None), col(Poll.closed_at) >= since)
        .order_by(col(Poll.closed_at))
    ).all()


def set_message(tx: Session, poll_id: int, message_ref: str | None) -> None:
    row = tx.get(Poll, poll_id)
    if row is not None:
        row.message_ref = message_ref
        tx.add(row)


def close(tx: Session, row: Poll, now: datetime) -> bool:
    """Close once; False if it was already closed (a second closer does nothing)."""
    if row.closed_at is not None:
        return False
    row.closed_at = now
    tx.add(row)
    return True


def respond(
    tx: Session, row: Poll, member: str, now: datetime, *, choice: int | None = None, answer: str | None = None
) -> bool:
    """Record a vote and/or an open answer; replaces the member's earlier one. True if it was their first."""
    assert row.id is not None
    existing = tx.exec(
        select(PollResponse).where(PollResponse.poll_id == row.id, PollResponse.member == member)
    ).first()
    first = existing is None
    if existing is None:
        existing = PollResponse(community=row.community, poll_id=row.id, member=member, at=now)
    if choice is not None:
        existing.choice = choice
    if answer is not None:
        existing.answer = answer
    existing.at = now
    tx.add(existing)
    tx.flush()
    return first


def responses(tx: Session, poll_id: int) -> Sequence[PollResponse]:
    return tx.exec(
        select(PollResponse).where(PollResponse.poll_id == poll_id).order_by(col(PollResponse.at), col(PollResponse.id))
    ).all()
