"""Slack payloads (samples from Slack's docs) become the right neutral events, through the real Bolt app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from adapters.slack.adapter import SlackAdapter
from bot.events import (
    ButtonClicked,
    CommandInvoked,
    Event,
    MemberJoined,
    MemberLeft,
    ReactionRemoved,
    ReplyPosted,
)
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_events import SlackSender, fixture
from tests.fakes.slack_harness import BOT_TOKEN, COMMUNITY_CHANNEL, FAST, SIGNING_SECRET, TEAM


@dataclass
class Recorder:
    """A sink that keeps every event; a command's answer can be held back to test the slow path."""

    events: list[Event] = field(default_factory=list)
    answer: str = "ok"
    release: asyncio.Event | None = None

    async def __call__(self, event: Event) -> str | None:
        self.events.append(event)
        if isinstance(event, CommandInvoked):
            if self.release is not None:
                await self.release.wait()
            return self.answer
        return None


@asynccontextmanager
async def bolt(command_timeout: float = 2.0) -> AsyncIterator[tuple[FakeSlack, SlackAdapter, SlackSender, Recorder]]:
    fake = FakeSlack(team_id=TEAM)
    fake.add_channel(COMMUNITY_CHANNEL, "community")
    fake.add_channel("C0OTHER", "random")
    fake.add_user("W123ABC456", "Wen", "Asia/Shanghai")
    await fake.start()
    adapter = SlackAdapter(token=BOT_TOKEN, signing_secret=SIGNING_SECRET, base_url=fake.api_url, host="127.0.0.1",
                           port=0, pacing=FAST, community_channel="#community", command_timeout=command_timeout)
    recorder = Recorder()
    await adapter.start(recorder)
    sender = SlackSender(adapter.url, SIGNING_SECRET)
    try:
        yield fake, adapter, sender, recorder
    finally:
        await sender.close()
        await adapter.stop()
        await fake.stop()


async def test_joining_the_community_channel_is_a_join_with_the_time_zone_from_users_info() -> None:
    async with bolt() as (fake, adapter, sender, recorder):
        elsewhere = fixture("member_joined_channel")
        elsewhere["event"]["channel"] = "C0OTHER"
        elsewhere["event_id"] = "Ev0ELSEWHERE"
        assert (await sender.event(elsewhere)).status == 200
        assert (await sender.event(fixture("member_joined_channel"))).status == 200
        async with asyncio.timeout(5):
            await adapter.processed(2)
        [joined] = recorder.events
        assert isinstance(joined, MemberJoined)
        assert (joined.platform, joined.event_id, joined.member, joined.name, joined.tz) == (
            "slack", "Ev0MEMBERJOIN", "slack:T0001:W123ABC456", "Wen", "Asia/Shanghai"
        )
        assert [c.body["user"] for c in fake.calls_to("users.info")] == ["W123ABC456"]
        assert len(fake.calls_to("conversations.list")) == 1  # the channel name is resolved once


async def test_leaving_the_community_channel_is_a_leave() -> None:
    async with bolt() as (_fake, adapter, sender, recorder):
        await sender.event(fixture("member_left_channel"))
        async with asyncio.timeout(5):
            await adapter.processed(1)
        assert recorder.events == [
            MemberLeft(platform="slack", event_id="Ev0MEMBERLEFT", member="slack:T0001:W123ABC456",
                       at=recorder.events[0].at)
        ]


async def test_reaction_removed_and_thread_reply_carry_channel_and_ts_refs() -> None:
    async with bolt() as (_fake, adapter, sender, recorder):
        removed = fixture("reaction_added")
        removed["event"]["type"] = "reaction_removed"
        await sender.event(removed)
        await sender.event(fixture("message_thread_reply"))
        own = fixture("message_thread_reply")
        own["event"].update(user="UBOT", bot_id="BBOT")
        own["event_id"] = "Ev0OWNREPLY"
        await sender.event(own)  # the bot's own messages are not participation
        async with asyncio.timeout(5):
            await adapter.processed(2)
        by_type = {type(e): e for e in recorder.events}
        reaction = by_type[ReactionRemoved]
        assert isinstance(reaction, ReactionRemoved)
        assert (reaction.message_ref, reaction.emoji) == ("C123ABC456:1360782400.498405", "thumbsup")
        reply = by_type[ReplyPosted]
        assert isinstance(reply, ReplyPosted)
        assert reply.thread_ref == "C123ABC456:1482960000.000200"
        assert reply.message_ref == "C123ABC456:1482960137.003543"
        assert len(recorder.events) == 2


async def test_a_button_click_is_acked_and_becomes_button_clicked() -> None:
    async with bolt() as (_fake, adapter, sender, recorder):
        answer = await sender.action(fixture("block_actions"))
        assert answer.status == 200
        async with asyncio.timeout(5):
            await adapter.processed(1)
        [click] = recorder.events
        assert isinstance(click, ButtonClicked)
        assert (click.member, click.action_id, click.value, click.message_ref) == (
            "slack:T0001:U123ABC456", "onboarding:ack_rules", "rules-v1", "C123ABC456:1548261231.000200"
        )


async def test_a_slow_command_is_acked_at_once_and_answered_through_response_url() -> None:
    async with bolt(command_timeout=0.05) as (fake, _adapter, sender, recorder):
        recorder.release = asyncio.Event()
        recorder.answer = "Here are the <!channel> stats"
        answer = await sender.command("stats", user_id="UANA", response_url=fake.response_url())
        assert answer.json() == {"text": "Working on it…", "response_type": "ephemeral"}
        recorder.release.set()
        async with asyncio.timeout(5):
            await fake.until(lambda: bool(fake.responses))
        [response] = fake.responses
        assert response["response_type"] == "ephemeral"
        assert response["text"] == "Here are the &lt;!channel&gt; stats"
        [command] = recorder.events
        assert isinstance(command, CommandInvoked)
        assert command.member == "slack:T0001:UANA" and command.text == "stats"
