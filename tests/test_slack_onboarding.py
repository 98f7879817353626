"""Ana joins the Slack workspace; the onboarding ritual welcomes her by DM, with her own name filled in."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock
from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import CONFIG, slack_world

ONBOARDING = """
  onboarding:
    steps:
      - key: welcome
        day: 0
        time: "00:00"
        text: "Welcome to the {community}, {name}! Your buddy is {buddy}."
      - key: checkin
        day: 7
        time: "10:00"
        text: "A week in, {name}: how is it going?"
"""


async def test_team_join_sends_a_welcome_dm_through_conversations_open(tmp_path: Path) -> None:
    async with slack_world(tmp_path, config=CONFIG + ONBOARDING) as world:
        clock = world.runtime.clock
        assert isinstance(clock, ManualClock)
        join = fixture("team_join")
        join["event_time"] = int(clock.now().timestamp()) + 1  # she joins just after the bot was installed
        clock.advance(timedelta(seconds=2))
        for retry in (None, 1):  # Slack's retry of the same join must not welcome her twice
            assert (await world.sender.event(join, retry_num=retry)).status == 200
        async with asyncio.timeout(5):
            await world.adapter.processed(2)
            await world.all_sent()
        [opened] = world.fake.calls_to("conversations.open")
        assert opened.body["users"] == "U0NEWBIE"
        posts = world.fake.calls_to("chat.postMessage")
        assert len(posts) == 1, [p.body["text"] for p in posts]
        [welcome] = posts
        assert welcome.body["channel"].startswith("D")
        assert welcome.body["text"].startswith("Welcome to the Slack Guild, ana!")
        assert "{" not in welcome.body["text"]
        with world.db.session() as tx:
            from storage import queries

            member = queries.member(tx, world.community, "slack:T0001:U0NEWBIE")
        assert member is not None and member.tz == "America/Sao_Paulo"


async def test_a_join_in_the_very_second_of_the_install_is_welcomed(tmp_path: Path) -> None:
    """Slack's event_time has whole seconds: the bot installed at 10:00:00.400 and Ana joining at 10:00:00 (as
    Slack stamps it) joined after the install, not before."""
    from tests.fakes.pinned_clock import PLATFORM_START

    installed = PLATFORM_START + timedelta(milliseconds=400)
    async with slack_world(tmp_path, config=CONFIG + ONBOARDING, start=installed) as world:
        join = fixture("team_join")
        join["event_time"] = int(installed.timestamp())  # 10:00:00, the install's own second
        assert (await world.sender.event(join)).status == 200
        async with asyncio.timeout(5):
            await world.adapter.processed(1)
            await world.all_sent()
        [welcome] = world.fake.calls_to("chat.postMessage")
        assert welcome.body["text"].startswith("Welcome to the Slack Guild, ana!")
