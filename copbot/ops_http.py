"""``/healthz`` and ``/metrics``: what a process supervisor and Prometheus ask the running bot.

Why here and not in an adapter: health and counters are the core's (database, scheduler, outbox,
participation); an adapter only adds its own connection state (:meth:`bot.adapter.Adapter.is_connected`).
:func:`install` is one of copbot/web.py's route installers, so these routes live on the bot's one port,
beside Slack's ``/slack/events`` when Slack runs in HTTP mode.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot import metrics
from copbot import healthz
from copbot.version import copbot_version
from storage import backlog
from storage.times import utc

if TYPE_CHECKING:
    from bot.runtime import Runtime

HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
#: The classic text exposition format, which every Prometheus (and most other scrapers) reads.
METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class RuntimeGauges(Collector):
    """Gauges read from the runtime at scrape time: backlogs and the age of the last tick."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.unsent: int | None = None
        """Read from the database by the scrape handler just before rendering (off the event loop)."""

    def read_database(self) -> None:
        """The gauges that need a query; runs in a worker thread."""
        with self.runtime.db.session() as tx:
            self.unsent = backlog.unsent_deliveries(tx, self.runtime.community)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        runtime = self.runtime
        if self.unsent is not None:
            yield GaugeMetricFamily(
                "copbot_deliveries_unsent",
                "Messages planned but not yet sent (a value that stays up means the platform keeps refusing them).",
                value=self.unsent,
            )
        yield GaugeMetricFamily(
            "copbot_participation_pending",
            "Participation events received but not yet written (a growing value means the database is slow).",
            value=runtime.writer.pending,
        )
        yield GaugeMetricFamily(
            "copbot_participation_unwritable_seconds",
            "Seconds the database has refused the participation writer's batches (disk full, read-only, down); "
            "0 while it writes. The events wait in memory meanwhile (copbot_participation_pending).",
            value=runtime.writer.failing_for,
        )
        last = runtime.last_tick
        if last is not None:
            yield GaugeMetricFamily(
                "copbot_last_tick_age_seconds",
                "Seconds since the runtime last checked its ritual schedules (the live scheduler ticks every minute).",
                value=(utc(runtime.clock.now()) - utc(last)).total_seconds(),
            )


def install(application: web.Application, runtime: Runtime) -> None:
    """Add ``GET /healthz`` and ``GET /metrics`` for ``runtime``."""
    gauges = CollectorRegistry()
    runtime_gauges = RuntimeGauges(runtime)
    gauges.register(runtime_gauges)
    metrics.build_info(copbot_version())

    async def health(_: web.Request) -> web.Response:
        verdict = await healthz.check(runtime)
        return web.Response(
            text=json.dumps(verdict.as_json()),
            status=verdict.http_status,
            content_type="application/json",
            headers={"Cache-Control": "no-store"},
        )

    async def scrape(_: web.Request) -> web.Response:
        try:
            await asyncio.get_running_loop().run_in_executor(None, runtime_gauges.read_database)
        except Exception:
            runtime_gauges.unsent = None  # a scrape still answers when the database does not (/healthz says why)
        body = generate_latest(metrics.REGISTRY) + generate_latest(gauges)
        return web.Response(body=body, headers={"Content-Type": METRICS_CONTENT_TYPE, "Cache-Control": "no-store"})

    application.router.add_get(HEALTH_PATH, health)
    application.router.add_get(METRICS_PATH, scrape)
