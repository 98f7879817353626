"""What a ritual is to the runtime: schedules, commands, event handlers, and plans of actions.

A ritual never calls an adapter. Its slot and event handlers run inside one storage transaction
(``tx``), read history through ``storage.queries``, record their own state, and *return* the actions
to send as :class:`Planned` items; the runtime writes them to the outbox in that same transaction, so a
slot's claim, the ritual's state and its deliveries commit together or not at all.
The decisions themselves (who, what, when) are pure functions in the ritual's module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any, Protocol

from sqlmodel import Session

from bot.actions import Action
from bot.clock import Clock
from bot.events import ButtonClicked, Event, MessagePosted, ReactionAdded, ReplyPosted
from bot.slots import next_slots
from config.models import CommunityConfig
from storage.times import utc


class Role(IntEnum):
    """Who may run a command; higher includes lower."""

    MEMBER = 0
    FACILITATOR = 1
    ADMIN = 2


@dataclass(frozen=True)
class ScheduleSpec:
    """A recurring slot: ``name`` is the slot's ritual key in storage (e.g. ``prompts``, ``pairing.followup``)."""

    name: str
    cron: str
    grace: timedelta


@dataclass(frozen=True)
class Upcoming:
    """What comes next for a ritual, in an admin's words: one line of ``copbot check``.

    ``what`` names what happens at ``times`` ("sessions", "cycle starts"); ``note`` adds what else an admin
    plans around ("host announced 2d before").
    """

    what: str
    times: tuple[datetime, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Planned:
    """An action to deliver; ``subject`` ties its message back to ritual state (e.g. ``prompt:12``).

    ``optional``: a DM the member may turn down (a nudge, a check-in, a digest); the outbox withholds it from
    members who said ``/cop dm off`` or ``/cop pause until`` (bot/dm_policy.py). Essential by default.
    """

    action: Action
    subject: str = ""
    optional: bool = False


@dataclass(frozen=True)
class CommandCall:
    """A parsed ``/cop`` invocation handed to a command handler."""

    event: Event
    args: list[str]
    tx: Session
    now: datetime
    role: Role


@dataclass
class CommandResult:
    """The invoker's (ephemeral) answer, plus anything to deliver to others."""

    reply: str
    planned: list[Planned] = field(default_factory=list)


CommandHandler = Callable[[CommandCall], CommandResult]


@dataclass(frozen=True)
class CommandSpec:
    """One ``/cop`` subcommand. ``path`` is its words (``("prompt", "add")``); ``usage`` shows its arguments."""

    path: tuple[str, ...]
    role: Role
    summary: str
    handler: CommandHandler
    usage: str = ""
    min_args: int = 0
    max_args: int | None = 0
    fans_out: bool = False
    """A command whose work grows with the community (``/cop pair now`` introduces every group): the runtime
    acknowledges it at once, runs it in a worker thread, sends its answer when done (an ephemeral message), and
    a second trigger while it runs (a platform's retry, an impatient second click) joins it instead of
    starting it again."""


class ContextHost(Protocol):
    """What a :class:`RitualContext` reads from: the runtime (or, for ``copbot check``, just a config)."""

    @property
    def config(self) -> CommunityConfig: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def writer(self) -> ParticipationSink: ...

    def role_of(self, member: str) -> Role: ...


class ParticipationSink(Protocol):
    """Where recorded participation goes (the runtime's participation writer)."""

    def submit_nowait(self, row: dict[str, Any]) -> None: ...


CORE = "core"
"""The ``ritual`` of activity no ritual claimed: a reaction, reply, post or button press recorded by the runtime."""


def member_act(event: Event) -> tuple[str, str] | None:
    """(kind, subject) of what ``event`` says a member did, or None when it is not activity (a join, a command).

    A ritual that gives the event a meaning of its own records it first (``ctx.record``: a reply to a prompt, a
    ground-rules button); the runtime records the rest, so every reaction, reply, post and press counts once.
    """
    if isinstance(event, ReactionAdded):
        return "reaction", f"message:{event.message_ref}"
    if isinstance(event, ReplyPosted):
        return "reply", f"thread:{event.thread_ref}"
    if isinstance(event, MessagePosted):
        return "post", f"channel:{event.channel}"
    if isinstance(event, ButtonClicked):
        return "button", f"button:{event.action_id}"
    return None


class RitualContext:
    """What a ritual may use: the current config, the clock, and participation recording."""

    def __init__(self, runtime: ContextHost) -> None:
        self._runtime = runtime
        self._recorded: set[tuple[str, str]] = set()  # events recorded while the current one is dispatched

    @property
    def config(self) -> CommunityConfig:
        return self._runtime.config

    @property
    def community(self) -> str:
        return self._runtime.config.community.id

    def now(self) -> datetime:
        return self._runtime.clock.now()

    def record(self, event: Event, *, kind: str, ritual: str, subject: str = "") -> None:
        """Store that ``event.member`` participated; duplicates collapse on (platform, event_id).

        The first ritual to record an event gives it its kind (a 📌 on a prompt is the prompt's reaction);
        later records of the same event in the same dispatch are not even submitted.
        """
        key = (event.platform, event.event_id)
        if key in self._recorded:
            return
        self._recorded.add(key)
        self._runtime.writer.submit_nowait(
            {
                "community": self.community,
                "platform": event.platform,
                "event_id": event.event_id,
                "member": event.member,
                "kind": kind,
                "ritual": ritual,
                "subject": subject,
                "at": utc(event.at),
            }
        )

    def record_fact(self, *, member: str, kind: str, ritual: str, subject: str, key: str, at: datetime) -> None:
        """Participation the bot itself observed (a step completed, a session hosted); ``key`` makes it unique."""
        self._runtime.writer.submit_nowait(
            {
                "community": self.community,
                "platform": "copbot",
                "event_id": f"{ritual}:{kind}:{key}",
                "member": member,
                "kind": kind,
                "ritual": ritual,
                "subject": subject,
                "at": utc(at),
            }
        )

    def role_of(self, member: str) -> Role:
        return self._runtime.role_of(member)

    def record_act(self, event: Event) -> None:
        """After every ritual saw ``event``: record it as plain activity unless a ritual already recorded it."""
        act = member_act(event)
        if act is not None and (event.platform, event.event_id) not in self._recorded:
            kind, subject = act
            self.record(event, kind=kind, ritual=CORE, subject=subject)
        self._recorded.clear()


class Ritual:
    """Base class: override what applies. Every method runs inside the runtime's transaction ``tx``."""

    name: str = "ritual"
    help_topic: str = ""
    """The line of ``/cop help`` its member commands join: what people come to do, not which ritual does it
    (mentorships sit with pairing, the digest's DM switch with the other DM switches). Empty: the name."""

    def __init__(self, ctx: RitualContext) -> None:
        self.ctx = ctx

    def enabled(self) -> bool:
        return True

    def schedules(self) -> list[ScheduleSpec]:
        return []

    def commands(self) -> list[CommandSpec]:
        return []

    def upcoming(self, now: datetime, count: int = 3) -> list[Upcoming]:
        """The next ``count`` times this ritual does something members see, for ``copbot check``.

        Why: a schedule may be an internal check (every 15 minutes) that tells an admin nothing about when the
        community session or the next pairing cycle is; such a ritual overrides this. By default each schedule
        lists its own next firing times.
        """
        tz = self.ctx.config.community.timezone
        return [Upcoming(spec.name, tuple(next_slots(spec.cron, tz, now, count))) for spec in self.schedules()]

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        """Slot ``slot`` of ``schedule`` was claimed: decide, record state, return what to send."""
        return []

    def idle_until(self, tx: Session, schedule: str, after: datetime) -> datetime | None:
        """When ``schedule`` next has anything to do, as far as the passage of time goes (None: every slot).

        Why: a frequent internal check (every 15 minutes) mostly finds nothing due, and running it costs
        a slot row and a scan each time. The runtime asks this right after a slot ran, and skips the
        check's slots until then. It forgets every hint when an acting event (join, leave, button), a
        command or a new config arrives, and never trusts one for more than ``IDLE_HINT_CAP``, so a hint
        only has to be right about time passing, not about what members might do.
        """
        return None

    def on_event(self, tx: Session, event: Event) -> list[Planned]:
        """A neutral event arrived (already de-duplicated); return anything to send."""
        return []

    def member_summary(self, tx: Session, member: str) -> str:
        """What this ritual adds to a member's ``/cop stats`` line ("3 kudos received"); empty for nothing.

        Why a hook: the core's stats command knows no ritual's tables; each ritual says its own piece.
        """
        return ""

    def on_sent(self, tx: Session, subject: str, platform_ref: str | None) -> None:
        """A delivery of this ritual was sent; e.g. remember a prompt's thread reference."""
