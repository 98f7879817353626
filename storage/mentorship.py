"""Lasting mentorships: offers, requests, the mentorships themselves and the answers to their questions.

A mentorship runs a term; its mid-term and end-of-term questions are answered once per member and stage
(unique), so a double click changes nothing. A request stays open until it is matched or withdrawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import _utc_column
from storage.once import insert_once


class MentorOffer(SQLModel, table=True):
    """A member offering to mentor, set in chat: skills and how many mentees at once (0: no new ones)."""

    __tablename__ = "mentor_offers"

    community: str = Field(primary_key=True)
    member: str = Field(primary_key=True)
    capacity: int = 1
    skills: str = ""  # comma-separated tags
    updated_at: datetime = Field(sa_column=_utc_column())


class MentorRequest(SQLModel, table=True):
    """A member asking for a mentor (``/cop mentor request kubernetes``); open until matched or withdrawn."""

    __tablename__ = "mentor_requests"

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    mentee: str
    skills: str = ""
    requested_at: datetime = Field(sa_column=_utc_column())
    status: str = "open"  # open | matched | withdrawn
    mentorship_id: int | None = None


class Mentorship(SQLModel, table=True):
    """A mentor and a mentee for a term (renewed when both keep going)."""

    __tablename__ = "mentorships"

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    mentor: str
    mentee: str
    skills: str = ""
    started_at: datetime = Field(sa_column=_utc_column())
    term_started_at: datetime = Field(sa_column=_utc_column())
    term_ends_at: datetime = Field(sa_column=_utc_column())
    terms: int = 1
    status: str = "active"  # active | completed | not_a_fit
    ended_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    end_reason: str = ""
    last_checkin_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    mid_asked_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    end_asked_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class MentorshipAnswer(SQLModel, table=True):
    """One member's answer to a mentorship's question of one term and stage: keep | done | misfit."""

    __tablename__ = "mentorship_answers"
    __table_args__ = (UniqueConstraint("mentorship_id", "term", "stage", "member", name="uq_mentorship_answer"),)

    id: int | None = Field(default=None, primary_key=True)
    mentorship_id: int = Field(foreign_key="mentorships.id", index=True)
    term: int
    stage: str  # mid | end
    member: str
    answer: str
    at: datetime = Field(sa_column=_utc_column())


# --- offers and requests -------------------------------------------------------------------------------------


def offers(tx: Session, community: str) -> dict[str, MentorOffer]:
    return {o.member: o for o in tx.exec(select(MentorOffer).where(MentorOffer.community == community))}


def set_offer(tx: Session, community: str, member: str, now: datetime, *, skills: str | None = None,
              capacity: int | None = None) -> MentorOffer:  # fmt: skip
    row = tx.get(MentorOffer, (community, member)) or MentorOffer(community=community, member=member, updated_at=now)
    if skills is not None:
        row.skills = skills
    if capacity is not None:
        row.capacity = capacity
    row.updated_at = now
    tx.add(row)
    return row


def open_requests(tx: Session, community: str) -> Sequence[MentorRequest]:
    return tx.exec(
        select(MentorRequest)
        .where(MentorRequest.community == community, MentorRequest.status == "open")
        .order_by(col(MentorRequest.requested_at), col(MentorRequest.id))
    ).all()


def open_request_of(tx: Session, community: str, mentee: str) -> MentorRequest | None:
    return tx.exec(
        select(MentorRequest).where(
            MentorRequest.community == community, MentorRequest.mentee == mentee, MentorRequest.status == "open"
        )
    ).first()


def add_request(tx: Session, row: MentorRequest) -> MentorRequest:
    tx.add(row)
    tx.flush()
    return row


# --- mentorships ---------------------------------------------------------------------------------------------


def add_mentorship(tx: Session, row: Mentorship) -> Mentorship:
    tx.add(row)
    tx.flush()
    return row


def mentorship(tx: Session, community: str, mentorship_id: int) -> Mentorship | None:
    row = tx.get(Mentorship, mentorship_id)
    return row if row is not None and row.community == community else None


def mentorships(tx: Session, community: str, status: str | None = None) -> Sequence[Mentorship]:
    query = select(Mentorship).where(Mentorship.community == community)
    if status is not None:
        query = query.where(Mentorship.status == status)
    return tx.exec(query.order_by(col(Mentorship.id))).all()


def of_member(tx: Session, community: str, member: str) -> Sequence[Mentorship]:
    return tx.exec(
        select(Mentorship)
        .where(Mentorship.community == community)
        .where((col(Mentorship.mentor) == member) | (col(Mentorship.mentee) == member))
        .order_by(col(Mentorship.id))
    ).all()


def answer(tx: Session, row: MentorshipAnswer) -> bool:
    """Store an answer once per (mentorship, term, stage, member); False when it was there already."""
    return insert_once(tx, row)


def answers(tx: Session, mentorship_id: int, term: int, stage: str) -> dict[str, str]:
    rows = tx.exec(
        select(MentorshipAnswer).where(
            MentorshipAnswer.mentorship_id == mentorship_id, MentorshipAnswer.term == term,
            MentorshipAnswer.stage == stage,
        )
    )
    return {row.member: row.answer for row in rows}
