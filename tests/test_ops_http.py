"""/healthz and /metrics through real HTTP requests to the running bot's one port.

The counters are process-wide (as Prometheus expects of a process), so every test compares a scrape
taken before with one taken after, never absolute values.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families

from adapters.console.adapter import ConsoleAdapter
from bot.actions import Post
from bot.clock import ManualClock
from bot.outbox import write_plan
from bot.ritual import Planned
from bot.runtime import Runtime
from bot.web_server import PortError, WebServer, port_from_env
from config.models import CommunityConfig
from copbot.live import serve
from copbot.registry import RITUALS
from copbot.web import serve_web
from storage.db import Database
from tests.conftest import START
from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import FACILITATOR, FAST, MEMBER, PROMPTS_CHANNEL, slack_world

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


async def get(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.text()


async def get_json(url: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.json()


async def scrape(base: str) -> Samples:
    """Every sample of ``GET /metrics``, parsed with prometheus_client's own parser (so the format is checked)."""
    status, content_type, body = await get(f"{base}/metrics")
    assert status == 200
    assert content_type.startswith("text/plain") and "version=0.0.4" in content_type
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(body)
        for sample in family.samples
    }


def delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


@contextlib.asynccontextmanager
async def listening(runtime: Runtime) -> AsyncIterator[str]:
    server = await serve_web(runtime, 0, host="127.0.0.1")
    try:
        yield server.url
    finally:
        await server.stop()


# --- /healthz -------------------------------------------------------------------------------------------------


async def test_healthz_answers_200_and_names_each_part(runtime: Runtime) -> None:
    async with listening(runtime) as base:
        status, body = await get_json(f"{base}/healthz")
    assert status == 200
    assert body == {
        "status": "ok",
        "version": version("copbot"),  # the installed package's, so an operator can match it with a changelog
        "database": True,
        "scheduler": None,  # the console moves time by hand: no scheduler to judge
        "adapter": True,
        "writer": True,
        "last_tick_age_seconds": 0.0,
        "problems": [],
    }


async def test_metrics_carry_the_build_version(runtime: Runtime) -> None:
    async with listening(runtime) as base:
        samples = await scrape(base)
    assert samples[("copbot_build_info", (("version", version("copbot")),))] == 1.0


async def test_healthz_is_503_when_the_scheduler_stops_ticking_and_200_again_after_a_tick(
    runtime: Runtime, clock: ManualClock
) -> None:
    runtime.scheduler_running = lambda: True
    async with listening(runtime) as base:
        assert (await get_json(f"{base}/healthz"))[0] == 200
        clock.advance(timedelta(minutes=10))
        status, body = await get_json(f"{base}/healthz")
        assert status == 503
        assert body["status"] == "unhealthy" and body["last_tick_age_seconds"] == 600.0
        assert body["problems"] == ["no scheduler tick for 600 s (expected at least every 180 s)"]
        runtime.tick()
        assert (await get_json(f"{base}/healthz"))[0] == 200
        runtime.scheduler_running = lambda: False
        status, body = await get_json(f"{base}/healthz")
        assert (status, body["scheduler"]) == (503, False)
        assert body["problems"] == ["the ritual scheduler is not running"]


async def test_healthz_is_503_when_the_database_does_not_answer(config: CommunityConfig, clock: ManualClock) -> None:
    with socket.socket() as probe:  # a port nobody listens on: PostgreSQL there refuses at once
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    unreachable = Database(f"postgresql+psycopg://copbot@127.0.0.1:{closed_port}/copbot")
    bot = Runtime(config, unreachable, ConsoleAdapter(), clock, RITUALS)
    try:
        async with listening(bot) as base:
            status, body = await get_json(f"{base}/healthz")
    finally:
        unreachable.dispose()
    assert status == 503
    assert body["database"] is False
    assert body["problems"][0].startswith("database unreachable: OperationalError")


class Disconnected(ConsoleAdapter):
    """A console adapter that reports a lost connection, as the Slack and Discord adapters can."""

    async def is_connected(self) -> bool:
        return False


async def test_healthz_is_503_when_the_adapter_lost_its_platform(
    config: CommunityConfig, db: Database, clock: ManualClock
) -> None:
    bot = Runtime(config, db, Disconnected(), clock, RITUALS)
    await bot.start(background=False)
    try:
        async with listening(bot) as base:
            status, body = await get_json(f"{base}/healthz")
    finally:
        await bot.stop()
    assert (status, body["adapter"], body["problems"]) == (503, False, ["not connected to the chat platform"])


async def test_healthz_is_503_once_the_participation_writer_has_stopped(runtime: Runtime) -> None:
    async with listening(runtime) as base:
        assert (await get_json(f"{base}/healthz"))[0] == 200
        await runtime.writer.stop()  # as if it had ended; what matters is that nothing stores participation now
        status, body = await get_json(f"{base}/healthz")
    assert (status, body["writer"]) == (503, False)
    assert body["problems"] == ["the participation writer has stopped: reactions and replies are not being stored"]


# --- /metrics -------------------------------------------------------------------------------------------------


async def test_metrics_count_slots_claimed_coalesced_and_skipped(runtime: Runtime, clock: ManualClock) -> None:
    async with listening(runtime) as base:
        before = await scrape(base)
        # Installed Monday 4 January 2027, 08:00 Berlin; the prompt is due Mondays 10:00 with 21 days' grace.
        # Six Mondays later (15 February, 08:00) six slots are due: 8 Feb runs, 25 Jan and 1 Feb are within
        # the grace and fold into that run, 4, 11 and 18 Jan are too old and are skipped.
        clock.set(START + timedelta(weeks=6))
        runtime.tick()
        runtime.tick()  # a second tick finds everything claimed: nothing more is counted
        after = await scrape(base)
    assert delta(before, after, "copbot_slots_total", outcome="claimed") == 1
    assert delta(before, after, "copbot_slots_total", outcome="coalesced") == 2
    assert delta(before, after, "copbot_slots_total", outcome="skipped") == 3
    assert after[("copbot_last_tick_age_seconds", ())] == 0.0


async def test_metrics_count_a_slack_communitys_events_duplicates_deliveries_and_429s(tmp_path: Path) -> None:
    async with slack_world(tmp_path, web=True, pacing=FAST.scaled(100)) as world:
        base = world.adapter.url.removesuffix("/slack/events")
        before = await scrape(base)
        world.fake.rate_limit("chat.postMessage", nth=1, retry_after=1)

        # A facilitator posts the prompt: one delivery, whose first attempt Slack answers with 429.
        assert (await world.sender.command("prompt now", user_id=FACILITATOR)).status == 200
        async with asyncio.timeout(10):
            await world.all_sent()
        [prompt] = world.fake.messages[PROMPTS_CHANNEL]

        # Ana reacts; Slack delivers the event four times (the original and three retries).
        reaction = fixture("reaction_added")
        reaction["event"]["user"] = MEMBER
        reaction["event"]["item"] = {"type": "message", "channel": PROMPTS_CHANNEL, "ts": prompt.ts}
        # A newcomer joins; Slack retries that too.
        join = fixture("team_join")
        seen = world.adapter.processed_count
        for retry in (None, 1, 2, 3):
            await world.sender.event(reaction, retry_num=retry)
        for retry in (None, 1):
            await world.sender.event(join, retry_num=retry)
        async with asyncio.timeout(10):
            await world.adapter.processed(seen + 6)
        assert await world.participation_count() == 1

        # A delivery to a channel that does not exist fails its first attempt (and will be retried).
        with world.db.session() as tx:
            write_plan(tx, world.community, "ops", "lost", [Planned(Post(text="hello?", channel="nowhere"))],
                       world.runtime.clock.now())
            tx.commit()
        await world.runtime.outbox.drain()
        after = await scrape(base)

    assert delta(before, after, "copbot_rate_limited_total", platform="slack") == 1
    assert delta(before, after, "copbot_deliveries_total", outcome="sent") == 1
    assert delta(before, after, "copbot_deliveries_total", outcome="retried") == 1
    assert delta(before, after, "copbot_deliveries_total", outcome="failed") == 0
    assert after[("copbot_deliveries_unsent", ())] == 1  # the one to "nowhere" waits for its next attempt
    assert delta(before, after, "copbot_events_received_total", type="ReactionAdded") == 4
    assert delta(before, after, "copbot_events_received_total", type="MemberJoined") == 2
    assert delta(before, after, "copbot_participation_events_stored_total") == 1
    assert delta(before, after, "copbot_duplicates_dropped_total", stage="ingest") == 3
    assert delta(before, after, "copbot_duplicates_dropped_total", stage="dispatch") == 1
    assert after[("process_resident_memory_bytes", ())] > 0


async def test_slack_http_mode_serves_healthz_and_metrics_on_the_events_port(tmp_path: Path) -> None:
    async with slack_world(tmp_path, web=True) as world:
        base = world.adapter.url.removesuffix("/slack/events")
        status, body = await get_json(f"{base}/healthz")
        assert (status, body["adapter"], body["database"]) == (200, True, True)
        assert (await get(f"{base}/metrics"))[0] == 200
        assert (await world.sender.event(fixture("team_join"))).status == 200  # Slack's route is still there


# --- the live server ------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_live_bot_serves_healthz_with_its_scheduler_and_closes_the_port_on_stop(
    config: CommunityConfig, db: Database
) -> None:
    from copbot.live import build_live_runtime

    port = free_port()
    bot = build_live_runtime(config, db, ConsoleAdapter())
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(bot, None, stop, web_port=port))
    try:
        async with asyncio.timeout(10):
            while True:
                with contextlib.suppress(aiohttp.ClientConnectionError):
                    status, body = await get_json(f"http://127.0.0.1:{port}/healthz")
                    break
                await asyncio.sleep(0.05)
        assert status == 200
        assert body["scheduler"] is True and body["last_tick_age_seconds"] is not None
    finally:
        stop.set()
        await serving
    with pytest.raises(aiohttp.ClientConnectionError):
        await get(f"http://127.0.0.1:{port}/healthz")


def test_port_comes_from_the_environment_and_a_bad_one_is_explained() -> None:
    assert port_from_env({}) is None
    assert port_from_env({"PORT": " "}) is None
    assert port_from_env({"PORT": "8080"}) == 8080
    for bad in ("http", "0", "70000", "-1"):
        with pytest.raises(PortError, match=r"PORT must be a TCP port number \(1-65535\)"):
            port_from_env({"PORT": bad})


async def test_a_port_already_taken_is_a_clear_error(runtime: Runtime) -> None:
    first = await serve_web(runtime, 0, host="127.0.0.1")
    try:
        with pytest.raises(PortError, match="another process has it; stop it or set PORT to a free port"):
            await WebServer(web.Application(), "127.0.0.1", first.port).start()
    finally:
        await first.stop()


async def test_the_bot_routes_share_one_application(runtime: Runtime) -> None:
    server = await serve_web(runtime, 0, host="127.0.0.1")
    try:
        assert {"/healthz", "/metrics"} <= set(server.paths())
    finally:
        await server.stop()

