"""The Discord adapter end to end: the real discord.py client against the fake Discord, inside a real Runtime.

A week in the guild: Ana (facilitator) posts the prompt, Ben reacts and replies in its thread, the gateway
drops and replays, Ben tries a facilitator command, a 429 slows a post down, the bot restarts and an old
button still works.
"""

from __future__ import annotations

import asyncio
import io
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

import discord
import yarl

from adapters.discord.ids import nonce_for
from adapters.discord.settings import configure_endpoints
from bot.actions import Button, DirectMessage, Post
from bot.events import ButtonClicked, MemberJoined, ReactionAdded, ReplyPosted
from bot.text import mention
from copbot.platforms.discord import serve_discord
from storage import prompts as prompt_store
from storage import queries
from storage.db import Database
from tests.discord_harness import ANA, BEN, GENERAL, PROMPTS, key, load_config, running_bot, settings_for
from tests.fakes.discord_fake import FakeDiscord


def callbacks(fake: FakeDiscord, interaction: dict[str, Any]) -> list[dict[str, Any]]:
    return [c.body for c in fake.calls_to("POST", rf"/interactions/{interaction['id']}/[^/]+/callback")]


async def callback_of(fake: FakeDiscord, interaction: dict[str, Any]) -> dict[str, Any]:
    found = await fake.wait_for(lambda: callbacks(fake, interaction))
    body: dict[str, Any] = found[0]
    return body


async def post_prompt(fake: FakeDiscord) -> dict[str, Any]:
    """Ana runs `/cop prompt now`; returns the prompt message Discord stored."""
    interaction = await fake.slash(ANA, ["prompt", "now"])
    answer = await callback_of(fake, interaction)
    assert answer["data"]["content"] == "Posting the next question now."
    posts = await fake.wait_for(lambda: fake.calls_to("POST", rf"/channels/{PROMPTS}/messages"))
    await fake.wait_for(lambda: fake.calls_to("POST", rf"/channels/{PROMPTS}/messages/\d+/threads"))
    return [m for m in fake.messages.values() if m["channel_id"] == str(PROMPTS)][len(posts) - 1]


def test_private_discord_py_attributes_still_exist() -> None:
    """DISCORD_API_URL and DISCORD_GATEWAY_URL write these; a rename in discord.py must fail here."""
    assert isinstance(discord.http.Route.BASE, str)
    assert isinstance(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY, yarl.URL)
    before = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    try:
        configure_endpoints("http://127.0.0.1:9/api/v10/", "ws://127.0.0.1:9/gateway")
        assert discord.http.Route.BASE == "http://127.0.0.1:9/api/v10"
        assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:9/gateway"
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = before


async def test_identifies_with_minimal_intents_and_syncs_commands_once(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db) as bot:
        assert bot.adapter.synced
    intents = discord.Intents._from_value(fake.identify_payloads[0]["intents"])
    assert (intents.guilds, intents.members, intents.guild_reactions, intents.guild_messages) == (True,) * 4
    assert not intents.message_content and not intents.presences and not intents.dm_messages
    cop = next(c for c in fake.commands if c["name"] == "cop")
    groups = {o["name"]: o for o in cop["options"]}
    assert {"help", "stats", "prompt"} <= set(groups) and "reload" not in groups
    assert {o["name"] for o in groups["prompt"]["options"]} == {"next"}
    assert cop["contexts"] == [0, 1] and cop.get("default_member_permissions") is None  # members, DMs too
    # Facilitator and admin commands: a group of their own, which Discord hides from members without Manage Server.
    admin = next(c for c in fake.commands if c["name"] == "cop-admin")
    admin_groups = {o["name"]: o for o in admin["options"]}
    assert {"reload", "prompt"} <= set(admin_groups) and "help" not in admin_groups
    assert {o["name"] for o in admin_groups["prompt"]["options"]} == {"now", "add"}
    assert int(admin["default_member_permissions"]) == discord.Permissions(manage_guild=True).value
    assert admin["contexts"] == [0]

    async with running_bot(fake, db) as bot:  # same tree, same database: no second sync
        assert not bot.adapter.synced
    assert len(fake.calls_to("PUT", r"/applications/\d+/commands")) == 1


async def test_reaction_replayed_after_a_reconnect_counts_once(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db) as bot:
        prompt = await post_prompt(fake)
        await fake.react(BEN, PROMPTS, int(prompt["id"]))
        await bot.wait_event(lambda e: isinstance(e, ReactionAdded))

        await fake.close_gateway(4000)  # Discord drops the connection; discord.py resumes
        await fake.wait_for(lambda: fake.resumes >= 1)
        await fake.react(BEN, PROMPTS, int(prompt["id"]))  # ... and the same reaction is dispatched again
        events = await bot.wait_event(lambda e: isinstance(e, ReactionAdded), count=2)

        assert events[0].event_id == events[1].event_id == f"reaction:{prompt['id']}:{BEN}:🎉"
        await bot.runtime.writer.flush()
        with db.session() as tx:
            rows = queries.participation(tx, bot.runtime.community)
        assert [(r.member, r.kind) for r in rows] == [(key(fake, BEN), "reaction")]


async def test_thread_reply_on_a_prompt_is_participation(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db) as bot:
        prompt = await post_prompt(fake)
        await fake.post_in_thread(BEN, int(prompt["id"]), "We automated our certificate renewals")
        [event] = await bot.wait_event(lambda e: isinstance(e, ReplyPosted))
        assert isinstance(event, ReplyPosted)
        assert event.thread_ref == f"{PROMPTS}:{prompt['id']}"
        await bot.runtime.writer.flush()
        with db.session() as tx:
            assert [r.kind for r in queries.participation(tx, bot.runtime.community)] == ["reply"]


async def test_member_without_the_role_gets_an_ephemeral_refusal(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db):
        interaction = await fake.slash(BEN, ["prompt", "now"])
        answer = await callback_of(fake, interaction)
    assert answer["type"] == 4
    assert answer["data"]["flags"] & 64
    # On Discord the facilitator commands live under /cop-admin (hidden from members); the answer says so.
    assert answer["data"]["content"].startswith("Only facilitators can run `/cop-admin prompt now`")
    assert not fake.calls_to("POST", rf"/channels/{PROMPTS}/messages")


async def test_facilitator_command_is_answered_and_posts_the_prompt_with_a_thread(
    fake: FakeDiscord, db: Database
) -> None:
    async with running_bot(fake, db) as bot:
        prompt = await post_prompt(fake)
        await bot.runtime.settle()
        with db.session() as tx:
            [asked] = prompt_store.asked_prompts(tx, bot.runtime.community)
    assert "What did you automate this week?" in prompt["content"]
    assert asked.thread_ref == f"{PROMPTS}:{prompt['id']}"
    [thread] = fake.calls_to("POST", rf"/channels/{PROMPTS}/messages/{prompt['id']}/threads")
    assert thread.body["name"] == "This week's question"


async def test_relayed_everyone_never_pings(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db):
        queued = await fake.slash(ANA, ["prompt", "add"], '"@everyone hi"')
        assert (await callback_of(fake, queued))["data"]["content"].startswith("Queued.")
        await post_prompt(fake)
    [post] = fake.calls_to("POST", rf"/channels/{PROMPTS}/messages")
    assert "@everyone hi" in post.body["content"]
    assert post.body["allowed_mentions"]["parse"] == []
    assert "users" not in post.body["allowed_mentions"] and "roles" not in post.body["allowed_mentions"]


async def test_intended_mention_pings_only_that_member(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db) as bot:
        text = f"Welcome {mention(key(fake, BEN))}! @here says hi"
        await bot.adapter.perform(DirectMessage(text=text, member=key(fake, BEN)), "onboarding:welcome:0")
    [dm] = fake.calls_to("POST", r"/users/@me/channels")
    assert dm.body == {"recipient_id": BEN}
    [sent] = fake.calls_to("POST", r"/channels/\d+/messages")
    assert sent.body["content"] == f"Welcome <@{BEN}>! @here says hi"
    assert sent.body["allowed_mentions"] == {"parse": [], "users": [BEN]}


async def test_a_resend_after_a_crash_does_not_double_the_message(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db) as bot:
        post = Post(text="Reminder: demo day on Friday", channel="general")
        assert await bot.adapter.find_delivery(post, "announce:slot:0") is None  # not sent yet
        first = await bot.adapter.perform(post, "announce:slot:0")
        assert await bot.adapter.find_delivery(post, "announce:slot:0") == first  # found by its footer
        again = await bot.adapter.perform(post, "announce:slot:0")  # a repeat within minutes: the nonce holds
    assert first == again
    bodies = [c.body for c in fake.calls_to("POST", rf"/channels/{GENERAL}/messages")]
    assert [b["nonce"] for b in bodies] == [nonce_for("announce:slot:0")] * 2
    assert all(b["enforce_nonce"] for b in bodies) and len(bodies[0]["nonce"]) == 25
    assert len([m for m in fake.messages.values() if m["channel_id"] == str(GENERAL)]) == 1


async def test_a_429_delays_the_post_which_is_delivered_once(fake: FakeDiscord, db: Database) -> None:
    fake.fail_next("POST", rf"/channels/{PROMPTS}/messages", retry_after=0.3)
    async with running_bot(fake, db):
        await post_prompt(fake)
    attempts = [c for c in fake.calls if c.method == "POST" and c.path == f"/channels/{PROMPTS}/messages"]
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.3  # discord.py waited retry_after before trying again
    assert len([m for m in fake.messages.values() if m["channel_id"] == str(PROMPTS)]) == 1


async def test_a_button_still_works_after_a_restart(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db) as bot:
        post = Post(text="Pair this week?", channel="general", buttons=(Button("Count me in", "pairing.join", "w42"),))
        await bot.adapter.perform(post, "pairing:ask:0")
    [sent] = fake.calls_to("POST", rf"/channels/{GENERAL}/messages")
    custom_id = sent.body["components"][0]["components"][0]["custom_id"]
    assert custom_id == "cop:pairing.join|w42"
    message = next(m for m in fake.messages.values() if m["channel_id"] == str(GENERAL))

    async with running_bot(fake, db) as bot:  # a new process: no view in memory
        interaction = await fake.click(BEN, message, custom_id)
        [click] = await bot.wait_event(lambda e: isinstance(e, ButtonClicked))
        assert (await callback_of(fake, interaction))["type"] == 6  # acknowledged, answered via the outbox
    assert isinstance(click, ButtonClicked)
    assert (click.action_id, click.value, click.member) == ("pairing.join", "w42", key(fake, BEN))
    assert click.message_ref == f"{GENERAL}:{message['id']}"


async def test_privileged_intent_missing_stops_with_one_clear_line(fake: FakeDiscord, db: Database) -> None:
    fake.close_with_4014 = True
    stderr = io.StringIO()
    with redirect_stderr(stderr):
        code = await asyncio.wait_for(
            serve_discord(None, load_config(), db, settings_for(fake, connect_timeout=10.0)), timeout=20
        )
    assert code == 2
    lines = stderr.getvalue().strip().splitlines()
    assert len(lines) == 1 and "4014" in lines[0] and "SERVER MEMBERS INTENT" in lines[0]
    assert fake.identifies == 1  # no restart loop


async def test_missing_token_stops_with_one_clear_line(db: Database) -> None:
    stderr = io.StringIO()
    with redirect_stderr(stderr):
        code = await serve_discord(None, load_config(), db, settings_for(FakeDiscord(), token=""))
    assert code == 2
    assert "DISCORD_TOKEN is not set" in stderr.getvalue()


async def test_member_join_is_stored(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db) as bot:
        await fake.member_joins(100000000000000003, "Chidi")
        [joined] = await bot.wait_event(lambda e: isinstance(e, MemberJoined))
        with db.session() as tx:
            member = queries.member(tx, bot.runtime.community, key(fake, 100000000000000003))
    assert isinstance(joined, MemberJoined) and joined.name == "Chidi"
    assert joined.event_id.startswith(f"join:{fake.guild_id}:100000000000000003:")
    assert member is not None and member.name == "Chidi"


async def test_a_newcomer_gets_the_welcome_dm(fake: FakeDiscord, db: Database) -> None:
    """GUILD_MEMBER_ADD reaches the onboarding ritual, whose day-0 step is a DM (create DM + send message)."""
    yaml = (Path(__file__).parent / "fixtures" / "discord" / "community.yaml").read_text()
    yaml += "  onboarding: {}\n"
    async with running_bot(fake, db, config_text=yaml) as bot:
        await fake.member_joins(100000000000000004, "Dana")
        await bot.wait_event(lambda e: isinstance(e, MemberJoined))
        opened = await fake.wait_for(lambda: fake.calls_to("POST", r"/users/@me/channels"))
        sent = await fake.wait_for(lambda: fake.calls_to("POST", rf"/channels/{100000000000000004 + 7}/messages"))
    assert opened[0].body == {"recipient_id": 100000000000000004}
    assert "Dana" in sent[0].body["content"]
    assert sent[0].body["allowed_mentions"]["parse"] == []
