"""Pulse polls on the real runtime: Fay asks, members click, Ben changes his mind, the poll closes on time.

Dana is the admin, Fay a facilitator, Ana and Ben members. The community's clock starts on Monday 4 Jan 2027.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.console.adapter import ConsoleAdapter, Message
from bot.clock import ManualClock
from bot.events import ButtonClicked, CommandInvoked, MemberJoined, ReplyPosted
from bot.runtime import Runtime
from config.models import CommunityConfig
from copbot.registry import RITUALS
from rituals.health.ritual import health_snapshot
from storage import polls as store
from storage.db import Database
from tests.conftest import make_config

YAML = """\
community:
  id: test-guild
  name: Test Guild
  timezone: UTC
  channels:
    general: guild
    facilitators: guild-facilitators
roles:
  admins: [console:dana]
  facilitators: [console:fay]
rituals:
  polls:
    open_for: 2d
    pulse:
      schedule:
        cron: "0 10 1 1,4,7,10 *"
      open_for: 7d
  health: {}
"""

START = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)


@pytest.fixture
def config() -> CommunityConfig:
    return make_config(YAML)


class Guild:
    """Small verbs: say a command, click a button, reply in a thread, let time pass."""

    def __init__(self, runtime: Runtime, clock: ManualClock, adapter: ConsoleAdapter) -> None:
        self.runtime, self.clock, self.adapter, self.n = runtime, clock, adapter, 0

    def _id(self) -> str:
        self.n += 1
        return f"e{self.n}"

    async def join(self, *names: str) -> None:
        for name in names:
            await self.runtime.handle_event(MemberJoined(platform="console", event_id=self._id(),
                                                         member=f"console:{name}", at=self.clock.now(),
                                                         name=name.title()))
        await self.runtime.settle()

    async def say(self, who: str, text: str) -> str:
        answer = await self.runtime.handle_event(CommandInvoked(platform="console", event_id=self._id(),
                                                                member=f"console:{who}", at=self.clock.now(),
                                                                text=text))
        await self.runtime.settle()
        assert answer is not None
        return answer

    def poll_message(self) -> Message:
        return [m for m in self.adapter.transcript if m.author == "copbot" and m.buttons][-1]

    async def click(self, who: str, option: int, *, value: bool = True) -> None:
        message = self.poll_message()
        with self.runtime.db.session() as tx:
            row = store.poll_by_message(tx, "test-guild", message.ref)
            assert row is not None
        await self.runtime.handle_event(ButtonClicked(platform="console", event_id=self._id(),
                                                      member=f"console:{who}", at=self.clock.now(),
                                                      action_id=f"poll.vote.{option}",
                                                      value=f"{row.id}:{option}" if value else "",
                                                      message_ref=message.ref))
        await self.runtime.settle()

    async def reply(self, who: str, text: str) -> None:
        message = self.poll_message()
        await self.runtime.handle_event(ReplyPosted(platform="console", event_id=self._id(),
                                                    member=f"console:{who}", at=self.clock.now(), channel="guild",
                                                    thread_ref=message.ref, message_ref=f"r{self.n}", text=text))
        await self.runtime.settle()

    async def until(self, when: datetime) -> None:
        while self.clock.now() < when:
            self.clock.set(min(when, self.clock.now() + timedelta(hours=1)))
            self.runtime.tick()
            await self.runtime.settle()

    def seen_by(self, who: str) -> list[str]:
        return [m.text for m in self.adapter.transcript if m.where == f"only @{who}"]

    def thread(self, ref: str) -> list[str]:
        return [m.text for m in self.adapter.transcript if m.thread_of == ref and m.author == "copbot"]


@pytest.fixture
async def guild(db: Database, adapter: ConsoleAdapter, config: CommunityConfig) -> Guild:
    clock = ManualClock(START)
    runtime = Runtime(config, db, adapter, clock, RITUALS)
    await runtime.start(background=False)
    community = Guild(runtime, clock, adapter)
    await community.join("ana", "ben", "dana", "fay")
    yield community  # type: ignore[misc]
    await runtime.stop()


async def test_a_second_vote_replaces_the_first(guild: Guild) -> None:
    answer = await guild.say("fay", 'poll "Which day suits the meetup?" Tuesday Wednesday Thursday')
    assert "Poll 1 is posted in #guild" in answer and "2 days" in answer
    poll = guild.poll_message()
    assert poll.where == "#guild" and "Which day suits the meetup?" in poll.text
    assert poll.buttons == ["Tuesday [poll.vote.0]", "Wednesday [poll.vote.1]", "Thursday [poll.vote.2]"]
    await guild.click("ana", 1)
    await guild.click("ben", 0)
    await guild.click("ben", 2)  # Ben changes his mind
    assert guild.seen_by("ben")[-1].startswith("Your vote is changed: Thursday")
    with guild.runtime.db.session() as tx:
        rows = store.responses(tx, 1)
        assert sorted((r.member, r.choice) for r in rows) == [("console:ana", 1), ("console:ben", 2)]
    peek = await guild.say("fay", "poll results 1")
    assert peek.startswith("*So far (still open):") and "Thursday: 1 (50%)" in peek
    assert "Only facilitators" in await guild.say("ana", "poll results 1")
    assert guild.thread(poll.ref) == []  # nothing public before it closes
    await guild.until(START + timedelta(days=2, hours=1))
    results = guild.thread(poll.ref)
    assert len(results) == 1
    assert "Tuesday: 0 (0%)" in results[0] and "Wednesday: 1 (50%)" in results[0]
    assert "Thursday: 1 (50%)" in results[0] and "2 votes" in results[0]
    assert "Ana" not in results[0] and "Ben" not in results[0]  # anonymous by default
    await guild.click("ana", 0)
    assert guild.seen_by("ana")[-1].startswith("This poll has closed")


async def test_a_console_click_without_a_value_finds_the_poll_by_its_message(guild: Guild) -> None:
    await guild.say("fay", 'poll "Tea or coffee?" tea coffee')
    await guild.click("ana", 1, value=False)
    with guild.runtime.db.session() as tx:
        assert [(r.member, r.choice) for r in store.responses(tx, 1)] == [("console:ana", 1)]


async def test_only_facilitators_open_polls_and_malformed_ones_get_usage(guild: Guild) -> None:
    assert "Only facilitators" in await guild.say("ana", 'poll "Tea or coffee?" tea coffee')
    answer = await guild.say("fay", 'poll "Tea or coffee?" tea')
    assert "at least two options" in answer and 'e.g. `/cop poll "' in answer
    assert "quote is not closed" in await guild.say("fay", 'poll "Tea or coffee? tea coffee')
    assert [m for m in guild.adapter.transcript if m.buttons] == []


async def test_named_poll_closed_by_hand_with_open_answers(guild: Guild) -> None:
    await guild.say("fay", 'poll "Best session?" demo talk --named --ask "What should we repeat?"')
    poll = guild.poll_message()
    assert "Results will show who chose what" in poll.text and "Answer in this thread" in poll.text
    await guild.click("ana", 0)
    await guild.reply("ana", "The live demo, please")
    assert "your answer is in" in await guild.say("ben", 'poll answer 1 "More Q&A time"')
    assert "answer is updated" in await guild.say("ben", 'poll answer "More Q&A, less slides"')
    assert "Only facilitators" in await guild.say("ben", "poll close 1")
    assert "closed" in await guild.say("fay", "poll close 1")
    results = guild.thread(poll.ref)[0]
    assert "Who chose what: Ana: demo" in results
    assert "The live demo, please" in results and "More Q&A, less slides" in results
    assert "More Q&A time" not in results  # replaced
    assert "already closed" in await guild.say("fay", "poll close 1")
    assert "no poll 7" in await guild.say("fay", "poll close 7")


async def test_the_quarterly_pulse_survey_opens_closes_and_feeds_the_health_report(
    guild: Guild, config: CommunityConfig
) -> None:
    await guild.until(datetime(2027, 4, 1, 10, 30, tzinfo=UTC))
    pulse = guild.poll_message()
    assert "How valuable was this community to you this quarter?" in pulse.text
    assert [b.split(" [")[0] for b in pulse.buttons] == ["1", "2", "3", "4", "5"]
    await guild.click("ana", 4)
    await guild.click("ben", 2)
    await guild.reply("ben", "More hands-on sessions")
    await guild.until(datetime(2027, 4, 8, 11, 0, tzinfo=UTC))
    results = guild.thread(pulse.ref)[0]
    assert "average 4.0" in results and "More hands-on sessions" in results
    snapshot = health_snapshot(guild.runtime.db, config, guild.clock.now())
    assert [(p.question, p.average, p.responses) for p in snapshot.polls] == [
        ("How valuable was this community to you this quarter?", 4.0, 2)
    ]
