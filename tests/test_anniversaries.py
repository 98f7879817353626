"""Anniversaries: Ana joined on 4 January 2026; on 4 January 2027 the channel cheers her first year, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import MemberJoined
from bot.runtime import Runtime
from copbot.registry import RITUALS
from rituals.anniversaries.decisions import Anniversary, anniversaries, anniversary_in, cheer
from storage.db import Database
from tests.conftest import COMMUNITY_YAML, make_config, posts

CONFIG = COMMUNITY_YAML + """
  anniversaries:
    schedule:
      cron: "0 9 * * *"
"""


def test_whose_day_it_is() -> None:
    joined = [("ana", date(2026, 1, 4)), ("ben", date(2024, 1, 4)), ("cy", date(2027, 1, 4)), ("di", date(2025, 3, 1))]
    assert anniversaries(joined, date(2027, 1, 4)) == [Anniversary("ben", 3), Anniversary("ana", 1)]
    assert anniversaries(joined, date(2027, 1, 5)) == []


def test_a_leap_day_join_comes_round_on_the_28th_in_other_years() -> None:
    assert anniversary_in(2027, date(2024, 2, 29)) == date(2027, 2, 28)
    assert anniversary_in(2028, date(2024, 2, 29)) == date(2028, 2, 29)
    assert anniversaries([("eve", date(2024, 2, 29))], date(2027, 2, 28)) == [Anniversary("eve", 3)]


def test_the_cheer_names_everyone_with_their_years() -> None:
    text = cheer([("@ben", 3), ("@ana", 1)])
    assert "@ben: 3 years in the community today!" in text and "@ana: 1 year in the community today!" in text


async def test_ana_s_first_year_is_cheered_once_in_the_morning(db: Database) -> None:
    clock = ManualClock(datetime(2027, 1, 4, 6, 0, tzinfo=UTC))  # 07:00 in Berlin
    adapter = ConsoleAdapter()
    runtime = Runtime(make_config(CONFIG), db, adapter, clock, RITUALS)
    await runtime.start(background=False)
    await runtime.handle_event(MemberJoined(platform="console", event_id="j1", member="console:ana",
                                            at=datetime(2026, 1, 4, 12, 0, tzinfo=UTC), name="ana"))
    await runtime.handle_event(MemberJoined(platform="console", event_id="j2", member="console:ben",
                                            at=datetime(2026, 6, 1, 12, 0, tzinfo=UTC), name="ben"))
    for _ in range(30):  # through the day, an hour at a time: the 09:00 slot runs once
        clock.advance(timedelta(hours=1))
        runtime.tick()
        await runtime.settle()
    await runtime.stop()
    cheers = [p for p in posts(adapter, "guild") if "Community anniversaries" in p]
    assert len(cheers) == 1
    assert "@ana: 1 year in the community today!" in cheers[0] and "ben" not in cheers[0]
