"""The `rituals.mentorship` section of community.yaml: mentorships that last a term, with check-ins."""

from __future__ import annotations

from datetime import timedelta

from pydantic import Field

from config.base import Schedule, Strict
from config.durations import Duration
from config.pairing import MentorSettings


class MentorshipConfig(Strict):
    """A mentee keeps their mentor for a term; a new match only when a mentorship ends or is not a fit."""

    enabled: bool = Field(default=True, description="false stops new matches, check-ins and questions")
    schedule: Schedule = Field(
        default_factory=lambda: Schedule(cron="30 9 * * mon", grace=timedelta(days=2)),
        description="when waiting mentees are matched with mentors who have a free place (default Mondays 09:30)",
    )
    term: Duration = Field(default=timedelta(weeks=12), description="how long a mentorship runs, e.g. 12w (3 months)")
    checkin_every: Duration = Field(
        default=timedelta(days=14), description="a short check-in to both, this often (default every 2 weeks)"
    )
    answer_within: Duration = Field(
        default=timedelta(days=14),
        description="after the end-of-term question, a mentorship nobody answered for is closed as completed",
    )
    exclude_same_team: bool = Field(default=True, description="never match a mentor and mentee of the same team")
    mentors: list[MentorSettings] = Field(
        default_factory=list,
        description="who mentors (members also offer in chat: /cop mentor offer kubernetes, /cop mentor capacity 2)",
    )
