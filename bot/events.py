"""Neutral inbound events: what an adapter tells the core a member did.

Every event carries the platform's own event id so that a platform retry, a gateway replay or a
duplicate reaction collapses on the unique key (platform, event_id) and is stored once.
Members are stable string keys (``slack:T1:U2``, ``discord:G1:42``, ``console:ana``) that only
adapters know how to parse.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, kw_only=True)
class Event:
    """Something a member did, as one platform reported it."""

    platform: str
    event_id: str
    member: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class MemberJoined(Event):
    """A member joined the community (workspace, server or community channel)."""

    name: str
    tz: str | None = None
    interests: tuple[str, ...] = ()
    team: str | None = None  # from the platform's profile (a Slack profile field, a Discord role), if any


@dataclass(frozen=True, kw_only=True)
class MemberLeft(Event):
    """A member left the community; no more onboarding steps, no more pairing."""


@dataclass(frozen=True, kw_only=True)
class MessagePosted(Event):
    """A top-level message in a channel the bot watches; ``link`` is its permalink when the platform has one."""

    channel: str
    message_ref: str
    text: str
    link: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReplyPosted(Event):
    """A reply in a thread; ``thread_ref`` is the platform reference of the thread's first message.

    ``link`` and ``thread_link`` are the permalinks of the reply and of the thread, when the adapter knows them
    (the core never builds a platform URL itself).
    """

    channel: str
    thread_ref: str
    message_ref: str
    text: str
    link: str | None = None
    thread_link: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReactionAdded(Event):
    """A reaction on a message, identified by the platform reference of that message."""

    message_ref: str
    emoji: str


@dataclass(frozen=True, kw_only=True)
class ReactionRemoved(Event):
    """A reaction taken back."""

    message_ref: str
    emoji: str


@dataclass(frozen=True, kw_only=True)
class ButtonClicked(Event):
    """A button on one of the bot's messages; ``action_id`` names what the button does."""

    action_id: str
    value: str
    message_ref: str | None = None


@dataclass(frozen=True, kw_only=True)
class CommandInvoked(Event):
    """``/cop <text>``; the reply goes back ephemerally to the invoker in ``channel``."""

    text: str
    channel: str | None = None
    name: str | None = None
    extras: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


InboundEvent = (
    MemberJoined
    | MemberLeft
    | MessagePosted
    | ReplyPosted
    | ReactionAdded
    | ReactionRemoved
    | ButtonClicked
    | CommandInvoked
)
