"""Serving a community for real: the system clock, the scheduler, hot reload, and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from pathlib import Path

from bot.adapter import Adapter
from bot.app import reload_from
from bot.clock import SystemClock
from bot.registry import RITUALS
from bot.runtime import Runtime
from bot.scheduler import RitualScheduler
from config.loader import ConfigError
from config.models import CommunityConfig
from config.watch import ConfigWatcher
from storage.db import Database

log = logging.getLogger("copbot.live")


def build_live_runtime(config: CommunityConfig, db: Database, adapter: Adapter) -> Runtime:
    return Runtime(config, db, adapter, SystemClock(), RITUALS)


async def serve(runtime: Runtime, config_path: Path | None, stop: asyncio.Event | None = None) -> None:
    """Run until ``stop`` is set (or SIGINT/SIGTERM): scheduler on, config watched, outbox draining."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    scheduler = RitualScheduler(runtime)
    watcher_task: asyncio.Task[None] | None = None
    await runtime.start(background=True)
    scheduler.start()
    if config_path is not None:
        runtime.reload_hook = reload_from(config_path, runtime, lambda text: None)

        def refused(error: ConfigError) -> None:
            log.error("community.yaml was NOT applied; still running on the last good version:\n%s", error)

        watcher = ConfigWatcher(config_path, runtime.apply_config, refused, initial=runtime.config)
        watcher_task = asyncio.create_task(watcher.run(), name="copbot-config-watch")
    log.info("copbot is running for %s", runtime.config.community.name)
    try:
        await stop.wait()
    finally:
        if watcher_task is not None:
            watcher_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher_task
        scheduler.shutdown()
        await runtime.stop()
