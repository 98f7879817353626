"""The console session: reads what the user types (or a script on stdin) and plays community members.

Lines starting with ``/cop`` run a bot command as the current member. Other slash lines drive the
simulation: who is speaking, joining and leaving, replying and reacting, and moving the clock.
Anything else is a message posted in the current channel.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from adapters.console.adapter import ConsoleAdapter, Message, handle_of, member_key
from bot.clock import ManualClock
from bot.events import (
    ButtonClicked,
    CommandInvoked,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    ReactionAdded,
    ReplyPosted,
)
from bot.runtime import Runtime

HELP = """\
Console commands (you play the members; the bot answers):
  /join NAME [TZ] [interest,...]  a member joins (e.g. /join ana Europe/Lisbon k8s,terraform)
  /as NAME                        speak as NAME from now on
  /leave [NAME]                   a member leaves
  /reply [REF] TEXT               reply in the thread of message REF (default: the latest prompt)
  /react [REF] [EMOJI]            react to message REF (default: the latest prompt, :+1:)
  /click REF ACTION               click a button (ACTION is shown in [brackets] under the message)
  /time +3d | +2h | 2026-12-07T10:00Z   move the clock forward; due rituals run
  /now                            show the simulated time
  /who                            list members
  /report                         participation so far
  /cop ...                        run a bot command as the current member (try /cop help)
  /help, /quit
Any other line is posted as a message in the community channel."""

_DURATION = re.compile(r"^\+(\d+)([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


class ConsoleSession:
    """Turns typed lines into neutral events for the runtime, and moves the manual clock."""

    def __init__(
        self,
        runtime: Runtime,
        adapter: ConsoleAdapter,
        clock: ManualClock,
        say: Callable[[str], None],
        report: Callable[[], str],
    ) -> None:
        self.runtime = runtime
        self.adapter = adapter
        self.clock = clock
        self.say = say
        self.report = report
        self.speaker: str | None = None
        self._events = 0

    def _event_id(self) -> str:
        self._events += 1
        return f"console-{self._events}"

    def _base(self, member: str | None = None) -> dict[str, Any]:
        who = member or self.speaker
        if who is None:
            raise _Usage("Nobody is speaking yet: /join NAME first (or /as NAME).")
        return {"platform": "console", "event_id": self._event_id(), "member": who, "at": self.clock.now()}

    async def feed(self, line: str) -> bool:
        """Handle one line; returns False when the user asked to quit."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        try:
            return await self._dispatch(line)
        except _Usage as exc:
            self.say(str(exc))
            return True

    async def _dispatch(self, line: str) -> bool:
        if line.startswith("/cop"):
            event = CommandInvoked(
                **self._base(), text=line[4:].strip(), channel=self.runtime.config.community.channels.general
            )
            answer = await self.runtime.handle_event(event)
            if answer:
                self.say(f"(only you see this) {answer}")
            await self.runtime.settle()
            return True
        if not line.startswith("/"):
            channel = self.runtime.config.community.channels.general
            ref = self.adapter.add(
                Message(self.adapter.next_ref(), f"#{channel}", handle_of(self._need_speaker()), line)
            ).ref
            await self._send(MessagePosted(**self._base(), channel=channel, message_ref=ref, text=line))
            return True
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        command, args = words[0].lower(), words[1:]
        handler = getattr(self, f"_cmd_{command[1:]}", None)
        if handler is None:
            raise _Usage(f"Unknown console command {command}. Type /help.")
        result: bool | None = await handler(args)
        return result is not False

    def _need_speaker(self) -> str:
        if self.speaker is None:
            raise _Usage("Nobody is speaking yet: /join NAME first (or /as NAME).")
        return self.speaker

    async def _send(self, event: Event) -> None:
        await self.runtime.handle_event(event)
        await self.runtime.settle()

    # --- console commands --------------------------------------------------------------------------

    async def _cmd_help(self, args: list[str]) -> None:
        self.say(HELP)

    async def _cmd_quit(self, args: list[str]) -> bool:
        return False

    _cmd_exit = _cmd_quit

    async def _cmd_join(self, args: list[str]) -> None:
        if not args:
            raise _Usage("Usage: /join NAME [TZ] [interest,...]")
        key = member_key(args[0])
        tz = args[1] if len(args) > 1 else None
        interests = tuple(i for i in args[2].split(",") if i) if len(args) > 2 else ()
        self.speaker = key
        await self._send(MemberJoined(**self._base(key), name=args[0].lstrip("@"), tz=tz, interests=interests))
        self.say(f"{args[0]} joined; you are now speaking as {args[0]}.")

    async def _cmd_as(self, args: list[str]) -> None:
        if not args:
            raise _Usage("Usage: /as NAME")
        self.speaker = member_key(args[0])
        self.say(f"You are now speaking as {handle_of(self.speaker)}.")

    async def _cmd_leave(self, args: list[str]) -> None:
        key = member_key(args[0]) if args else self._need_speaker()
        await self._send(MemberLeft(**self._base(key)))
        self.say(f"{handle_of(key)} left.")

    def _latest_prompt(self) -> Message:
        for message in reversed(self.adapter.transcript):
            if message.author == "copbot" and message.where.startswith("#") and message.thread_of is None:
                return message
        raise _Usage("There is no bot post to answer yet; move the clock (/time +7d) or run /cop prompt now.")

    def _target(self, args: list[str]) -> tuple[Message, list[str]]:
        if args and re.fullmatch(r"m\d+", args[0]):
            found = self.adapter.find(args[0])
            if found is None:
                raise _Usage(f"There is no message {args[0]}.")
            return found, args[1:]
        return self._latest_prompt(), args

    async def _cmd_reply(self, args: list[str]) -> None:
        target, rest = self._target(args)
        text = " ".join(rest) or "+1"
        ref = self.adapter.add(
            Message(
                self.adapter.next_ref(),
                f"thread {target.ref}",
                handle_of(self._need_speaker()),
                text,
                thread_of=target.ref,
            )
        ).ref
        await self._send(
            ReplyPosted(
                **self._base(),
                channel=target.where.lstrip("#"),
                thread_ref=target.ref,
                message_ref=ref,
                text=text,
            )
        )

    async def _cmd_react(self, args: list[str]) -> None:
        target, rest = self._target(args)
        emoji = (rest[0] if rest else "+1").strip(":")
        self.say(f"{handle_of(self._need_speaker())} reacted :{emoji}: to {target.ref}")
        await self._send(ReactionAdded(**self._base(), message_ref=target.ref, emoji=emoji))

    async def _cmd_click(self, args: list[str]) -> None:
        if len(args) < 2:
            raise _Usage("Usage: /click REF ACTION (the action is shown in [brackets] under the message)")
        await self._send(
            ButtonClicked(**self._base(), action_id=args[1], value=" ".join(args[2:]), message_ref=args[0])
        )

    async def _cmd_time(self, args: list[str]) -> None:
        if not args:
            raise _Usage("Usage: /time +3d (or +2h, +1w, or an ISO time such as 2026-12-07T10:00Z)")
        match = _DURATION.match(args[0])
        if match:
            target = self.clock.now() + timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
        else:
            try:
                target = datetime.fromisoformat(args[0].replace("Z", "+00:00"))
            except ValueError:
                raise _Usage(f"{args[0]!r} is not a time; write +3d, +2h or 2026-12-07T10:00Z") from None
            if target.tzinfo is None:
                raise _Usage("Give the time zone too, e.g. 2026-12-07T10:00Z or 2026-12-07T10:00+01:00")
        if target < self.clock.now():
            raise _Usage("Time only moves forward here.")
        await self.advance_to(target)
        self.say(f"It is now {self.local_time(self.clock.now())}.")

    async def advance_to(self, target: datetime) -> None:
        """Move the clock in steps so each ritual slot on the way runs at its own time (as a live bot would)."""
        step = timedelta(hours=1)
        while self.clock.now() < target:
            self.clock.set(min(target, self.clock.now() + step))
            self.runtime.tick()
            await self.runtime.settle()
        self.remember_clock()

    def remember_clock(self) -> None:
        """Keep the clock in the database: a restart resumes from here, and reports read this time."""
        from storage import queries

        with self.runtime.db.session() as tx:
            queries.set_console_clock(tx, self.runtime.community, self.clock.now())
            tx.commit()

    def local_time(self, when: datetime) -> str:
        from zoneinfo import ZoneInfo

        zone = self.runtime.config.community.timezone
        return when.astimezone(ZoneInfo(zone)).strftime(f"%a %d %b %Y %H:%M ({zone})")

    async def _cmd_now(self, args: list[str]) -> None:
        self.say(f"It is {self.local_time(self.clock.now())}.")

    async def _cmd_who(self, args: list[str]) -> None:
        from storage import queries

        with self.runtime.db.session() as tx:
            people = queries.members(tx, self.runtime.community)
        role = {0: "", 1: " (facilitator)", 2: " (admin)"}
        self.say(
            "Members: "
            + (", ".join(f"{m.name}{role[int(self.runtime.role_of(m.key))]}" for m in people) or "nobody yet")
        )

    async def _cmd_report(self, args: list[str]) -> None:
        await self.runtime.settle()
        self.say(self.report())


class _Usage(Exception):
    """A console line that could not be understood; the message says what to type."""
