"""The console adapter: the bot's messages go to a transcript (and the terminal); members are typed in.

It is a real adapter with the same handler table as Slack and Discord, so a ritual that works here
works there. Message references are ``m1``, ``m2``, ...; member keys are ``console:<handle>``.

Given a :class:`ConsoleHistory`, the transcript outlives the process, as a platform's history does: each
message is kept there before it is shown, so after a crash the outbox finds a delivery the console already
showed (``find_delivery``) instead of showing it twice, and message numbers and buttons carry on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.actions import Button, DirectMessage, Ephemeral, GroupMessage, Post, React, Reply
from bot.adapter import EventSink, HandlerTable, performs
from bot.people import Directory, Resolution, Resolved, resolve_ref
from bot.text import render_mentions
from config.people import HANDLE, parse_ref

PLATFORM = "console"


CONSOLE_PEOPLE = Directory(PLATFORM, "the console", advice='on the console write "@name"')


def member_key(handle: str) -> str:
    return f"{PLATFORM}:{handle.lstrip('@').lower()}"


def handle_of(key: str) -> str:
    return key.split(":", 1)[1] if key.startswith(f"{PLATFORM}:") else key


@dataclass
class Message:
    """One line of the transcript: who sees it, where, and what it says."""

    ref: str
    where: str  # "#channel", "@member (DM)", "thread m3", ...
    author: str
    text: str
    delivery_id: str | None = None
    buttons: list[str] = field(default_factory=list)
    thread_of: str | None = None
    attachments: list[str] = field(default_factory=list)  # "title: /path/to/file.png"
    choices: tuple[Button, ...] = ()  # the buttons themselves, values included: /click presses one by its label

    @property
    def number(self) -> int:
        return int(self.ref.removeprefix("m"))


class ConsoleHistory(Protocol):
    """Where the transcript is kept between runs (the roof wires one backed by the database)."""

    def load(self) -> Sequence[Message]: ...

    def keep(self, message: Message) -> None: ...


class ConsoleAdapter(HandlerTable):
    """Keeps every message in ``transcript`` and shows it through ``echo`` (rich in the terminal)."""

    paced = False  # simulated time: no platform counts its messages per second (the DM switch still applies)

    platform = PLATFORM

    def __init__(self, echo: Callable[[Message], None] | None = None, history: ConsoleHistory | None = None) -> None:
        self.transcript: list[Message] = list(history.load()) if history is not None else []
        self.by_delivery: dict[str, str] = {m.delivery_id: m.ref for m in self.transcript if m.delivery_id}
        self.sink: EventSink | None = None
        self._echo = echo
        self._history = history
        self._counter = max((m.number for m in self.transcript), default=0)

    async def start(self, sink: EventSink) -> None:
        self.sink = sink

    async def stop(self) -> None:
        self.sink = None

    async def find_delivery(self, action: object, delivery_id: str) -> str | None:
        return self.by_delivery.get(delivery_id)

    async def resolve_people(self, refs: Sequence[str]) -> Resolution:
        """On the console anyone can be typed in: ``"@ana"`` is ``console:ana``, whether or not she joined yet."""
        resolved: dict[str, Resolved] = {}
        for text in refs:
            ref = parse_ref(text)
            if ref.kind == HANDLE and ref.value:
                resolved[text] = Resolved((member_key(ref.value),))
            else:
                resolved[text] = resolve_ref(CONSOLE_PEOPLE, ref)
        return resolved

    def next_ref(self) -> str:
        self._counter += 1
        return f"m{self._counter}"

    def add(self, message: Message) -> Message:
        """Keep the message (in the history first: a crash after that finds it), then show it."""
        if self._history is not None:
            self._history.keep(message)
        self.transcript.append(message)
        if message.delivery_id:
            self.by_delivery[message.delivery_id] = message.ref
        if self._echo:
            self._echo(message)
        return message

    def find(self, ref: str) -> Message | None:
        return next((m for m in self.transcript if m.ref == ref), None)

    def _render(self, text: str) -> str:
        return render_mentions(text, lambda key: "@" + handle_of(key))

    def _bot(
        self,
        where: str,
        action: Post | DirectMessage | GroupMessage | Reply | Ephemeral,
        delivery_id: str,
        thread_of: str | None = None,
    ) -> str:
        message = Message(
            ref=self.next_ref(),
            where=where,
            author="copbot",
            text=self._render(action.text),
            delivery_id=delivery_id,
            buttons=[f"{b.label} [{b.action_id}]" for b in action.buttons],
            choices=tuple(action.buttons),
            thread_of=thread_of,
            attachments=[f"{a.title or 'file'}: {a.path}" for a in action.attachments],
        )
        return self.add(message).ref

    @performs(Post)
    async def post(self, action: Post, delivery_id: str) -> str | None:
        return self._bot(f"#{action.channel}", action, delivery_id)

    @performs(DirectMessage)
    async def direct(self, action: DirectMessage, delivery_id: str) -> str | None:
        await self.dm_gate()  # community.yaml may switch DMs off here too
        return self._bot(f"DM @{handle_of(action.member)}", action, delivery_id)

    @performs(GroupMessage)
    async def group(self, action: GroupMessage, delivery_id: str) -> str | None:
        await self.dm_gate()
        names = ", ".join("@" + handle_of(m) for m in action.members)
        return self._bot(f"group DM {names}", action, delivery_id)

    @performs(Reply)
    async def reply(self, action: Reply, delivery_id: str) -> str | None:
        return self._bot(f"thread {action.thread_ref}", action, delivery_id, thread_of=action.thread_ref)

    @performs(Ephemeral)
    async def ephemeral(self, action: Ephemeral, delivery_id: str) -> str | None:
        return self._bot(f"only @{handle_of(action.member)}", action, delivery_id)

    @performs(React)
    async def react(self, action: React, delivery_id: str) -> str | None:
        target = self.find(action.message_ref)
        self.add(
            Message(
                ref=self.next_ref(),
                where=f"reaction on {action.message_ref}",
                author="copbot",
                text=f":{action.text}:",
                delivery_id=delivery_id,
                thread_of=target.ref if target else None,
            )
        )
        return None
