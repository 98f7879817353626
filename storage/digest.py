"""The digest's table (members who get it by DM) and the reads it makes of what happened in a period.

Why reads here: the digest summarises other rituals' data (prompts, kudos, the library, the rota); it reads
their tables through storage, never by importing those rituals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Field, Session, SQLModel, col, select

from storage.kudos import Kudos
from storage.models import Member, ParticipationEvent, _utc_column
from storage.prompts import Prompt
from storage.resources import Resource, ThreadMessage


class DigestSubscriber(SQLModel, table=True):
    """A member who asked for the digest by DM (``/cop dm digest on``)."""

    __tablename__ = "digest_subscribers"

    community: str = Field(primary_key=True)
    member: str = Field(primary_key=True)
    since: datetime = Field(sa_column=_utc_column())


def subscribers(tx: Session, community: str) -> list[str]:
    rows = tx.exec(select(DigestSubscriber.member).where(DigestSubscriber.community == community))
    return sorted(rows)


def subscribe(tx: Session, community: str, member: str, on: bool, now: datetime) -> None:
    row = tx.get(DigestSubscriber, (community, member))
    if on and row is None:
        tx.add(DigestSubscriber(community=community, member=member, since=now))
    elif not on and row is not None:
        tx.delete(row)


def prompts_between(tx: Session, community: str, start: datetime, end: datetime) -> Sequence[Prompt]:
    return tx.exec(
        select(Prompt).where(Prompt.community == community, col(Prompt.asked_at) >= start, col(Prompt.asked_at) < end)
        .order_by(col(Prompt.asked_at))
    ).all()


def prompt_activity(tx: Session, community: str, prompt_ids: Sequence[int]) -> dict[int, Counter[str]]:
    """Replies and reactions per prompt (participation subjects ``prompt:<id>``)."""
    subjects = [f"prompt:{i}" for i in prompt_ids]
    found: dict[int, Counter[str]] = {i: Counter() for i in prompt_ids}
    if not subjects:
        return found
    query = select(ParticipationEvent.subject, ParticipationEvent.kind).where(
        ParticipationEvent.community == community, col(ParticipationEvent.subject).in_(subjects)
    )
    for subject, kind in tx.exec(query):
        found[int(subject.split(":", 1)[1])][kind] += 1
    return found


def thread_link(tx: Session, community: str, thread_ref: str | None) -> str | None:
    """A permalink into a thread, when the platform gave one with any kept message of it."""
    if not thread_ref:
        return None
    query = select(ThreadMessage.link).where(
        ThreadMessage.community == community,
        ThreadMessage.thread_ref == thread_ref,
        col(ThreadMessage.link).is_not(None),
    ).order_by(col(ThreadMessage.at))
    return tx.exec(query).first()


def newcomers(tx: Session, community: str, start: datetime, end: datetime) -> Sequence[Member]:
    return tx.exec(
        select(Member).where(Member.community == community, col(Member.joined_at) >= start, col(Member.joined_at) < end,
                             col(Member.left_at).is_(None)).order_by(col(Member.joined_at))
    ).all()


def public_kudos(tx: Session, community: str, start: datetime, end: datetime) -> Sequence[Kudos]:
    return tx.exec(
        select(Kudos).where(Kudos.community == community, col(Kudos.given_at) >= start, col(Kudos.given_at) < end,
                            col(Kudos.private).is_(False)).order_by(col(Kudos.given_at))
    ).all()


def new_resources(tx: Session, community: str, start: datetime, end: datetime) -> Sequence[Resource]:
    return tx.exec(
        select(Resource).where(Resource.community == community, col(Resource.harvested_at) >= start,
                               col(Resource.harvested_at) < end).order_by(col(Resource.harvested_at))
    ).all()

