"""Tables and queries of the onboarding ritual (kept beside storage/models.py so each ritual owns its own).

Unique keys carry the promises: one welcome sequence per member, each step sent once per member (a replayed
join or a second replica finds the row taken), one ground-rules acknowledgement per member.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import _utc_column
from storage.once import insert_once


class OnboardingMember(SQLModel, table=True):
    """A member's welcome sequence: when its days count from, who started it, their buddy, when it ended."""

    __tablename__ = "onboarding_members"

    community: str = Field(primary_key=True)
    member: str = Field(primary_key=True)
    anchor_at: datetime = Field(sa_column=_utc_column())  # step days count from this instant (usually the join)
    started_at: datetime = Field(sa_column=_utc_column())
    started_by: str  # "join", "existing" (welcome_existing_members) or the admin's key (/cop welcome)
    buddy: str | None = None
    buddy_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    finished_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))  # every step sent
    stopped_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))  # the member left


class OnboardingStepSent(SQLModel, table=True):
    """One step sent to one member; the unique key is what makes a step go out once."""

    __tablename__ = "onboarding_steps"
    __table_args__ = (UniqueConstraint("community", "member", "step", name="uq_onboarding_step"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    member: str
    step: str
    sent_at: datetime = Field(sa_column=_utc_column())


class GroundRulesAck(SQLModel, table=True):
    """A member agreed to the ground rules (button or ``/cop agree``)."""

    __tablename__ = "onboarding_acks"

    community: str = Field(primary_key=True)
    member: str = Field(primary_key=True)
    acknowledged_at: datetime = Field(sa_column=_utc_column())
    via: str  # button | command


class BuddyPoolEntry(SQLModel, table=True):
    """A member's own choice to be in the buddy pool or not; overrides the config's initial volunteers."""

    __tablename__ = "onboarding_buddy_pool"

    community: str = Field(primary_key=True)
    member: str = Field(primary_key=True)
    active: bool
    changed_at: datetime = Field(sa_column=_utc_column())


# --- sequences ---------------------------------------------------------------------------------------------


def sequence(tx: Session, community: str, member: str) -> OnboardingMember | None:
    return tx.get(OnboardingMember, (community, member))


def start_sequence(
    tx: Session, community: str, member: str, *, anchor_at: datetime, now: datetime, started_by: str
) -> OnboardingMember | None:
    """Begin ``member``'s welcome sequence; None if they already have one (a replay, or welcomed before)."""
    if tx.get(OnboardingMember, (community, member)) is not None:
        return None
    row = OnboardingMember(
        community=community, member=member, anchor_at=anchor_at, started_at=now, started_by=started_by
    )
    return row if insert_once(tx, row) else None


def sequences(tx: Session, community: str, *, ongoing_only: bool = False) -> Sequence[OnboardingMember]:
    """Every sequence (or those still running: not finished, not stopped), oldest first."""
    query = select(OnboardingMember).where(OnboardingMember.community == community)
    if ongoing_only:
        query = query.where(col(OnboardingMember.finished_at).is_(None), col(OnboardingMember.stopped_at).is_(None))
    return tx.exec(query.order_by(col(OnboardingMember.started_at), col(OnboardingMember.member))).all()


def finish(tx: Session, row: OnboardingMember, now: datetime) -> None:
    row.finished_at = now
    tx.add(row)


def stop(tx: Session, community: str, member: str, at: datetime) -> None:
    """The member left: their sequence sends nothing more."""
    row = tx.get(OnboardingMember, (community, member))
    if row is not None and row.stopped_at is None and row.finished_at is None:
        row.stopped_at = at
        tx.add(row)


def set_buddy(tx: Session, row: OnboardingMember, buddy: str, now: datetime) -> None:
    row.buddy = buddy
    row.buddy_at = now
    tx.add(row)


# --- steps -------------------------------------------------------------------------------------------------


def done_steps(tx: Session, community: str, member: str) -> list[str]:
    return list(
        tx.exec(
            select(OnboardingStepSent.step).where(
                OnboardingStepSent.community == community, OnboardingStepSent.member == member
            )
        ).all()
    )


def done_steps_of(tx: Session, community: str, members: Sequence[str]) -> dict[str, list[str]]:
    """The steps already sent to each of ``members``, in one query (a scheduled check reads them all)."""
    done: dict[str, list[str]] = {}
    if not members:
        return done
    rows = tx.exec(
        select(OnboardingStepSent.member, OnboardingStepSent.step).where(
            OnboardingStepSent.community == community, col(OnboardingStepSent.member).in_(list(members))
        )
    ).all()
    for member, step in rows:
        done.setdefault(member, []).append(step)
    return done


def claim_step(tx: Session, community: str, member: str, step: str, now: datetime) -> bool:
    """Record that ``step`` goes to ``member`` now; False if it already went (then send nothing)."""
    return insert_once(tx, OnboardingStepSent(community=community, member=member, step=step, sent_at=now))


# --- ground rules ------------------------------------------------------------------------------------------


def has_acknowledged(tx: Session, community: str, member: str) -> bool:
    """Whether ``member`` agreed to the ground rules (the pairing ritual asks this when the config requires it)."""
    return tx.get(GroundRulesAck, (community, member)) is not None


def acknowledgement(tx: Session, community: str, member: str) -> GroundRulesAck | None:
    return tx.get(GroundRulesAck, (community, member))


def acknowledge(tx: Session, community: str, member: str, now: datetime, via: str) -> bool:
    """Store the acknowledgement; False if it was already stored."""
    if tx.get(GroundRulesAck, (community, member)) is not None:
        return False
    return insert_once(tx, GroundRulesAck(community=community, member=member, acknowledged_at=now, via=via))


def acknowledged_members(tx: Session, community: str) -> set[str]:
    return set(tx.exec(select(GroundRulesAck.member).where(GroundRulesAck.community == community)).all())


# --- buddy pool --------------------------------------------------------------------------------------------


def buddy_pool(tx: Session, community: str, initial: Sequence[str]) -> list[str]:
    """The volunteers: the config's initial list, plus those who volunteered, minus those who retired."""
    choices = {
        row.member: row.active
        for row in tx.exec(select(BuddyPoolEntry).where(BuddyPoolEntry.community == community)).all()
    }
    pool = {key for key in initial if choices.get(key, True)}
    pool |= {key for key, active in choices.items() if active}
    return sorted(pool)


def set_volunteer(tx: Session, community: str, member: str, active: bool, now: datetime) -> None:
    row = tx.get(BuddyPoolEntry, (community, member))
    if row is None:
        row = BuddyPoolEntry(community=community, member=member, active=active, changed_at=now)
    else:
        row.active = active
        row.changed_at = now
    tx.add(row)


def buddy_loads(tx: Session, community: str) -> dict[str, int]:
    """How many newcomers each buddy is looking after now (sequences still running)."""
    loads: dict[str, int] = {}
    for row in sequences(tx, community, ongoing_only=True):
        if row.buddy:
            loads[row.buddy] = loads.get(row.buddy, 0) + 1
    return loads
