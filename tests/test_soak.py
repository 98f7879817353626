"""Soak: 100,000 participation events (10% resent, some out of order) while rituals fire and community.yaml
is broken and fixed mid-run. Afterwards every unique event is stored exactly once, nothing was lost across the
refused reload, and the bot's resident memory stayed flat.

Which path the events take, and why: the live bot (``copbot.live.serve``: scheduler, config watcher, outbox) runs
on the console adapter. One event in fifty goes the whole way through ``Runtime.handle_event`` as a reaction or a
thread reply on a posted prompt (the prompts ritual decides it counts and records it). The other 98% enter where
every counted event ends up after dispatch, ``RitualContext.record`` into the participation writer: dispatch is
one database transaction per event by design (the dedupe claim and the rituals' state commit together), which
costs milliseconds each on a shared CI machine, so 100,000 of them would take many minutes; HTTP would add
Bolt's signature checks on top. Duplicates and the Slack/Discord routes are covered per event elsewhere
(test_slack_adapter.py, test_ops_http.py); this test is about volume, memory and reload under load.

Memory is judged against the process's own figure after warm-up (no absolute numbers, no timings).
"""

from __future__ import annotations

import asyncio
import gc
import random
from array import array
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from adapters.console.adapter import ConsoleAdapter
from bot import metrics
from bot.clock import ManualClock
from bot.events import Event, ReactionAdded, ReplyPosted
from bot.runtime import Runtime
from config.loader import load_config
from copbot.live import serve
from copbot.registry import RITUALS
from storage import queries
from storage.db import Database
from tests.conftest import COMMUNITY_YAML, START

EVENTS = 100_000
DUPLICATE_SHARE = 0.10
THROUGH_DISPATCH_EVERY = 50
CHECKPOINT_EVERY = 10_000
BREAK_CONFIG_AT = 40_000
FIX_CONFIG_AT = 70_000
#: Resident memory may grow by at most this share of its own figure after warm-up (SQLite's page cache,
#: allocator slack: +1.5 MiB of ~150 measured here); a leak of 100 bytes per event would add 8 MB and fail.
ALLOWED_GROWTH = 0.05

BROKEN_YAML = COMMUNITY_YAML.replace("  timezone: Europe/Berlin\n", "  timezone: Europe/Berlin\n  tiemzone: UTC\n")
FIXED_YAML = COMMUNITY_YAML.replace("name: Test Guild", "name: Test Guild (after the soak)")


def resident_bytes() -> float:
    gc.collect()
    return metrics.value("process_resident_memory_bytes")


class Producer:
    """The platform's side: unique events, resends of earlier ones, and arrivals out of order.

    It remembers the events it sent as a compact array of numbers (4 bytes each), so the memory this
    test measures is the bot's, not the producer's bookkeeping.
    """

    def __init__(self, seed: int = 11) -> None:
        self.rng = random.Random(seed)
        self.sent = array("I")  # the index of every unique event, for resends
        self.resent = 0

    @property
    def unique(self) -> int:
        return len(self.sent)

    def next(self, i: int, now: datetime) -> tuple[str, str, datetime]:
        """(event id, kind, at) for the i-th delivery: a resend 10% of the time, else a new event."""
        rng = self.rng
        if self.sent and rng.random() < DUPLICATE_SHARE:
            self.resent += 1
            index = self.sent[rng.randrange(len(self.sent))]
        else:
            index = i
            self.sent.append(i)
        # Platforms deliver late and out of order: the event's own time is up to an hour before now.
        return f"Ev{index:07d}", ("reaction", "reply")[index % 2], now - timedelta(seconds=rng.randrange(3600))


async def wait_until(predicate: Any, what: str, seconds: float = 15.0) -> None:
    try:
        async with asyncio.timeout(seconds):
            while not predicate():  # noqa: ASYNC110  (the watcher has no event to wait on; it polls a file)
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"timed out waiting for {what}") from None


async def test_100k_events_with_resends_and_a_broken_reload_are_stored_once_in_flat_memory(
    tmp_path: Path, db: Database
) -> None:
    config_path = tmp_path / "community.yaml"
    config_path.write_text(COMMUNITY_YAML)
    clock = ManualClock(START)
    adapter = ConsoleAdapter()
    runtime = Runtime(load_config(config_path), db, adapter, clock, RITUALS)
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(runtime, config_path, stop))
    await wait_until(lambda: runtime.last_tick is not None, "the bot to be ready")
    refused_before = metrics.value("copbot_config_reloads_total", result="refused")
    applied_before = metrics.value("copbot_config_reloads_total", result="applied")
    stored_before = metrics.value("copbot_participation_events_stored_total")

    producer = Producer()
    checkpoints: dict[int, float] = {}
    prompt_refs: list[str] = []
    ctx = runtime.ctx
    try:
        for i in range(EVENTS):
            if i % CHECKPOINT_EVERY == 0:
                # A day passes between checkpoints: the scheduler's tick runs what fell due (Monday's prompt).
                clock.advance(timedelta(days=1))
                runtime.tick()
                await runtime.outbox.drain()
                prompt_refs = [m.ref for m in adapter.transcript if m.author == "copbot" and m.where == "#guild-weekly"]
                await runtime.writer.flush()
                checkpoints[i] = resident_bytes()
            if i == BREAK_CONFIG_AT:
                config_path.write_text(BROKEN_YAML)
            if i == FIX_CONFIG_AT:
                assert metrics.value("copbot_config_reloads_total", result="refused") == refused_before + 1
                assert runtime.config.community.name == "Test Guild"  # still the last good version
                config_path.write_text(FIXED_YAML)

            event_id, kind, at = producer.next(i, clock.now())
            member = f"console:m{i % 700:03d}"
            if i % THROUGH_DISPATCH_EVERY == 0 and prompt_refs:
                ref = prompt_refs[i % len(prompt_refs)]
                event: Event = (
                    ReactionAdded(platform="console", event_id=event_id, member=member, at=at, message_ref=ref,
                                  emoji="tada")
                    if kind == "reaction"
                    else ReplyPosted(platform="console", event_id=event_id, member=member, at=at,
                                     channel="guild-weekly", message_ref=f"{ref}:r{i}", thread_ref=ref, text="+1")
                )
                await runtime.handle_event(event)
            else:
                event = ReactionAdded(platform="console", event_id=event_id, member=member, at=at,
                                      message_ref="m-any", emoji="tada")
                ctx.record(event, kind=kind, ritual="prompts", subject="prompt:soak")
            if i % 200 == 0:
                await asyncio.sleep(0)  # the loop serves the writer, the outbox and the config watcher
            if i == BREAK_CONFIG_AT + 5_000:
                await wait_until(
                    lambda: metrics.value("copbot_config_reloads_total", result="refused") > refused_before,
                    "the broken community.yaml to be refused",
                )

        await wait_until(lambda: runtime.config.community.name == "Test Guild (after the soak)", "the fixed config")
        await runtime.settle()
        checkpoints[EVENTS] = resident_bytes()
        with db.session() as tx:
            stored = queries.participation_count(tx, runtime.community)
        prompts_posted = len(prompt_refs)
    finally:
        stop.set()
        await serving

    assert producer.resent > 0.09 * EVENTS
    assert stored == producer.unique
    assert metrics.value("copbot_participation_events_stored_total") - stored_before == producer.unique
    assert metrics.value("copbot_config_reloads_total", result="refused") == refused_before + 1
    assert metrics.value("copbot_config_reloads_total", result="applied") == applied_before + 1
    assert prompts_posted >= 2  # rituals kept firing while the events poured in

    early = checkpoints[2 * CHECKPOINT_EVERY]
    figures = ", ".join(f"{k // 1000}k: {v / 2**20:.1f} MiB" for k, v in sorted(checkpoints.items()))
    print(f"resident memory at checkpoints: {figures}")
    assert max(v for k, v in checkpoints.items() if k >= 2 * CHECKPOINT_EVERY) <= early * (1 + ALLOWED_GROWTH), figures


def test_the_broken_yaml_really_is_broken_and_the_fixed_one_valid(tmp_path: Path) -> None:
    """Guard for the soak's own inputs: the mid-run edit must be one the loader refuses."""
    import pytest

    from config.loader import ConfigError

    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN_YAML)
    with pytest.raises(ConfigError, match="tiemzone"):
        load_config(broken)
    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(FIXED_YAML)
    assert load_config(fixed).community.name == "Test Guild (after the soak)"
