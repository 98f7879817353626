"""``copbot run --platform slack``: read the Slack credentials from the environment and serve the community.

Why a separate module: the environment is read here and nowhere else, so the adapter stays
constructible in tests with explicit arguments. A missing or malformed credential stops start-up with
one line that names the variable and where to find it (exit 2); a token never appears in a log line.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from bot.people import Resolution
    from config.models import CommunityConfig
    from storage.db import Database

EXIT_CONFIG = 2
_TOKEN_PATTERN = re.compile(r"xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")
_APP_PAGE = "https://api.slack.com/apps → your app"


class CredentialError(Exception):
    """One environment variable is missing or malformed; the message says which and where to get it."""


@dataclass(frozen=True)
class SlackSettings:
    """Everything the Slack adapter takes from the environment."""

    bot_token: str
    signing_secret: str | None
    app_token: str | None
    api_url: str
    port: int

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None


def _get(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    return value or None


def read_settings(env: Mapping[str, str]) -> SlackSettings:
    """Validate the Slack variables; raise :class:`CredentialError` naming the first bad one."""
    from adapters.slack.adapter import DEFAULT_API_URL

    token = _get(env, "SLACK_BOT_TOKEN")
    if token is None:
        raise CredentialError(
            f"SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-…) from {_APP_PAGE} → OAuth & Permissions"
        )
    if not re.fullmatch(r"xoxb-[A-Za-z0-9-]+", token):
        raise CredentialError(
            "SLACK_BOT_TOKEN does not look like a bot token (it must start with xoxb-): copy the Bot User OAuth "
            f"Token from {_APP_PAGE} → OAuth & Permissions"
        )
    app_token = _get(env, "SLACK_APP_TOKEN")
    if app_token is not None and not re.fullmatch(r"xapp-[A-Za-z0-9-]+", app_token):
        raise CredentialError(
            "SLACK_APP_TOKEN does not look like an app-level token (it must start with xapp-): create one with the "
            f"connections:write scope in {_APP_PAGE} → Basic Information → App-Level Tokens, or unset it for HTTP mode"
        )
    secret = _get(env, "SLACK_SIGNING_SECRET")
    if secret is None and app_token is None:
        raise CredentialError(
            f"SLACK_SIGNING_SECRET is not set: copy the Signing Secret from {_APP_PAGE} → Basic Information → "
            "App Credentials (or set SLACK_APP_TOKEN to use Socket Mode)"
        )
    if secret is not None and not re.fullmatch(r"[0-9a-fA-F]{20,64}", secret):
        raise CredentialError(
            "SLACK_SIGNING_SECRET does not look like a signing secret (hexadecimal, no spaces or quotes): copy it "
            f"again from {_APP_PAGE} → Basic Information → App Credentials"
        )
    api_url = _get(env, "SLACK_API_URL") or DEFAULT_API_URL
    if not re.match(r"https?://", api_url):
        raise CredentialError(f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_API_URL}, got {api_url!r}")
    if not api_url.endswith("/"):
        api_url += "/"  # slack_sdk joins method names with urljoin: without the slash the path is dropped
    port_text = _get(env, "PORT") or "3000"
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise CredentialError(f"PORT must be a TCP port number (1-65535), got {port_text!r}")
    return SlackSettings(token, secret, app_token, api_url, int(port_text))


class RedactTokens(logging.Filter):
    """Belt and braces: no log line leaves the process with a Slack token in it, whoever wrote it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _TOKEN_PATTERN.search(message):
            record.msg = _TOKEN_PATTERN.sub("xox?-[redacted]", message)
            record.args = None
        return True


def protect_logs() -> None:
    """Redact tokens on every root handler, and keep the SDKs' request-level debug output off."""
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, RedactTokens) for f in handler.filters):
            handler.addFilter(RedactTokens())
    for name in ("slack_sdk", "slack_bolt"):
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), logging.INFO))


def slack_unreachable(exc: BaseException, settings: SlackSettings) -> str | None:
    """A failure to reach Slack at all (DNS, refused, timeout, Slack's 5xx), in one line; None for anything else
    (a rejected token is Slack answering, and stops the bot with its own message)."""
    import aiohttp
    from slack_sdk.errors import SlackApiError

    if isinstance(exc, SlackApiError):
        status = getattr(exc.response, "status_code", 200)
        if status < 500:
            return None
        reason = f"HTTP {status}"
    elif isinstance(exc, aiohttp.ClientError | OSError | TimeoutError):
        reason = str(exc) or type(exc).__name__
    else:
        return None
    return f"Slack ({settings.api_url}) is unreachable: {reason}"


async def serve_slack(config_path: Path | None, config: CommunityConfig, db: Database, settings: SlackSettings) -> int:
    """Build the adapter and the live runtime around it, and serve until SIGINT/SIGTERM."""
    from slack_sdk.errors import SlackApiError

    from adapters.slack.adapter import SlackAdapter
    from bot.web_server import PortError
    from copbot.live import build_live_runtime, serve
    from copbot.web import build_web_app

    adapter = SlackAdapter(
        token=settings.bot_token,
        signing_secret=settings.signing_secret,
        app_token=settings.app_token,
        base_url=settings.api_url,
        port=settings.port,
    )
    runtime = build_live_runtime(config, db, adapter)
    # HTTP mode: the adapter's server on PORT carries /healthz, /metrics, ... beside /slack/events.
    # Socket Mode needs no inbound port, so the bot's routes are served only when PORT is set.
    adapter.shared_routes = lambda application: build_web_app(runtime, application)
    web_port = settings.port if settings.socket_mode and _get(os.environ, "PORT") else None
    try:
        await serve(runtime, config_path, web_port=web_port, unreachable=lambda exc: slack_unreachable(exc, settings),
                    waiting_port=None if settings.socket_mode else settings.port)
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else str(exc)
        print(
            f"copbot: Slack refused the credentials ({error}): check SLACK_BOT_TOKEN in {_APP_PAGE} → OAuth & "
            "Permissions (reinstall the app if the scopes changed)",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    except PortError as exc:
        print(f"copbot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    return 0


async def resolve_people_live(refs: Sequence[str]) -> Resolution:
    """``copbot check --platform slack`` with SLACK_BOT_TOKEN set: the workspace's answer for each reference
    (Web API calls only: no events server, no Socket Mode)."""
    from adapters.slack.adapter import SlackAdapter

    env = dict(os.environ)
    env.setdefault("SLACK_SIGNING_SECRET", "0" * 32)  # Web API calls need no signing secret; the token is checked
    settings = read_settings(env)
    adapter = SlackAdapter(token=settings.bot_token, signing_secret=settings.signing_secret, base_url=settings.api_url)
    try:
        return await adapter.resolve_people(refs)
    finally:
        await adapter.stop()


def run_slack(config_path: Path, config: CommunityConfig, db: Database) -> int:
    """Entry point used by :func:`copbot.platforms.registry.run_platform`; returns the process exit code."""
    try:
        settings = read_settings(os.environ)
    except CredentialError as exc:
        print(f"copbot: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    protect_logs()
    return asyncio.run(serve_slack(config_path, config, db, settings))
