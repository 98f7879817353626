"""A challenge on Slack: signed /cop commands, a "Take part" button and a marked thread reply into the real Bolt
app; the announcement, the ✅ on the entry, the vote buttons and the results as the fake Slack Web API got them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.clock import ManualClock
from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import COMMUNITY_CHANNEL, CONFIG, FACILITATOR, MEMBER, now_ts, slack_world

CHALLENGES = """
  challenges:
    voting_for: 1d
"""


def _click(action_id: str, value: str, user: str, channel: str, ts: str, n: int) -> dict[str, Any]:
    payload = fixture("block_actions")
    payload["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0001"}
    payload["container"] = {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": False}
    payload["actions"][0].update(action_id=action_id, value=value, action_ts=f"1548426417.84018{n}")
    return payload


def _buttons(blocks: list[dict[str, Any]] | None) -> list[tuple[str, str]]:
    return [(e["action_id"], e["value"]) for b in blocks or [] if b["type"] == "actions" for e in b["elements"]]


async def test_a_challenge_on_slack_from_announcement_to_results(tmp_path: Path) -> None:
    async with slack_world(tmp_path, config=CONFIG + CHALLENGES) as world:
        clock = world.runtime.clock
        assert isinstance(clock, ManualClock)
        fake, sender = world.fake, world.sender
        answer = await sender.command('challenge start "Automate one toil" --until 2027-01-08', user_id=FACILITATOR)
        assert "is on" in answer.json()["text"]
        async with asyncio.timeout(5):
            await world.all_sent()
        [announcement] = fake.messages[COMMUNITY_CHANNEL]
        assert "New challenge: Automate one toil" in announcement.text
        [(join, value)] = _buttons(announcement.blocks)
        assert join == "challenges.join"

        processed = world.adapter.processed_count
        await sender.action(_click(join, value, MEMBER, COMMUNITY_CHANNEL, announcement.ts, 1))
        reply = fixture("message_thread_reply")
        reply["event"].update(channel=COMMUNITY_CHANNEL, user=MEMBER, thread_ts=announcement.ts, ts=now_ts(),
                              text="submit: &lt;https://git.test/ana/toil&gt; saves us an hour a week")
        reply["event_id"] = "Ev0ENTRY0001"
        await sender.event(reply)
        async with asyncio.timeout(5):
            await world.adapter.processed(processed + 2)
            await world.all_sent()
        assert "You're in!" in fake.ephemerals[0]["text"]
        [mark] = fake.reactions
        assert (mark["name"], mark["channel"]) == ("white_check_mark", COMMUNITY_CHANNEL)

        clock.advance(timedelta(days=3))  # past the end of 8 January in Berlin
        world.runtime.tick()
        async with asyncio.timeout(5):
            await world.all_sent()
        voting = next(m for m in fake.messages[COMMUNITY_CHANNEL] if "Vote for your favourite" in m.text)
        assert "git.test/ana/toil" in voting.text
        [(vote, entry)] = _buttons(voting.blocks)
        processed = world.adapter.processed_count
        await sender.action(_click(vote, entry, MEMBER, COMMUNITY_CHANNEL, voting.ts, 2))  # her own: refused
        await sender.action(_click(vote, entry, FACILITATOR, COMMUNITY_CHANNEL, voting.ts, 3))
        async with asyncio.timeout(5):
            await world.adapter.processed(processed + 2)
            await world.all_sent()
        answers = {e["user"]: e["text"] for e in fake.ephemerals[1:]}
        assert "your own entry" in answers[MEMBER] and "your vote is in" in answers[FACILITATOR]

        clock.advance(timedelta(days=1, hours=1))
        world.runtime.tick()
        async with asyncio.timeout(5):
            await world.all_sent()
        results = next(m for m in fake.messages[COMMUNITY_CHANNEL] if "Results of Automate one toil" in m.text)
        assert f"🥇 1st <@{MEMBER}>: 1 vote" in results.text
        assert not world.deliveries("failed")
