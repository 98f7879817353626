"""Frequent checks sleep on their ritual's "nothing to do before" hint, and that changes nothing members see.

The onboarding, rota and "did you meet?" checks fire every 15 minutes or every hour; with hints most of
those slots cost one read. These tests hold the hints to their promise: a simulated quarter with hints
is, message for message, the quarter without them; and anything that could bring work forward (a join,
a click, a command, a new config) makes every check look again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.events import CommandInvoked, MemberJoined
from bot.ritual import Ritual
from bot.runtime import IDLE_HINT_CAP, Runtime
from config.loader import load_config
from config.models import CommunityConfig
from copbot.registry import RITUALS
from copbot.simulate import run_simulation
from storage import queries
from tests.conftest import START

SHIPPED = Path(__file__).resolve().parent.parent / "community.yaml"


def _hints(runtime: Runtime) -> dict[str, str]:
    with runtime.db.session() as tx:
        keys = [spec.name for _, spec in runtime.schedules()]
        found = {k: queries.get_state(tx, runtime.community, queries.IDLE_HINT_PREFIX + k) for k in keys}
    return {k: v for k, v in found.items() if v is not None}


def _asleep(runtime: Runtime) -> dict[str, str]:
    """The checks whose hint still reaches past the runtime's now."""
    now = runtime.clock.now().isoformat()
    return {k: v for k, v in _hints(runtime).items() if v > now}


def _without_slots(summary: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in summary.items() if k != "slots"}


def test_a_simulated_month_with_hints_is_the_month_without_them(monkeypatch: pytest.MonkeyPatch,
                                                                 scenario_start: datetime) -> None:
    config = load_config(SHIPPED)
    hinted = run_simulation(config, weeks=4, members=60, seed=11, console=None, progress=False, start=scenario_start)
    for factory in RITUALS:
        if isinstance(factory, type) and issubclass(factory, Ritual):
            monkeypatch.setattr(factory, "idle_until", Ritual.idle_until)
    plain = run_simulation(config, weeks=4, members=60, seed=11, console=None, progress=False, start=scenario_start)
    assert _without_slots(hinted) == _without_slots(plain)
    # ... and the hints did something: far fewer check slots were run and recorded.
    hinted_slots = hinted["slots"]
    plain_slots = plain["slots"]
    assert isinstance(hinted_slots, dict) and isinstance(plain_slots, dict)
    assert hinted_slots["done"] * 2 < plain_slots["done"]


@pytest.fixture
def shipped() -> CommunityConfig:
    return load_config(SHIPPED)


@pytest.fixture
async def full_runtime(shipped: CommunityConfig, tmp_path: Path) -> Runtime:
    from adapters.console.adapter import ConsoleAdapter
    from storage.db import open_database

    bot = Runtime(shipped, open_database(f"sqlite:///{tmp_path / 'hints.db'}"), ConsoleAdapter(),
                  ManualClock(START), RITUALS)
    await bot.start(background=False)
    return bot


async def test_a_check_that_ran_leaves_a_hint_no_further_away_than_the_cap(full_runtime: Runtime) -> None:
    assert isinstance(full_runtime.clock, ManualClock)
    full_runtime.clock.advance(timedelta(hours=1))
    ran = {o.schedule: o.ran for o in full_runtime.tick() if o.ran}
    hints = _hints(full_runtime)
    assert "onboarding" in ran and "onboarding" in hints
    for name in hints.keys() & ran.keys():
        slot = ran[name]
        assert slot is not None
        until = hints[name]
        assert until >= slot.isoformat()
        assert until <= (slot + IDLE_HINT_CAP).isoformat()


async def test_while_a_hint_holds_the_check_writes_no_slot_rows(full_runtime: Runtime) -> None:
    assert isinstance(full_runtime.clock, ManualClock)
    full_runtime.clock.advance(timedelta(hours=1))
    full_runtime.tick()
    with full_runtime.db.session() as tx:
        before = len(queries.runs(tx, full_runtime.community, "onboarding"))
    full_runtime.clock.advance(timedelta(minutes=15))  # the next check: nobody is mid-sequence
    outcomes = {o.schedule: o for o in full_runtime.tick()}
    assert outcomes["onboarding"].ran is None
    with full_runtime.db.session() as tx:
        assert len(queries.runs(tx, full_runtime.community, "onboarding")) == before


async def test_a_join_wakes_every_check_and_the_newcomer_is_welcomed_on_time(full_runtime: Runtime) -> None:
    clock = full_runtime.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(hours=1))
    full_runtime.tick()
    assert _asleep(full_runtime)
    await full_runtime.handle_event(
        MemberJoined(platform="console", event_id="j-1", member="console:nia", at=clock.now(), name="Nia")
    )
    assert _asleep(full_runtime) == {}  # no check sleeps past the event any more
    await full_runtime.settle()
    dms = [m for m in full_runtime.adapter.transcript if "nia" in m.where]  # type: ignore[attr-defined]
    assert dms, "the welcome DM went out at the join"
    # The very next check runs again (an empty community's hint would have slept for hours), and so
    # do her later steps, on time.
    clock.advance(timedelta(minutes=15))
    assert {o.schedule: o.ran for o in full_runtime.tick()}["onboarding"] is not None
    clock.advance(timedelta(days=2, hours=3))
    full_runtime.tick()
    await full_runtime.settle()
    later = [m for m in full_runtime.adapter.transcript if "nia" in m.where]  # type: ignore[attr-defined]
    assert len(later) > len(dms)


async def test_a_command_and_a_new_config_each_wake_every_check(full_runtime: Runtime, shipped: CommunityConfig
                                                                ) -> None:
    clock = full_runtime.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(hours=1))
    full_runtime.tick()
    assert _asleep(full_runtime)
    await full_runtime.handle_event(
        CommandInvoked(platform="console", event_id="c-1", member="console:someone", at=clock.now(), text="help")
    )
    assert _asleep(full_runtime) == {}  # no check sleeps past the event any more
    clock.advance(timedelta(hours=1))
    full_runtime.tick()
    assert _asleep(full_runtime)
    full_runtime.apply_config(shipped)
    assert _asleep(full_runtime) == {}  # no check sleeps past the event any more
