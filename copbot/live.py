"""Serving a community for real: the system clock, the scheduler, hot reload, and a clean shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import OperationalError

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


Unreachable = Callable[[BaseException], str | None]
"""Says in words which dependency a start-up failure means is unreachable ("Slack (https://…) is unreachable:
…"), or None when the failure is something else (a rejected token, a bad port), which stops the bot."""

FIRST_RETRY_SECONDS = 1.0
MAX_RETRY_SECONDS = 60.0


def retry_delays(first: float = FIRST_RETRY_SECONDS, most: float = MAX_RETRY_SECONDS) -> Iterator[float]:
    """1, 2, 4, ... seconds, then every ``most`` seconds: quick to recover from a blip, gentle on an outage."""
    delay = first
    while True:
        yield delay
        delay = min(delay * 2, most)


REFUSALS = ("authentication failed", "does not exist", "no password supplied", "permission denied")
"""What a reachable database server says when the URL is wrong: retrying would not help."""


def unreachable_database(exc: BaseException) -> str | None:
    """The database's driver could not connect (or lost the connection) while the bot started."""
    if isinstance(exc, OperationalError):
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()
        return f"the database is unreachable: {reason[0] if reason else type(exc).__name__}"
    return None


def open_when_reachable(url: str, opener: Callable[[], Database], delays: Iterator[float] | None = None,
                        sleep: Callable[[float], None] = time.sleep) -> Database:
    """Open (and migrate) the database for a live bot, waiting with backoff while it cannot be reached.

    Why wait rather than exit: a bot started with its PostgreSQL (a reboot, ``docker compose up``) often comes
    up first; exit 2 would stop systemd from restarting it. One WARNING line per attempt, password masked.
    """
    from copbot.db_commands import shown

    delays = delays or retry_delays()
    while True:
        try:
            return opener()
        except OperationalError as exc:
            why = unreachable_database(exc)
            if why is None or any(word in why for word in REFUSALS):
                raise  # the server answered: a wrong password or database name needs a person, not a retry
            delay = next(delays)
            log.warning("%s (%s); trying again in %g s", why, shown(url), delay)
            sleep(delay)


async def start_when_reachable(
    runtime: Runtime,
    stop: asyncio.Event,
    unreachable: Unreachable,
    *,
    waiting_port: int | None = None,
    delays: Iterator[float] | None = None,
) -> bool:
    """Start the runtime, retrying with backoff while a dependency is unreachable; False if stopped meanwhile.

    Why: a chat platform or a database that is down when the bot starts (a network blip, PostgreSQL still
    booting) is not a reason to exit (a supervisor would see a crash loop, and on Discord each restart costs a
    daily login). One WARNING line per attempt, no traceback; ``/healthz`` answers 503 naming what is down
    (``runtime.waiting_for``), on ``waiting_port`` when the adapter would only open the port once connected.
    """
    delays = delays or retry_delays()
    tries = 1
    while True:
        try:
            await runtime.start(background=True)
        except Exception as exc:
            why = unreachable(exc) or unreachable_database(exc)
            if why is None:
                raise
        else:
            if runtime.waiting_for is not None:
                log.info("connected after all, at try %d", tries)
            runtime.waiting_for = None
            return True
        tries += 1
        runtime.waiting_for = why
        delay = next(delays)
        log.warning("%s; trying again in %g s", why, delay)
        web = await serve_web(runtime, waiting_port) if waiting_port is not None else None
        try:
            async with asyncio.timeout(delay):
                await stop.wait()
            return False
        except TimeoutError:
            pass
        finally:
            if web is not None:
                await web.stop()  # the adapter opens this port itself once it connects


async def serve(
    runtime: Runtime,
    config_path: Path | None,
    stop: asyncio.Event | None = None,
    *,
    web_port: int | None = None,
    unreachable: Unreachable = lambda _: None,
    waiting_port: int | None = None,
) -> None:
    """Run until ``stop`` is set (or SIGINT/SIGTERM): scheduler on, config watched, outbox draining.

    With ``web_port``, copbot/web.py's routes (/healthz, /metrics, ...) are served on it, from before the
    platform is reached; None when nothing should listen, or when the adapter already serves them (Slack's
    HTTP mode, on the same port: ``waiting_port`` then serves them until the adapter has connected).
    ``unreachable`` tells a platform that cannot be reached (retried with backoff) from other failures.
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
    if web_port is not None:
        web = await serve_web(runtime, web_port)
    try:
        started = await start_when_reachable(runtime, stop, unreachable, waiting_port=waiting_port)
    except BaseException:
        if web is not None:
            await web.stop()
        raise
    if not started:
        if web is not None:
            await web.stop()
        await runtime.stop()
        return
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
