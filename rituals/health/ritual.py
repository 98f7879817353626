"""Health report ritual: a periodic read of the community's vital signs, posted to the facilitators.

The figures, the stage and the next steps are decided in :mod:`rituals.health.decisions` from a plain
:class:`~rituals.health.decisions.HealthHistory`; this module collects that history from storage, and
says the result (facilitators' channel, or the admins by DM when there is none).
:func:`health_snapshot` is the entry point other parts of copbot (the web dashboard, ``copbot report``)
call for the same figures.
"""

from __future__ import annotations

import logging
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.actions import Attachment, DirectMessage, Post
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Ritual, Role, ScheduleSpec
from config.health import HealthConfig
from config.models import CommunityConfig
from rituals.health.decisions import (
    ActivityFact,
    HealthHistory,
    HealthSnapshot,
    MemberFact,
    PairingFact,
    PromptFact,
    StageRule,
    build_snapshot,
)
from rituals.health.texts import quiet_members_text, report_text
from rituals.polls.ritual import poll_results
from storage import activity as activity_store
from storage import kudos as kudos_store
from storage import pairing as pairing_store
from storage import prompts as prompt_store
from storage import queries
from storage.db import Database
from storage.tags import decode_list
from storage.times import utc

log = logging.getLogger("copbot.health")

DEFAULT_PERIOD = timedelta(days=30)
HISTORY = timedelta(days=400)
"""How far back participation is read: retention looks at newcomers of the past year, 90 days on."""


def stage_rule(config: CommunityConfig) -> StageRule:
    """The stage thresholds from community.yaml (defaults when the health section is absent)."""
    settings = config.rituals.health
    if settings is None:
        return StageRule()
    s = settings.stages
    return StageRule(
        beginning_members=s.beginning_members,
        expansion_growth=s.expansion_growth,
        change_active_drop=s.change_active_drop,
        quiet_min_contributions=s.quiet_min_contributions,
        concentration_share=s.concentration_share,
    )


def report_period(config: CommunityConfig) -> timedelta:
    settings = config.rituals.health
    return settings.period if settings is not None else DEFAULT_PERIOD


def load_history(tx: Session, community: str, now: datetime, period: timedelta) -> HealthHistory:
    """Read what the figures need, as plain values (the only I/O behind a snapshot)."""
    since = now - max(HISTORY, period * 4)
    members = tuple(
        MemberFact(
            key=m.key,
            name=m.name,
            joined_at=utc(m.joined_at),
            left_at=utc(m.left_at) if m.left_at else None,
            newcomer=m.welcomed,
            interests=decode_list(m.interests),
        )
        for m in queries.members(tx, community, active_only=False)
    )
    activity = tuple(
        ActivityFact(member=member, kind=kind, at=utc(at), subject=subject)
        for member, kind, at, subject in activity_store.activity_rows(tx, community, since)
    )
    prompts = tuple(
        PromptFact(p.id, utc(p.asked_at)) for p in prompt_store.asked_prompts(tx, community) if p.id is not None
    )
    cycles = {c.id: utc(c.slot) for c in pairing_store.cycles(tx, community)}
    pairings = tuple(
        PairingFact(cycles[g.cycle_id], g.answer) for g in pairing_store.groups(tx, community) if g.cycle_id in cycles
    )
    polls = poll_results(tx, community, now - period * 2)
    kudos = tuple(utc(k.given_at) for k in kudos_store.between(tx, community, since, now + timedelta(seconds=1)))
    return HealthHistory(members=members, activity=activity, prompts=prompts, pairings=pairings, polls=polls,
                         kudos=kudos)


def snapshot_in(tx: Session, config: CommunityConfig, now: datetime) -> HealthSnapshot:
    """The snapshot inside an open transaction (the ritual's slot and command handlers use this)."""
    period = report_period(config)
    history = load_history(tx, config.community.id, utc(now), period)
    return build_snapshot(history, utc(now), period, stage_rule(config), ZoneInfo(config.community.timezone))


def health_snapshot(db: Database, config: CommunityConfig, now: datetime) -> HealthSnapshot:
    """The community's health for the period ending ``now``: what the dashboard and reports show.

    The result names quiet members; call ``.public()`` on it before showing it to anyone but admins.
    """
    with db.session() as tx:
        return snapshot_in(tx, config, now)


def chart_dir(community: str) -> Path:
    """Where report charts are written: the adapter uploads the file when the delivery goes out."""
    return Path(tempfile.gettempdir()) / "copbot" / community


def write_chart(snapshot: HealthSnapshot, community: str, title: str) -> Attachment | None:
    """The chart as a PNG attachment; a failure to draw is logged and the report goes out without it."""
    from rituals.health.charts import health_chart

    path = chart_dir(community) / f"health-{snapshot.period_end:%Y%m%d-%H%M}.png"
    try:
        health_chart(snapshot, path, title)
    except Exception:
        log.exception("could not draw the health chart; the report goes out without it")
        return None
    return Attachment(path=str(path), title=f"{title}: health chart")


class HealthRitual(Ritual):
    """Posts the health report on its schedule and on ``/cop health``; admins alone learn who went quiet."""

    name = "health"

    @property
    def settings(self) -> HealthConfig:
        return self.ctx.config.rituals.health or HealthConfig()

    def enabled(self) -> bool:
        section = self.ctx.config.rituals.health
        return bool(section and section.enabled)

    def schedules(self) -> list[ScheduleSpec]:
        schedule = self.settings.schedule
        return [ScheduleSpec("health", schedule.cron, schedule.grace)]

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        return self.plan_report(tx, utc(slot))

    def plan_report(self, tx: Session, now: datetime) -> list[Planned]:
        """The report to the facilitators' channel (quiet members as a count) and the names to admins by DM.

        With no facilitators' channel the admins get the whole report, names included, by DM.
        """
        config = self.ctx.config
        snapshot = snapshot_in(tx, config, now)
        subject = f"health:{snapshot.period_end.isoformat()}"
        text = report_text(snapshot, config.community.name)
        attachments: tuple[Attachment, ...] = ()
        if self.settings.chart:
            chart = write_chart(snapshot, config.community.id, config.community.name)
            attachments = (chart,) if chart else ()
        quiet = quiet_members_text(snapshot)
        channel = self._channel()
        planned: list[Planned] = []
        if channel is not None:
            planned.append(Planned(Post(channel=channel, text=text, attachments=attachments), subject=subject))
            if quiet:
                planned.extend(
                    Planned(DirectMessage(member=admin, text=quiet), subject=subject) for admin in config.roles.admins
                )
        else:
            private = f"{text}\n\n{quiet}" if quiet else text
            planned.extend(
                Planned(DirectMessage(member=admin, text=private, attachments=attachments), subject=subject)
                for admin in config.roles.admins
            )
        if not planned:
            log.warning("health report has nowhere to go: no facilitators channel and no admins in roles")
        return planned

    def _channel(self) -> str | None:
        """The configured channel, else the facilitators' channel; None means "DM the admins"."""
        channels = self.ctx.config.community.channels.model_dump()
        logical = self.settings.channel or "facilitators"
        return channels.get(logical) or None

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("health",), Role.FACILITATOR, "post the community health report now", self._health),
        ]

    def _health(self, call: CommandCall) -> CommandResult:
        planned = self.plan_report(call.tx, call.now)
        channel = self._channel()
        where = f"#{channel}" if channel else "the admins by direct message"
        if not planned:
            return CommandResult(
                "The report has nowhere to go: set community.channels.facilitators, or list admins under roles.admins."
            )
        return CommandResult(f"The health report is on its way to {where}.", planned)
