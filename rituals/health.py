"""Health report ritual: a periodic read of the community's vital signs, posted to the facilitators.

The figures, the stage and the next steps are decided in :mod:`rituals.health_decisions` from a plain
:class:`~rituals.health_decisions.HealthHistory`; this module collects that history from storage, and
says the result (facilitators' channel, or the admins by DM when there is none).
:func:`health_snapshot` is the entry point other parts of copbot (the web dashboard, ``copbot report``)
call for the same figures.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.clock import utc
from config.models import CommunityConfig
from rituals.health_decisions import (
    ActivityFact,
    HealthHistory,
    HealthSnapshot,
    MemberFact,
    PairingFact,
    PromptFact,
    StageRule,
    build_snapshot,
)
from storage import pairing as pairing_store
from storage import queries
from storage.db import Database

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
            interests=tuple(t for t in m.interests.split(",") if t),
        )
        for m in queries.members(tx, community, active_only=False)
    )
    activity = tuple(
        ActivityFact(member=e.member, kind=e.kind, at=utc(e.at), subject=e.subject)
        for e in queries.participation(tx, community, since)
    )
    prompts = tuple(
        PromptFact(p.id, utc(p.asked_at)) for p in queries.asked_prompts(tx, community) if p.id is not None
    )
    cycles = {c.id: utc(c.slot) for c in pairing_store.cycles(tx, community)}
    pairings = tuple(
        PairingFact(cycles[g.cycle_id], g.answer) for g in pairing_store.groups(tx, community) if g.cycle_id in cycles
    )
    return HealthHistory(members=members, activity=activity, prompts=prompts, pairings=pairings)


def snapshot_in(tx: Session, config: CommunityConfig, now: datetime) -> HealthSnapshot:
    """The snapshot inside an open transaction (the ritual's slot and command handlers use this)."""
    period = report_period(config)
    history = load_history(tx, config.community.id, utc(now), period)
    return build_snapshot(history, utc(now), period, stage_rule(config))


def health_snapshot(db: Database, config: CommunityConfig, now: datetime) -> HealthSnapshot:
    """The community's health for the period ending ``now``: what the dashboard and reports show.

    The result names quiet members; call ``.public()`` on it before showing it to anyone but admins.
    """
    with db.session() as tx:
        return snapshot_in(tx, config, now)
