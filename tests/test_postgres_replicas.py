"""Several replicas against one PostgreSQL: each ritual slot runs once, each delivery goes out once.

Each replica is its own process (tests/replica_worker.py) sharing nothing but the database; the fake
Slack Web API in this process records what really went out, and is the judge.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.actions import DirectMessage
from bot.outbox import write_plan
from bot.ritual import Planned
from storage import prompts as prompt_store
from storage import queries
from storage.db import Database, open_database
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_harness import COMMUNITY_CHANNEL, CONFIG, PROMPTS_CHANNEL, TEAM

ROOT = Path(__file__).resolve().parents[1]
COMMUNITY = "slack-guild"
# Monday 2027-01-04 10:00 in Berlin is 09:00 UTC: the weekly prompt's slot. The replicas wake a minute later.
SLOT = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
DEADLINE = 180  # seconds for a whole multi-process scenario on a loaded 2-core machine


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack(team_id=TEAM)
    slack.add_channel(COMMUNITY_CHANNEL, "community")
    slack.add_channel(PROMPTS_CHANNEL, "prompts")
    await slack.start()
    yield slack
    await slack.stop()


async def _worker(*args: str) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.replica_worker", *args, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdout is not None
    line = await asyncio.wait_for(proc.stdout.readline(), DEADLINE)
    if b"ready" not in line:
        err = await proc.stderr.read() if proc.stderr else b""
        raise AssertionError(f"worker did not start: {line!r} {err.decode()[-3000:]}")
    return proc


async def _result(proc: asyncio.subprocess.Process) -> dict[str, Any]:
    out, err = await asyncio.wait_for(proc.communicate(), DEADLINE)
    assert proc.returncode == 0, err.decode()[-3000:]
    return dict(json.loads(out.decode().strip().splitlines()[-1]))


async def test_two_replicas_times_fifty_fires_of_one_slot_make_one_claim_and_one_post(
    pg_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    db = open_database(pg_url)
    with db.session() as tx:  # the bot was installed an hour before the slot, so the slot is due, not skipped
        queries.set_state(tx, COMMUNITY, "installed_at", (SLOT - timedelta(hours=1)).isoformat())
        tx.commit()
    config = tmp_path / "community.yaml"
    config.write_text(CONFIG)
    go = tmp_path / "go"
    at = (SLOT + timedelta(minutes=1)).isoformat()
    common = ["--db", pg_url, "--api", fake.api_url, "--config", str(config), "--at", at, "--go", str(go),
              "--fires", "50"]
    replicas = [await _worker("fire", *common) for _ in range(2)]
    go.touch()  # both are waiting: 100 ticks race for the same slot
    results = [await _result(p) for p in replicas]

    assert sum(r["ran"]["prompts"] for r in results) == 1, results
    with db.session() as tx:
        runs = [r for r in queries.runs(tx, COMMUNITY, "prompts") if r.slot == SLOT]
        prompts = prompt_store.asked_prompts(tx, COMMUNITY)
        deliveries = queries.deliveries(tx, COMMUNITY)
    assert [r.status for r in runs] == ["done"]
    assert len(prompts) == 1
    posts = [m for m in fake.messages[PROMPTS_CHANNEL]]
    assert len(posts) == 1, [m.text for m in posts]
    assert posts[0].text.startswith("What did you automate") or "automate" in posts[0].text
    assert [d.status for d in deliveries if d.ritual == "prompts"] == ["sent"]
    db.dispose()


def _plan_dms(db: Database, count: int) -> list[str]:
    members = [f"U{i:06d}" for i in range(count)]
    planned = [Planned(DirectMessage(text=f"Welcome, member {i}!", member=f"slack:{TEAM}:{u}"))
               for i, u in enumerate(members)]
    with db.session() as tx:
        write_plan(tx, COMMUNITY, "onboarding", "import", planned, datetime(2027, 1, 4, tzinfo=UTC))
        tx.commit()
    return members


def _dms_per_member(fake: FakeSlack) -> dict[str, int]:
    """How many DMs each member really received (the fake's DM channel ids map back to the user)."""
    users_of = {channel: users for users, channel in fake._dm_ids.items()}
    counts: dict[str, int] = {}
    for channel, messages in fake.messages.items():
        if channel in users_of:
            counts[users_of[channel]] = counts.get(users_of[channel], 0) + len(messages)
    return counts


async def test_two_senders_drain_one_outbox_and_each_member_gets_one_dm(
    pg_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    db = open_database(pg_url)
    members = _plan_dms(db, 200)
    go = tmp_path / "go"
    senders = [await _worker("send", "--db", pg_url, "--api", fake.api_url, "--go", str(go)) for _ in range(2)]
    go.touch()
    results = [await _result(p) for p in senders]
    assert sum(r["sent"] for r in results) == 200
    assert all(r["sent"] > 0 for r in results), f"one sender did everything: {results}"  # they really shared
    assert _dms_per_member(fake) == dict.fromkeys(members, 1)
    db.dispose()
