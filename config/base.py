"""Building blocks shared by every community.yaml section: the strict base model, schedules, located errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from config.durations import Duration


def error_at(loc: tuple[str | int, ...], message: str) -> PydanticCustomError:
    """A validation error that belongs to a node deeper than the validator that raises it.

    A ``model_validator`` on the root reports at the root, so its error would point at line 1.
    The loader reads ``ctx["loc"]`` and points at that node instead (e.g. ``rituals.prompts.channel``).
    """
    return PydanticCustomError("located", "{message}", {"message": message, "loc": loc})


YES_NO_WORDS = frozenset({"y", "yes", "n", "no", "on", "off"})


class Strict(BaseModel):
    """Base for every section: unknown keys are refused, values are immutable once loaded, and a yes/no
    setting takes exactly ``true`` or ``false``.

    Why so strict about booleans: pydantic would turn the text "yes", "on" or "1" into True, but editors check
    community.yaml against the JSON Schema (``"type": "boolean"``) and refuse them. One truth for both: the
    loader reads YAML 1.2 (config/loader.py), and a text value for a boolean is refused with the fix.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _only_true_or_false(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, bool) or not isinstance(value, str | int | float) or info.field_name is None:
            return value
        field = cls.model_fields.get(info.field_name)
        if field is None or field.annotation not in (bool, bool | None):
            return value
        word = str(value).strip().lower()
        if word in YES_NO_WORDS | {"true", "false"}:
            advice = "true" if word in {"y", "yes", "on", "true"} else "false"
            raise ValueError(
                f"{value!r} is not a yes/no value here; write {advice} (without quotes): editors read "
                "community.yaml as YAML 1.2, where only true and false are yes/no values"
            )
        raise ValueError(f"{value!r} is not a yes/no value; write true or false")


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


