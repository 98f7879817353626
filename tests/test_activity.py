"""Activity is what members did, never what the bot sent them, and every figure counts it the same way.

Kim, Lou and Max join the shipped community on Monday morning and get their welcome DMs over the week. Nobody
who was only written to is active anywhere. Then Kim reacts once to the weekly question and Lou presses "I agree
to the ground rules" once: each is active, once, in every view (copbot report, the health report's figures and
retention, /cop stats, the ladder, the dashboard, the simulate summary); Max is "welcomed, not yet active".
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import ButtonClicked, CommandInvoked, Event, MemberJoined, MessagePosted, ReactionAdded
from bot.runtime import Runtime
from config.loader import load_config
from config.models import CommunityConfig
from copbot.dashboard.data import gather
from copbot.registry import RITUALS
from copbot.report import build_report
from copbot.simulate import _summary
from rituals.health.ritual import health_snapshot
from rituals.ladder.ritual import LadderRitual
from storage import activity
from storage.db import Database
from tests.conftest import START, console_env, make_config

ROOT = Path(__file__).resolve().parents[1]
NEWCOMERS = ("kim", "lou", "max")


@pytest.fixture
def config() -> CommunityConfig:
    """The shipped community without its facilitator rota, whose founding hosts would be active on their own."""
    shipped = load_config(ROOT / "community.yaml")
    return shipped.model_copy(update={"rituals": shipped.rituals.model_copy(update={"facilitator": None})})


class Guild:
    """The shipped community on the console adapter, with a clock the test moves."""

    def __init__(self, runtime: Runtime, clock: ManualClock) -> None:
        self.runtime, self.clock, self.n = runtime, clock, 0
        assert isinstance(runtime.adapter, ConsoleAdapter)
        self.adapter: ConsoleAdapter = runtime.adapter

    @property
    def community(self) -> str:
        return self.runtime.community

    def base(self, who: str) -> dict[str, object]:
        self.n += 1
        return {"platform": "console", "event_id": f"t{self.n}", "member": f"console:{who}", "at": self.clock.now()}

    async def send(self, event: Event) -> str | None:
        answer = await self.runtime.handle_event(event)
        await self.runtime.settle()
        return answer

    async def until(self, when: datetime) -> None:
        while self.clock.now() < when:
            self.clock.set(min(when, self.clock.now() + timedelta(hours=1)))
            self.runtime.tick()
            await self.runtime.settle()

    def dms_to(self, who: str) -> int:
        return sum(1 for m in self.adapter.transcript if m.author == "copbot" and m.where == f"DM @{who}")

    # --- the views -------------------------------------------------------------------------------------------

    def report_totals(self) -> dict[str, int]:
        report = build_report(self.runtime.db, self.community, self.runtime.config.community.timezone, self.clock.now())
        return {row["member"].split(":")[1]: row["total"] for row in report.members if row["total"]}

    def report_active_this_week(self) -> int:
        report = build_report(self.runtime.db, self.community, self.runtime.config.community.timezone, self.clock.now())
        return sum(week["active_members"] for week in report.weeks)

    def welcomed_not_active(self) -> list[str]:
        report = build_report(self.runtime.db, self.community, self.runtime.config.community.timezone, self.clock.now())
        return [row["name"] for row in report.welcomed_not_active]

    def health_active(self) -> int:
        return health_snapshot(self.runtime.db, self.runtime.config, self.clock.now()).active_this.total

    def health_weekly(self) -> list[int]:
        return [w.active for w in health_snapshot(self.runtime.db, self.runtime.config, self.clock.now()).weekly_active]

    async def stats(self) -> str:
        answer = await self.send(CommandInvoked(**self.base("dana"), text="stats"))  # type: ignore[arg-type]
        assert answer is not None
        return answer

    def ladder_candidates(self) -> set[str]:
        with self.runtime.db.session() as tx:
            found = LadderRitual(self.runtime.ctx).candidates(tx, self.clock.now())
            tx.rollback()
        return {c.member.split(":")[1] for c in found}

    def dashboard(self) -> tuple[int, int]:
        data = gather(self.runtime, self.clock.now())
        return sum(w["active_members"] for w in data.weeks), data.health.active_this.total

    def simulate_summary_active(self) -> int:
        summary = _summary(self.runtime, self.adapter, 2, 3, 1, START)
        return sum(week.get("active_members", 0) for week in summary["weeks"])


@pytest.fixture
async def guild(config: CommunityConfig, db: Database, clock: ManualClock) -> AsyncIterator[Guild]:
    runtime = Runtime(config, db, ConsoleAdapter(), clock, RITUALS)
    await runtime.start(background=False)
    community = Guild(runtime, clock)
    for name in NEWCOMERS:
        await community.send(MemberJoined(**community.base(name), name=name))  # type: ignore[arg-type]
    await community.until(START + timedelta(days=8))  # the whole welcome sequence, and a weekly question
    yield community
    await runtime.stop()


async def test_members_who_only_received_dms_are_active_nowhere(guild: Guild) -> None:
    assert all(guild.dms_to(name) >= 3 for name in NEWCOMERS)  # welcome, introduce, check-in (and a buddy, maybe)
    assert guild.report_totals() == {}
    assert guild.report_active_this_week() == 0
    assert guild.welcomed_not_active() == list(NEWCOMERS)
    assert guild.health_active() == 0
    assert set(guild.health_weekly()) <= {0}
    assert " 0 active in the last 7 days (nothing yet)" in await guild.stats()
    assert guild.ladder_candidates() == set()
    assert guild.dashboard() == (0, 0)
    assert guild.simulate_summary_active() == 0


async def test_a_member_who_reacts_once_or_presses_once_is_active_in_every_view(guild: Guild) -> None:
    prompt = next(m for m in guild.adapter.transcript if m.author == "copbot" and m.where.startswith("#")
                  and "question" in m.text.lower())
    await guild.send(ReactionAdded(**guild.base("kim"), message_ref=prompt.ref, emoji="+1"))  # type: ignore[arg-type]
    await guild.send(ButtonClicked(**guild.base("lou"), action_id="onboarding.ack", value=""))  # type: ignore[arg-type]
    assert guild.report_totals() == {"kim": 1, "lou": 1}
    assert guild.report_active_this_week() == 2
    assert guild.welcomed_not_active() == ["max"]
    assert guild.health_active() == 2
    assert sum(guild.health_weekly()) == 2
    assert " 2 active in the last 7 days (1 acknowledgement, 1 reaction)" in await guild.stats()
    assert guild.ladder_candidates() == {"kim", "lou"}
    assert guild.dashboard() == (2, 2)
    assert guild.simulate_summary_active() == 2
    # a month on, two of the three newcomers were active in their first 30 days
    later = health_snapshot(guild.runtime.db, guild.runtime.config, START + timedelta(days=31))
    day30 = next(r for r in later.retention if r.days == 30)
    assert (day30.cohort, day30.retained) == (3, 2)


async def test_a_press_that_a_ritual_gives_a_meaning_counts_once(guild: Guild) -> None:
    """Lou's "I agree" is an acknowledgement, not also a button press; a second press is no new activity."""
    for _ in range(2):
        await guild.send(ButtonClicked(**guild.base("lou"), action_id="onboarding.ack", value=""))  # type: ignore[arg-type]
    with guild.runtime.db.session() as tx:
        lou = [(e.kind, e.subject) for e in activity.activity(tx, guild.community) if e.member == "console:lou"]
    assert lou == [("acknowledgement", "ground_rules_ack"), ("button", "button:onboarding.ack")]
    assert guild.report_totals() == {"lou": 2}


WITHOUT_HEALTH = """\
community:
  id: quiet-guild
  name: Quiet Guild
  channels:
    general: guild
rituals:
  prompts:
    questions: ["What did you automate this week?"]
"""


async def test_reactions_and_posts_anywhere_count_whichever_rituals_are_on(db: Database, clock: ManualClock) -> None:
    """A reaction on a member's post and a post in the channel are activity even with no ritual watching them."""
    runtime = Runtime(make_config(WITHOUT_HEALTH), db, ConsoleAdapter(), clock, RITUALS)
    await runtime.start(background=False)
    try:
        guild = Guild(runtime, clock)
        await guild.send(MessagePosted(**guild.base("kim"), channel="guild", message_ref="m-1", text="hello"))  # type: ignore[arg-type]
        await guild.send(ReactionAdded(**guild.base("lou"), message_ref="m-1", emoji="wave"))  # type: ignore[arg-type]
        with db.session() as tx:
            done = sorted((e.member, e.kind, e.ritual) for e in activity.activity(tx, "quiet-guild"))
            assert activity.active_members(tx, "quiet-guild") == {"console:kim", "console:lou"}
        assert done == [("console:kim", "post", "core"), ("console:lou", "reaction", "core")]
    finally:
        await runtime.stop()


def test_what_the_bot_sent_is_never_a_kind_of_activity() -> None:
    assert "onboarding_step" not in activity.ACTIVITY_KINDS
    assert "resource_contribution" not in activity.ACTIVITY_KINDS  # credited when someone else saves a thread
    assert {"reaction", "reply", "post", "button", "acknowledgement", "met", "kudos_given", "submission"} <= (
        activity.ACTIVITY_KINDS
    )


CONSOLE = """\
/join kim
/join lou
/join max
/time +8d
/report
/quit
"""


def test_three_newcomers_who_do_nothing_are_welcomed_not_active_in_the_console(
    tmp_path: Path, scenario_start: datetime
) -> None:
    """The issue's own steps: three members join the shipped community and do nothing for a week."""
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)
    env = console_env(tmp_path)
    run = subprocess.run([sys.executable, "-m", "copbot.cli", "run", "--config", str(config)], input=CONSOLE,
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("DM @kim") >= 3
    assert "Welcomed, not yet active (3): kim" in run.stdout
    report = subprocess.run([sys.executable, "-m", "copbot.cli", "report", "--json", "--config", str(config)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    counted = {row["member"]: row for row in data["members"] if row["total"]}
    # only the rota's founding hosts (community.yaml's pool) did something: they hosted Thursday's session
    assert set(counted) <= {"console:ana", "console:ben"}
    assert all(row["total"] == row.get("facilitateds", 0) + row.get("co_hosteds", 0) for row in counted.values())
    assert sum(week["active_members"] for week in data["weeks"]) <= len(counted)
    assert [row["name"] for row in data["welcomed_not_active"]] == ["kim", "lou", "max"]
