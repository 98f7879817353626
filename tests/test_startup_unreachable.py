"""A platform or database that is down when the bot starts: one line a try, backoff, /healthz names it, no traceback.

Slack runs for real (``copbot run --platform slack`` against a fake Slack that comes up late); Discord runs the
real discord.py client against an address where nothing listens; the database wait is driven with a stub sleep.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from adapters.discord.settings import DiscordSettings
from config.loader import parse_config
from copbot.live import open_when_reachable, retry_delays
from copbot.platforms.discord import serve_discord
from storage.db import Database
from tests.fakes.slack_api import FakeSlack
from tests.slack_run_log import BOT_TOKEN, CONFIG, ROOT, SIGNING_SECRET, _free_port


def healthz(port: int) -> tuple[int, dict[str, Any]] | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as exc:
        return exc.code, json.load(exc)
    except OSError:
        return None


async def until(predicate: Any, within: float = 30.0) -> Any:
    async with asyncio.timeout(within):
        while not (found := await asyncio.to_thread(predicate)):  # noqa: ASYNC110  (another process: poll it)
            await asyncio.sleep(0.2)
    return found


async def test_slack_down_at_start_is_one_line_a_try_healthz_says_so_and_the_bot_connects_once_it_is_up() -> None:
    slack_port, bot_port = _free_port(), _free_port()
    work = Path(tempfile.mkdtemp(prefix="copbot-down-"))
    (work / "community.yaml").write_text(CONFIG)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "COPBOT_"))} | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{slack_port}/api/",
        "PORT": str(bot_port),
        "COPBOT_DATABASE_URL": f"sqlite:///{work / 'copbot.db'}",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "copbot.cli", "run", "--platform", "slack", "--config", str(work / "community.yaml"),
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    fake = FakeSlack()
    try:
        status, body = await until(lambda: healthz(bot_port))
        assert status == 503
        assert body["adapter"] is False and f"127.0.0.1:{slack_port}" in body["waiting_for"]
        assert body["problems"][0].startswith(f"starting: Slack (http://127.0.0.1:{slack_port}/api/) is unreachable")
        await fake.start(port=slack_port)  # Slack is back
        status, body = await until(lambda: (h := healthz(bot_port)) and h[0] == 200 and h)
        assert body["status"] == "ok" and "waiting_for" not in body
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, err = await process.communicate()
        await fake.stop()
    log = err.decode()
    assert process.returncode == 0, log
    assert "Traceback" not in log and BOT_TOKEN not in log
    waits = [line for line in log.splitlines() if "is unreachable" in line]
    assert waits and all("WARNING" in line and "trying again in" in line for line in waits)
    assert "Slack: connected to workspace" in log and "connected after all" in log


async def test_discord_down_at_start_waits_with_one_line_a_try_and_stops_cleanly(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    port = _free_port()  # nothing listens there
    settings = DiscordSettings(token="fake-token", api_url=f"http://127.0.0.1:{port}/api/v10",
                               gateway_url=f"ws://127.0.0.1:{port}/gateway", connect_timeout=5.0)
    config = parse_config((ROOT / "tests" / "fixtures" / "discord" / "community.yaml").read_text(), "community.yaml")
    stop = asyncio.Event()
    caplog.set_level(logging.WARNING, logger="copbot")
    task = asyncio.create_task(serve_discord(None, config, db, settings, stop))
    try:
        async with asyncio.timeout(20):
            while len([r for r in caplog.records if "is unreachable" in r.getMessage()]) < 2:  # noqa: ASYNC110
                await asyncio.sleep(0.1)  # (log records have no event to wait on)
    finally:
        stop.set()
        code = await asyncio.wait_for(task, 20)
    waits = [r for r in caplog.records if "is unreachable" in r.getMessage()]
    assert code == 0
    assert waits[0].getMessage().startswith(f"Discord (http://127.0.0.1:{port}/api/v10) is unreachable")
    assert all(r.exc_info is None for r in waits)  # one line, no traceback
    assert "trying again in 1 s" in waits[0].getMessage() and "trying again in 2 s" in waits[1].getMessage()


def test_a_database_down_at_start_is_waited_for_with_backoff(caplog: pytest.LogCaptureFixture) -> None:
    attempts: list[int] = []
    slept: list[float] = []
    opened = object()

    def opener() -> Any:
        attempts.append(1)
        if len(attempts) < 3:
            raise OperationalError("SELECT 1", {}, Exception('connection to server at "db" (10.0.0.5), port 5432 '
                                                             "failed: Connection refused"))
        return opened

    caplog.set_level(logging.WARNING, logger="copbot")
    url = "postgresql+psycopg://copbot:s3cret@db:5432/copbot"
    assert open_when_reachable(url, opener, sleep=slept.append) is opened
    assert slept == [1.0, 2.0]
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert all(line.startswith("the database is unreachable: connection to server") for line in lines)
    assert all("s3cret" not in line for line in lines)


def test_a_wrong_database_password_is_not_retried() -> None:
    def opener() -> Any:
        raise OperationalError("SELECT 1", {}, Exception('FATAL: password authentication failed for user "copbot"'))

    with pytest.raises(OperationalError):
        open_when_reachable("postgresql+psycopg://copbot:x@db/copbot", opener, sleep=lambda _: None)


def test_the_backoff_doubles_up_to_a_minute() -> None:
    delays = retry_delays()
    assert [next(delays) for _ in range(9)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]
