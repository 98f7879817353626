"""A crash while a delivery is on its way to Discord, then a restart later than Discord's nonce window.

The outbox row says ``sending``: the message may or may not exist. The restarted bot reads the channel's
history, finds its own message by the delivery's footer marker, and does not send it again; a delivery
that never reached Discord is sent once. The fake Discord's record of messages is the judge.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import pytest

from adapters.discord.adapter import DiscordAdapter
from adapters.discord.settings import configure_endpoints
from bot.actions import Action, DirectMessage, GroupMessage, Post
from bot.outbox import write_plan
from bot.ritual import Planned
from bot.runtime import Runtime
from storage import queries
from storage.db import Database
from tests.discord_harness import ANA, BEN, GENERAL, key, load_config, settings_for
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.pinned_clock import PLATFORM_CLOCK


class Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing in the bot may catch it)."""


@asynccontextmanager
async def bot_process(fake: FakeDiscord, db: Database) -> AsyncIterator[tuple[Runtime, DiscordAdapter]]:
    """One life of the bot: the real adapter and outbox, no scheduler, so the test decides when to drain."""
    settings = settings_for(fake)
    configure_endpoints(settings.api_url, settings.gateway_url)
    adapter = DiscordAdapter(settings, clock=PLATFORM_CLOCK)
    runtime = Runtime(load_config(), db, adapter, PLATFORM_CLOCK, [])
    await runtime.start(background=False)
    try:
        yield runtime, adapter
    finally:
        await runtime.stop()


def plan(db: Database, runtime: Runtime, actions: Sequence[Action]) -> list[str]:
    with db.session() as tx:
        write_plan(tx, runtime.community, "welcome", "slot-1", [Planned(a) for a in actions], PLATFORM_CLOCK.now())
        tx.commit()
    return [f"welcome:slot-1:{n}" for n in range(len(actions))]


def die_after_sending(adapter: DiscordAdapter, deaths: int = 1) -> None:
    """Discord makes the message, then the process dies before the outbox hears back."""
    real_send = adapter._send
    left = [deaths]

    async def send_then_die(*args: Any, **kwargs: Any) -> Any:  # one message (a part of a text, to one member)
        message = await real_send(*args, **kwargs)
        left[0] -= 1
        if left[0] <= 0:
            raise Crash
        return message

    adapter._send = send_then_die  # type: ignore[method-assign]


def messages_in(fake: FakeDiscord, channel_id: int, text: str) -> list[dict[str, Any]]:
    return [m for m in fake.messages.values() if m["channel_id"] == str(channel_id) and m["content"] == text]


def statuses(db: Database, ids: list[str]) -> list[str]:
    with db.session() as tx:
        return [queries.delivery(tx, i).status for i in ids]  # type: ignore[union-attr]


async def test_a_dm_sent_just_before_a_crash_is_found_after_restart_and_not_sent_again(
    fake: FakeDiscord, db: Database
) -> None:
    welcome = DirectMessage(text="Welcome, Ben! Say hello in #general.", member=key(fake, BEN))
    announce = Post(text="Ben joined us this week.", channel="general")
    async with bot_process(fake, db) as (runtime, adapter):
        ids = plan(db, runtime, [welcome, announce])
        die_after_sending(adapter)
        with pytest.raises(Crash):
            await runtime.outbox.drain()
    assert statuses(db, ids) == ["sending", "sending"]  # the DM went out; the post never did
    dm_channel = BEN + 7  # the fake's DM channel for Ben
    [sent] = messages_in(fake, dm_channel, welcome.text)
    fake.forget_nonces()  # the restart comes later than Discord's nonce window

    async with bot_process(fake, db) as (runtime, _):
        assert runtime.outbox.sent == 2  # starting resumes the outbox

    assert len(messages_in(fake, dm_channel, welcome.text)) == 1  # looked up, not sent again
    assert len(fake.calls_to("POST", rf"/channels/{dm_channel}/messages")) == 1
    assert fake.calls_to("GET", rf"/channels/{dm_channel}/messages")  # it really read the history
    assert len(messages_in(fake, GENERAL, announce.text)) == 1  # in doubt, not found, so sent: once
    assert statuses(db, ids) == ["sent", "sent"]
    with db.session() as tx:
        assert queries.delivery(tx, ids[0]).platform_ref == f"{dm_channel}:{sent['id']}"  # type: ignore[union-attr]


async def test_a_pair_dm_half_sent_before_a_crash_sends_only_the_missing_half(fake: FakeDiscord, db: Database) -> None:
    pair = GroupMessage(text="You two are paired this week: say hi!", members=(key(fake, ANA), key(fake, BEN)))
    async with bot_process(fake, db) as (runtime, adapter):
        ids = plan(db, runtime, [pair])
        die_after_sending(adapter)  # Ana's DM went out; Ben's did not
        with pytest.raises(Crash):
            await runtime.outbox.drain()
    fake.forget_nonces()
    async with bot_process(fake, db) as (runtime, _):
        assert runtime.outbox.sent == 1
    assert len(messages_in(fake, ANA + 7, pair.text)) == 1
    assert len(messages_in(fake, BEN + 7, pair.text)) == 1
    assert statuses(db, ids) == ["sent"]


async def test_without_the_lookup_the_same_crash_would_double_the_message(fake: FakeDiscord, db: Database) -> None:
    """The control: after the nonce window, a plain resend makes a second message. This is what the footer
    lookup prevents, and why the nonce alone was not enough."""
    welcome = DirectMessage(text="Welcome, Ben!", member=key(fake, BEN))
    async with bot_process(fake, db) as (_, adapter):
        await adapter.perform(welcome, "welcome:slot-1:0")
        fake.forget_nonces()
        await adapter.perform(welcome, "welcome:slot-1:0")
    assert len(messages_in(fake, BEN + 7, welcome.text)) == 2


async def test_the_lookup_pages_back_past_a_busy_hour_in_the_channel(fake: FakeDiscord, db: Database) -> None:
    """150 member posts after ours: the marker is found on the second page of history (``before`` paging)."""
    announce = Post(text="Demo day is on Friday.", channel="general")
    async with bot_process(fake, db) as (_, adapter):
        ref = await adapter.perform(announce, "rota:w1:0")
        for n in range(150):
            message = fake.message_payload(GENERAL, BEN, f"chatter {n}")
            fake.messages[int(message["id"])] = message
        assert await adapter.find_delivery(announce, "rota:w1:0") == ref
        assert await adapter.find_delivery(announce, "rota:w2:0") is None  # another delivery: not ours
    pages = fake.calls_to("GET", rf"/channels/{GENERAL}/messages")
    assert len(pages) == 2 + 2  # found on page 2; the miss read the channel's whole history (151 messages)
    assert "before" in pages[1].query


async def test_a_prompt_posted_just_before_a_crash_gets_its_thread_after_restart(
    fake: FakeDiscord, db: Database
) -> None:
    """The post went out, the process died before opening its discussion thread: the restart finds the
    post (not sent again) and opens the one thread it was missing."""
    prompt = Post(text="**What did you automate this week?**", channel="general", opens_thread=True)
    async with bot_process(fake, db) as (runtime, adapter):
        ids = plan(db, runtime, [prompt])
        die_after_sending(adapter)
        with pytest.raises(Crash):
            await runtime.outbox.drain()
    assert not fake.calls_to("POST", r"/channels/\d+/messages/\d+/threads")
    fake.forget_nonces()
    async with bot_process(fake, db):
        pass  # starting resumes the outbox
    [posted] = messages_in(fake, GENERAL, prompt.text)
    [thread] = fake.calls_to("POST", rf"/channels/{GENERAL}/messages/{posted['id']}/threads")
    assert thread.body["name"] == "What did you automate this week?"
    assert statuses(db, ids) == ["sent"]
