"""Community sessions' decisions, as pure functions: reading ``/cop session add``, what a check must do for a
session now, and how the answers read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from config.durations import parse_duration

MAX_TITLE = 120
USAGE = ('`/cop session add "Title" --at 2027-01-14T16:00 [--duration 90m] [--host @member | --guest "Name"] '
         "[--link URL]`")


class Refused(ValueError):
    """Input that cannot be used; the message says what to type instead."""


@dataclass(frozen=True)
class SessionRequest:
    """What a facilitator asked for; ``None`` fields keep their default (or, when moving, their value)."""

    title: str
    at: datetime | None
    duration: timedelta | None
    host: str | None
    guest: str | None
    link: str | None


def parse_when(text: str, zone: str) -> datetime:
    """``2027-01-14T16:00`` (or with a space) in the community's zone; an explicit offset is kept."""
    try:
        at = datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise Refused(f"I could not read {text!r} as a time; write it like 2027-01-14T16:00.") from None
    return at if at.tzinfo else at.replace(tzinfo=ZoneInfo(zone))


def parse_request(args: Sequence[str], zone: str, *, need_title: bool = True) -> SessionRequest:
    """The words after ``/cop session add`` (or ``move ID``); a :class:`Refused` with the usage when they don't fit."""
    title: list[str] = []
    values: dict[str, str] = {}
    words = list(args)
    while words:
        word = words.pop(0)
        flag = word.lower()
        if flag in ("--at", "--duration", "--host", "--guest", "--link"):
            if not words:
                raise Refused(f"`{flag}` needs a value. Usage: {USAGE}")
            values[flag[2:]] = words.pop(0).strip()
        elif word.startswith("--"):
            raise Refused(f"I don't know the option {word!r}. Usage: {USAGE}")
        else:
            title.append(word)
    name = " ".join(title).strip()
    if need_title and not name:
        raise Refused(f"Give the session a title. Usage: {USAGE}")
    if len(name) > MAX_TITLE:
        raise Refused(f"Keep the title under {MAX_TITLE} characters (it is {len(name)}).")
    if need_title and "at" not in values:
        raise Refused(f"Say when with `--at YYYY-MM-DDTHH:MM` (the community's time). Usage: {USAGE}")
    duration = None
    if "duration" in values:
        try:
            duration = parse_duration(values["duration"])
        except ValueError:
            raise Refused(f"I could not read {values['duration']!r} as a duration; write it like 90m or 2h.") from None
        if not timedelta(minutes=5) <= duration <= timedelta(hours=12):
            raise Refused("A session lasts between 5 minutes and 12 hours.")
    if "host" in values and "guest" in values:
        raise Refused("Name a host (a member) or a guest (anyone), not both.")
    link = values.get("link")
    if link is not None and not link.startswith(("https://", "http://")):
        raise Refused(f"The link should start with https://, e.g. https://meet.example.org/cop (got {link!r}).")
    return SessionRequest(name, parse_when(values["at"], zone) if "at" in values else None, duration,
                          values.get("host"), values.get("guest"), link)


@dataclass(frozen=True)
class Timeline:
    """When a session needs the bot."""

    announce: datetime
    remind: datetime
    starts: datetime
    ends: datetime


def due_steps(timeline: Timeline, now: datetime, *, announced: bool, reminded: bool, thanked: bool) -> list[str]:
    """What a check at ``now`` must do for one scheduled session, in order: announce, remind, thank."""
    steps = []
    if not announced and timeline.announce <= now < timeline.ends:
        steps.append("announce")
    if not reminded and timeline.remind <= now < timeline.starts:
        steps.append("remind")
    if not thanked and now >= timeline.ends:
        steps.append("thank")
    return steps


def next_moment(timeline: Timeline, after: datetime, *, announced: bool, reminded: bool,
                thanked: bool) -> datetime | None:
    """When this session next needs a check after ``after`` (None: never again)."""
    moments = []
    if not announced:
        moments.append(timeline.announce)
    if not reminded:
        moments.append(timeline.remind)
    if not thanked:
        moments.append(timeline.ends)
    later = [m for m in moments if m > after]
    return min(later) if later else (after if moments else None)


ANSWER_WORDS = {"going": "going", "maybe": "maybe", "cant": "can't make it"}


def answers_line(going: Sequence[str], maybe: Sequence[str]) -> str:
    """``Going (3): ana, ben, chen · maybe: dana`` (names already rendered)."""
    line = f"Going ({len(going)}): {', '.join(going) if going else 'nobody yet'}"
    return line + (f" · maybe: {', '.join(maybe)}" if maybe else "")


def duration_words(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} minutes"
    text = "1 hour" if hours == 1 else f"{hours} hours"
    return text + (f" {rest} minutes" if rest else "")
