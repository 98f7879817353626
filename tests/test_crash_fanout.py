"""A fan-out of 500 welcome DMs whose sender is killed with SIGKILL half-way: after a restart, each member
has exactly one DM. On SQLite and on PostgreSQL.

SIGKILL gives the sender no chance to finish a batch or mark anything: rows are left ``sending`` with
their messages already out, or not. The restarted sender must look each in-doubt row up on the platform
(Slack: message metadata in ``conversations.history``) instead of sending it again, and send the rest.
The fake Slack, in this process, records what members really received: it is the judge.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import queries
from storage.db import open_database
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_harness import TEAM
from tests.test_postgres_replicas import COMMUNITY, DEADLINE, _dms_per_member, _plan_dms, _result

ROOT = Path(__file__).resolve().parents[1]
FAN_OUT = 500
KILL_AFTER = 150  # DMs out before the SIGKILL


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack(team_id=TEAM)
    await slack.start()
    yield slack
    await slack.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'copbot.db'}"
    return str(request.getfixturevalue("pg_url"))


async def _sender(url: str, api: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.replica_worker", "send", "--db", url, "--api", api, "--until-empty",
        "--sender-ttl", "2", cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def test_a_sender_killed_mid_fan_out_leaves_every_member_exactly_one_dm(database_url: str,
                                                                              fake: FakeSlack) -> None:
    db = open_database(database_url)
    members = _plan_dms(db, FAN_OUT)
    first = await _sender(database_url, fake.api_url)
    async with asyncio.timeout(DEADLINE):
        await fake.until(lambda: len(fake.calls_to("chat.postMessage")) >= KILL_AFTER)
    first.send_signal(signal.SIGKILL)
    await first.wait()
    before_restart = len(fake.calls_to("chat.postMessage"))
    assert KILL_AFTER <= before_restart < FAN_OUT, "the kill must land in the middle of the fan-out"
    with db.session() as tx:
        in_doubt = list(queries.deliveries(tx, COMMUNITY, "sending"))
        left = len(in_doubt) + len(queries.deliveries(tx, COMMUNITY, "pending"))
    assert in_doubt, "SIGKILL mid-batch leaves rows in 'sending' (else this test proves nothing)"

    second = await _sender(database_url, fake.api_url)
    result = await _result(second)

    assert _dms_per_member(fake) == dict.fromkeys(members, 1)  # nobody skipped, nobody twice
    assert len(fake.calls_to("chat.postMessage")) == FAN_OUT
    assert fake.calls_to("conversations.history"), "in-doubt rows were looked up, not blindly resent"
    with db.session() as tx:
        assert {d.status for d in queries.deliveries(tx, COMMUNITY)} == {"sent"}
    assert result["sent"] == left  # the restarted sender finished exactly what was left, found or sent
    db.dispose()
