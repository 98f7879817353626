"""The tables. One community per row key, so a PostgreSQL database can hold several communities.

All datetimes are stored as UTC. Uniqueness constraints carry the invariants: a ritual slot is claimed
by one row; a participation event is stored once per (platform, event_id); a delivery has a stable id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _utc_column(nullable: bool = False, index: bool = False) -> Column:  # type: ignore[type-arg]
    return Column(DateTime(timezone=True), nullable=nullable, index=index)


class CommunityState(SQLModel, table=True):
    """Small facts about the install itself, e.g. when the bot first ran (no catch-up before that)."""

    __tablename__ = "community_state"

    community: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    value: str


class Member(SQLModel, table=True):
    """A community member, by the stable key only adapters can parse."""

    __tablename__ = "members"

    community: str = Field(primary_key=True)
    key: str = Field(primary_key=True)
    platform: str
    name: str
    tz: str | None = None
    interests: str = ""  # comma-separated tags, lower-case
    team: str | None = None
    joined_at: datetime = Field(sa_column=_utc_column())
    left_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    welcomed: bool = False  # False for members who were already there when the bot was installed


class RitualRun(SQLModel, table=True):
    """A claimed (or skipped) ritual slot; the unique constraint is what makes a slot run once."""

    __tablename__ = "ritual_runs"
    __table_args__ = (UniqueConstraint("community", "ritual", "slot", name="uq_ritual_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    ritual: str
    slot: datetime = Field(sa_column=_utc_column())
    status: str  # done | skipped | coalesced | manual
    claimed_at: datetime = Field(sa_column=_utc_column())
    detail: str = ""


class Delivery(SQLModel, table=True):
    """One message the bot means to send: written before sending, marked sent with the platform's reference."""

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_status", "community", "status"), Index("ix_deliveries_ref", "platform_ref"))

    id: str = Field(primary_key=True)  # stable delivery id
    community: str
    ritual: str
    subject: str = ""  # what the message is about, e.g. "prompt:12", to map reactions back
    action: str = Field(sa_column=Column(Text, nullable=False))  # JSON of the neutral action
    seq: int = 0  # order within one plan, so a burst goes out in order
    status: str = "pending"  # pending | sending | sent | failed | withheld (an optional DM the member turned down)
    attempts: int = 0
    created_at: datetime = Field(sa_column=_utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    platform_ref: str | None = None
    sender: str | None = None  # the replica that claimed it for sending (storage/replicas.py)
    error: str | None = None
    # A DM kept to its members' daytime (bot/dm_policy.py): not sent before ``not_before``. ``timing`` says how
    # the policy timed it: "window" (looked at again just before sending: a zone may be known only by then) or
    # "answer" (it answers the member's own click or command, so it goes at once); None: not a timed DM.
    not_before: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    timing: str | None = None


class ParticipationEvent(SQLModel, table=True):
    """Something a member did that counts as participation; unique per (platform, event_id)."""

    __tablename__ = "participation_events"
    __table_args__ = (
        UniqueConstraint("platform", "event_id", name="uq_participation_event"),
        Index("ix_participation_member", "community", "member"),
        Index("ix_participation_at", "community", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community: str
    platform: str
    event_id: str
    member: str
    kind: str  # reaction | reply | onboarding_step | met | facilitated | ...
    ritual: str
    subject: str = ""
    at: datetime = Field(sa_column=_utc_column())


class HandledEvent(SQLModel, table=True):
    """Inbound events that act (joins, commands, clicks) are claimed here in the same transaction as their
    effect, so a platform retry or gateway replay does nothing the second time."""

    __tablename__ = "handled_events"
    __table_args__ = (UniqueConstraint("platform", "event_id", name="uq_handled_event"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str
    platform: str
    event_id: str
    kind: str
    at: datetime = Field(sa_column=_utc_column())
