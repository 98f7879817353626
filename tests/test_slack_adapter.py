"""The Slack adapter end to end: signed requests into the real Bolt app, a real Runtime, a fake Slack API."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bot.actions import DirectMessage, Post
from bot.outbox import write_plan
from bot.ritual import Planned
from storage import prompts as prompt_store
from storage import queries
from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import (
    COMMUNITY_CHANNEL,
    FACILITATOR,
    MEMBER,
    PROMPTS_CHANNEL,
    TEAM,
    SlackWorld,
    slack_world,
)


async def test_a_facilitator_posts_the_prompt_and_a_reaction_retried_three_times_counts_once(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as world:
        answer = await world.sender.command("prompt now", user_id=FACILITATOR)
        assert answer.status == 200
        assert answer.json()["text"] == "Posting the next question now."
        assert answer.json()["response_type"] == "ephemeral"
        async with asyncio.timeout(5):
            await world.all_sent()
        [prompt] = world.fake.messages[PROMPTS_CHANNEL]
        assert "What did you automate this week?" in prompt.text
        assert prompt.metadata is not None and prompt.metadata["event_type"] == "copbot_delivery"

        reaction = fixture("reaction_added")
        reaction["event"]["user"] = MEMBER
        reaction["event"]["item"] = {"type": "message", "channel": PROMPTS_CHANNEL, "ts": prompt.ts}
        before = world.adapter.processed_count
        for retry in (None, 1, 2, 3):
            assert (await world.sender.event(reaction, retry_num=retry)).status == 200
        async with asyncio.timeout(5):
            await world.adapter.processed(before + 4)
        assert await world.participation_count() == 1


async def test_forged_or_stale_requests_are_refused_and_store_nothing(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as world:
        join = fixture("team_join")
        body = json.dumps(join)
        forged = body.replace("Ana Lima", "Mallory")
        refused = [
            await world.sender.post(body, "application/json", tamper=forged),
            await world.sender.post(body, "application/json", signature="v0=" + "0" * 64),
            await world.sender.post(body, "application/json", age=301),
        ]
        assert [a.status for a in refused] == [401, 401, 401]
        assert world.adapter.processed_count == 0
        assert members(world) == []

        accepted = await world.sender.post(body, "application/json", age=299)
        assert accepted.status == 200
        async with asyncio.timeout(5):
            await world.adapter.processed(1)
        assert members(world) == [("slack:T0001:U0NEWBIE", "ana", "America/Sao_Paulo")]


async def test_a_member_cannot_run_a_facilitator_command(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as world:
        answer = await world.sender.command("prompt now", user_id=MEMBER)
        assert answer.status == 200
        assert answer.json() == {
            "text": "Only facilitators can run `/cop prompt now`. Ask a facilitator if you need it.",
            "response_type": "ephemeral",
        }
        await world.runtime.settle()
        assert world.deliveries() == []
        assert world.fake.calls_to("chat.postMessage") == []
        with world.db.session() as tx:
            assert list(prompt_store.asked_prompts(tx, world.community)) == []


async def test_a_429_in_a_burst_is_waited_out_and_all_twenty_arrive_once_in_order(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as world:
        world.fake.rate_limit("chat.postMessage", nth=5, retry_after=2)
        planned = [Planned(Post(text=f"announcement {i}", channel="community")) for i in range(1, 21)]
        with world.db.session() as tx:
            write_plan(tx, world.community, "bench", "burst", planned, world.runtime.clock.now())
            tx.commit()
        world.runtime.outbox.wake()
        async with asyncio.timeout(15):
            await world.all_sent()
        texts = [m.text for m in world.fake.messages[COMMUNITY_CHANNEL]]
        assert texts == [f"announcement {i}" for i in range(1, 21)]
        calls = world.fake.calls_to("chat.postMessage")
        assert [c.status for c in calls].count(429) == 1
        assert calls[4].status == 429 and calls[5].body["text"] == "announcement 5"
        assert calls[5].at - calls[4].at >= 2.0
        delivery_ids = [c.body["metadata"]["event_payload"]["delivery_id"] for c in calls if c.status == 200]
        assert len(delivery_ids) == len(set(delivery_ids)) == 20


async def test_member_text_with_everyone_is_posted_without_the_ping(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as world:
        added = await world.sender.command('prompt add "<!everyone> <!here> <!subteam^S123> @channel what broke?"',
                                           user_id=FACILITATOR)
        assert added.json()["text"].startswith("Queued.")
        await world.sender.command("prompt now", user_id=FACILITATOR)
        async with asyncio.timeout(5):
            await world.all_sent()
        [call] = world.fake.calls_to("chat.postMessage")
        sent = json.dumps(call.body)
        for ping in ("<!everyone>", "<!here>", "<!subteam^S123>", "<!channel>", "@channel"):
            assert ping not in sent
        # Slack's <!everyone> markup was decoded on the way in (the question reads "@everyone ..." as the member
        # saw it) and is inert on the way out: the word is broken by a zero-width joiner.
        assert call.body["text"].splitlines()[1] == "@\u200deveryone @\u200dhere @group @\u200dchannel what broke?"
        assert call.body["blocks"][0]["text"]["text"] == call.body["text"]


async def test_after_a_crash_a_delivery_that_went_out_is_found_by_metadata_and_not_sent_again(
    tmp_path: Path,
) -> None:
    async with slack_world(tmp_path) as world:
        action = Post(text="Pairing week starts now", channel="community")
        with world.db.session() as tx:
            write_plan(tx, world.community, "pairing", "crash", [Planned(action)], world.runtime.clock.now())
            [delivery] = [d.id for d in queries.deliveries(tx, world.community)]
            queries.mark_sending(tx, delivery)  # the sender took it...
            tx.commit()
        ref = await world.adapter.perform(action, delivery)  # ...Slack got it, then the process died
        await world.runtime.settle()
        assert len(world.fake.calls_to("chat.postMessage")) == 1
        [history] = world.fake.calls_to("conversations.history")
        assert history.body["include_all_metadata"] in ("1", "true", True)
        with world.db.session() as tx:
            row = queries.delivery(tx, delivery)
            assert row is not None and row.status == "sent" and row.platform_ref == ref


async def test_after_a_crash_a_delivery_that_never_went_out_is_sent_once(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as world:
        action = DirectMessage(text="Welcome!", member=f"slack:{TEAM}:{MEMBER}")
        with world.db.session() as tx:
            write_plan(tx, world.community, "onboarding", "crash", [Planned(action)], world.runtime.clock.now())
            [delivery] = [d.id for d in queries.deliveries(tx, world.community)]
            queries.mark_sending(tx, delivery)
            tx.commit()
        await world.runtime.settle()
        [post] = world.fake.calls_to("chat.postMessage")
        assert post.body["metadata"]["event_payload"] == {"delivery_id": delivery}
        assert len(world.fake.calls_to("conversations.history")) == 1


async def test_a_thread_reply_on_the_prompt_counts_as_participation(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as world:
        await world.sender.command("prompt now", user_id=FACILITATOR)
        async with asyncio.timeout(5):
            await world.all_sent()
        [prompt] = world.fake.messages[PROMPTS_CHANNEL]
        reply = fixture("message_thread_reply")
        reply["event"].update(channel=PROMPTS_CHANNEL, user=MEMBER, thread_ts=prompt.ts)
        assert (await world.sender.event(reply)).status == 200
        async with asyncio.timeout(5):
            await world.adapter.processed(2)
        assert await world.participation_count() == 1


def members(world: SlackWorld) -> list[tuple[str, str, str | None]]:
    with world.db.session() as tx:
        return [(m.key, m.name, m.tz) for m in queries.members(tx, world.community)]
