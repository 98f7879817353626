"""Data people can take away: `copbot report --by-week --format csv` gives every member × week (posts, replies,
reactions, meetings, kudos) with a heat map, and the dashboard offers the same download."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import ButtonClicked, CommandInvoked, MemberJoined, MessagePosted, ReactionAdded, ReplyPosted
from bot.runtime import Runtime
from config.loader import parse_config
from copbot.dashboard.auth import TOKEN_ENV
from copbot.registry import RITUALS
from copbot.web import build_web_app
from copbot.week_grid import grid_csv, week_grid
from storage import queries
from tests.conftest import COMMUNITY_YAML

COPBOT = [sys.executable, "-m", "copbot.cli"]
TOKEN = "s3cret-dashboard-token-for-the-grid"
YAML = COMMUNITY_YAML + """\
  kudos: {digest: null}
  pairing: {followup_after: 1d}
"""


async def play(config_text: str, db_url: str) -> None:
    """Two weeks: ana posts and answers the question, ben reacts to it and gets kudos, the pair meets; "=cmd" is
    there, quiet in the first week (a name a spreadsheet would take for a formula)."""
    from storage.db import open_database

    db = open_database(db_url)
    clock = ManualClock(datetime(2027, 1, 4, 9, 30, tzinfo=UTC))
    adapter = ConsoleAdapter()
    runtime = Runtime(parse_config(config_text, "community.yaml"), db, adapter, clock, RITUALS)
    await runtime.start(background=False)
    ids = iter(range(1000))

    def base(member: str) -> dict[str, object]:
        return {"platform": "console", "event_id": f"e{next(ids)}", "member": f"console:{member}", "at": clock.now()}

    for name in ("ana", "ben", "=cmd"):
        await runtime.handle_event(MemberJoined(**base(name), name=name))  # type: ignore[arg-type]
    await runtime.handle_event(MessagePosted(**base("ana"), channel="guild", message_ref="p1", text="hi"))  # type: ignore[arg-type]
    await runtime.handle_event(CommandInvoked(**base("fay"), text="prompt now"))  # type: ignore[arg-type]
    await runtime.settle()
    prompt = adapter.transcript[-1].ref
    await runtime.handle_event(ReplyPosted(**base("ana"), channel="guild-weekly", thread_ref=prompt,  # type: ignore[arg-type]
                                           message_ref="r1", text="and more"))  # fmt: skip
    await runtime.handle_event(ReactionAdded(**base("ben"), message_ref=prompt, emoji="+1"))  # type: ignore[arg-type]
    await runtime.handle_event(CommandInvoked(**base("ana"), text="kudos @ben for the runbook"))  # type: ignore[arg-type]
    clock.advance(timedelta(days=7))
    await runtime.handle_event(CommandInvoked(**base("fay"), text="pair now"))  # type: ignore[arg-type]
    await runtime.commands_done()  # /cop pair now runs aside; its cycle is written when it is done
    with db.session() as tx:
        from storage import pairing

        [group] = [g for g in pairing.groups(tx, runtime.community) if "console:ana" in g.member_keys()]
    await runtime.handle_event(ButtonClicked(**base("ana"), action_id="pairing.met", value=str(group.id)))  # type: ignore[arg-type]
    await runtime.settle()
    with db.session() as tx:
        queries.set_console_clock(tx, runtime.community, clock.now())
        tx.commit()
    await runtime.stop()
    db.dispose()


@pytest.fixture
async def community(tmp_path: Path) -> AsyncIterator[tuple[Path, str]]:
    config = tmp_path / "community.yaml"
    config.write_text(YAML)
    url = f"sqlite:///{tmp_path / 'grid.db'}"
    await play(YAML, url)
    yield config, url


def run(args: list[str], url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"COPBOT_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run([*COPBOT, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def test_the_csv_has_every_member_and_week_with_each_kind(community: tuple[Path, str], tmp_path: Path) -> None:
    config, url = community
    result = run(["report", "--by-week", "--format", "csv", "--png", str(tmp_path / "grid.png"),
                  "--config", str(config)], url, tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["member", "name", "week", "week_start", "posts", "replies", "reactions", "meetings",
                             "kudos"]  # fmt: skip
    cells = {(r["name"], r["week"]): {k: int(r[k]) for k in list(r)[4:]} for r in rows}
    assert cells[("ana", "2027-W01")] == {"posts": 1, "replies": 1, "reactions": 0, "meetings": 0, "kudos": 0}
    assert cells[("ben", "2027-W01")] == {"posts": 0, "replies": 0, "reactions": 1, "meetings": 0, "kudos": 1}
    assert cells[("ana", "2027-W02")]["meetings"] == 1
    assert cells[("'=cmd", "2027-W01")] == dict.fromkeys(("posts", "replies", "reactions", "meetings", "kudos"), 0)
    assert len(rows) == 3 * 2  # every member in every week, zeros included
    assert (tmp_path / "grid.png").read_bytes().startswith(b"\x89PNG")
    refused = run(["report", "--format", "csv", "--config", str(config)], url, tmp_path)
    assert refused.returncode == 2 and "--format goes with --by-week" in refused.stderr


async def test_the_dashboard_offers_the_same_download(community: tuple[Path, str], tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from storage.db import open_database

    _, url = community
    db = open_database(url)
    config = parse_config(YAML, "community.yaml")
    with db.session() as tx:
        now = queries.console_clock(tx, config.community.id)
    assert now is not None
    runtime = Runtime(config, db, ConsoleAdapter(), ManualClock(now), RITUALS)
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    client: TestClient[web.Request, web.Application] = TestClient(TestServer(build_web_app(runtime), host="127.0.0.1"))
    await client.start_server()
    try:
        assert (await client.get("/dashboard/report.csv")).status == 401
        response = await client.get("/dashboard/report.csv", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status == 200 and response.content_type == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        expected = grid_csv(week_grid(db, config.community.id, config.community.timezone, now))
        assert await response.text() == expected
        page = await client.get("/dashboard", headers={"Authorization": f"Bearer {TOKEN}"})
        assert 'href="/dashboard/report.csv"' in await page.text()
        heat = await client.get("/dashboard/charts/week-grid.png", headers={"Authorization": f"Bearer {TOKEN}"})
        assert (await heat.read()).startswith(b"\x89PNG")
    finally:
        await client.close()
        db.dispose()
