"""``/healthz`` and ``/metrics``: what a process supervisor and Prometheus ask the running bot.

Why here and not in an adapter: health and counters are the core's (database, scheduler, outbox,
participation); an adapter only adds its own connection state (:class:`bot.healthz.ReportsConnection`).
:func:`install` is one of bot/web.py's route installers, so these routes live on the bot's one port,
beside Slack's ``/slack/events`` when Slack runs in HTTP mode.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot import healthz, metrics
from bot.clock import utc

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

    def collect(self) -> Iterator[GaugeMetricFamily]:
        runtime = self.runtime
        yield GaugeMetricFamily(
            "copbot_participation_pending",
            "Participation events received but not yet written (a growing value means the database is slow).",
            value=runtime.writer.pending,
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
    gauges.register(RuntimeGauges(runtime))

    async def health(_: web.Request) -> web.Response:
        verdict = await healthz.check(runtime)
        return web.Response(
            text=json.dumps(verdict.as_json()),
            status=verdict.http_status,
            content_type="application/json",
            headers={"Cache-Control": "no-store"},
        )

    async def scrape(_: web.Request) -> web.Response:
        body = generate_latest(metrics.REGISTRY) + generate_latest(gauges)
        return web.Response(body=body, headers={"Content-Type": METRICS_CONTENT_TYPE, "Cache-Control": "no-store"})

    application.router.add_get(HEALTH_PATH, health)
    application.router.add_get(METRICS_PATH, scrape)
