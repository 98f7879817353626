"""The fake Discord itself, checked against the API docs' message sample and discord.py's expectations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aiohttp
import discord

from adapters.discord.invite import SCOPES, invite_url, needed_permissions
from tests.fakes.discord_fake import FakeDiscord

SAMPLE = Path(__file__).parent / "fixtures" / "discord" / "message_example.json"


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
    assert perms.attach_files  # the health report's chart is uploaded as a file
    assert {name for name, on in perms if on} == {  # read_messages is discord.py's name for View Channel
        "read_messages", "send_messages", "send_messages_in_threads", "create_public_threads",
        "read_message_history", "add_reactions", "embed_links", "attach_files",
    }
    assert not perms.administrator and not perms.mention_everyone and not perms.manage_messages
    assert f"permissions={perms.value}" in url


async def test_fake_history_is_newest_first_without_nonce_and_checks_limit(fake: FakeDiscord) -> None:
    """GET /channels/{id}/messages as Discord serves it: discord.py parses each item; the nonce is absent."""
    channel = 200000000000000001
    async with aiohttp.ClientSession() as http:
        for n in range(3):
            body = {"content": f"m{n}", "nonce": f"n{n}", "enforce_nonce": True,
                    "embeds": [{"footer": {"text": f"copbot · ref {n}"}}]}
            async with http.post(f"{fake.api_url}/channels/{channel}/messages", json=body) as created:
                assert (await created.json())["nonce"] == f"n{n}"  # the create response carries it
        async with http.get(f"{fake.api_url}/channels/{channel}/messages", params={"limit": "2"}) as page:
            items = await page.json()
        async with http.get(f"{fake.api_url}/channels/{channel}/messages", params={"limit": "101"}) as too_many:
            assert too_many.status == 400
        async with http.get(f"{fake.api_url}/channels/999/messages") as unknown:
            assert unknown.status == 404
    assert [m["content"] for m in items] == ["m2", "m1"]
    assert all("nonce" not in m for m in items)
    state: Any = discord.Client(intents=discord.Intents.none())._connection
    parsed = [discord.Message(state=state, channel=discord.Object(channel), data=m) for m in items]  # type: ignore[arg-type]
    assert [e.footer.text for m in parsed for e in m.embeds] == ["copbot · ref 2", "copbot · ref 1"]
