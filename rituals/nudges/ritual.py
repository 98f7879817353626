"""Nudges: one friendly, personal DM to a member who has gone quiet, pointing at this week's question.

Why a ritual: members drift away silently, and a warm "we missed you" with something concrete to answer
brings a share of them back; counting who came back tells facilitators whether it works. The decisions
(who is quiet, who is due, the words, who came back) are :mod:`rituals.nudges.decisions`. A nudge is an
optional DM: the outbox withholds it from members who said ``/cop dm off`` or ``/cop pause until``, and this
ritual does not even count them as nudged. At most one nudge per member every ``every_weeks``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.actions import DirectMessage
from bot.configured_ritual import ConfiguredRitual
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec
from config.nudges import NudgesConfig
from rituals.nudges.decisions import (
    Outcome,
    due_nudges,
    nudge_text,
    outcomes,
    quiet_members,
    summary,
)
from storage import member_prefs, queries
from storage import nudges as store
from storage import prompts as prompt_store
from storage.times import utc

SHOWN_WEEKS = 26
"""How far back ``/cop nudge status`` looks."""


class NudgesRitual(ConfiguredRitual[NudgesConfig]):
    """Finds quiet members each week and nudges the ones who are due, once."""

    name = "nudges"
    section = "nudges"
    title = "Nudges"
    plural = True

    def schedules(self) -> list[ScheduleSpec]:
        settings = self.settings
        assert settings is not None
        return [ScheduleSpec("nudges", settings.schedule.cron, settings.schedule.grace)]

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        return self._nudge(tx, slot)

    def _nudge(self, tx: Session, slot: datetime) -> list[Planned]:
        settings = self._on()
        community = self.ctx.community
        members = {m.key: m for m in queries.members(tx, community)}
        last = store.last_active(tx, community)
        joined = [(key, utc(m.joined_at)) for key, m in members.items()]
        quiet = quiet_members(joined, last, slot, timedelta(weeks=settings.quiet_weeks))
        if not quiet:
            return []
        today = slot.astimezone(ZoneInfo(self.ctx.config.community.timezone)).date()
        prefs = member_prefs.prefs_of(tx, community, [q.member for q in quiet])
        resting = {key for key, row in prefs.items() if member_prefs.is_resting(row, today)}
        due = due_nudges(quiet, store.last_nudged(tx, community), resting, slot,
                         timedelta(weeks=settings.every_weeks), settings.max_per_run)  # fmt: skip
        asked = prompt_store.asked_prompts(tx, community)
        current = asked[-1].question if asked and utc(asked[-1].asked_at) >= slot - timedelta(days=7) else None
        name = self.ctx.config.community.name
        planned = []
        for quiet_member in due:
            store.add(tx, store.Nudge(community=community, member=quiet_member.member, nudged_at=slot,
                                      quiet_since=quiet_member.last_active))  # fmt: skip
            text = nudge_text(members[quiet_member.member].name, name, current, None)
            planned.append(Planned(DirectMessage(member=quiet_member.member, text=text),
                                   subject=f"nudge:{quiet_member.member}", optional=True))  # fmt: skip
        return planned

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("nudge", "status"), Role.FACILITATOR, "who was nudged lately, who came back, the return rate",
                        self._status),
            CommandSpec(("nudge", "now"), Role.FACILITATOR, "nudge the quiet members who are due, now",
                        self._now),
        ]  # fmt: skip

    def _now(self, call: CommandCall) -> CommandResult:
        planned = self._nudge(call.tx, call.now)
        n = len(planned)
        if not n:
            return CommandResult("Nobody is due a nudge: no quiet member who has not had one lately.")
        return CommandResult(f"Nudging {n} quiet member{'s' if n != 1 else ''} (in their own daytime).", planned)

    def _status(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        found = nudge_outcomes(call.tx, self.ctx.community, call.now, settings, timedelta(weeks=SHOWN_WEEKS))
        names = {m.key: m.name for m in queries.members(call.tx, self.ctx.community, active_only=False)}
        return CommandResult(summary(found, names))


def nudge_outcomes(
    tx: Session, community: str, now: datetime, settings: NudgesConfig, back: timedelta
) -> list[Outcome]:
    """Every nudge of the last ``back`` with what followed (for ``/cop nudge status`` and the reports)."""
    since = now - back
    rows = store.nudges(tx, community, since)
    if not rows:
        return []
    activity = store.activity_since(tx, community, {r.member for r in rows}, utc(rows[0].nudged_at))
    within = timedelta(weeks=settings.came_back_within_weeks)
    return outcomes([(r.member, utc(r.nudged_at)) for r in rows], activity, now, within)
