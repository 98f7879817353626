"""Tables and queries of the facilitator rota (kept beside storage/models.py so each ritual owns its own).

Uniqueness carries the rota's invariants: one pool row per member; one ledger fact per (session, member,
kind) and at most one host and one co-host per session; one notice per (session, kind), so an announcement,
a reminder or the recording of a held session happens once however often the schedule runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from sqlalchemy import Column, Date, Index, UniqueConstraint, delete, text
from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import _utc_column
from storage.once import insert_once
from storage.times import utc

PINNED_KINDS = ("hosted", "co_host")  # one of each per session


class RotaVolunteer(SQLModel, table=True):
    """A member of the facilitator pool: when they volunteered, until when they are away, whether retired."""

    __tablename__ = "rota_volunteers"

    community: str = Field(primary_key=True)
    member: str = Field(primary_key=True)
    volunteered_on: date = Field(sa_column=Column(Date, nullable=False))
    away_until: date | None = Field(default=None, sa_column=Column(Date, nullable=True))
    retired: bool = False
    updated_at: datetime = Field(sa_column=_utc_column())


class RotaLedgerEntry(SQLModel, table=True):
    """One fact about one member and one session: hosted, skipped, swapped_out or co_host."""

    __tablename__ = "rota_ledger"
    __table_args__ = (
        UniqueConstraint("community", "session_date", "member", "kind", name="uq_rota_ledger_fact"),
        Index(
            "uq_rota_ledger_one_host",
            "community",
            "session_date",
            "kind",
            unique=True,
            sqlite_where=text("kind IN ('hosted', 'co_host')"),
            postgresql_where=text("kind IN ('hosted', 'co_host')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    session_date: date = Field(sa_column=Column(Date, nullable=False))
    member: str
    kind: str  # hosted | skipped | swapped_out | co_host
    recorded_at: datetime = Field(sa_column=_utc_column())


class RotaSwap(SQLModel, table=True):
    """A swap request: ``requester`` hosts ``session_date`` and asks ``other`` to trade; pending until answered."""

    __tablename__ = "rota_swaps"

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    requester: str
    other: str
    session_date: date = Field(sa_column=Column(Date, nullable=False))
    status: str = "pending"  # pending | accepted | declined | expired | stale
    created_at: datetime = Field(sa_column=_utc_column())
    expires_at: datetime = Field(sa_column=_utc_column())
    decided_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class RotaNotice(SQLModel, table=True):
    """Something done once per session: its announcement, the host's reminder, recording it as held."""

    __tablename__ = "rota_notices"
    __table_args__ = (UniqueConstraint("community", "session_at", "kind", name="uq_rota_notice"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    session_at: datetime = Field(sa_column=_utc_column())
    kind: str  # announce | remind | held
    member: str | None = None  # who was announced / reminded / recorded
    done_at: datetime = Field(sa_column=_utc_column())


# --- the pool ----------------------------------------------------------------------------------------


def volunteers(tx: Session, community: str) -> Sequence[RotaVolunteer]:
    return tx.exec(
        select(RotaVolunteer).where(RotaVolunteer.community == community).order_by(col(RotaVolunteer.member))
    ).all()


def volunteer(tx: Session, community: str, member: str) -> RotaVolunteer | None:
    return tx.get(RotaVolunteer, (community, member))


def save_volunteer(tx: Session, row: RotaVolunteer) -> RotaVolunteer:
    tx.add(row)
    tx.flush()
    return row


def seed_pool(tx: Session, community: str, members: Iterable[str], volunteered_on: date, now: datetime) -> int:
    """Add founding members from the config who have no pool row yet (a retired one stays retired)."""
    added = 0
    for key in members:
        if tx.get(RotaVolunteer, (community, key)) is None:
            tx.add(RotaVolunteer(community=community, member=key, volunteered_on=volunteered_on, updated_at=now))
            added += 1
    if added:
        tx.flush()
    return added


# --- the ledger --------------------------------------------------------------------------------------


def ledger(tx: Session, community: str) -> Sequence[RotaLedgerEntry]:
    return tx.exec(
        select(RotaLedgerEntry)
        .where(RotaLedgerEntry.community == community)
        .order_by(col(RotaLedgerEntry.session_date), col(RotaLedgerEntry.id))
    ).all()


def add_entry(tx: Session, community: str, session_date: date, member: str, kind: str, now: datetime) -> bool:
    """Record a fact. A host or co-host replaces the session's previous one; a repeated fact is a no-op."""
    if kind in PINNED_KINDS:
        tx.exec(
            delete(RotaLedgerEntry).where(  # type: ignore[call-overload]
                col(RotaLedgerEntry.community) == community,
                col(RotaLedgerEntry.session_date) == session_date,
                col(RotaLedgerEntry.kind) == kind,
            )
        )
    return insert_once(
        tx, RotaLedgerEntry(community=community, session_date=session_date, member=member, kind=kind, recorded_at=now)
    )


def remove_entries(
    tx: Session, community: str, member: str, *, kinds: Iterable[str], on: date | None = None,
    from_date: date | None = None, before: date | None = None,
) -> list[date]:
    """Delete ``member``'s entries of ``kinds`` on one date or within [from_date, before); returns their dates."""
    query = select(RotaLedgerEntry).where(
        RotaLedgerEntry.community == community,
        RotaLedgerEntry.member == member,
        col(RotaLedgerEntry.kind).in_(tuple(kinds)),
    )
    if on is not None:
        query = query.where(RotaLedgerEntry.session_date == on)
    if from_date is not None:
        query = query.where(col(RotaLedgerEntry.session_date) >= from_date)
    if before is not None:
        query = query.where(col(RotaLedgerEntry.session_date) < before)
    rows = tx.exec(query).all()
    for row in rows:
        tx.delete(row)
    tx.flush()
    return sorted({row.session_date for row in rows})


def host_of(tx: Session, community: str, session_date: date) -> str | None:
    row = tx.exec(
        select(RotaLedgerEntry).where(
            RotaLedgerEntry.community == community,
            RotaLedgerEntry.session_date == session_date,
            RotaLedgerEntry.kind == "hosted",
        )
    ).first()
    return row.member if row else None


# --- swaps -------------------------------------------------------------------------------------------


def add_swap(tx: Session, swap: RotaSwap) -> RotaSwap:
    tx.add(swap)
    tx.flush()
    tx.refresh(swap)
    return swap


def swap(tx: Session, swap_id: int) -> RotaSwap | None:
    return tx.get(RotaSwap, swap_id)


def pending_swaps(tx: Session, community: str) -> Sequence[RotaSwap]:
    return tx.exec(
        select(RotaSwap).where(RotaSwap.community == community, RotaSwap.status == "pending").order_by(col(RotaSwap.id))
    ).all()


def swaps(tx: Session, community: str) -> Sequence[RotaSwap]:
    return tx.exec(select(RotaSwap).where(RotaSwap.community == community).order_by(col(RotaSwap.id))).all()


def decide_swap(tx: Session, row: RotaSwap, status: str, now: datetime) -> None:
    row.status = status
    row.decided_at = now
    tx.add(row)
    tx.flush()


# --- notices -----------------------------------------------------------------------------------------


def claim_notice(tx: Session, community: str, session_at: datetime, kind: str, member: str | None,
                 now: datetime) -> bool:
    """Insert the (session, kind) row; False if it was already done."""
    return insert_once(
        tx, RotaNotice(community=community, session_at=utc(session_at), kind=kind, member=member, done_at=now)
    )


def notice(tx: Session, community: str, session_at: datetime, kind: str) -> RotaNotice | None:
    return tx.exec(
        select(RotaNotice).where(
            RotaNotice.community == community, RotaNotice.session_at == utc(session_at), RotaNotice.kind == kind
        )
    ).first()


def notices(tx: Session, community: str, kind: str | None = None) -> Sequence[RotaNotice]:
    query = select(RotaNotice).where(RotaNotice.community == community)
    if kind is not None:
        query = query.where(RotaNotice.kind == kind)
    return tx.exec(query.order_by(col(RotaNotice.session_at), col(RotaNotice.id))).all()


def last_held(tx: Session, community: str) -> datetime | None:
    row = tx.exec(
        select(RotaNotice)
        .where(RotaNotice.community == community, RotaNotice.kind == "held")
        .order_by(col(RotaNotice.session_at).desc())
    ).first()
    return utc(row.session_at) if row else None
