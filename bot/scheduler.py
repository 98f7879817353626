"""APScheduler in front of the runtime: cron triggers say "this schedule is due"; the runtime claims the slot.

Why both: APScheduler wakes us at the right wall-clock moment in the community's time zone; the claim
in storage is what makes a slot run once across retries, restarts and replicas (APScheduler job stores
must not be shared between processes). A one-minute safety tick catches anything a sleeping laptop or
a paused container missed; it is harmless because ticking is idempotent.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.runtime import Runtime
from config.models import CommunityConfig

log = logging.getLogger("copbot.scheduler")

SAFETY_TICK_SECONDS = 60


class RitualScheduler:
    """Owns one ``AsyncIOScheduler`` whose jobs only ever call ``runtime.tick``."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.scheduler = AsyncIOScheduler(timezone=ZoneInfo(runtime.config.community.timezone))
        runtime.config_listeners.append(self._on_config)

    def start(self) -> None:
        self._install_jobs()
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)

    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self.scheduler.get_jobs())

    def _install_jobs(self) -> None:
        tz = ZoneInfo(self.runtime.config.community.timezone)
        for job in self.scheduler.get_jobs():
            job.remove()
        for _ritual, spec in self.runtime.schedules():
            self.scheduler.add_job(
                self._due, CronTrigger.from_crontab(spec.cron, timezone=tz), args=[spec.name], id=spec.name,
                misfire_grace_time=int(spec.grace.total_seconds()), coalesce=True, max_instances=1,
                replace_existing=True,
            )
        self.scheduler.add_job(self._due, IntervalTrigger(seconds=SAFETY_TICK_SECONDS), args=[None],
                               id="safety-tick", coalesce=True, max_instances=1, replace_existing=True)

    def _due(self, schedule: str | None) -> None:
        try:
            self.runtime.tick(only=schedule)
        except Exception:
            log.exception("tick for %s failed; the next tick retries", schedule or "all schedules")

    def _on_config(self, config: CommunityConfig) -> None:
        self._install_jobs()
