"""Community sessions' tables and queries: each session (a workshop, a guest talk, a rota session) and the
members' answers to "will you be there?". Attendance ("I was there") is participation, kind ``attended``.

Each step of a session (announced, reminded, thanked) is a column written in the transaction of the slot that
does it, so it happens once; an RSVP is one row per member and session, so a changed mind replaces it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import ParticipationEvent, _utc_column
from storage.once import insert_once
from storage.times import utc

SCHEDULED, CANCELLED = "scheduled", "cancelled"
ANSWERS = ("going", "maybe", "cant")


class CommunitySession(SQLModel, table=True):
    __tablename__ = "community_sessions"
    __table_args__ = (UniqueConstraint("community", "key", name="uq_community_session"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    key: str  # rota:<start> or chat:<event id>: the same session is never made twice
    title: str
    host: str = ""  # a member key, or empty
    guest: str = ""  # a guest's name as a facilitator wrote it
    starts_at: datetime = Field(sa_column=_utc_column())
    minutes: int = 60
    link: str = ""
    status: str = SCHEDULED  # scheduled | cancelled
    source: str = "chat"  # chat | rota
    announcement_ref: str | None = None
    calendar_ref: str | None = None  # the platform's event id (Discord), to move or cancel it
    sequence: int = 0  # how often it moved: the invite's SEQUENCE
    announced_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    reminded_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    thanked_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    created_by: str = ""


class SessionRsvp(SQLModel, table=True):
    __tablename__ = "session_rsvps"
    __table_args__ = (UniqueConstraint("session_id", "member", name="uq_session_rsvp"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(index=True)
    member: str
    answer: str  # going | maybe | cant
    at: datetime = Field(sa_column=_utc_column())


def add(tx: Session, row: CommunitySession) -> bool:
    return insert_once(tx, row)


def save(tx: Session, row: SQLModel) -> None:
    tx.add(row)
    tx.flush()


def session(tx: Session, community: str, session_id: int) -> CommunitySession | None:
    row = tx.get(CommunitySession, session_id)
    return row if row is not None and row.community == community else None


def by_key(tx: Session, community: str, key: str) -> CommunitySession | None:
    return tx.exec(select(CommunitySession).where(CommunitySession.community == community,
                                                  CommunitySession.key == key)).first()


def sessions(tx: Session, community: str, *, since: datetime | None = None,
             statuses: Sequence[str] = (SCHEDULED,)) -> Sequence[CommunitySession]:
    query = select(CommunitySession).where(CommunitySession.community == community,
                                           col(CommunitySession.status).in_(statuses))
    if since is not None:
        query = query.where(col(CommunitySession.starts_at) >= since)
    return tx.exec(query.order_by(col(CommunitySession.starts_at), col(CommunitySession.id))).all()


def pending(tx: Session, community: str) -> Sequence[CommunitySession]:
    """Scheduled sessions not yet thanked: the ones a check may still have work for."""
    return tx.exec(select(CommunitySession).where(
        CommunitySession.community == community, CommunitySession.status == SCHEDULED,
        col(CommunitySession.thanked_at).is_(None)).order_by(col(CommunitySession.starts_at))).all()


def answer(tx: Session, session_id: int, member: str, value: str, now: datetime) -> str | None:
    """Store ``member``'s answer; returns the one it replaced (None when it is their first)."""
    row = tx.exec(select(SessionRsvp).where(SessionRsvp.session_id == session_id, SessionRsvp.member == member)).first()
    if row is None:
        save(tx, SessionRsvp(session_id=session_id, member=member, answer=value, at=now))
        return None
    before, row.answer, row.at = row.answer, value, now
    save(tx, row)
    return before


def rsvps(tx: Session, session_id: int) -> dict[str, list[str]]:
    """Members by answer (going, maybe, cant), in the order they answered."""
    out: dict[str, list[str]] = {a: [] for a in ANSWERS}
    for row in tx.exec(select(SessionRsvp).where(SessionRsvp.session_id == session_id).order_by(col(SessionRsvp.at))):
        out.setdefault(row.answer, []).append(row.member)
    return out


def attended(tx: Session, community: str, session_id: int) -> list[str]:
    rows = tx.exec(select(ParticipationEvent.member).where(
        ParticipationEvent.community == community, ParticipationEvent.kind == "attended",
        ParticipationEvent.subject == f"session:{session_id}")).all()
    return sorted(set(rows))


def export(tx: Session, community: str) -> list[dict[str, Any]]:
    """Every session with its RSVPs and attendance, for ``copbot report --json`` and the dashboard."""
    out = []
    for row in sessions(tx, community, statuses=(SCHEDULED, CANCELLED)):
        assert row.id is not None
        answers = rsvps(tx, row.id)
        out.append({"id": row.id, "title": row.title, "starts_at": utc(row.starts_at).isoformat(),
                    "minutes": row.minutes,
                    "host": row.host, "guest": row.guest, "status": row.status, "source": row.source,
                    "going": len(answers["going"]), "maybe": len(answers["maybe"]), "cant": len(answers["cant"]),
                    "attended": len(attended(tx, community, row.id))})
    return out
