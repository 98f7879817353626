"""Interest groups' tables and queries: the groups, who is in which, each group's prompts and pairings, and the
figures the report, the health report and the dashboard show for each group.

A group's participation is stored like everyone else's (``participation_events``), with the subject
``group:<name>``; a plain post in the group's channel (``channel:<its channel>``) counts for it too. So the
member's figures and the group's come from the same rows, counted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Index, UniqueConstraint, or_
from sqlalchemy import select as sa_select
from sqlmodel import Field, Session, SQLModel, col, select

from storage.activity import ACTIVITY_KINDS
from storage.models import ParticipationEvent, _utc_column
from storage.once import insert_once
from storage.tags import decode_list, encode_list
from storage.times import utc


def group_subject(name: str) -> str:
    """The participation subject that credits group ``name``."""
    return f"group:{name}"


class InterestGroup(SQLModel, table=True):
    """One interest group: declared in community.yaml (``config``) or created in chat (``chat``)."""

    __tablename__ = "interest_groups"
    __table_args__ = (UniqueConstraint("community", "name", name="uq_interest_group"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    name: str
    description: str = ""
    channel: str  # the channel asked for: a name or an id
    channel_ref: str | None = None  # the platform's reference once the bot found or made it
    source: str = "config"  # config | chat
    created_by: str = ""
    created_at: datetime = Field(sa_column=_utc_column())

    def where(self) -> str:
        """The channel to post in: the platform's own reference once known, else the name asked for."""
        return self.channel_ref or self.channel


class GroupMembership(SQLModel, table=True):
    """A member in a group, from ``joined_at`` until ``left_at``; joining again reopens the same row."""

    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("community", "group_name", "member", name="uq_group_member"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    group_name: str
    member: str
    joined_at: datetime = Field(sa_column=_utc_column())
    left_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class GroupPrompt(SQLModel, table=True):
    """A group's weekly question as asked, and the thread it opened."""

    __tablename__ = "group_prompts"
    __table_args__ = (Index("ix_group_prompts_thread", "community", "thread_ref"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str
    group_name: str
    question: str
    asked_at: datetime = Field(sa_column=_utc_column())
    thread_ref: str | None = None


class GroupPairing(SQLModel, table=True):
    """One pair (or small group) of a group's pairing cycle; ``members`` is a comma-separated list."""

    __tablename__ = "group_pairings"
    __table_args__ = (Index("ix_group_pairings_group", "community", "group_name"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str
    group_name: str
    slot: datetime = Field(sa_column=_utc_column())
    members: str
    met_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))

    def member_keys(self) -> tuple[str, ...]:
        return decode_list(self.members)


# --- groups ----------------------------------------------------------------------------------------


def groups(tx: Session, community: str) -> Sequence[InterestGroup]:
    return tx.exec(select(InterestGroup).where(InterestGroup.community == community).order_by(
        col(InterestGroup.name))).all()


def group(tx: Session, community: str, name: str) -> InterestGroup | None:
    return tx.exec(select(InterestGroup).where(InterestGroup.community == community,
                                               InterestGroup.name == name)).first()


def add_group(tx: Session, row: InterestGroup) -> bool:
    """True when the group is new (its name is unique in the community)."""
    return insert_once(tx, row)


def set_channel_ref(tx: Session, community: str, name: str, ref: str | None) -> None:
    row = group(tx, community, name)
    if row is not None and ref:
        row.channel_ref = ref
        tx.add(row)


# --- members ---------------------------------------------------------------------------------------


def membership(tx: Session, community: str, name: str, member: str) -> GroupMembership | None:
    return tx.exec(select(GroupMembership).where(
        GroupMembership.community == community, GroupMembership.group_name == name,
        GroupMembership.member == member)).first()


def join(tx: Session, community: str, name: str, member: str, now: datetime) -> bool:
    """Put ``member`` in group ``name``; False when they were in it already."""
    row = membership(tx, community, name, member)
    if row is None:
        return insert_once(tx, GroupMembership(community=community, group_name=name, member=member, joined_at=now))
    if row.left_at is None:
        return False
    row.left_at, row.joined_at = None, now
    tx.add(row)
    return True


def leave(tx: Session, community: str, name: str, member: str, now: datetime) -> bool:
    """Take ``member`` out of group ``name``; False when they were not in it."""
    row = membership(tx, community, name, member)
    if row is None or row.left_at is not None:
        return False
    row.left_at = now
    tx.add(row)
    return True


def members_of(tx: Session, community: str, name: str) -> list[str]:
    """The group's current members, in joining order."""
    rows = tx.exec(select(GroupMembership).where(
        GroupMembership.community == community, GroupMembership.group_name == name,
        col(GroupMembership.left_at).is_(None)).order_by(col(GroupMembership.joined_at), col(GroupMembership.id))).all()
    return [r.member for r in rows]


def groups_of(tx: Session, community: str, member: str) -> list[str]:
    rows = tx.exec(select(GroupMembership.group_name).where(
        GroupMembership.community == community, GroupMembership.member == member,
        col(GroupMembership.left_at).is_(None))).all()
    return sorted(rows)


def member_counts(tx: Session, community: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name in tx.exec(select(GroupMembership.group_name).where(
            GroupMembership.community == community, col(GroupMembership.left_at).is_(None))).all():
        counts[name] = counts.get(name, 0) + 1
    return counts


# --- prompts and pairings ----------------------------------------------------------------------------


def asked(tx: Session, community: str, name: str) -> list[str]:
    """The group's questions asked so far, oldest first (the rotation reads them)."""
    return list(tx.exec(select(GroupPrompt.question).where(
        GroupPrompt.community == community, GroupPrompt.group_name == name).order_by(col(GroupPrompt.id))).all())


def add_prompt(tx: Session, row: GroupPrompt) -> GroupPrompt:
    tx.add(row)
    tx.flush()
    return row


def set_prompt_thread(tx: Session, prompt_id: int, ref: str | None) -> None:
    row = tx.get(GroupPrompt, prompt_id)
    if row is not None and ref:
        row.thread_ref = ref
        tx.add(row)


def prompt_by_thread(tx: Session, community: str, thread_ref: str) -> GroupPrompt | None:
    return tx.exec(select(GroupPrompt).where(GroupPrompt.community == community,
                                             GroupPrompt.thread_ref == thread_ref)).first()


def group_of_thread(tx: Session, community: str, thread_ref: str) -> str | None:
    """The group whose question opened ``thread_ref`` (None for any other thread).

    Why a Core query: every reaction and reply in the community asks this, and nearly all are about something
    else; one indexed column read without building ORM objects keeps that cheap.
    """
    table = GroupPrompt.__table__  # type: ignore[attr-defined]
    query = sa_select(table.c.group_name).where(table.c.community == community, table.c.thread_ref == thread_ref)
    return tx.connection().execute(query.limit(1)).scalar()


def pairing_history(tx: Session, community: str, name: str) -> list[list[tuple[str, ...]]]:
    """The group's past cycles, oldest first, each as its list of pairs (what the matching avoids repeating)."""
    rows = tx.exec(select(GroupPairing).where(GroupPairing.community == community,
                                              GroupPairing.group_name == name).order_by(col(GroupPairing.slot))).all()
    cycles: dict[datetime, list[tuple[str, ...]]] = {}
    for row in rows:
        cycles.setdefault(row.slot, []).append(row.member_keys())
    return list(cycles.values())


def add_pairing(tx: Session, community: str, name: str, slot: datetime, members: Iterable[str]) -> GroupPairing:
    row = GroupPairing(community=community, group_name=name, slot=slot, members=encode_list(list(members)))
    tx.add(row)
    tx.flush()
    return row


def pairing(tx: Session, community: str, pairing_id: int) -> GroupPairing | None:
    row = tx.get(GroupPairing, pairing_id)
    return row if row is not None and row.community == community else None


# --- figures -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupFigures:
    """A group as the report shows it: members now, members active lately, and contributions then and before."""

    name: str
    members: int
    active_members: int
    recent: int  # contributions in the last ``weeks`` weeks
    before: int  # contributions in the ``weeks`` weeks before that
    last_activity: datetime | None

    @property
    def trend(self) -> str:
        if self.recent == self.before:
            return "steady"
        return "up" if self.recent > self.before else "down"

    def quiet_weeks(self, now: datetime) -> int:
        """Whole weeks since anything happened in the group (since it began, when nothing ever did)."""
        if self.last_activity is None:
            return 10**6
        return int((utc(now) - utc(self.last_activity)) / timedelta(weeks=1))


def figures(tx: Session, community: str, now: datetime, weeks: int = 4) -> list[GroupFigures]:
    """Every group's figures over the last ``weeks`` weeks (and the ``weeks`` before, for the trend)."""
    rows = groups(tx, community)
    if not rows:
        return []
    by_subject = {group_subject(g.name): g.name for g in rows}
    by_subject.update({f"channel:{c}": g.name for g in rows for c in {g.channel, g.channel_ref} if c})
    since = utc(now) - timedelta(weeks=2 * weeks)
    split = utc(now) - timedelta(weeks=weeks)
    events = tx.exec(select(ParticipationEvent.member, ParticipationEvent.subject, ParticipationEvent.at).where(
        ParticipationEvent.community == community, col(ParticipationEvent.kind).in_(sorted(ACTIVITY_KINDS)),
        or_(col(ParticipationEvent.subject).like("group:%"), col(ParticipationEvent.subject).like("channel:%")),
    )).all()
    recent: dict[str, int] = {}
    before: dict[str, int] = {}
    active: dict[str, set[str]] = {}
    last: dict[str, datetime] = {}
    for member, subject, at in events:
        name = by_subject.get(subject)
        if name is None:
            continue
        at = utc(at)
        last[name] = max(last.get(name, at), at)
        if at >= split:
            recent[name] = recent.get(name, 0) + 1
            active.setdefault(name, set()).add(member)
        elif at >= since:
            before[name] = before.get(name, 0) + 1
    counts = member_counts(tx, community)
    return [
        GroupFigures(g.name, counts.get(g.name, 0), len(active.get(g.name, ())), recent.get(g.name, 0),
                     before.get(g.name, 0), last.get(g.name, utc(g.created_at)))
        for g in rows
    ]
