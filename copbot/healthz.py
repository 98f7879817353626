"""Is the bot process healthy? The answer behind ``/healthz``: a pure verdict over probes taken just before.

Why a verdict of its own: a load balancer, systemd's watchdog script or Kubernetes only needs 200 or 503,
but the person paged at night needs to know *why*, so the answer lists each failing part in words.
The probes (database ping, scheduler state, adapter connection, age of the last tick) are taken by
:func:`probe`; :func:`assess` turns them into the verdict and is tested with no clock, database or network.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from copbot.version import copbot_version
from storage.times import utc

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger("copbot.health")

#: The live scheduler ticks at least once a minute (bot/scheduler.py's safety tick); three missed ticks
#: in a row mean the loop or the scheduler is stuck, which a restart fixes.
MAX_TICK_AGE = timedelta(minutes=3)
#: A database that does not answer ``SELECT 1`` within this is as good as down for the bot.
DATABASE_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True)
class Probes:
    """What was observed, just now."""

    database_error: str | None
    """None when ``SELECT 1`` answered; else the driver's one-line complaint."""
    scheduler_running: bool | None
    """None when no scheduler runs in this mode (the console moves time by hand)."""
    adapter_connected: bool
    writer_alive: bool
    """The participation writer is running: if it stopped, reactions and replies are no longer stored."""
    last_tick_age: timedelta | None
    """Since the last scheduler tick by the runtime's clock; None if it never ticked."""
    writer_problem: str | None = None
    """The writer runs but cannot write (disk full, database read-only or gone): what it says, else None."""
    waiting_for: str | None = None
    """Start-up is waiting for this unreachable dependency (the platform, the database), in words."""


@dataclass(frozen=True)
class Health:
    """The verdict: healthy or not, and every reason why not."""

    healthy: bool
    problems: tuple[str, ...]
    probes: Probes

    @property
    def http_status(self) -> int:
        return 200 if self.healthy else 503

    def as_json(self) -> dict[str, Any]:
        age = self.probes.last_tick_age
        return {
            "status": "ok" if self.healthy else "unhealthy",
            "version": copbot_version(),
            "database": self.probes.database_error is None,
            "scheduler": self.probes.scheduler_running,
            "adapter": self.probes.adapter_connected,
            "writer": self.probes.writer_alive and self.probes.writer_problem is None,
            "last_tick_age_seconds": None if age is None else round(age.total_seconds(), 1),
            **({"waiting_for": self.probes.waiting_for} if self.probes.waiting_for else {}),
            "problems": list(self.problems),
        }


def assess(probes: Probes, max_tick_age: timedelta = MAX_TICK_AGE) -> Health:
    """Healthy when the database answers, the adapter is connected, participation is being written (the writer
    runs *and* its writes succeed: a full disk leaves ``SELECT 1`` answering) and, if a scheduler runs, it ticks."""
    problems: list[str] = []
    if probes.waiting_for is not None:
        problems.append(f"starting: {probes.waiting_for} (retrying)")
    if probes.database_error is not None:
        problems.append(f"database unreachable: {probes.database_error}")
    if not probes.adapter_connected:
        problems.append("not connected to the chat platform")
    if not probes.writer_alive:
        problems.append("the participation writer has stopped: reactions and replies are not being stored")
    elif probes.writer_problem is not None:
        problems.append(probes.writer_problem)
    if probes.scheduler_running is False:
        problems.append("the ritual scheduler is not running")
    if probes.scheduler_running is not None:
        age = probes.last_tick_age
        if age is None:
            problems.append("the scheduler has not ticked yet")
        elif age > max_tick_age:
            problems.append(
                f"no scheduler tick for {int(age.total_seconds())} s (expected at least every "
                f"{int(max_tick_age.total_seconds())} s)"
            )
    return Health(not problems, tuple(problems), probes)


def _ping(runtime: Runtime) -> None:
    with runtime.db.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


async def _database_error(runtime: Runtime) -> str | None:
    """Ping in a worker thread, bounded: a locked or unreachable database must not hang the health check."""
    try:
        async with asyncio.timeout(DATABASE_TIMEOUT_SECONDS):
            await asyncio.get_running_loop().run_in_executor(None, _ping, runtime)
    except TimeoutError:
        return f"no answer within {DATABASE_TIMEOUT_SECONDS:g} s"
    except Exception as exc:
        orig = getattr(exc, "orig", None)
        return f"{type(orig or exc).__name__}: {orig or exc}".splitlines()[0]
    return None


async def _adapter_connected(runtime: Runtime) -> bool:
    try:
        return await runtime.adapter.is_connected()
    except Exception:
        log.exception("the adapter's connection check failed")
        return False


async def probe(runtime: Runtime) -> Probes:
    """Observe the running bot now (a database round trip; the rest is in memory)."""
    running = runtime.scheduler_running
    last = runtime.last_tick
    return Probes(
        database_error=await _database_error(runtime),
        scheduler_running=None if running is None else running(),
        adapter_connected=await _adapter_connected(runtime),
        writer_alive=runtime.writer.alive,
        writer_problem=runtime.writer.problem,
        last_tick_age=None if last is None else utc(runtime.clock.now()) - utc(last),
        waiting_for=runtime.waiting_for,
    )


async def check(runtime: Runtime) -> Health:
    """Probe and assess: what ``/healthz`` answers."""
    return assess(await probe(runtime))
