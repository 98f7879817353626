"""Reading everything the dashboard shows from storage, through the rituals' own code, in one read-only pass.

Why through the rituals: the rota is derived (never stored) by the facilitator ritual's pure decision, and
the next question by the prompts ritual's; the page must say exactly what ``/cop facilitator next`` and
``/cop prompt next`` say. Nothing here commits: the session is rolled back when the pass ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.runtime import Runtime
from copbot.dashboard.view import (
    CycleRow,
    PairingView,
    PoolView,
    QuestionsView,
    RotaRow,
    cycle_rows,
    pairing_view,
    pool_view,
    questions_view,
    rota_rows,
    when_text,
)
from copbot.report import Report, build_report
from rituals.facilitator.ritual import FacilitatorRitual
from rituals.health.decisions import HealthSnapshot
from rituals.health.ritual import health_snapshot
from storage import activity as activity_store
from storage import facilitator as rota_store
from storage import pairing as pairing_store
from storage import prompts as prompt_store
from storage import queries
from storage.times import utc

ROTA_SESSIONS = 8  # "the next weeks": two months of weekly sessions
CYCLES_SHOWN = 6  # the pairing history: enough to see a trend
WEEKS_SHOWN = 8
PROMPTS_SHOWN = 26  # half a year of weekly questions  # rows of the participation table under the chart


@dataclass(frozen=True)
class Section:
    """Whether a ritual is on, and if not what to change (shown instead of an empty table)."""

    enabled: bool
    note: str = ""


@dataclass(frozen=True)
class DashboardData:
    """Everything one page render needs, already computed."""

    community: str
    timezone: str
    generated: str
    members: int
    members_left: int
    report: Report
    weeks: list[dict[str, Any]]
    health: HealthSnapshot  # public figures only: a shared page names nobody who went quiet
    rota: list[RotaRow]
    pool: PoolView
    rota_section: Section
    pairing: PairingView | None
    pairing_section: Section
    pairing_history: list[CycleRow]
    questions: QuestionsView
    prompts_section: Section
    charts: list[tuple[str, str]] = field(default_factory=list)  # (file name, caption)


def gather(runtime: Runtime, now: datetime) -> DashboardData:
    """Read the community's state as of ``now`` (the runtime's injected clock)."""
    config = runtime.config  # read once: a hot reload mid-pass must not mix two configs
    community = config.community.id
    zone = ZoneInfo(config.community.timezone)
    rituals = config.rituals
    with runtime.db.session() as tx:
        everyone = queries.members(tx, community, active_only=False)
        names = {m.key: m.name for m in everyone}
        present = [m for m in everyone if m.left_at is None]

        rota: list[RotaRow] = []
        pool = PoolView((), (), ())
        if rituals.facilitator is not None and rituals.facilitator.enabled:
            rota_section = Section(True)
            turns = FacilitatorRitual(runtime.ctx).upcoming_turns(tx, now, ROTA_SESSIONS)
            rota = rota_rows(turns, names, zone)
            gone = [m.key for m in everyone if m.left_at is not None]
            pool = pool_view(rota_store.volunteers(tx, community), gone, names, utc(now).astimezone(zone).date())
        else:
            rota_section = Section(False, "The facilitator rota is off: add a rituals.facilitator section.")

        pairing = None
        history: list[CycleRow] = []
        if rituals.pairing is not None and rituals.pairing.enabled:
            pairing_section = Section(True, "No pairing cycle yet: the first starts on schedule, or run /cop pair now.")
            recent = list(pairing_store.cycles(tx, community))[-CYCLES_SHOWN:]
            ids = [c.id for c in recent if c.id is not None]
            history = cycle_rows(
                recent,
                pairing_store.groups(tx, community, ids),
                {i: len(pairing_store.left_out(tx, community, i)) for i in ids},
                zone,
            )
            cycle = pairing_store.latest_cycle(tx, community)
            if cycle is not None and cycle.id is not None:
                pairing = pairing_view(
                    cycle,
                    pairing_store.groups(tx, community, [cycle.id]),
                    pairing_store.left_out(tx, community, cycle.id),
                    names,
                    zone,
                    now,
                )
        else:
            pairing_section = Section(False, "Pairing is off: add a rituals.pairing section.")

        prompts_on = rituals.prompts is not None and rituals.prompts.enabled
        bank = list(rituals.prompts.questions) if rituals.prompts is not None else []
        prompts = list(prompt_store.asked_prompts(tx, community))
        shown = prompts[-PROMPTS_SHOWN:]
        # replies and reactions to the prompts shown all come after the oldest of them was asked
        drawn = activity_store.activity(tx, community, utc(shown[0].asked_at)) if shown else []
        questions = questions_view(
            bank, prompts, list(prompt_store.queued_questions(tx, community)), drawn, names, zone,
            history_limit=PROMPTS_SHOWN,
        )
        prompts_section = Section(prompts_on, "" if prompts_on else "Weekly prompts are off (rituals.prompts).")
        tx.rollback()  # read-only: drop anything a ritual's read path flushed (e.g. seeding the rota pool)

    report = build_report(runtime.db, community, config.community.timezone, now)
    health = health_snapshot(runtime.db, config, now).public()
    return DashboardData(
        community=config.community.name,
        timezone=config.community.timezone,
        generated=when_text(now, zone),
        members=len(present),
        members_left=len(everyone) - len(present),
        report=report,
        weeks=list(reversed(report.weeks[-WEEKS_SHOWN:])),
        health=health,
        rota=rota,
        pool=pool,
        rota_section=rota_section,
        pairing=pairing,
        pairing_section=pairing_section,
        pairing_history=history,
        questions=questions,
        prompts_section=prompts_section,
        charts=[
            ("health.png", "Active members and prompt reply rate per week; newcomer retention"),
            ("participation.png", "Contributions per week by kind, with active members"),
        ],
    )
