"""Queries and writes the runtime and rituals need; the only place outside storage/ that touches SQL is none.

Functions take an open ``Session`` (the caller's transaction) so that a ritual's state changes, a slot
claim and its outbox rows commit together.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Table, bindparam, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert
from sqlmodel import Session, col, select

from storage.models import (
    CommunityState,
    Delivery,
    HandledEvent,
    Member,
    ParticipationEvent,
    RitualRun,
)
from storage.once import insert_once
from storage.tags import encode_tags
from storage.times import utc

# --- community state -------------------------------------------------------------------------------


def get_state(tx: Session, community: str, key: str) -> str | None:
    row = tx.get(CommunityState, (community, key))
    return row.value if row else None


def set_state(tx: Session, community: str, key: str, value: str) -> None:
    row = tx.get(CommunityState, (community, key))
    if row is None:
        tx.add(CommunityState(community=community, key=key, value=value))
    else:
        row.value = value
        tx.add(row)


CONSOLE_CLOCK = "console_clock"
"""community_state key: where the console's manual clock stands. A console community lives on that clock,
so a restarted console resumes from it and ``copbot report`` reads the community's time, not the wall's."""


def console_clock(tx: Session, community: str) -> datetime | None:
    value = get_state(tx, community, CONSOLE_CLOCK)
    return datetime.fromisoformat(value) if value else None


def set_console_clock(tx: Session, community: str, when: datetime) -> None:
    set_state(tx, community, CONSOLE_CLOCK, utc(when).isoformat())


IDLE_HINT_PREFIX = "idle:"
"""community_state keys holding a check schedule's "nothing to do before" time (see Ritual.idle_until)."""


def idle_hints(tx: Session, community: str) -> dict[str, datetime]:
    """Every check schedule's current hint, by schedule name, in one query."""
    rows = tx.exec(
        select(CommunityState).where(
            col(CommunityState.community) == community, col(CommunityState.key).startswith(IDLE_HINT_PREFIX)
        )
    ).all()
    return {row.key.removeprefix(IDLE_HINT_PREFIX): datetime.fromisoformat(row.value) for row in rows}


def forget_idle_hints(tx: Session, community: str, now: datetime) -> None:
    """Something happened at ``now`` that may give a check work from then on: no hint reaches past ``now``.

    Slots before ``now`` stay covered (nothing happened to them), so a check that slept for days neither
    replays nor reports those slots as missed; it runs from ``now`` on.
    """
    rows = tx.exec(
        select(CommunityState).where(
            col(CommunityState.community) == community, col(CommunityState.key).startswith(IDLE_HINT_PREFIX)
        )
    ).all()
    for row in rows:
        if datetime.fromisoformat(row.value) > now:
            row.value = utc(now).isoformat()
            tx.add(row)


# --- ritual slots ------------------------------------------------------------------------------------


_RUNS: Table = RitualRun.__table__  # type: ignore[attr-defined]
_DELIVERIES: Table = Delivery.__table__  # type: ignore[attr-defined]


def _insert_ignoring_taken(tx: Session, table: Table) -> Insert:
    """``INSERT ... ON CONFLICT DO NOTHING``: a row another claimer (or an earlier run of a plan) holds is left
    alone.

    Why not a savepoint per row: two extra statements per claim, on every tick of every schedule.
    """
    dialect = tx.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    return sqlite.insert(table).on_conflict_do_nothing()


def claim_slot(tx: Session, community: str, ritual: str, slot: datetime, status: str, now: datetime) -> bool:
    """Insert the slot's unique row; False if another claimer already has it."""
    row = {"community": community, "ritual": ritual, "slot": utc(slot), "status": status, "claimed_at": now,
           "detail": ""}
    # RETURNING, not rowcount: psycopg reports -1 for a single-row insert through SQLAlchemy here.
    inserted = tx.execute(_insert_ignoring_taken(tx, _RUNS).values(**row).returning(_RUNS.c.id)).first()
    return inserted is not None


def record_slots(
    tx: Session, community: str, ritual: str, slots: Sequence[datetime], status: str, now: datetime
) -> None:
    """Record slots that will not run (coalesced or skipped), in one statement; rows already there stay.

    Why in bulk: an hourly tick over a 15-minute check records three coalesced slots a time, and one
    savepoint per row was most of a simulation's run time.
    """
    if not slots:
        return
    rows = [
        {"community": community, "ritual": ritual, "slot": utc(slot), "status": status, "claimed_at": now, "detail": ""}
        for slot in slots
    ]
    tx.execute(_insert_ignoring_taken(tx, _RUNS), rows)


def last_slot(tx: Session, community: str, ritual: str) -> datetime | None:
    value = tx.exec(
        select(func.max(RitualRun.slot)).where(RitualRun.community == community, RitualRun.ritual == ritual)
    ).one()
    return utc(value) if value else None


def runs(tx: Session, community: str, ritual: str | None = None) -> Sequence[RitualRun]:
    query = select(RitualRun).where(RitualRun.community == community)
    if ritual:
        query = query.where(RitualRun.ritual == ritual)
    return tx.exec(query.order_by(col(RitualRun.slot))).all()


def claim_event(tx: Session, community: str, platform: str, event_id: str, kind: str, now: datetime) -> bool:
    """Claim an acting inbound event once; False for a retry or a replay."""
    return insert_once(tx, HandledEvent(community=community, platform=platform, event_id=event_id, kind=kind, at=now))


# --- outbox ------------------------------------------------------------------------------------------


def add_deliveries(tx: Session, rows: Sequence[Delivery]) -> int:
    """Write outbox rows; an id that already exists (the same plan replayed) is kept as it is. Returns how many
    rows are new.

    Why in one statement: a pairing cycle of 10,000 members plans 5,000 introductions while it holds the write
    lock; one SELECT and one ORM object each kept every other writer waiting about 2.5 s."""
    if not rows:
        return 0
    tx.flush()  # rows of this transaction still in the session are in the table before the conflict check
    statement = _insert_ignoring_taken(tx, _DELIVERIES).returning(_DELIVERIES.c.id)
    return len(tx.execute(statement, [row.model_dump() for row in rows]).all())


def hold_deliveries(tx: Session, until: dict[str, datetime]) -> None:
    """Hold these deliveries (by id) until the given times: their members' window closed before they went."""
    for delivery_id, when in until.items():
        tx.exec(update(Delivery).where(col(Delivery.id) == delivery_id).values(not_before=when))


def next_held(tx: Session, community: str, now: datetime) -> datetime | None:
    """When the earliest delivery held for a member's window falls due (None: nothing held past ``now``)."""
    value = tx.exec(
        select(func.min(Delivery.not_before)).where(
            Delivery.community == community, Delivery.status == "pending", col(Delivery.not_before) > now
        )
    ).one()
    return utc(value) if value is not None else None


def unsent_deliveries(tx: Session, community: str, limit: int = 200) -> Sequence[Delivery]:
    return tx.exec(
        select(Delivery)
        .where(Delivery.community == community, col(Delivery.status).in_(("pending", "sending")))
        # seq before id: ids end in the position as text, so "…:10" would otherwise go before "…:2".
        .order_by(col(Delivery.created_at), col(Delivery.seq), col(Delivery.id))
        .limit(limit)
    ).all()


def mark_sending(tx: Session, delivery_id: str) -> None:
    tx.exec(
        update(Delivery).where(col(Delivery.id) == delivery_id).values(status="sending", attempts=Delivery.attempts + 1)  # type: ignore[arg-type]
    )


def mark_sent(tx: Session, delivery_id: str, platform_ref: str | None, now: datetime) -> None:
    tx.exec(
        update(Delivery)
        .where(col(Delivery.id) == delivery_id)
        .values(status="sent", platform_ref=platform_ref, sent_at=now, error=None)
    )


_CLAIM_DELIVERY = (
    update(Delivery)
    .where(
        col(Delivery.id) == bindparam("b_id"),
        col(Delivery.status) == bindparam("b_status"),
        col(Delivery.attempts) == bindparam("b_attempts"),
    )
    .values(status="sending", attempts=bindparam("b_next"), sender=bindparam("b_sender"))
)
_MARK_SENT = (
    update(Delivery)
    .where(col(Delivery.id) == bindparam("b_id"))
    .values(status="sent", platform_ref=bindparam("b_ref"), sent_at=bindparam("b_at"), error=None)
)


def claim_deliveries(tx: Session, rows: Sequence[Delivery], sender: str | None = None) -> list[Delivery]:
    """Compare-and-set each row to ``sending`` in the caller's transaction; returns the rows this caller won.

    A row is won only if its status and attempts are still what the caller read, so two senders (replicas)
    never both take it; the winner's ``sender`` id is stored with it (storage/replicas.py). One statement
    per row (not ``IN (...)``) because the per-row count is the answer, and
    plain UPDATE ... WHERE is the same on SQLite and PostgreSQL. The statement is built once at import:
    building SQLAlchemy expressions per row cost more CPU than running them.
    """
    connection = tx.connection()
    won: list[Delivery] = []
    for row in rows:
        params = {"b_id": row.id, "b_status": row.status, "b_attempts": row.attempts, "b_next": row.attempts + 1,
                  "b_sender": sender}  # fmt: skip
        if connection.execute(_CLAIM_DELIVERY, params).rowcount:
            won.append(row)
    return won


def mark_sent_many(tx: Session, sent: Sequence[tuple[str, str | None]], now: datetime) -> None:
    """Mark several deliveries sent, (delivery id, platform reference) each, in one executemany."""
    if sent:
        tx.connection().execute(_MARK_SENT, [{"b_id": d, "b_ref": ref, "b_at": now} for d, ref in sent])


def mark_failed(tx: Session, delivery_id: str, error: str, final: bool) -> None:
    tx.exec(
        update(Delivery)
        .where(col(Delivery.id) == delivery_id)
        .values(status="failed" if final else "pending", error=error[:500])
    )


def delivery(tx: Session, delivery_id: str) -> Delivery | None:
    return tx.get(Delivery, delivery_id)


def delivery_by_ref(tx: Session, community: str, platform_ref: str) -> Delivery | None:
    return tx.exec(
        select(Delivery).where(Delivery.community == community, Delivery.platform_ref == platform_ref)
    ).first()


def deliveries(tx: Session, community: str, status: str | None = None) -> Sequence[Delivery]:
    query = select(Delivery).where(Delivery.community == community)
    if status:
        query = query.where(Delivery.status == status)
    return tx.exec(query.order_by(col(Delivery.created_at), col(Delivery.seq))).all()


# --- members -----------------------------------------------------------------------------------------


def upsert_member(
    tx: Session,
    *,
    community: str,
    key: str,
    platform: str,
    name: str,
    tz: str | None,
    joined_at: datetime,
    interests: Iterable[str] = (),
    welcomed: bool = True,
    team: str | None = None,
) -> tuple[Member, bool]:
    """Create or refresh a member; returns (member, is_new_or_rejoined)."""
    member = tx.get(Member, (community, key))
    if member is None:
        member = Member(
            community=community,
            key=key,
            platform=platform,
            name=name,
            tz=tz,
            joined_at=joined_at,
            interests=encode_tags(interests),
            welcomed=welcomed,
            team=team,
        )
        tx.add(member)
        return member, True
    rejoined = member.left_at is not None
    member.name = name or member.name
    member.tz = tz or member.tz
    member.team = team or member.team
    if interests:
        member.interests = encode_tags(interests)
    if rejoined:
        member.left_at = None
        member.joined_at = joined_at
        member.welcomed = welcomed
    tx.add(member)
    return member, rejoined


def mark_left(tx: Session, community: str, key: str, at: datetime) -> Member | None:
    member = tx.get(Member, (community, key))
    if member is not None and member.left_at is None:
        member.left_at = at
        tx.add(member)
    return member


def member(tx: Session, community: str, key: str) -> Member | None:
    return tx.get(Member, (community, key))


def members(tx: Session, community: str, active_only: bool = True) -> Sequence[Member]:
    query = select(Member).where(Member.community == community)
    if active_only:
        query = query.where(col(Member.left_at).is_(None))
    return tx.exec(query.order_by(col(Member.key))).all()


def members_by_key(tx: Session, community: str, keys: Iterable[str]) -> dict[str, Member]:
    """Just these members (left or not), by key: a check that concerns a few must not load a community of 100,000."""
    wanted = sorted(set(keys))
    found: dict[str, Member] = {}
    for start in range(0, len(wanted), 500):  # stay well under every backend's bound-parameter limit
        chunk = wanted[start : start + 500]
        query = select(Member).where(Member.community == community, col(Member.key).in_(chunk))
        found.update((m.key, m) for m in tx.exec(query))
    return found


def left_member_keys(tx: Session, community: str) -> set[str]:
    """Keys of members who have left (usually few): without loading everyone who stayed."""
    query = select(Member.key).where(Member.community == community, col(Member.left_at).is_not(None))
    return set(tx.exec(query).all())


def find_member_by_name(tx: Session, community: str, name: str) -> Member | None:
    """Resolve ``@ana`` / ``ana`` typed in a command to a member (key, then case-insensitive name)."""
    name = name.lstrip("@")
    found = tx.get(Member, (community, name))
    if found:
        return found
    return tx.exec(select(Member).where(Member.community == community, func.lower(Member.name) == name.lower())).first()


# --- participation -----------------------------------------------------------------------------------


def participation(tx: Session, community: str, since: datetime | None = None) -> Sequence[ParticipationEvent]:
    query = select(ParticipationEvent).where(ParticipationEvent.community == community)
    if since is not None:
        query = query.where(ParticipationEvent.at >= since)
    return tx.exec(query.order_by(col(ParticipationEvent.at), col(ParticipationEvent.id))).all()


def participation_count(tx: Session, community: str) -> int:
    return tx.exec(
        select(func.count()).select_from(ParticipationEvent).where(ParticipationEvent.community == community)
    ).one()
