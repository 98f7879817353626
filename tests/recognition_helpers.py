"""A small community for the recognition tests (kudos, resource library, ladder) and verbs to drive it."""

from __future__ import annotations

from datetime import datetime, timedelta

from adapters.console.adapter import ConsoleAdapter, Message
from bot.clock import ManualClock
from bot.events import ButtonClicked, CommandInvoked, MemberJoined, MessagePosted, ReactionAdded, ReplyPosted
from bot.runtime import Runtime

YAML = """\
community:
  id: test-guild
  name: Test Guild
  timezone: Europe/Berlin
  channels:
    general: guild
    facilitators: facil
roles:
  admins: [console:dana]
  facilitators: [console:fay]
rituals:
  prompts:
    schedule:
      cron: "0 10 * * mon"
    questions:
      - How do you keep Terraform state safe?
      - Which alert woke you up for nothing?
  kudos:
    max_per_day: 2
    milestones: [3]
    digest:
      cron: "0 16 * * fri"
  resources:
    keep_thread_text: 30d
    summary_lines: 2
    nudge:
      cron: "0 15 * * fri"
  ladder:
    schedule:
      cron: "0 9 * * mon"
    window_days: 90
    rungs:
      regular: {days_member: 14, prompt_replies: 2}
      buddy: {days_member: 14, prompt_replies: 3, kudos_received: 2}
      co_host: {days_member: 30, prompt_replies: 5, newcomers_buddied: 1}
      facilitator: {days_member: 60, sessions_co_hosted: 2}
"""


class Community:
    """Members say commands, post, reply, react and click; time passes."""

    def __init__(self, runtime: Runtime, clock: ManualClock) -> None:
        self.runtime, self.clock, self.n = runtime, clock, 0
        adapter = runtime.adapter
        assert isinstance(adapter, ConsoleAdapter)
        self.adapter = adapter

    def _id(self) -> str:
        self.n += 1
        return f"e{self.n}"

    async def join(self, *names: str, interests: tuple[str, ...] = ()) -> None:
        for name in names:
            await self.runtime.handle_event(MemberJoined(platform="console", event_id=self._id(),
                                                         member=f"console:{name}", at=self.clock.now(), name=name,
                                                         interests=interests))
        await self.runtime.settle()

    async def say(self, who: str, text: str, **extras: str) -> str:
        answer = await self.runtime.handle_event(CommandInvoked(platform="console", event_id=self._id(),
                                                                member=f"console:{who}", at=self.clock.now(),
                                                                text=text, extras=dict(extras)))
        await self.runtime.settle()
        assert answer is not None
        return answer

    async def post(self, who: str, text: str, link: str | None = None) -> str:
        ref = self.adapter.add(Message(self.adapter.next_ref(), "#guild", who, text)).ref
        await self.runtime.handle_event(MessagePosted(platform="console", event_id=self._id(),
                                                      member=f"console:{who}", at=self.clock.now(), channel="guild",
                                                      message_ref=ref, text=text, link=link))
        await self.runtime.settle()
        return ref

    async def reply(self, who: str, thread: str, text: str, thread_link: str | None = None) -> str:
        ref = self.adapter.add(Message(self.adapter.next_ref(), f"thread {thread}", who, text, thread_of=thread)).ref
        await self.runtime.handle_event(ReplyPosted(platform="console", event_id=self._id(),
                                                    member=f"console:{who}", at=self.clock.now(), channel="guild",
                                                    thread_ref=thread, message_ref=ref, text=text,
                                                    thread_link=thread_link))
        await self.runtime.settle()
        return ref

    async def react(self, who: str, ref: str, emoji: str) -> None:
        await self.runtime.handle_event(ReactionAdded(platform="console", event_id=self._id(),
                                                      member=f"console:{who}", at=self.clock.now(), message_ref=ref,
                                                      emoji=emoji))
        await self.runtime.settle()

    async def click(self, who: str, action_id: str, value: str) -> None:
        await self.runtime.handle_event(ButtonClicked(platform="console", event_id=self._id(),
                                                      member=f"console:{who}", at=self.clock.now(),
                                                      action_id=action_id, value=value))
        await self.runtime.settle()

    async def wait(self, delta: timedelta) -> None:
        """Let time pass hour by hour, so each slot runs at its own time (as a live bot would)."""
        target = self.clock.now() + delta
        while self.clock.now() < target:
            self.clock.set(min(target, self.clock.now() + timedelta(hours=1)))
            self.runtime.tick()
            await self.runtime.settle()

    async def until(self, when: datetime) -> None:
        await self.wait(when - self.clock.now())

    def bot_messages(self, where: str | None = None) -> list[Message]:
        return [m for m in self.adapter.transcript if m.author == "copbot" and (where is None or m.where == where)]

    def texts(self, where: str) -> list[str]:
        return [m.text for m in self.bot_messages(where)]
