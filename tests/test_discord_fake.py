"""The fake Discord itself, checked against the API docs' message sample and discord.py's expectations."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from adapters.discord.invite import SCOPES, invite_url, needed_permissions
from tests.fakes.discord_fake import FakeDiscord

SAMPLE = Path(__file__).parent / "fixtures" / "discord" / "message_example.json"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


def test_fake_messages_have_every_field_of_the_documented_sample(fake: FakeDiscord) -> None:
    sample = json.loads(SAMPLE.read_text())
    ours = fake.message_payload(1, fake.bot.id, "hi")
    missing = set(sample) - set(ours) - {"reactions"}  # reactions are optional and absent on a new message
    assert not missing
    assert set(sample["author"]) <= set(ours["author"])


async def test_fake_answers_exactly_application_json_and_discord_style_429s(fake: FakeDiscord) -> None:
    fake.fail_next("POST", r"/channels/\d+/messages", retry_after=1.5)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{fake.api_url}/users/@me") as ok:
            assert ok.headers["Content-Type"] == "application/json"
        async with http.post(f"{fake.api_url}/channels/1/messages", json={"content": "x"}) as limited:
            assert limited.status == 429
            assert limited.headers["Via"] and limited.headers["X-RateLimit-Reset-After"] == "1.500"
            assert (await limited.json())["retry_after"] == 1.5
    assert [c.status for c in fake.calls] == [200, 429]


def test_invite_url_has_exactly_the_needed_scopes_and_permissions() -> None:
    url = invite_url("1234")
    assert SCOPES == ("bot", "applications.commands")
    assert "scope=bot+applications.commands" in url and "client_id=1234" in url
    perms = needed_permissions()
    assert perms.send_messages and perms.create_public_threads and perms.add_reactions
    assert not perms.administrator and not perms.mention_everyone and not perms.manage_messages
    assert f"permissions={perms.value}" in url
