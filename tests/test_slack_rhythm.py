"""On Slack: a member's time zone comes from users.info, their DMs wait for their morning, and `/cop dm off`
turns the optional ones down; through signed requests into the real Bolt app and the fake Slack Web API."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import ManualClock
from storage import queries
from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import CONFIG, MEMBER, TEAM, slack_world
from tests.rhythm_helpers import Notices

WINDOW_CONFIG = CONFIG.replace("    per_second: 0", '    per_second: 0\n    local_window:\n      hours: "09:00-18:00"')


class WednesdayNotices(Notices):
    cron = "5 11 * * wed"  # 10:05 UTC on the pinned Wednesday: 07:05 in Sao Paulo


async def test_a_dm_waits_for_the_members_morning_in_the_zone_slack_gives(tmp_path: Path) -> None:
    async with slack_world(tmp_path, config=WINDOW_CONFIG, rituals=[WednesdayNotices]) as world:
        clock = world.runtime.clock
        assert isinstance(clock, ManualClock)
        joined = fixture("member_joined_channel")
        joined["event"]["user"] = MEMBER  # the fake's users.info says America/Sao_Paulo
        joined["event_time"] = int(clock.now().timestamp())
        assert (await world.sender.event(joined)).status == 200
        async with asyncio.timeout(5):
            await world.adapter.processed(1)
        with world.db.session() as tx:
            ana = queries.member(tx, world.community, f"slack:{TEAM}:{MEMBER}")
        assert ana is not None and ana.tz == "America/Sao_Paulo"
        answer = await world.sender.command("dm off", user_id=MEMBER)
        assert "no more optional DMs" in answer.json()["text"]

        clock.advance(timedelta(minutes=6))
        world.runtime.tick()
        await world.runtime.outbox.drain()
        assert [m.text for m in world.fake.messages["C0COMMUNITY"] if m.text.startswith("news")]  # the post: now
        assert world.fake.calls_to("conversations.open") == []  # 07:06 in Sao Paulo: the DM waits

        clock.set(datetime(2027, 1, 6, 11, 59, tzinfo=UTC))
        await world.runtime.outbox.drain()
        assert world.fake.calls_to("conversations.open") == []
        clock.set(datetime(2027, 1, 6, 12, 0, tzinfo=UTC))  # 09:00 in Sao Paulo
        async with asyncio.timeout(5):
            await world.runtime.outbox.drain()
        [opened] = world.fake.calls_to("conversations.open")
        assert opened.body["users"] == MEMBER
        dms = [c.body["text"] for c in world.fake.calls_to("chat.postMessage") if c.body["channel"].startswith("D")]
        assert dms == ["essential 2027-01-06T10:05:00+00:00"]  # the optional tip was turned down


NUDGES = """
  nudges:
    quiet_weeks: 4
"""


async def test_a_facilitator_nudges_a_member_quiet_for_six_weeks_by_slack_dm(tmp_path: Path) -> None:
    async with slack_world(tmp_path, config=CONFIG + NUDGES) as world:
        clock = world.runtime.clock
        join = fixture("team_join")
        join["event_time"] = int((clock.now() - timedelta(weeks=6)).timestamp())  # six weeks ago, not a word since
        assert (await world.sender.event(join)).status == 200
        async with asyncio.timeout(5):
            await world.adapter.processed(1)
        refused = await world.sender.command("nudge now", user_id=MEMBER)
        assert "Only facilitators" in refused.json()["text"]
        answer = await world.sender.command("nudge now", user_id="UFAC")
        assert answer.json()["text"].startswith("Nudging 1 quiet member")
        async with asyncio.timeout(5):
            await world.all_sent()
        [opened] = world.fake.calls_to("conversations.open")
        assert opened.body["users"] == "U0NEWBIE"
        [dm] = [c.body["text"] for c in world.fake.calls_to("chat.postMessage") if c.body["channel"].startswith("D")]
        assert dm.startswith("Hi ana! We have missed you in Slack Guild")
        status = await world.sender.command("nudge status", user_id="UFAC")
        assert "ana, nudged" in status.json()["text"]
