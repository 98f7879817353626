"""How copbot logs: the level and format an operator asks for, tokens redacted, library chatter kept out.

Why one module, at the top: the application configures logging once (``copbot`` starting up); the core,
the rituals and the adapters only call ``logging.getLogger(__name__)`` and log. An operator reads the lines
as they would a Prometheus exporter's or GitLab Runner's: what the bot is doing (connected where, how many
members, when each ritual fires next, each ritual run and what it sent), not what a library thinks.

- ``COPBOT_LOG_LEVEL``: DEBUG, INFO, WARNING or ERROR. A live bot (``copbot run`` on Slack or Discord)
  defaults to INFO; the command-line tools (check, report, simulate, the console) to WARNING, since their
  answer is what they print.
- ``COPBOT_LOG_FORMAT=json``: one JSON object a line (``time``, ``level``, ``logger``, ``message``, and
  ``ritual``, ``slot``, ``delivery`` when a line is about one), for Loki, Elasticsearch or journald.
- Whatever the format, a Slack or Discord token never leaves the process: the formatted line (exception
  text included) is redacted last, whoever wrote it.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

LEVEL_ENV = "COPBOT_LOG_LEVEL"
FORMAT_ENV = "COPBOT_LOG_FORMAT"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
FORMATS = ("text", "json")
CONTEXT_FIELDS = ("ritual", "slot", "delivery")
"""Extra attributes a log call may carry (``log.info(..., extra={"ritual": "prompts"})``): JSON fields."""

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_TOKEN = re.compile(
    r"xox[a-z]-[A-Za-z0-9-]+"  # Slack bot, user and legacy tokens
    r"|xapp-[A-Za-z0-9-]+"  # Slack app-level tokens (Socket Mode)
    r"|[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"  # Discord bot tokens
)
REDACTED = "[redacted]"

# Libraries whose INFO lines say nothing an operator acts on: they log at WARNING and above only.
_CHATTY = ("apscheduler", "slack_bolt", "slack_sdk", "discord", "aiohttp.access", "alembic", "asyncio")

# Lines a library logs at WARNING that are misleading, not a warning: (logger prefix, message start).
_NOISE = (
    # Bolt reads SLACK_BOT_TOKEN from the environment by itself and warns that the client we hand it
    # (which carries that very token) wins; nothing is wrong.
    ("copbot.slack.bolt", "As you gave `client` as well, `token` will be unused"),
    ("slack_bolt", "As you gave `client` as well, `token` will be unused"),
)


class LogSetupError(ValueError):
    """``COPBOT_LOG_LEVEL`` or ``COPBOT_LOG_FORMAT`` holds something copbot does not know; the message says what."""


def redact(text: str) -> str:
    """``text`` with every Slack or Discord token replaced."""
    return _TOKEN.sub(REDACTED, text)


class _Redacting(logging.Formatter):
    """Redact the whole formatted line, exception and stack included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class TextFormatter(_Redacting):
    """``2026-12-04 10:00:00,123 INFO copbot.runtime: prompts: slot ... ran (12 deliveries)``."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)


class JsonFormatter(_Redacting):
    """One JSON object a line; redacted after serialising, so a token inside any field is caught too."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False))


class DropNoise(logging.Filter):
    """Drop the few library lines listed in ``_NOISE``."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not any(record.name.startswith(name) and message.startswith(start) for name, start in _NOISE)


def level_from(env: Mapping[str, str], default: int) -> int:
    """``COPBOT_LOG_LEVEL`` as a logging level (case-insensitive), else ``default``."""
    text = env.get(LEVEL_ENV, "").strip().upper()
    if not text:
        return default
    if text == "WARN":
        text = "WARNING"
    if text not in LEVELS:
        raise LogSetupError(f"{LEVEL_ENV}={text.lower()!r} is not a log level; use one of {', '.join(LEVELS)}")
    level: int = logging.getLevelName(text)
    return level


def format_from(env: Mapping[str, str]) -> str:
    """``COPBOT_LOG_FORMAT``: text (default) or json."""
    text = env.get(FORMAT_ENV, "").strip().lower() or "text"
    if text not in FORMATS:
        raise LogSetupError(f"{FORMAT_ENV}={text!r} is not a log format; use text or json")
    return text


def configure(
    *, live: bool = False, verbose: bool = False, env: Mapping[str, str] | None = None, stream: TextIO | None = None
) -> None:
    """Set up the root logger once for this process (replacing whatever handler was there).

    ``live``: a bot serving a platform, whose operator wants INFO by default. ``verbose`` (``-v``) means DEBUG
    unless ``COPBOT_LOG_LEVEL`` says otherwise. Raises :class:`LogSetupError` for a bad variable.
    """
    env = os.environ if env is None else env
    level = level_from(env, logging.DEBUG if verbose else logging.INFO if live else logging.WARNING)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(JsonFormatter() if format_from(env) == "json" else TextFormatter())
    handler.addFilter(DropNoise())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in _CHATTY:
        # Libraries speak up only about problems; with DEBUG, their INFO too (never their request dumps).
        logging.getLogger(name).setLevel(logging.INFO if level <= logging.DEBUG else logging.WARNING)
