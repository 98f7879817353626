"""Neutral actions become the right Slack Web API calls (bodies as the fake Slack received them)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from adapters.slack import mrkdwn
from adapters.slack.adapter import SlackAdapter
from bot.actions import Button, DirectMessage, Ephemeral, GroupMessage, Post, React, Reply
from bot.text import mention
from config.loader import parse_config
from copbot.platforms.slack import CredentialError, RedactTokens, read_settings, run_slack
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import (
    BOT_TOKEN,
    CONFIG,
    FACILITATOR,
    MEMBER,
    SIGNING_SECRET,
    TEAM,
    slack_world,
)

ANA = f"slack:{TEAM}:{MEMBER}"
DANA = f"slack:{TEAM}:{FACILITATOR}"


async def test_each_action_becomes_one_slack_call(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as world:
        adapter, fake = world.adapter, world.fake
        ref = await adapter.perform(
            Post(text=f"Welcome {mention(ANA)}! Read the rules.", channel="community",
                 buttons=(Button("I agree", "onboarding:ack", "v1"),)),
            "d1",
        )
        channel, ts = ref.split(":") if ref else ("", "")
        [post] = fake.calls_to("chat.postMessage")
        assert post.body["channel"] == channel == "C0COMMUNITY"
        assert post.body["text"] == "Welcome <@UANA>! Read the rules."
        assert post.body["blocks"][1] == {
            "type": "actions",
            "elements": [{"type": "button", "text": {"type": "plain_text", "text": "I agree", "emoji": True},
                          "action_id": "onboarding:ack", "value": "v1"}],
        }
        assert post.body["metadata"] == {"event_type": "copbot_delivery", "event_payload": {"delivery_id": "d1"}}

        assert await adapter.perform(Reply(text="Thanks!", channel="community", thread_ref=ref or ""), "d2")
        assert fake.calls_to("chat.postMessage")[1].body["thread_ts"] == ts

        await adapter.perform(GroupMessage(text="You are paired this week", members=(ANA, DANA)), "d3")
        [opened] = fake.calls_to("conversations.open")
        assert opened.body["users"] == "UANA,UFAC"
        assert fake.calls_to("chat.postMessage")[2].body["channel"].startswith("G")

        await adapter.perform(DirectMessage(text="hi", member=ANA), "d4")
        await adapter.perform(DirectMessage(text="again", member=ANA), "d5")
        assert [c.body["users"] for c in fake.calls_to("conversations.open")] == ["UANA,UFAC", "UANA"]  # cached

        assert await adapter.perform(Ephemeral(text="only you", member=ANA, channel="community"), "d6") is None
        assert fake.ephemerals[0]["user"] == "UANA" and fake.ephemerals[0]["channel"] == "C0COMMUNITY"

        await adapter.perform(React(text=":tada:", channel="community", message_ref=ref or ""), "d7")
        assert fake.reactions == [{"channel": "C0COMMUNITY", "timestamp": ts, "name": "tada"}]


async def test_an_unknown_channel_name_is_a_clear_error(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as world:
        with pytest.raises(LookupError, match="#nowhere was not found"):
            await world.adapter.perform(Post(text="x", channel="nowhere"), "d1")


def test_member_text_cannot_ping_and_only_marked_mentions_do() -> None:
    text = f"{mention(ANA)} said: <!everyone> <!here|here> <@U999> <!subteam^S1|@team> @here & more"
    rendered = mrkdwn.render(text)
    assert rendered.startswith("<@UANA> said: ")
    assert "<!" not in rendered and "<@U999>" not in rendered
    assert "&lt;!everyone&gt;" in rendered and "&amp; more" in rendered
    assert "@here" not in rendered and f"@{mrkdwn.ZWJ}here" in rendered
    assert mrkdwn.render(mention("discord:G1:42")) == "@42"


def test_a_long_message_is_split_into_sections_under_the_block_kit_limit() -> None:
    text = "\n".join(f"line {i} " + "x" * 90 for i in range(100))
    sections = mrkdwn.blocks(text, ())
    assert len(sections) > 1 and all(len(b["text"]["text"]) <= mrkdwn.SECTION_LIMIT for b in sections)


async def test_socket_mode_receives_an_envelope_and_acks_it(tmp_path: Path) -> None:
    async with slack_world(tmp_path, app_token="xapp-1-A0001-test") as world:
        assert world.fake.calls_to("apps.connections.open")
        envelope = fixture("socket_mode_events_api")
        await world.fake.send_envelope(envelope)
        async with asyncio.timeout(5):
            await world.fake.until(lambda: any(a.get("envelope_id") == envelope["envelope_id"]
                                               for a in world.fake.socket_acks))
            await world.adapter.processed(1)
        with world.db.session() as tx:
            from storage import queries

            member = queries.member(tx, world.community, "slack:T0001:U0SOCKET")
        assert member is not None and member.tz == "Asia/Taipei"


def test_settings_name_the_missing_or_malformed_variable() -> None:
    good = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    settings = read_settings({**good, "SLACK_API_URL": "http://127.0.0.1:9/api", "PORT": "8080"})
    assert (settings.api_url, settings.port, settings.socket_mode) == ("http://127.0.0.1:9/api/", 8080, False)
    cases = {
        "SLACK_BOT_TOKEN": {"SLACK_SIGNING_SECRET": SIGNING_SECRET},
        "SLACK_BOT_TOKEN does not": {**good, "SLACK_BOT_TOKEN": "xoxp-user-token"},
        "SLACK_SIGNING_SECRET is not set": {"SLACK_BOT_TOKEN": BOT_TOKEN},
        "SLACK_SIGNING_SECRET does not": {**good, "SLACK_SIGNING_SECRET": "'not a secret'"},
        "SLACK_APP_TOKEN": {**good, "SLACK_APP_TOKEN": "xoxb-wrong-kind"},
    }
    for expected, env in cases.items():
        with pytest.raises(CredentialError, match=expected) as raised:
            read_settings(env)
        assert "api.slack.com/apps" in str(raised.value) or "SLACK_APP_TOKEN" in expected
    assert read_settings({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xapp-1-x"}).socket_mode


def test_run_slack_without_a_token_prints_one_line_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    code = run_slack(tmp_path / "community.yaml", parse_config(CONFIG, "community.yaml"), None)  # type: ignore[arg-type]
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "SLACK_BOT_TOKEN is not set" in err[0]


def test_tokens_never_reach_a_log_line() -> None:
    import logging

    record = logging.LogRecord("slack_sdk", logging.INFO, __file__, 1, "calling with %s", (BOT_TOKEN,), None)
    RedactTokens().filter(record)
    assert BOT_TOKEN not in record.getMessage() and "redacted" in record.getMessage()


async def test_the_adapter_builds_without_the_environment() -> None:
    fake = FakeSlack()
    adapter = SlackAdapter(token=BOT_TOKEN, signing_secret=SIGNING_SECRET, base_url=fake.api_url)
    assert adapter.web_app().router is not None
    assert json.loads(json.dumps(mrkdwn.blocks("hi", ())))[0]["text"]["text"] == "hi"


async def test_community_yaml_can_switch_dms_off_and_a_reload_applies_to_the_next_dm(tmp_path: Path) -> None:
    """delivery.direct_messages is the community's policy on every platform (bot/dm_policy.py), read live on each
    DM: a reload that switches DMs off refuses the next DM and group DM, and posts still go out."""
    async with slack_world(tmp_path) as world:
        await world.adapter.perform(DirectMessage(text="first", member=ANA), "d1")
        world.runtime.apply_config(parse_config(CONFIG.replace("    per_second: 0", "    enabled: false"), "x.yaml"))
        with pytest.raises(PermissionError, match=r"switched off in community\.yaml"):
            await world.adapter.perform(DirectMessage(text="second", member=ANA), "d2")
        with pytest.raises(PermissionError, match=r"switched off in community\.yaml"):
            await world.adapter.perform(GroupMessage(text="paired", members=(ANA, DANA)), "d3")
        await world.adapter.perform(Post(text="posts still go out", channel="community"), "d4")
        assert [c.body["text"] for c in world.fake.calls_to("chat.postMessage")] == ["first", "posts still go out"]


async def test_community_yaml_dm_pace_is_awaited_once_before_each_dm(tmp_path: Path) -> None:
    """per_second: 10 → the DM gate spaces DMs 0.1 s apart even though each goes to its own channel (Slack's own
    per-channel limit would let them all go at once). The pace runs on a fake clock (the policy's own timing is
    tested in tests/test_dm_policy.py); here: the adapter passes each DM through it, before it posts."""
    async with slack_world(tmp_path, config=CONFIG.replace("    per_second: 0", "    per_second: 10")) as world:
        for user, name in (("UBEN", "Ben"), ("UCAI", "Cai")):
            world.fake.add_user(user, name, "UTC")
        slept: list[float] = []
        moment = [0.0]
        posts_before_gate: list[int] = []

        async def sleep(seconds: float) -> None:
            slept.append(round(seconds, 9))
            moment[0] += seconds

        policy = world.runtime.outbox.dm_policy
        policy._monotonic, policy._sleep = (lambda: moment[0]), sleep
        gate = policy.before_dm

        async def watched_gate() -> None:
            posts_before_gate.append(len(world.fake.calls_to("chat.postMessage")))
            await gate()

        world.adapter.dm_gate = watched_gate
        for i, user in enumerate(("UANA", "UBEN", "UCAI")):
            await world.adapter.perform(DirectMessage(text=f"hi {i}", member=f"slack:{TEAM}:{user}"), f"d{i}")
        assert len(world.fake.calls_to("chat.postMessage")) == 3
    assert posts_before_gate == [0, 1, 2]  # each DM waited at the gate before it was posted
    assert slept == [0.1, 0.1]  # the first goes at once, the next two 0.1 s apart
