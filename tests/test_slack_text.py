"""Slack text comes through as written: decoded once on the way in, escaped once on the way out.

A member replies "Tips &amp; tricks" (Slack's escaping of "Tips & tricks") with a labelled link and a mention;
the core gets the words as the member wrote them. Ana thanks the *other* Ana for "CI & docs": the kudos names the
right one (Slack escapes the mention as <@U…|ana>) and reads "CI &amp; docs" once escaped, never "&amp;amp;".
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml

from bot.events import ReplyPosted
from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import CONFIG, MEMBER, slack_world
from tests.test_slack_inbound import bolt

ROOT = Path(__file__).resolve().parents[1]


async def test_a_reply_s_escaped_text_links_and_mentions_are_decoded_on_the_way_in() -> None:
    async with bolt() as (_fake, adapter, sender, recorder):
        payload = fixture("message_thread_reply")
        payload["event"]["text"] = "Tips &amp; tricks &lt;3 <https://x.org/a?b=1&amp;c=2|the guide> ask <@W123ABC456>"
        await sender.event(payload)
        async with asyncio.timeout(5):
            await adapter.processed(1)
    [reply] = recorder.events
    assert isinstance(reply, ReplyPosted)
    assert reply.text == "Tips & tricks <3 [the guide](https://x.org/a?b=1&c=2) ask @Wen"


def joined(user_id: str, name: str) -> dict[str, Any]:
    payload = fixture("team_join")
    payload["event_id"] = f"Ev{user_id}"
    payload["event"]["user"].update(id=user_id, name=name.lower(), real_name=name,
                                    profile={"display_name": name, "real_name": name})
    return payload


async def test_kudos_name_the_member_picked_by_id_and_read_as_written(tmp_path: Path) -> None:
    async with slack_world(tmp_path, config=CONFIG + "  kudos: {}\n") as world:
        world.fake.add_user("UANA2", "Ana", "Europe/Lisbon")  # two members called Ana
        for user_id in (MEMBER, "UANA2"):
            await world.sender.event(joined(user_id, "Ana"))
        async with asyncio.timeout(5):
            await world.adapter.processed(2)
        answer = await world.sender.command("kudos <@UANA2|ana> for CI &amp; docs", user_id=MEMBER)
        assert answer.json()["text"].startswith("Posted in #community"), answer.text
        async with asyncio.timeout(5):
            await world.all_sent()
    [post] = world.fake.calls_to("chat.postMessage")
    assert post.body["text"] == f"🎉 Kudos to <@UANA2> from <@{MEMBER}> for: CI &amp; docs"


def test_the_manifest_asks_slack_to_escape_people_in_commands() -> None:
    """Without should_escape Slack sends "@ana" as typed, and two members called Ana cannot be told apart."""
    manifest = yaml.safe_load((ROOT / "adapters" / "slack" / "manifest.yaml").read_text())
    [cop] = manifest["features"]["slash_commands"]
    assert cop["command"] == "/cop" and cop["should_escape"] is True
