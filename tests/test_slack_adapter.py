"""The Slack adapter end to end: signed requests into the real Bolt app, a real Runtime, a fake Slack API."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import FACILITATOR, MEMBER, PROMPTS_CHANNEL, TEAM, slack_world


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
        assert TEAM  # member keys carry the team: slack:T0001:UANA
