"""The console session: reads what the user types (or a script on stdin) and plays community members.

Lines starting with ``/cop`` run a bot command as the current member. Other slash lines drive the
simulation: who is speaking, joining and leaving, replying and reacting, and moving the clock.
Anything else is a message posted in the current channel.
"""

from __future__ import annotations

import re
import shlex
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from adapters.console.adapter import ConsoleAdapter, Message, handle_of, member_key
from bot.actions import Button
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
  /reply [REF] TEXT               reply in the thread of message REF, e.g. m12 (default: this week's question)
  /react [REF] [EMOJI]            react to message REF (default: this week's question, :+1:)
  /click [REF] BUTTON             press a button by its label or number, e.g. /click m8 Accept or /click m8 1
                                  (default REF: the newest message with that button that you can see)
  /time +3d | +2h | 2026-12-07T10:00Z   move the clock forward; due rituals run
  /now                            show the simulated time
  /who                            list members
  /report                         participation so far
  /cop ...                        run a bot command as the current member (try /cop help)
  /help, /quit
Any other line is posted as a message in the community channel."""

_DURATION = re.compile(r"^\+(\d+)([mhdw])$")
_REF = re.compile(r"[mM]\d+")
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
        self._run = uuid.uuid4().hex[:8]

    def _event_id(self) -> str:
        """Unique across runs too: a restarted console on the same database must not replay the last one's ids
        (the runtime would take its first commands and clicks for platform retries and drop them)."""
        self._events += 1
        return f"console-{self._run}-{self._events}"

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

    def _current_prompt(self) -> Message:
        """This week's question: the newest prompt the bot asked (not merely its newest post)."""
        from storage import prompts as prompt_store

        with self.runtime.db.session() as tx:
            asked = [p for p in prompt_store.asked_prompts(tx, self.runtime.community) if p.thread_ref]
        for prompt in reversed(asked):
            found = self.adapter.find(prompt.thread_ref or "")
            if found is not None:
                return found
        raise _Usage("There is no question to answer yet; move the clock (/time +7d) or run /cop prompt now. "
                     "To answer another message, give its number: /reply m12 TEXT.")

    def _find(self, ref: str) -> Message:
        found = self.adapter.find(ref.lower())
        if found is None:
            raise _Usage(f"There is no message {ref}; message numbers are shown at the start of each line, e.g. m12.")
        return found

    def _target(self, args: list[str]) -> tuple[Message, list[str]]:
        if args and _REF.fullmatch(args[0]):
            return self._find(args[0]), args[1:]
        return self._current_prompt(), args

    def _thread_root(self, message: Message) -> Message:
        """A reply goes to the thread a message belongs to: the message itself, or the root of its thread."""
        if message.thread_of is not None:
            return self.adapter.find(message.thread_of) or message
        return message

    async def _cmd_reply(self, args: list[str]) -> None:
        target, rest = self._target(args)
        root = self._thread_root(target)
        text = " ".join(rest) or "+1"
        ref = self.adapter.add(
            Message(
                self.adapter.next_ref(),
                f"thread {root.ref}",
                handle_of(self._need_speaker()),
                text,
                thread_of=root.ref,
            )
        ).ref
        await self._send(
            ReplyPosted(
                **self._base(),
                channel=root.where.lstrip("#"),
                thread_ref=root.ref,
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
        """``/click m8 Accept``, ``/click m8 2``, ``/click Accept``; also ``/click m8 ACTION [VALUE]`` as before."""
        if not args:
            raise _Usage("Usage: /click m8 Accept (the button's label, or its number on message m8)")
        speaker = self._need_speaker()
        if _REF.fullmatch(args[0]):
            message, wanted = self._find(args[0]), args[1:]
            if not wanted:
                raise _Usage(f"Which button? {_choices_text(message)}")
            if not _visible(message, speaker):
                raise _Usage(f"{message.ref} is for {message.where.split(' ', 1)[-1]}, not for you: only they can "
                             f"press its buttons (/as NAME speaks as someone else).")
            button = _pick(message, wanted)
            if button is None:
                raise _Usage(f"{message.ref} has no button {' '.join(wanted)!r}. {_choices_text(message)}")
        else:
            message, button = self._newest_with(args, speaker)
        await self._send(
            ButtonClicked(**self._base(), action_id=button.action_id, value=button.value, message_ref=message.ref)
        )

    def _newest_with(self, wanted: list[str], speaker: str) -> tuple[Message, Button]:
        """The newest message the speaker can see that has the named button."""
        for message in reversed(self.adapter.transcript):
            if message.choices and _visible(message, speaker):
                button = _pick(message, wanted)
                if button is not None:
                    return message, button
        raise _Usage(f"I see no button {' '.join(wanted)!r} for you; name the message too, e.g. /click m8 Accept.")

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
            self.remember_clock()  # each step: a console killed mid-way resumes after what already ran

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


def _visible(message: Message, speaker: str) -> bool:
    """Whether ``speaker`` sees ``message``: a channel or thread, their own DM, or a group DM they are in."""
    handle = "@" + handle_of(speaker)
    where = message.where
    if where.startswith(("DM ", "only ")):
        return where.split(" ", 1)[1] == handle
    if where.startswith("group DM"):
        return handle in where.removeprefix("group DM ").split(", ")
    return True


def _pick(message: Message, wanted: list[str]) -> Button | None:
    """The button on ``message`` named by its label (any case), its number (1, 2, ...) or its action id."""
    said = " ".join(wanted).strip().strip("\"'").casefold()
    by_label = {b.label.casefold(): b for b in reversed(message.choices)}  # labels first: a button labelled "2"
    by_number = {str(i): b for i, b in enumerate(message.choices, start=1)}
    by_action = {b.action_id.casefold(): b for b in reversed(message.choices)}
    for names in (by_label, by_number, by_action):
        if said in names:
            return names[said]
    if len(wanted) > 1:  # ``/click m8 facilitator.swap.accept 1``: an action id and a value, as typed before
        for button in message.choices:
            if wanted[0].casefold() == button.action_id.casefold():
                return Button(button.label, button.action_id, " ".join(wanted[1:]))
    return None


def _choices_text(message: Message) -> str:
    if not message.choices:
        return f"{message.ref} has no buttons."
    shown = ", ".join(f"{i} {b.label}" for i, b in enumerate(message.choices, start=1))
    first = message.choices[0].label
    return f"Its buttons: {shown}. Write /click {message.ref} {first} (or its number)."


class _Usage(Exception):
    """A console line that could not be understood; the message says what to type."""
