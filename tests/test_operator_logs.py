"""What an operator reads in the log of a running bot: what it is doing, in text or JSON, and never a token.

The end-to-end tests start the real ``copbot run --platform slack`` against the fake Slack
(tests/slack_run_log.py) and read what it wrote; the rest drive copbot/logs.py's formatters directly.
"""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.runtime import Runtime
from copbot import logs
from tests.slack_run_log import BOT_TOKEN, capture

ROOT = Path(__file__).resolve().parent.parent
DISCORD_TOKEN = "MTA4NjQ5NzA1ODAwMDAwMDAwMA.GhIjKl.abcdefghijklmnopqrstuvwxyz0123456789AB"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """copbot/logs.py configures the root logger; give pytest's own handlers back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_copbot_run_on_slack_says_where_it_connected_and_what_comes_next() -> None:
    text = await capture()
    assert BOT_TOKEN not in text and "xoxb-" not in text
    assert "As you gave `client` as well" not in text  # Bolt's misleading warning is gone
    assert "Traceback" not in text
    assert "INFO copbot.slack: Slack: connected to workspace CoP (T0001" in text
    assert "is running for Ops Guild (ops-guild, Europe/Berlin): 0 members known" in text
    assert "prompts: next Mon" in text
    assert "facilitator sessions: next Thu" in text
    assert "rituals switched off: onboarding" in text


async def test_json_lines_carry_the_ritual_and_debug_never_shows_a_token() -> None:
    text = await capture({"COPBOT_LOG_FORMAT": "json", "COPBOT_LOG_LEVEL": "debug"})
    assert BOT_TOKEN not in text and "xoxb-" not in text
    entries = [json.loads(line) for line in text.splitlines() if line.strip()]  # every line is one JSON object
    assert {"time", "level", "logger", "message"} <= entries[0].keys()
    upcoming = [e for e in entries if e["message"].startswith("prompts: next")]
    assert upcoming and upcoming[0]["ritual"] == "prompts" and upcoming[0]["level"] == "INFO"
    assert any(e["level"] == "DEBUG" for e in entries)


async def test_copbot_log_level_warning_keeps_a_healthy_start_quiet() -> None:
    text = await capture({"COPBOT_LOG_LEVEL": "WARNING"})
    assert text.strip() == ""


@pytest.mark.parametrize(("variable", "value"), [("COPBOT_LOG_LEVEL", "loud"), ("COPBOT_LOG_FORMAT", "xml")])
def test_a_bad_log_variable_is_one_line_and_exit_2(variable: str, value: str) -> None:
    env = {"PATH": "/usr/bin:/bin", variable: value}
    out = subprocess.run([sys.executable, "-m", "copbot.cli", "schema"], capture_output=True, text=True, env=env,
                         cwd=ROOT)
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and variable in out.stderr


@pytest.mark.parametrize("form", ["text", "json"])
def test_tokens_are_redacted_in_messages_arguments_and_tracebacks(form: str, restore_logging: None) -> None:
    stream = io.StringIO()
    logs.configure(live=True, env={"COPBOT_LOG_FORMAT": form}, stream=stream)
    log = logging.getLogger("copbot.test")
    log.info("calling Slack with %s", BOT_TOKEN)
    log.warning(f"Discord said no to {DISCORD_TOKEN}")
    try:
        raise RuntimeError(f"auth failed for xapp-1-A0123-secret and {BOT_TOKEN}")
    except RuntimeError:
        log.exception("start failed")
    text = stream.getvalue()
    assert BOT_TOKEN not in text and DISCORD_TOKEN not in text and "xapp-1" not in text
    assert text.count(logs.REDACTED) == 5
    assert "RuntimeError" in text  # the traceback is still there, only the tokens are gone


def test_library_chatter_stays_below_info(restore_logging: None) -> None:
    stream = io.StringIO()
    logs.configure(live=True, env={}, stream=stream)
    logging.getLogger("apscheduler.executors.default").info('Running job "tick" (scheduled at ...)')
    logging.getLogger("discord.client").info("logging in using static token")
    logging.getLogger("copbot.slack.bolt").warning("As you gave `client` as well, `token` will be unused.")
    logging.getLogger("discord.http").warning("We are being rate limited.")
    assert stream.getvalue().splitlines() == [
        line for line in stream.getvalue().splitlines() if "rate limited" in line
    ] != []


async def test_a_ritual_run_is_logged_with_its_ritual_slot_and_delivery_count(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="copbot")
    runtime.clock.advance(timedelta(days=8))  # type: ignore[attr-defined]
    runtime.tick(only="prompts")
    [ran] = [r for r in caplog.records if "slot" in r.getMessage() and r.getMessage().startswith("prompts:")]
    entry = json.loads(logs.JsonFormatter().format(ran))
    assert ran.levelno == logging.INFO and entry["ritual"] == "prompts" and entry["slot"]
    assert entry["message"].endswith("ran (1 delivery)")
    await runtime.settle()
    sent = [json.loads(logs.JsonFormatter().format(r)) for r in caplog.records if r.name == "copbot.outbox"]
    assert any(e["message"] == "sent 1 delivery (prompts 1)" and e["ritual"] == "prompts" for e in sent)
    [one] = [e for e in sent if e["level"] == "DEBUG"]
    assert one["delivery"] and one["ritual"] == "prompts" and one["message"].startswith(f"delivery {one['delivery']}")
