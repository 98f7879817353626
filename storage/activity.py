"""What counts as activity: what a member did, never what the bot sent them. Every figure reads it from here.

Why one definition: the report's active members, the health report's figures (active members, retention,
stage, trend, quiet members), the ladder, ``/cop stats``, the dashboard and ``copbot simulate`` used to read
participation each in its own way, and the bot's own welcome DMs counted as the newcomer's participation (three
newcomers who did nothing were "3 active members"). Now a stored participation event is activity exactly when
its kind is in :data:`ACTIVITY_KINDS`, and the queries below are the only way figures read it. What the bot sent
is in ``deliveries`` (and, for the welcome sequence, ``onboarding_steps``); :func:`welcomed_not_active` shows it
beside activity without counting it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, select
from sqlmodel import Session, col
from sqlmodel import select as orm_select

from storage.models import Member, ParticipationEvent
from storage.onboarding import OnboardingMember

ACTIVITY_KINDS: frozenset[str] = frozenset(
    {
        "reaction",  # a reaction on a message the bot can see (a prompt's, or any other)
        "reply",  # a reply in a thread
        "post",  # a top-level message in a community channel
        "button",  # a button pressed on one of the bot's messages (a vote, a swap answer, "not now", ...)
        "acknowledgement",  # agreed to the ground rules (the button or /cop agree)
        "met",  # a pairing group that said it met: every member of it
        "facilitated",  # hosted a community session
        "co_hosted",  # co-hosted one
        "kudos_given",  # thanked another member with /cop kudos
        "submission",  # gave the community something: a queued question, a poll answer, a thread for the library
    }
)
"""The kinds of stored participation that are something a member did. Anything else stored beside them (for
example ``resource_contribution``, credited to a thread's authors when someone else saves it) is not activity."""

EVENTS: Table = ParticipationEvent.__table__  # type: ignore[attr-defined]
_KINDS = sorted(ACTIVITY_KINDS)


def is_activity(kind: str) -> bool:
    return kind in ACTIVITY_KINDS


def activity(
    tx: Session, community: str, since: datetime | None = None, until: datetime | None = None
) -> Sequence[ParticipationEvent]:
    """Every activity event in [since, until), oldest first, as rows (for views that show member and ritual)."""
    query = orm_select(ParticipationEvent).where(
        ParticipationEvent.community == community, col(ParticipationEvent.kind).in_(_KINDS)
    )
    if since is not None:
        query = query.where(ParticipationEvent.at >= since)
    if until is not None:
        query = query.where(ParticipationEvent.at < until)
    return tx.exec(query.order_by(col(ParticipationEvent.at), col(ParticipationEvent.id))).all()


def activity_rows(tx: Session, community: str, since: datetime) -> list[tuple[str, str, datetime, str]]:
    """(member, kind, at, subject) of every activity event since ``since``, oldest first, as plain rows.

    Why not :func:`activity`: whole ORM objects cost most of a health report's time on a large community
    (see bench/health.py); the figures need four columns per event and no identity map.
    """
    c = EVENTS.c
    query = (
        select(c.member, c.kind, c.at, c.subject)
        .where(c.community == community, c.kind.in_(_KINDS), c.at >= since)
        .order_by(c.at)
    )
    return [(member, kind, at, subject) for member, kind, at, subject in tx.connection().execute(query)]


def active_members(
    tx: Session, community: str, since: datetime | None = None, until: datetime | None = None
) -> set[str]:
    """Keys of the members with any activity in [since, until)."""
    c = EVENTS.c
    query = select(c.member).distinct().where(c.community == community, c.kind.in_(_KINDS))
    if since is not None:
        query = query.where(c.at >= since)
    if until is not None:
        query = query.where(c.at < until)
    return {member for (member,) in tx.connection().execute(query)}


def welcomed_not_active(tx: Session, community: str) -> list[Member]:
    """Members still here whom the welcome sequence reached and who have done nothing yet, by join time.

    "Welcomed" is what the bot did (a sequence was started for them); "not active" is the definition above.
    """
    c = EVENTS.c
    acted = select(c.member).where(c.community == community, c.kind.in_(_KINDS))
    query = (
        orm_select(Member)
        .join(OnboardingMember, (col(OnboardingMember.community) == col(Member.community))
              & (col(OnboardingMember.member) == col(Member.key)))
        .where(Member.community == community, col(Member.left_at).is_(None), col(Member.key).not_in(acted))
        .order_by(col(Member.joined_at), col(Member.key))
    )
    return list(tx.exec(query).all())
