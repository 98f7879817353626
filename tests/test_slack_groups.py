"""Interest groups on Slack: signed /cop commands and a button into the real Bolt app; the group's channel made
with conversations.create, members invited and removed, as the fake Slack Web API records them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import CONFIG, FACILITATOR, MEMBER, slack_world

GROUPS = """
  groups:
    groups:
      - name: kubernetes
        description: clusters and operators
"""


def test_the_fake_answers_conversations_create_with_the_documented_channel_fields() -> None:
    documented = fixture("conversations_create_response")
    fake = FakeSlack()
    answer = fake.api_conversations_create({"name": "endeavor"})
    assert answer["ok"] is True
    assert set(answer["channel"]) <= set(documented["channel"])  # nothing Slack would not send
    assert {"id", "name", "is_member", "is_private", "purpose"} <= set(answer["channel"])
    assert fake.api_conversations_create({"name": "endeavor"}) == {"ok": False, "error": "name_taken"}
    assert fake.api_conversations_create({"name": "Bad Name"})["error"] == "invalid_name_specials"
    channel = answer["channel"]["id"]
    fake.add_user("U1", "Una")
    assert fake.api_conversations_invite({"channel": channel, "users": "U1"})["ok"] is True
    assert fake.api_conversations_invite({"channel": channel, "users": "U1"})["error"] == "already_in_channel"
    assert fake.api_conversations_kick({"channel": channel, "user": "U1"}) == {"ok": True}
    assert fake.api_conversations_kick({"channel": channel, "user": "U1"})["error"] == "not_in_channel"
    assert fake.api_conversations_join({"channel": channel})["warning"] == "already_in_channel"


def _click(value: str, user: str) -> dict[str, Any]:
    payload = fixture("block_actions")
    payload["user"] = {"id": user, "username": "ana", "name": "ana", "team_id": "T0001"}
    payload["actions"][0].update(action_id="groups.join", value=value, action_ts="1548426418.840180")
    return payload


async def test_a_group_gets_its_channel_and_members_are_invited_and_removed(tmp_path: Path) -> None:
    async with slack_world(tmp_path, config=CONFIG + GROUPS) as world:
        fake = world.fake
        answer = await world.sender.command('group create rust "systems programming"', user_id=FACILITATOR)
        assert "Created the *rust* group" in answer.json()["text"]
        async with asyncio.timeout(5):
            await world.all_sent()
        created = {c.body["name"] for c in fake.calls_to("conversations.create")}
        assert created == {"grp-rust", "grp-kubernetes"}  # the declared group's channel was made too
        rust = next(cid for cid, name in fake.channels.items() if name == "grp-rust")
        assert fake.purposes[rust] == "systems programming"
        assert fake.channel_members[rust] == {"UBOT", FACILITATOR}

        listed = await world.sender.command("groups", user_id=MEMBER)
        assert "*kubernetes*" in listed.json()["text"]
        async with asyncio.timeout(5):
            await world.all_sent()
        [offer] = fake.ephemerals
        elements = [e for block in offer["blocks"] if block["type"] == "actions" for e in block["elements"]]
        assert [(e["action_id"], e["value"]) for e in elements] == [("groups.join", "kubernetes"),
                                                                    ("groups.join", "rust")]

        before = world.adapter.processed_count
        assert (await world.sender.action(_click("rust", MEMBER))).status == 200
        async with asyncio.timeout(5):
            await world.adapter.processed(before + 1)
            await world.all_sent()
        [invite] = [c for c in fake.calls_to("conversations.invite") if c.body["users"] == MEMBER]
        assert invite.body["channel"] == rust and MEMBER in fake.channel_members[rust]

        left = await world.sender.command("group leave rust", user_id=MEMBER)
        assert left.json()["text"].startswith("You left *rust*")
        async with asyncio.timeout(5):
            await world.all_sent()
        [kick] = fake.calls_to("conversations.kick")
        assert (kick.body["channel"], kick.body["user"]) == (rust, MEMBER)
        assert MEMBER not in fake.channel_members[rust]
        assert not world.deliveries("failed")
        assert json.dumps(fake.ephemerals)  # the fake recorded real JSON bodies
