"""Challenges' tables and queries: each challenge, who takes part (and in which team), the entries, the votes.

A challenge's steps (announced, reminded, voting, closed) are columns claimed in the transaction of the slot
that does them, so each happens once; an entry is one row per entrant (a member, or a team) and a vote one row
per voter: both guarded by unique constraints, so an update replaces and a retry never doubles.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import _utc_column
from storage.once import insert_once
from storage.times import utc

OPEN, VOTING, CLOSED = "open", "voting", "closed"


class Challenge(SQLModel, table=True):
    __tablename__ = "challenges"
    __table_args__ = (UniqueConstraint("community", "key", name="uq_challenge_key"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    key: str  # config:<title>@<start> or chat:<event id>: the same challenge is never made twice
    title: str
    rules: str = Field(default="", sa_column=Column(Text, nullable=False))
    teams: bool = False
    starts_at: datetime = Field(sa_column=_utc_column())
    deadline: datetime = Field(sa_column=_utc_column())
    voting_ends: datetime = Field(sa_column=_utc_column())
    status: str = OPEN  # open | voting | closed
    announcement_ref: str | None = None
    voting_ref: str | None = None
    reminded_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    created_by: str = ""


class ChallengeEntrant(SQLModel, table=True):
    __tablename__ = "challenge_entrants"
    __table_args__ = (UniqueConstraint("challenge_id", "member", name="uq_challenge_entrant"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(index=True)
    member: str
    team: str = ""  # the team's name in a team challenge, else empty
    joined_at: datetime = Field(sa_column=_utc_column())

    @property
    def entry(self) -> str:
        """Who an entry belongs to: the team, or the member."""
        return self.team or self.member


class ChallengeSubmission(SQLModel, table=True):
    __tablename__ = "challenge_submissions"
    __table_args__ = (UniqueConstraint("challenge_id", "entry", name="uq_challenge_entry"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(index=True)
    entry: str  # a member key, or a team's name
    member: str  # who sent (or last updated) it
    text: str = Field(sa_column=Column(Text, nullable=False))
    submitted_at: datetime = Field(sa_column=_utc_column())
    updated_at: datetime = Field(sa_column=_utc_column())


class ChallengeVote(SQLModel, table=True):
    __tablename__ = "challenge_votes"
    __table_args__ = (UniqueConstraint("challenge_id", "voter", name="uq_challenge_vote"),)

    id: int | None = Field(default=None, primary_key=True)
    challenge_id: int = Field(index=True)
    voter: str
    submission_id: int
    at: datetime = Field(sa_column=_utc_column())


def add(tx: Session, row: Challenge) -> bool:
    return insert_once(tx, row)


def challenge(tx: Session, community: str, challenge_id: int) -> Challenge | None:
    row = tx.get(Challenge, challenge_id)
    return row if row is not None and row.community == community else None


def challenges(tx: Session, community: str, statuses: Sequence[str] = (OPEN, VOTING, CLOSED)) -> Sequence[Challenge]:
    return tx.exec(select(Challenge).where(Challenge.community == community, col(Challenge.status).in_(statuses))
                   .order_by(col(Challenge.starts_at), col(Challenge.id))).all()


def by_announcement(tx: Session, community: str, ref: str) -> Challenge | None:
    return tx.exec(select(Challenge).where(Challenge.community == community, Challenge.announcement_ref == ref)).first()


def save(tx: Session, row: SQLModel) -> None:
    tx.add(row)
    tx.flush()


def entrants(tx: Session, challenge_id: int) -> Sequence[ChallengeEntrant]:
    return tx.exec(select(ChallengeEntrant).where(ChallengeEntrant.challenge_id == challenge_id)
                   .order_by(col(ChallengeEntrant.id))).all()


def entrant(tx: Session, challenge_id: int, member: str) -> ChallengeEntrant | None:
    return tx.exec(select(ChallengeEntrant).where(ChallengeEntrant.challenge_id == challenge_id,
                                                  ChallengeEntrant.member == member)).first()


def submissions(tx: Session, challenge_id: int) -> Sequence[ChallengeSubmission]:
    return tx.exec(select(ChallengeSubmission).where(ChallengeSubmission.challenge_id == challenge_id)
                   .order_by(col(ChallengeSubmission.submitted_at), col(ChallengeSubmission.id))).all()


def submission_of(tx: Session, challenge_id: int, entry: str) -> ChallengeSubmission | None:
    return tx.exec(select(ChallengeSubmission).where(ChallengeSubmission.challenge_id == challenge_id,
                                                     ChallengeSubmission.entry == entry)).first()


def votes(tx: Session, challenge_id: int) -> Sequence[ChallengeVote]:
    return tx.exec(select(ChallengeVote).where(ChallengeVote.challenge_id == challenge_id)).all()


def vote_of(tx: Session, challenge_id: int, voter: str) -> ChallengeVote | None:
    return tx.exec(select(ChallengeVote).where(ChallengeVote.challenge_id == challenge_id,
                                               ChallengeVote.voter == voter)).first()


def export(tx: Session, community: str) -> list[dict[str, Any]]:
    """Every challenge with its entries, votes and places: for ``copbot report --json`` and the dashboard."""
    out = []
    for row in challenges(tx, community):
        assert row.id is not None
        counts: dict[int, int] = {}
        for vote in votes(tx, row.id):
            counts[vote.submission_id] = counts.get(vote.submission_id, 0) + 1
        team_of = {e.member: e.team for e in entrants(tx, row.id)}
        ranked = sorted(submissions(tx, row.id), key=lambda s: -counts.get(s.id or 0, 0))
        entries, place, last = [], 0, None
        for position, entry in enumerate(ranked, start=1):
            n = counts.get(entry.id or 0, 0)
            place = place if n == last else position
            last = n
            entries.append({"entry": entry.entry, "team": bool(team_of.get(entry.member)), "text": entry.text,
                            "votes": n, "place": place, "submitted_at": utc(entry.submitted_at).isoformat(),
                            "updated_at": utc(entry.updated_at).isoformat()})
        out.append({"title": row.title, "status": row.status, "teams": row.teams,
                    "starts_at": utc(row.starts_at).isoformat(), "deadline": utc(row.deadline).isoformat(),
                    "voting_ends": utc(row.voting_ends).isoformat(), "taking_part": len(team_of), "entries": entries})
    return out
