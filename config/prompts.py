"""The `rituals.prompts` section of community.yaml: the weekly discussion question and its bank."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from config.base import Schedule, Strict


def _not_blank(value: str) -> str:
    """Checked per item, so a blank question is reported at its own line rather than at the list."""
    if not value.strip():
        raise ValueError("this question is empty; write the question or remove the line")
    return value


Question = Annotated[str, AfterValidator(_not_blank)]


class PromptsConfig(Strict):
    """Weekly discussion prompts: a question bank, rotated without repeats until it is exhausted."""

    enabled: bool = Field(default=True, description="false pauses the ritual without deleting its settings")
    schedule: Schedule = Field(
        default_factory=lambda: Schedule(cron="0 10 * * mon"),
        description="when a prompt is posted (default Mondays 10:00)",
    )
    channel: str | None = Field(default=None, description="logical channel; default community.channels.prompts")
    intro: str = Field(
        default="This week's question",
        description="the heading above each question",
    )
    questions: list[Question] = Field(min_length=1, description="the question bank")
