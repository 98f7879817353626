"""One community, three platforms: drivers that play members on the console, Slack and Discord the way each
platform really delivers what they do, for the adapter conformance suite (tests/test_adapter_conformance.py).

Each driver speaks its platform's own input (typed console lines, signed Slack events and commands, Discord
gateway dispatches and interactions) and reads what the bot sent where that platform keeps it (the console's
transcript, the fake Slack's channels, the fake Discord's messages). Nothing here calls the runtime's event
handling directly: what reaches the core is what the adapter made of the platform's input.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from adapters.console.adapter import ConsoleAdapter, Message
from adapters.console.session import ConsoleSession
from bot.clock import ManualClock
from bot.runtime import Runtime
from config.loader import parse_config
from copbot.registry import RITUALS
from storage.db import Database
from tests.discord_harness import running_bot
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.pinned_clock import PLATFORM_START
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import TEAM, slack_world

COMMUNITY = """\
community:
  id: conformance
  name: Conformance Guild
  timezone: Europe/Berlin
  channels:
    general: general
    prompts: prompts
roles:
  facilitators: ["@fay"]
delivery:
  direct_messages:
    enabled: {dms}
    per_second: 0
rituals:
  prompts:
    schedule:
      cron: "0 10 * * mon"
    questions:
      - "What did you automate this week?"
      - "Which alert woke you up for nothing?"
  onboarding:
    steps:
      - key: welcome
        day: 0
        time: "00:00"
        text: "Welcome to the {{community}}, {{name}}! Our ground rules: {{ground_rules}}"
    buddies:
      enabled: false
"""
"""The community every platform runs: people named portably (``"@fay"``), one welcome with the ground rules,
weekly prompts; ``{dms}`` is the DM switch a reload turns off."""


def community_yaml(dms: bool = True) -> str:
    return COMMUNITY.format(dms="true" if dms else "false")


class Platform(Protocol):
    """What the conformance scenario does and reads, in a member's terms, on any platform."""

    name: str
    runtime: Runtime

    def key(self, member: str) -> str: ...
    async def join(self, member: str) -> None: ...
    async def command(self, member: str, words: list[str], text: str | None = None) -> str: ...
    async def react(self, member: str, post: str) -> None: ...
    async def reply(self, member: str, post: str, text: str) -> None: ...
    async def press(self, member: str, label: str) -> None: ...
    def dms(self, member: str) -> list[str]: ...
    def posts(self, channel: str) -> list[tuple[str, str]]: ...
    async def settle(self) -> None: ...


# --- the console ----------------------------------------------------------------------------------------


@dataclass
class Console:
    name: str
    runtime: Runtime
    adapter: ConsoleAdapter
    session: ConsoleSession
    said: list[str]

    def key(self, member: str) -> str:
        return f"console:{member}"

    async def _as(self, member: str, line: str) -> list[str]:
        await self.session.feed(f"/as {member}")
        before = len(self.said)
        await self.session.feed(line)
        return self.said[before:]

    async def join(self, member: str) -> None:
        await self.session.feed(f"/join {member}")

    async def command(self, member: str, words: list[str], text: str | None = None) -> str:
        said = await self._as(member, " ".join(["/cop", *words, *([text] if text else [])]))
        return next(s for s in said if s.startswith("(only you see this) ")).removeprefix("(only you see this) ")

    async def react(self, member: str, post: str) -> None:
        await self._as(member, f"/react {post}")

    async def reply(self, member: str, post: str, text: str) -> None:
        await self._as(member, f"/reply {post} {text}")

    async def press(self, member: str, label: str) -> None:
        message = next(m for m in reversed(self._dm_messages(member)) if any(b.label == label for b in m.choices))
        await self._as(member, f"/click {message.ref} {label}")

    def _dm_messages(self, member: str) -> list[Message]:
        return [m for m in self.adapter.transcript if m.author == "copbot" and m.where == f"DM @{member}"]

    def dms(self, member: str) -> list[str]:
        return [m.text for m in self._dm_messages(member)]

    def posts(self, channel: str) -> list[tuple[str, str]]:
        return [(m.ref, m.text) for m in self.adapter.transcript
                if m.author == "copbot" and m.where == f"#{channel}" and m.thread_of is None]

    async def settle(self) -> None:
        await self.runtime.settle()


@asynccontextmanager
async def console_platform(tmp_path: Path, db: Database) -> AsyncIterator[Console]:
    adapter = ConsoleAdapter()
    clock = ManualClock(PLATFORM_START)
    runtime = Runtime(parse_config(community_yaml(), "community.yaml"), db, adapter, clock, RITUALS)
    said: list[str] = []
    session = ConsoleSession(runtime, adapter, clock, said.append, lambda: "")
    await runtime.start(background=False)
    try:
        await session.feed("/join fay")  # fay was there before: she is the facilitator
        yield Console("console", runtime, adapter, session, said)
    finally:
        await runtime.stop()


# --- Slack --------------------------------------------------------------------------------------------------

SLACK_USERS = {"fay": "U0FAY", "eve": "U0EVE", "finn": "U0FINN"}
SLACK_CHANNELS = {"general": "C0GENERAL", "prompts": "C0PROMPTS2"}


@dataclass
class Slack:
    name: str
    world: Any
    counter: Callable[[], int]

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.world.runtime
        return runtime

    def key(self, member: str) -> str:
        return f"slack:{TEAM}:{SLACK_USERS[member]}"

    async def _wait(self, events: int) -> None:
        async with asyncio.timeout(10):
            await self.world.adapter.processed(events)
        await self.settle()

    async def join(self, member: str) -> None:
        uid = SLACK_USERS[member]
        payload = fixture("team_join")
        payload.update(event_id=f"EvJoin{uid}", event_time=int(self.runtime.clock.now().timestamp()) + 1)
        payload["event"]["user"].update(id=uid, name=member, real_name=member.capitalize(),
                                        profile={"display_name": member, "real_name": member.capitalize()})
        self.world.fake.add_user(uid, member)
        before = self.world.adapter._processed
        assert (await self.world.sender.event(payload)).status == 200
        await self._wait(before + 1)

    async def command(self, member: str, words: list[str], text: str | None = None) -> str:
        answer = await self.world.sender.command(" ".join([*words, *([text] if text else [])]),
                                                 user_id=SLACK_USERS[member], channel_id=SLACK_CHANNELS["general"])
        await self.settle()
        reply: str = answer.json()["text"]
        return reply

    def _prompt_ts(self, post: str) -> str:
        return post.split(":", 1)[1]

    async def react(self, member: str, post: str) -> None:
        payload = fixture("reaction_added")
        payload["event"].update(user=SLACK_USERS[member], reaction="+1",
                                item={"type": "message", "channel": post.split(":")[0], "ts": self._prompt_ts(post)})
        payload["event_id"] = f"EvReact{self.counter()}"
        before = self.world.adapter._processed
        await self.world.sender.event(payload)
        await self._wait(before + 1)

    async def reply(self, member: str, post: str, text: str) -> None:
        payload = fixture("message_thread_reply")
        ts = f"{int(self.runtime.clock.now().timestamp())}.{self.counter():06d}"
        payload["event"].update(channel=post.split(":")[0], user=SLACK_USERS[member], text=text, ts=ts,
                                event_ts=ts, thread_ts=self._prompt_ts(post))
        payload["event_id"] = f"EvReply{self.counter()}"
        before = self.world.adapter._processed
        await self.world.sender.event(payload)
        await self._wait(before + 1)

    async def press(self, member: str, label: str) -> None:
        uid = SLACK_USERS[member]
        message = next(m for m in reversed(self._dm_messages(member))
                       if any(e["text"]["text"] == label for b in m.blocks or [] if b["type"] == "actions"
                              for e in b["elements"]))
        [pressed] = [e for b in message.blocks or [] if b["type"] == "actions" for e in b["elements"]
                     if e["text"]["text"] == label]
        payload = fixture("block_actions")
        payload.update(user={"id": uid, "username": member, "name": member, "team_id": TEAM},
                       container={"type": "message", "message_ts": message.ts, "channel_id": message.channel,
                                  "is_ephemeral": False},
                       channel={"id": message.channel, "name": "directmessage"},
                       message={"type": "message", "user": "UBOT", "ts": message.ts, "text": message.text},
                       actions=[{**pressed, "block_id": "actions", "type": "button",
                                 "action_ts": f"{1700000000 + self.counter()}.000100"}])
        before = self.world.adapter._processed
        await self.world.sender.action(payload)
        await self._wait(before + 1)

    def _dm_messages(self, member: str) -> list[Any]:
        channel = self.world.fake._dm_ids.get(SLACK_USERS[member])
        return list(self.world.fake.messages.get(channel, [])) if channel else []

    def dms(self, member: str) -> list[str]:
        return [m.text for m in self._dm_messages(member)]

    def posts(self, channel: str) -> list[tuple[str, str]]:
        cid = SLACK_CHANNELS[channel]
        return [(f"{cid}:{m.ts}", m.text) for m in self.world.fake.messages.get(cid, []) if not m.thread_ts]

    async def settle(self) -> None:
        async with asyncio.timeout(10):
            await self.world.all_sent()
        await self.runtime.writer.flush()


def _slack_workspace(fake: FakeSlack) -> None:
    fake.add_user(SLACK_USERS["fay"], "fay")
    for name, cid in SLACK_CHANNELS.items():
        fake.add_channel(cid, name)


@asynccontextmanager
async def slack_platform(tmp_path: Path, db: Database) -> AsyncIterator[Slack]:
    numbers = itertools.count(1)
    async with slack_world(tmp_path, config=community_yaml(), workspace=_slack_workspace) as world:
        yield Slack("slack", world, lambda: next(numbers))


# --- Discord ------------------------------------------------------------------------------------------------

DISCORD_USERS = {"fay": 100000000000000001, "eve": 100000000000000011, "finn": 100000000000000012}
DISCORD_CHANNELS = {"general": 200000000000000001, "prompts": 200000000000000002}


@dataclass
class Discord:
    name: str
    fake: FakeDiscord
    bot: Any

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.bot.runtime
        return runtime

    def key(self, member: str) -> str:
        return f"discord:{self.fake.guild_id}:{DISCORD_USERS[member]}"

    async def _seen(self, count: int) -> None:
        await self.bot.wait_event(lambda e: True, count=count)
        await self.settle()

    async def join(self, member: str) -> None:
        before = len(self.bot.events)
        await self.fake.member_joins(DISCORD_USERS[member], member)
        await self._seen(before + 1)

    async def command(self, member: str, words: list[str], text: str | None = None) -> str:
        interaction = await self.fake.slash(DISCORD_USERS[member], words, text)
        callbacks = await self.fake.wait_for(lambda: [
            c.body for c in self.fake.calls_to("POST", rf"/interactions/{interaction['id']}/[^/]+/callback")])
        await self.settle()
        followups = [c.body for c in self.fake.calls_to("PATCH", rf"/webhooks/\d+/{interaction['token']}/messages/")]
        body = followups[-1] if followups else callbacks[0]["data"]
        content: str = body["content"]
        return content

    async def react(self, member: str, post: str) -> None:
        channel, message = (int(p) for p in post.split(":"))
        before = len(self.bot.events)
        await self.fake.react(DISCORD_USERS[member], channel, message)
        await self._seen(before + 1)

    async def reply(self, member: str, post: str, text: str) -> None:
        _, message = (int(p) for p in post.split(":"))
        before = len(self.bot.events)
        await self.fake.post_in_thread(DISCORD_USERS[member], message, text)  # the thread's id is the post's
        await self._seen(before + 1)

    async def press(self, member: str, label: str) -> None:
        uid = DISCORD_USERS[member]
        message = next(m for m in reversed(self._dm_messages(member))
                       if any(c["label"] == label for row in m["components"] for c in row["components"]))
        custom_id = next(c["custom_id"] for row in message["components"] for c in row["components"]
                         if c["label"] == label)
        before = len(self.bot.events)
        await self.fake.click(uid, message, custom_id)  # in the DM: Discord sends no guild with it
        await self._seen(before + 1)

    def _dm_messages(self, member: str) -> list[dict[str, Any]]:
        dm_channel = str(DISCORD_USERS[member] + 7)  # the fake's DM channel for a user
        return sorted((m for m in self.fake.messages.values() if m["channel_id"] == dm_channel),
                      key=lambda m: int(m["id"]))

    def dms(self, member: str) -> list[str]:
        return [m["content"] for m in self._dm_messages(member)]

    def posts(self, channel: str) -> list[tuple[str, str]]:
        cid = str(DISCORD_CHANNELS[channel])
        return [(f"{cid}:{m['id']}", m["content"]) for m in sorted(self.fake.messages.values(),
                                                                   key=lambda m: int(m["id"]))
                if m["channel_id"] == cid]

    async def settle(self) -> None:
        await self.runtime.settle()


@asynccontextmanager
async def discord_platform(tmp_path: Path, db: Database) -> AsyncIterator[Discord]:
    fake = FakeDiscord(members={"fay": DISCORD_USERS["fay"]}, channels=DISCORD_CHANNELS)
    await fake.start()
    try:
        async with running_bot(fake, db, community_yaml(), clock=ManualClock(PLATFORM_START)) as bot:
            yield Discord("discord", fake, bot)
    finally:
        await fake.stop()


PLATFORMS = {"console": console_platform, "slack": slack_platform, "discord": discord_platform}
