"""Sends what Slack would send to the bot: events, /cop commands and button clicks, signed like Slack signs them.

Why sign for real: the Bolt app under test keeps its signature verification on, so every request goes
through ``v0=HMAC-SHA256(v0:{timestamp}:{body})`` exactly as in production. Tests can age the timestamp,
tamper with the body after signing, or send a wrong signature, and set ``X-Slack-Retry-Num``.
"""

from __future__ import annotations

import copy
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from slack_sdk.signature import SignatureVerifier

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "slack"


def fixture(name: str) -> dict[str, Any]:
    """A payload sample from Slack's documentation (tests/fixtures/slack/NAME.json), a fresh copy each time."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return copy.deepcopy(data)


@dataclass
class Answer:
    """What the bot answered over HTTP."""

    status: int
    text: str

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.text)
        return data


class SlackSender:
    """Posts signed requests to the adapter's ``/slack/events`` URL."""

    def __init__(self, url: str, signing_secret: str) -> None:
        self.url = url
        self.verifier = SignatureVerifier(signing_secret)
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def post(
        self,
        body: str,
        content_type: str,
        *,
        age: float = 0,
        retry_num: int | None = None,
        signature: str | None = None,
        tamper: str | None = None,
    ) -> Answer:
        """``age`` makes the request that many seconds old; ``tamper`` replaces the body after signing."""
        timestamp = str(int(time.time() - age))
        signed = signature or self.verifier.generate_signature(timestamp=timestamp, body=body)
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signed,
        }
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        if self._session is None:
            self._session = aiohttp.ClientSession()
        async with self._session.post(self.url, data=(tamper or body).encode(), headers=headers) as response:
            return Answer(response.status, await response.text())

    async def event(self, payload: dict[str, Any], **kwargs: Any) -> Answer:
        return await self.post(json.dumps(payload), "application/json", **kwargs)

    async def command(
        self, text: str, *, user_id: str, team_id: str = "T0001", channel_id: str = "C0COMMUNITY",
        trigger_id: str | None = None, response_url: str = "https://hooks.slack.com/commands/1/2", **kwargs: Any,
    ) -> Answer:
        form = fixture("slash_command")
        form.update(
            text=text, user_id=user_id, team_id=team_id, channel_id=channel_id, response_url=response_url,
            trigger_id=trigger_id or f"trigger-{time.monotonic_ns()}",
        )
        return await self.post(urlencode(form), "application/x-www-form-urlencoded", **kwargs)

    async def action(self, payload: dict[str, Any], **kwargs: Any) -> Answer:
        return await self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded",
                               **kwargs)
