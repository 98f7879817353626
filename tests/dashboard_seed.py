"""A community with three weeks of history for the dashboard tests, made by playing it on the console.

Every row comes from the real code paths: the console session turns typed lines into neutral events,
the runtime runs the prompts, pairing and facilitator rituals on the manual clock, and storage keeps
what they did. Nothing is inserted by hand, so the page is checked against what a live bot would store.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from adapters.console.adapter import ConsoleAdapter
from adapters.console.session import ConsoleSession
from bot.clock import ManualClock
from bot.runtime import Runtime
from config.models import CommunityConfig
from copbot.registry import RITUALS
from storage import pairing as pairing_store
from storage.db import Database, open_database
from tests.conftest import START, make_config

REFUSALS = ("Unknown", "Usage", "Nobody is speaking", "is not a command", "Only ", "could not", "There is no")

YAML = """\
community:
  id: dash-guild
  name: Platform Guild
  timezone: Europe/Berlin
  channels:
    general: guild
    prompts: guild-weekly
roles:
  admins: [console:dana]
  facilitators: [console:fay, console:ana, console:ben]
rituals:
  prompts:
    schedule:
      cron: "0 10 * * mon"
      grace: 1d
    questions:
      - What did you automate this week?
      - Which alert woke you up for nothing?
      - What would you delete from our platform?
      - Which runbook saved you last month?
  pairing:
    schedule:
      cron: "0 9 * * mon"
      grace: 1d
    every_weeks: 1
    anchor: 2027-01-04
    followup_after: 3d
    topics:
      - What are you learning right now?
      - Your best debugging story
  facilitator:
    sessions:
      cron: "0 16 * * thu"
    announce_before: 2d
    remind_before: 1d
    pool: [console:ana, console:ben, console:fay]
  polls:
    open_for: 3d
"""

# Monday 4 January 2027, 08:00 in Berlin. Each /time step runs the rituals due on the way.
SCRIPT = """\
/join dana
/join fay
/join ana Europe/Lisbon k8s,terraform
/join ben
/join cy America/New_York observability
/join dee
/join eli
/as eli
/cop optout pairing
/time +3h
/as ana
/reply We moved CI to remote caching and halved build times
/react
/as ben
/react
/as cy
/reply A cron job that restarted pods nightly
/time +4d
/as ana
/cop pairing met
/time +3d
/as fay
/cop prompt add "Which tool would you retire this year?"
/as dee
/cop facilitator volunteer
/reply Terraform drift detection
/as ben
/reply Our on-call handbook
/react
/as ana
/react
/as fay
/cop poll "How useful was Thursday's session?" 1 2 3 4 5 --ask "What should we change?"
/as ana
/click {poll} poll.vote.4
/reply {poll} More live demos, please
/as ben
/click {poll} poll.vote.3
/as cy
/click {poll} poll.vote.4
/reply {poll} Start at 17:00 so the Americas can join
/time +4d
/as ben
/cop pairing met
/time +3d
/as dana
/react
/as fay
/reply The queued question worked well
/leave dee
/as ben
/cop facilitator away 2027-02-05
/time +3d
/as ana
/cop pairing met
"""


def dashboard_config() -> CommunityConfig:
    return make_config(YAML)


@dataclass(frozen=True)
class SeededGuild:
    """The played database, the moment the play ended, and what the chat commands answered then."""

    url: str
    now: datetime
    facilitator_next: str  # the answer to /cop facilitator next, to compare with the page's rota


_SEEDED: dict[Path, SeededGuild] = {}


def seeded_guild(directory: Path) -> SeededGuild:
    """Play the three weeks once per test session (it takes a while: every hour's slots run) and reuse it."""
    if directory not in _SEEDED:
        with ThreadPoolExecutor(max_workers=1) as pool:  # a loop of its own, whatever the caller's loop is doing
            _SEEDED[directory] = pool.submit(asyncio.run, _play(directory / "dashboard.db")).result()
    return _SEEDED[directory]


def reader_runtime(db: Database, now: datetime) -> Runtime:
    """A runtime over the played database, never started: the dashboard only reads, as of ``now``."""
    return Runtime(dashboard_config(), db, ConsoleAdapter(), ManualClock(now), RITUALS)


async def _play(path: Path) -> SeededGuild:
    url = f"sqlite:///{path}"
    db = open_database(url)
    try:
        runtime, session, said, clock = await play_three_weeks(db)
        said.clear()
        await session.feed("/cop facilitator next")
        await runtime.stop()
        return SeededGuild(url, clock.now(), said[-1])
    finally:
        db.dispose()


async def play_three_weeks(db: Database) -> tuple[Runtime, ConsoleSession, list[str], ManualClock]:
    """Run the script against ``db``; returns the started runtime, its console session, what it said, the clock."""
    clock = ManualClock(START)
    adapter = ConsoleAdapter()
    runtime = Runtime(dashboard_config(), db, adapter, clock, RITUALS)
    said: list[str] = []
    session = ConsoleSession(runtime, adapter, clock, said.append, lambda: "")
    await runtime.start(background=False)
    for line in SCRIPT.splitlines():
        if "{poll}" in line:  # the poll's message reference depends on everything posted before it
            polls = [m for m in adapter.transcript if m.author == "copbot" and "*Poll:*" in m.text]
            line = line.format(poll=polls[-1].ref)
        assert await session.feed(line)
        problems = [s for s in said if any(sign in s for sign in REFUSALS)]
        assert not problems, f"the script line {line!r} was not understood: {problems}"
    # cy answers the current cycle's "did you meet?" with the button, as a member would
    with db.session() as tx:
        cycle = pairing_store.latest_cycle(tx, runtime.community)
        assert cycle is not None and cycle.id is not None
        (cys,) = [g for g in pairing_store.groups(tx, runtime.community, [cycle.id]) if "console:cy" in g.member_keys()]
    asked = [m for m in adapter.transcript if m.where.startswith("group DM") and "@cy" in m.where and m.buttons][-1]
    await session.feed("/as cy")
    await session.feed(f"/click {asked.ref} pairing.skipped {cys.id}")
    await runtime.settle()
    return runtime, session, said, clock
