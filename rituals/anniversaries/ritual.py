"""Anniversaries: each morning, a cheer in the channel for the members who joined on this day in an earlier year.

Why a ritual: being noticed is part of belonging, and a year in a community of practice is worth a word.
The decision (whose day it is) is :func:`~rituals.anniversaries.decisions.anniversaries`; this module reads
the members and plans the post. The slot claim makes each day's cheer go out once.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.actions import Post
from bot.configured_ritual import ConfiguredRitual
from bot.ritual import Planned, ScheduleSpec
from bot.text import mention
from config.anniversaries import AnniversariesConfig
from rituals.anniversaries.decisions import anniversaries, cheer
from storage import queries
from storage.times import utc


class AnniversariesRitual(ConfiguredRitual[AnniversariesConfig]):
    """Posts the day's community anniversaries."""

    name = "anniversaries"
    section = "anniversaries"
    title = "Anniversaries"
    plural = True

    def schedules(self) -> list[ScheduleSpec]:
        settings = self._on()
        return [ScheduleSpec("anniversaries", settings.schedule.cron, settings.schedule.grace)]

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        settings = self._on()
        zone = ZoneInfo(self.ctx.config.community.timezone)
        today = slot.astimezone(zone).date()
        members = queries.members(tx, self.ctx.community)
        due = anniversaries([(m.key, utc(m.joined_at).astimezone(zone).date()) for m in members], today)
        if not due:
            return []
        text = cheer([(mention(a.member), a.years) for a in due])
        channel = self.ctx.config.channel(settings.channel)
        return [Planned(Post(text=text, channel=channel), subject=f"anniversaries:{today.isoformat()}")]
