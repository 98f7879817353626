"""Neutral outbound actions: what the core asks an adapter to do.

Rituals *return* these; the runtime writes each into the outbox with a stable delivery id before an
adapter performs it. Text is plain text written by us or relayed from members; an intended mention
of a member is written with :func:`bot.text.mention` and rendered by the adapter. Adapters must make
sure nothing else in the text can ping @everyone, @here, @channel or a role.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Button:
    """A button under a message. ``action_id`` routes the click back to the ritual that made it."""

    label: str
    action_id: str
    value: str = ""


@dataclass(frozen=True)
class Attachment:
    """A file shown with a message (e.g. a chart PNG). ``path`` is a local file the adapter uploads when it
    sends; ``title`` is its caption. A platform that cannot upload shows the title and where the file is."""

    path: str
    title: str = ""


@dataclass(frozen=True, kw_only=True)
class Action:
    """Base of every outbound action."""

    text: str
    buttons: tuple[Button, ...] = ()
    attachments: tuple[Attachment, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Post(Action):
    """A top-level message in a channel (a logical channel name from community.yaml)."""

    channel: str
    opens_thread: bool = False


@dataclass(frozen=True, kw_only=True)
class DirectMessage(Action):
    """A private message to one member."""

    member: str


@dataclass(frozen=True, kw_only=True)
class GroupMessage(Action):
    """One message to a small group (a group DM where the platform allows, otherwise one DM each)."""

    members: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Reply(Action):
    """A reply in the thread of a message the bot posted earlier."""

    channel: str
    thread_ref: str


@dataclass(frozen=True, kw_only=True)
class Ephemeral(Action):
    """A message only ``member`` sees (a command's answer)."""

    member: str
    channel: str | None = None


@dataclass(frozen=True, kw_only=True)
class React(Action):
    """The bot adds a reaction (``text`` is the emoji name) to a message."""

    channel: str
    message_ref: str


@dataclass(frozen=True, kw_only=True)
class OpenGroupSpace(Action):
    """A place for an interest group: the channel ``channel`` (a name, or an existing channel's id) found or
    created, and on a platform with roles a role named ``group`` that the bot manages. ``text`` is the
    channel's purpose. The adapter returns the channel's reference, which later actions use as ``channel``.

    Why an action and not a setup step: a facilitator creates a group from chat, and the channel must be made
    exactly once even if the bot crashes half-way: the outbox gives that, and making it twice finds it again.
    """

    text: str = ""
    group: str
    channel: str


@dataclass(frozen=True, kw_only=True)
class AddToGroup(Action):
    """Add ``member`` to an interest group's channel (Slack: invite; Discord: give the group's role)."""

    text: str = ""
    group: str
    channel: str
    member: str


@dataclass(frozen=True, kw_only=True)
class RemoveFromGroup(Action):
    """Take ``member`` out of an interest group's channel (Slack: remove; Discord: take the group's role)."""

    text: str = ""
    group: str
    channel: str
    member: str


@dataclass(frozen=True, kw_only=True)
class CalendarEvent(Action):
    """A session in members' calendars. Discord keeps a Guild Scheduled Event (``event_ref`` names the one made
    earlier, to move or cancel it); Slack and the console share an ``.ics`` invite in ``channel``. ``text`` is the
    description; times are ISO 8601 with their offset. Returns the platform's event id where there is one.

    Why one action: "put it in the calendar" is one intent; how a platform does it is the adapter's business.
    """

    text: str = ""
    uid: str  # stable across moves: a calendar app replaces the event with the same uid and a higher sequence
    title: str
    starts_at: str
    ends_at: str
    location: str = ""
    channel: str
    event_ref: str = ""
    sequence: int = 0
    cancelled: bool = False


GROUP_ACTIONS = OpenGroupSpace | AddToGroup | RemoveFromGroup
"""Actions that change who is where, not messages: nothing to look up after a crash (doing one twice is harmless)."""

OutboundAction = (
    Post | DirectMessage | GroupMessage | Reply | Ephemeral | React | OpenGroupSpace | AddToGroup | RemoveFromGroup
    | CalendarEvent
)

_KINDS: dict[str, type[Action]] = {
    cls.__name__: cls
    for cls in (
        Post, DirectMessage, GroupMessage, Reply, Ephemeral, React, OpenGroupSpace, AddToGroup, RemoveFromGroup,
        CalendarEvent,
    )
}


def action_to_dict(action: Action) -> dict[str, Any]:
    """Serialise an action for the outbox row (JSON), tagged with its kind."""
    data = asdict(action)
    data["kind"] = type(action).__name__
    return data


def action_from_dict(data: dict[str, Any]) -> Action:
    """Inverse of :func:`action_to_dict`; tuples come back as tuples so actions stay hashable."""
    data = dict(data)
    cls = _KINDS[data.pop("kind")]
    data["buttons"] = tuple(Button(**b) for b in data.get("buttons", ()))
    data["attachments"] = tuple(Attachment(**a) for a in data.get("attachments", ()))
    if "members" in data:
        data["members"] = tuple(data["members"])
    return cls(**data)
