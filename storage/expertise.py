"""The expertise directory's tables: skills members list themselves, and who agreed to be named for what they did.

Listing a skill (``/cop skills add terraform``) is consent to be named for it; ``/cop skills share on`` is consent
to be named for skills seen in what one harvested or answered. Everything else is read from other tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import _utc_column
from storage.resources import Resource, ThreadMessage


class SkillClaim(SQLModel, table=True):
    """A member says they know a skill."""

    __tablename__ = "skill_claims"

    community: str = Field(primary_key=True)
    member: str = Field(primary_key=True)
    skill: str = Field(primary_key=True)
    added_at: datetime = Field(sa_column=_utc_column())


class ExpertiseSharing(SQLModel, table=True):
    """A member agreed (or not) to be named for what the bot saw them do, not only for what they listed."""

    __tablename__ = "expertise_sharing"

    community: str = Field(primary_key=True)
    member: str = Field(primary_key=True)
    share: bool = False
    updated_at: datetime = Field(sa_column=_utc_column())


def claims(tx: Session, community: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for row in tx.exec(select(SkillClaim).where(SkillClaim.community == community)):
        found.setdefault(row.member, set()).add(row.skill)
    return found


def add_claims(tx: Session, community: str, member: str, skills: Iterable[str], now: datetime) -> None:
    for skill in skills:
        if tx.get(SkillClaim, (community, member, skill)) is None:
            tx.add(SkillClaim(community=community, member=member, skill=skill, added_at=now))


def remove_claims(tx: Session, community: str, member: str, skills: Iterable[str]) -> None:
    for skill in skills:
        row = tx.get(SkillClaim, (community, member, skill))
        if row is not None:
            tx.delete(row)


def sharing(tx: Session, community: str) -> set[str]:
    rows = tx.exec(select(ExpertiseSharing).where(ExpertiseSharing.community == community, col(ExpertiseSharing.share)))
    return {row.member for row in rows}


def set_sharing(tx: Session, community: str, member: str, share: bool, now: datetime) -> None:
    row = tx.get(ExpertiseSharing, (community, member)) or ExpertiseSharing(community=community, member=member,
                                                                             updated_at=now)  # fmt: skip
    row.share, row.updated_at = share, now
    tx.add(row)


def library(tx: Session, community: str) -> list[tuple[str, tuple[str, ...], str]]:
    """Every harvested thread as (harvested by, contributors, tags and title), for "who knows"."""
    rows = tx.exec(select(Resource).where(Resource.community == community))
    return [(r.harvested_by, tuple(c for c in r.contributors.split(",") if c), f"{r.tags} {r.title}") for r in rows]


def answers(tx: Session, community: str) -> list[tuple[str, str]]:
    """Thread replies still kept, as (member, text): the threads members answered lately."""
    query = select(ThreadMessage.member, ThreadMessage.text).where(
        ThreadMessage.community == community, col(ThreadMessage.message_ref) != col(ThreadMessage.thread_ref)
    )
    return [(member, text) for member, text in tx.exec(query)]
