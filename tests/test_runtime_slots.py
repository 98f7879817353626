"""A ritual slot runs exactly once: across concurrent claimers, restarts and downtime."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.runtime import Runtime
from config.models import CommunityConfig
from copbot.registry import RITUALS
from storage import queries
from storage.db import Database, open_database
from tests.conftest import START, posts


def _runs(db: Database, community: str) -> list[tuple[str, str]]:
    with db.session() as tx:
        return [(r.status, r.slot.isoformat()) for r in queries.runs(tx, community, "prompts")]


async def test_the_weekly_prompt_goes_out_once_at_its_slot(runtime: Runtime, adapter: ConsoleAdapter,
                                                           clock: ManualClock) -> None:
    runtime.tick()
    await runtime.settle()
    assert posts(adapter) == []  # 08:00 Berlin: not yet
    clock.advance(timedelta(hours=2, minutes=1))
    runtime.tick()
    runtime.tick()  # a second tick (a retry, a second timer) finds the slot taken
    await runtime.settle()
    assert len(posts(adapter, "guild-weekly")) == 1
    assert "What did you automate this week?" in posts(adapter)[0]


async def test_two_concurrent_claimers_of_one_slot_make_one_post(config: CommunityConfig, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    open_database(url).dispose()  # migrate once
    clock = ManualClock(START)
    replicas = []
    for _ in range(2):
        db = open_database(url)  # each replica has its own engine and connections
        bot = Runtime(config, db, ConsoleAdapter(), clock, RITUALS)
        bot.install()
        replicas.append(bot)
    clock.advance(timedelta(hours=3))  # the 10:00 Monday slot is now due for both
    barrier = threading.Barrier(len(replicas) * 4)
    outcomes: list[object] = []
    errors: list[BaseException] = []

    def fire(bot: Runtime) -> None:
        barrier.wait()
        try:
            outcomes.extend(o for o in bot.tick() if o.ran)
        except BaseException as exc:  # surfaced below: a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=fire, args=(bot,)) for bot in replicas for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(outcomes) == 1
    with replicas[0].db.session() as tx:
        assert len(queries.deliveries(tx, config.community.id)) == 1
        assert [r.status for r in queries.runs(tx, config.community.id, "prompts")] == ["done"]
    for bot in replicas:
        bot.db.dispose()


async def test_three_missed_weekly_slots_within_grace_give_one_post(runtime: Runtime, adapter: ConsoleAdapter,
                                                                    clock: ManualClock, db: Database) -> None:
    # The bot was down for three Mondays; grace is 21 days in this community.
    clock.advance(timedelta(weeks=2, days=1))
    runtime.tick()
    await runtime.settle()
    assert len(posts(adapter)) == 1
    statuses = sorted(status for status, _ in _runs(db, "test-guild"))
    assert statuses == ["coalesced", "coalesced", "done"]


async def test_slots_missed_past_grace_are_recorded_as_skipped_and_never_posted(
    config: CommunityConfig, db: Database, clock: ManualClock
) -> None:
    strict = config.model_copy(update={"rituals": config.rituals.model_copy(update={
        "prompts": config.rituals.prompts.model_copy(update={  # type: ignore[union-attr]
            "schedule": config.rituals.prompts.schedule.model_copy(update={"grace": timedelta(hours=36)})})})})  # type: ignore[union-attr]
    adapter = ConsoleAdapter()
    bot = Runtime(strict, db, adapter, clock, RITUALS)
    await bot.start(background=False)
    clock.advance(timedelta(weeks=2, days=4))  # Mondays 4th, 11th and 18th all more than 36 h ago
    bot.tick()
    await bot.settle()
    assert posts(adapter) == []
    assert [status for status, _ in _runs(db, "test-guild")] == ["skipped", "skipped", "skipped"]
    await bot.stop()


async def test_a_restart_does_not_repeat_a_slot_that_already_ran(config: CommunityConfig, db: Database,
                                                                clock: ManualClock) -> None:
    first = ConsoleAdapter()
    bot = Runtime(config, db, first, clock, RITUALS)
    await bot.start(background=False)
    clock.advance(timedelta(hours=3))
    bot.tick()
    await bot.settle()
    await bot.stop()
    second = ConsoleAdapter()
    again = Runtime(config, db, second, clock, RITUALS)
    await again.start(background=False)  # start() ticks: catch-up must find nothing new
    await again.settle()
    assert len(posts(first)) == 1
    assert posts(second) == []
    await again.stop()


async def test_slots_from_before_the_bot_was_installed_are_never_caught_up(
    config: CommunityConfig, db: Database
) -> None:
    clock = ManualClock(START + timedelta(days=1))  # installed on Tuesday, after Monday's slot
    adapter = ConsoleAdapter()
    bot = Runtime(config, db, adapter, clock, RITUALS)
    await bot.start(background=False)
    await bot.settle()
    assert posts(adapter) == []
    assert _runs(db, "test-guild") == []
    await bot.stop()


def _half_hourly_at_two(config: CommunityConfig) -> CommunityConfig:
    from tests.conftest import COMMUNITY_YAML, make_config

    assert "0 10 * * mon" in COMMUNITY_YAML
    return make_config(COMMUNITY_YAML.replace("0 10 * * mon", "*/30 2 * * *"))


async def _run_the_night(config: CommunityConfig, db: Database, night_utc: tuple[int, int, int]) -> list[str]:
    """Tick every minute from 20:00 UTC the evening before to 06:00 UTC (as the live safety tick does)."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    year, month, day = night_utc
    clock = ManualClock(datetime(year, month, day - 1, 20, tzinfo=UTC))
    bot = Runtime(_half_hourly_at_two(config), db, ConsoleAdapter(), clock, RITUALS)
    bot.install()
    ran = []
    while clock.now() < datetime(year, month, day, 6, tzinfo=UTC):
        clock.advance(timedelta(minutes=1))
        ran += [o.ran for o in bot.tick("prompts") if o.ran]
    return [r.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M %Z") for r in ran if r is not None]


async def test_a_half_hourly_slot_at_two_runs_twice_on_the_autumn_night_not_four_times(
    config: CommunityConfig, db: Database
) -> None:
    assert await _run_the_night(config, db, (2027, 10, 31)) == ["02:00 CEST", "02:30 CEST"]


async def test_a_half_hourly_slot_at_two_runs_twice_on_the_spring_night_too(config: CommunityConfig,
                                                                           db: Database) -> None:
    assert await _run_the_night(config, db, (2027, 3, 28)) == ["03:00 CEST", "03:30 CEST"]
