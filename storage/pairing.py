"""Tables and queries of the pairing ritual (kept beside storage/models.py so each ritual owns its own).

A cycle is unique per (community, slot); a group is unique per (cycle, kind, members); a
left-out member is stored once per cycle and kind with the reason. A group's "did you meet?" answer is
set once ("met" wins over "skipped"), so a double click changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import UniqueConstraint, func, insert
from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import _utc_column
from storage.tags import decode_list, encode_list
from storage.times import utc


class PairingPreference(SQLModel, table=True):
    """A member's own pairing choices: in or out (None: never said), a pause, and goals as a mentee."""

    __tablename__ = "pairing_prefs"

    community: str = Field(primary_key=True)
    member: str = Field(primary_key=True)
    opted_in: bool | None = None
    paused_until: date | None = None
    goals: str = ""  # comma-separated, lower-case; non-empty means "I would like a mentor"
    updated_at: datetime = Field(sa_column=_utc_column())


class PairingCycle(SQLModel, table=True):
    """One pairing cycle, started by a scheduled slot or by ``/cop pair now``."""

    __tablename__ = "pairing_cycles"
    __table_args__ = (UniqueConstraint("community", "slot", name="uq_pairing_cycle_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    slot: datetime = Field(sa_column=_utc_column())
    mode: str  # peer | mentorship | both
    source: str  # schedule | manual
    started_by: str = ""
    followup_due_at: datetime = Field(sa_column=_utc_column())
    followup_sent_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class PairingGroup(SQLModel, table=True):
    """A group of one cycle: a coffee group (peer) or a mentor with a mentee (mentorship, mentor first)."""

    __tablename__ = "pairing_groups"
    __table_args__ = (UniqueConstraint("cycle_id", "kind", "members", name="uq_pairing_group"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    cycle_id: int = Field(foreign_key="pairing_cycles.id", index=True)
    kind: str  # peer | mentorship
    members: str  # comma-separated member keys
    topic: str = ""
    answer: str | None = None  # met | skipped
    answered_by: str | None = None
    answered_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))

    def member_keys(self) -> tuple[str, ...]:
        return decode_list(self.members)


class PairingGroupMember(SQLModel, table=True):
    """Who is in which group (a mentor with capacity 2 is in two mentorship groups of one cycle)."""

    __tablename__ = "pairing_group_members"
    __table_args__ = (UniqueConstraint("group_id", "member", name="uq_pairing_group_member"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str
    cycle_id: int = Field(foreign_key="pairing_cycles.id")
    group_id: int = Field(foreign_key="pairing_groups.id", index=True)
    kind: str
    member: str = Field(index=True)


class PairingLeftOut(SQLModel, table=True):
    """A member not grouped in a cycle, and why (opted out, paused, no allowed partner, no mentor place...)."""

    __tablename__ = "pairing_left_out"
    __table_args__ = (UniqueConstraint("cycle_id", "kind", "member", name="uq_pairing_left_out"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str
    cycle_id: int = Field(foreign_key="pairing_cycles.id", index=True)
    kind: str
    member: str
    reason: str


class PairingNever(SQLModel, table=True):
    """"Never pair me with them", said privately in chat (``/cop pairing never @member``); it holds both ways,
    for coffee pairs and mentorships alike."""

    __tablename__ = "pairing_never"

    community: str = Field(primary_key=True)
    member: str = Field(primary_key=True)
    other: str = Field(primary_key=True)
    said_at: datetime = Field(sa_column=_utc_column())


def never_pairs(tx: Session, community: str) -> set[frozenset[str]]:
    """Every pair someone asked never to be grouped in."""
    rows = tx.exec(select(PairingNever).where(PairingNever.community == community))
    return {frozenset((row.member, row.other)) for row in rows}


def add_never(tx: Session, community: str, member: str, other: str, now: datetime) -> bool:
    """Remember ``member``'s wish; False when they had said it already."""
    if tx.get(PairingNever, (community, member, other)) is not None:
        return False
    tx.add(PairingNever(community=community, member=member, other=other, said_at=now))
    return True


# --- preferences ------------------------------------------------------------------------------------------


def prefs(tx: Session, community: str) -> Sequence[PairingPreference]:
    return tx.exec(select(PairingPreference).where(PairingPreference.community == community)).all()


def pref(tx: Session, community: str, member: str) -> PairingPreference | None:
    return tx.get(PairingPreference, (community, member))


def set_pref(
    tx: Session,
    community: str,
    member: str,
    now: datetime,
    *,
    opted_in: bool | None = None,
    paused_until: date | bool | None = False,
    goals: str | None = None,
) -> PairingPreference:
    """Change what is given; ``paused_until=False`` (the default) leaves the pause alone, ``None`` clears it."""
    row = tx.get(PairingPreference, (community, member))
    if row is None:
        row = PairingPreference(community=community, member=member, updated_at=now)
    if opted_in is not None:
        row.opted_in = opted_in
    if paused_until is not False:
        row.paused_until = paused_until if isinstance(paused_until, date) else None
    if goals is not None:
        row.goals = goals
    row.updated_at = now
    tx.add(row)
    tx.flush()
    return row


# --- cycles -------------------------------------------------------------------------------------------------


def cycle_at(tx: Session, community: str, slot: datetime) -> PairingCycle | None:
    return tx.exec(select(PairingCycle).where(PairingCycle.community == community, PairingCycle.slot == slot)).first()


def add_cycle(tx: Session, cycle: PairingCycle) -> PairingCycle:
    tx.add(cycle)
    tx.flush()
    return cycle


def cycles(tx: Session, community: str) -> Sequence[PairingCycle]:
    """Every cycle, oldest first."""
    return tx.exec(
        select(PairingCycle).where(PairingCycle.community == community).order_by(col(PairingCycle.slot))
    ).all()


def latest_cycle(tx: Session, community: str) -> PairingCycle | None:
    return tx.exec(
        select(PairingCycle).where(PairingCycle.community == community).order_by(col(PairingCycle.slot).desc())
    ).first()


def followups_due(tx: Session, community: str, now: datetime) -> Sequence[PairingCycle]:
    return tx.exec(
        select(PairingCycle)
        .where(
            PairingCycle.community == community,
            col(PairingCycle.followup_sent_at).is_(None),
            col(PairingCycle.followup_due_at) <= now,
        )
        .order_by(col(PairingCycle.slot))
    ).all()


def next_followup_due(tx: Session, community: str, after: datetime) -> datetime | None:
    """When the earliest unsent "did you meet?" falls due (None if every cycle has had its follow-up)."""
    value = tx.exec(
        select(func.min(PairingCycle.followup_due_at)).where(
            PairingCycle.community == community, col(PairingCycle.followup_sent_at).is_(None)
        )
    ).one()
    return utc(value) if value is not None else None


def mark_followup_sent(tx: Session, cycle: PairingCycle, now: datetime) -> None:
    cycle.followup_sent_at = now
    tx.add(cycle)


# --- groups -------------------------------------------------------------------------------------------------


def add_groups(
    tx: Session, community: str, cycle_id: int, kind: str, groups: Sequence[tuple[Sequence[str], str]]
) -> list[PairingGroup]:
    """Many groups (member keys, topic) at once, as two multi-row INSERTs (ids back through RETURNING, in order).

    Why: a 10,000-member cycle writes 5,000 groups and 10,000 memberships while it holds SQLite's write lock;
    one ORM object per row kept every other writer (a member's ``/cop help``) waiting about 1.7 s for them."""
    rows = [PairingGroup(community=community, cycle_id=cycle_id, kind=kind, members=encode_list(members),
                         topic=topic) for members, topic in groups]  # fmt: skip
    if not rows:
        return rows
    returning = insert(PairingGroup).returning(col(PairingGroup.id), sort_by_parameter_order=True)
    ids = tx.scalars(returning, [row.model_dump(exclude={"id"}) for row in rows]).all()
    memberships = []
    for row, row_id, (members, _topic) in zip(rows, ids, groups, strict=True):
        row.id = row_id
        memberships += [{"community": community, "cycle_id": cycle_id, "group_id": row_id, "kind": kind,
                         "member": member} for member in members]  # fmt: skip
    tx.execute(insert(PairingGroupMember), memberships)
    return rows


def group(tx: Session, community: str, group_id: int) -> PairingGroup | None:
    row = tx.get(PairingGroup, group_id)
    return row if row is not None and row.community == community else None


def groups(tx: Session, community: str, cycle_ids: Sequence[int] | None = None) -> Sequence[PairingGroup]:
    query = select(PairingGroup).where(PairingGroup.community == community)
    if cycle_ids is not None:
        query = query.where(col(PairingGroup.cycle_id).in_(list(cycle_ids)))
    return tx.exec(query.order_by(col(PairingGroup.id))).all()


def latest_group_of(tx: Session, community: str, member: str) -> PairingGroup | None:
    """The member's most recent group (of any kind)."""
    return tx.exec(
        select(PairingGroup)
        .join(PairingGroupMember, col(PairingGroupMember.group_id) == col(PairingGroup.id))
        .where(PairingGroupMember.community == community, PairingGroupMember.member == member)
        .order_by(col(PairingGroup.id).desc())
    ).first()


def answer_group(tx: Session, row: PairingGroup, answer: str, member: str, now: datetime) -> bool:
    """Store a "did you meet?" answer; True if it changed something ("met" is final, "skipped" can become "met")."""
    if row.answer == "met" or row.answer == answer:
        return False
    row.answer = answer
    row.answered_by = member
    row.answered_at = now
    tx.add(row)
    return True


def add_left_out(tx: Session, community: str, cycle_id: int, kind: str, member: str, reason: str) -> None:
    tx.add(PairingLeftOut(community=community, cycle_id=cycle_id, kind=kind, member=member, reason=reason))


def left_out(tx: Session, community: str, cycle_id: int) -> Sequence[PairingLeftOut]:
    return tx.exec(
        select(PairingLeftOut)
        .where(PairingLeftOut.community == community, PairingLeftOut.cycle_id == cycle_id)
        .order_by(col(PairingLeftOut.kind), col(PairingLeftOut.member))
    ).all()
