"""Building blocks shared by every community.yaml section: the strict base model, schedules, located errors."""

from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from config.durations import Duration


def error_at(loc: tuple[str | int, ...], message: str) -> PydanticCustomError:
    """A validation error that belongs to a node deeper than the validator that raises it.

    A ``model_validator`` on the root reports at the root, so its error would point at line 1.
    The loader reads ``ctx["loc"]`` and points at that node instead (e.g. ``rituals.prompts.channel``).
    """
    return PydanticCustomError("located", "{message}", {"message": message, "loc": loc})


class Strict(BaseModel):
    """Base for every section: unknown keys are refused, values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Schedule(Strict):
    """When a ritual fires, as a 5-field crontab line in the community's time zone."""

    cron: str = Field(description='minute hour day-of-month month day-of-week, e.g. "0 10 * * mon" (Mondays 10:00)')
    grace: Duration = Field(
        default=timedelta(hours=36),
        description="after downtime, a missed slot younger than this still runs (once); older ones are skipped",
    )

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        fields = value.split()
        if len(fields) != 5:
            raise ValueError(
                f"cron needs 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}; "
                'e.g. "0 10 * * mon"'
            )
        try:
            CronTrigger.from_crontab(value, timezone="UTC")
        except ValueError as exc:
            raise ValueError(f"not a valid crontab line ({exc}); e.g. \"0 10 * * mon\"") from exc
        return value


