"""Serving a community for real: the system clock, the scheduler, hot reload, and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path
from zoneinfo import ZoneInfo

from bot import metrics
from bot.adapter import Adapter
from bot.clock import SystemClock
from bot.runtime import Runtime
from bot.scheduler import RitualScheduler
from bot.web_server import WebServer
from config.loader import ConfigError
from config.models import CommunityConfig
from config.watch import ConfigWatcher
from copbot import heap
from copbot.app import reload_from
from copbot.registry import RITUALS
from copbot.upcoming import upcoming_line
from copbot.version import copbot_version
from copbot.web import serve_web
from storage import queries
from storage.db import Database

log = logging.getLogger("copbot.live")


def log_start_summary(runtime: Runtime) -> None:
    """What an operator wants to see once the bot is up: which copbot, which community, how many members,
    and when each ritual fires next (the same words as ``copbot check``), one line each."""
    config = runtime.config.community
    zone = ZoneInfo(config.timezone)
    with runtime.db.session() as tx:
        members = len(queries.members(tx, runtime.community))
    log.info("copbot %s is running for %s (%s, %s): %d member%s known", copbot_version(), config.name, config.id,
             config.timezone, members, "" if members == 1 else "s")
    off = []
    for ritual in runtime.rituals:
        if not ritual.enabled():
            off.append(ritual.name)
            continue
        for item in ritual.upcoming(runtime.clock.now(), 1):
            log.info("%s", upcoming_line(item, zone), extra={"ritual": ritual.name})
    if off:
        log.info("rituals switched off: %s", ", ".join(off))


def build_live_runtime(config: CommunityConfig, db: Database, adapter: Adapter) -> Runtime:
    return Runtime(config, db, adapter, SystemClock(), RITUALS)


async def serve(
    runtime: Runtime, config_path: Path | None, stop: asyncio.Event | None = None, *, web_port: int | None = None
) -> None:
    """Run until ``stop`` is set (or SIGINT/SIGTERM): scheduler on, config watched, outbox draining.

    With ``web_port``, copbot/web.py's routes (/healthz, /metrics, ...) are served on it; None when nothing
    should listen, or when the adapter already serves them (Slack's HTTP mode, on the same port).
    """
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    scheduler = RitualScheduler(runtime)
    watcher_task: asyncio.Task[None] | None = None
    web: WebServer | None = None
    runtime.scheduler_running = lambda: bool(scheduler.scheduler.running)
    await runtime.start(background=True)
    scheduler.start()
    heap.settle()  # after start: what start-up built lives as long as the bot (see copbot/heap.py)
    if config_path is not None:
        runtime.reload_hook = reload_from(config_path, runtime, lambda text: None)

        def refused(error: ConfigError) -> None:
            metrics.config_reload("refused")
            log.error("community.yaml was NOT applied; still running on the last good version:\n%s", error)

        watcher = ConfigWatcher(config_path, runtime.apply_config, refused, initial=runtime.config)
        watcher_task = asyncio.create_task(watcher.run(), name="copbot-config-watch")
    log_start_summary(runtime)
    try:
        if web_port is not None:
            web = await serve_web(runtime, web_port)
        await stop.wait()
    finally:
        if web is not None:
            await web.stop()
        if watcher_task is not None:
            watcher_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher_task
        scheduler.shutdown()
        await runtime.stop()
