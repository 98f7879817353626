"""community.yaml's ``delivery.direct_messages`` on Discord: bulk DMs switched off, and the pace, hot-reloadable."""

from __future__ import annotations

import pytest

from bot.actions import DirectMessage, GroupMessage, Post
from bot.outbox import write_plan
from bot.ritual import Planned
from config.loader import parse_config
from storage import queries
from storage.db import Database
from tests.discord_harness import ANA, BEN, FIXTURES, GENERAL, key, load_config, running_bot
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.pinned_clock import PLATFORM_CLOCK

DMS_OFF = """
delivery:
  direct_messages:
    enabled: false
"""


def config_text(extra: str) -> str:
    base = (FIXTURES / "community.yaml").read_text()
    return base.replace("delivery:\n  direct_messages:\n    per_second: 0", extra.strip())


async def test_with_bulk_dms_off_a_dm_is_refused_and_a_post_still_goes_out(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db, config_text=config_text(DMS_OFF)) as bot:
        with pytest.raises(PermissionError, match=r"delivery\.direct_messages"):
            await bot.adapter.perform(DirectMessage(text="hi", member=key(fake, BEN)), "d:0")
        await bot.adapter.perform(Post(text="Hello all", channel="general"), "p:0")
    assert not fake.calls_to("POST", r"/users/@me/channels")  # no DM channel was even opened
    assert [c.body["content"] for c in fake.calls_to("POST", rf"/channels/{GENERAL}/messages")] == ["Hello all"]


async def test_a_reload_that_turns_dms_off_applies_to_the_next_dm(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db) as bot:
        await bot.adapter.perform(DirectMessage(text="first", member=key(fake, BEN)), "d:0")
        bot.runtime.apply_config(parse_config(config_text(DMS_OFF), "community.yaml"))
        with pytest.raises(PermissionError):
            await bot.adapter.perform(DirectMessage(text="second", member=key(fake, BEN)), "d:1")
    assert [c.body["content"] for c in fake.calls_to("POST", r"/channels/\d+/messages")] == ["first"]


def test_dm_pacing_is_read_from_community_yaml() -> None:
    paced = load_config(config_text("delivery:\n  direct_messages:\n    per_second: 4"))
    assert paced.delivery.direct_messages.per_second == 4
    assert paced.delivery.direct_messages.enabled
    assert load_config(config_text("")).delivery.direct_messages.per_second == 2.0  # the default


async def test_a_member_who_takes_no_dms_is_given_up_at_once_not_retried(fake: FakeDiscord, db: Database) -> None:
    """Discord answers 403 / 50007 when a member's privacy settings refuse DMs: asking again changes nothing."""
    fake.closed_dms.add(BEN)
    async with running_bot(fake, db) as bot:
        with db.session() as tx:
            write_plan(tx, bot.runtime.community, "welcome", "ben", [Planned(DirectMessage(
                text="Welcome, Ben!", member=key(fake, BEN)))], PLATFORM_CLOCK.now())
            tx.commit()
        await bot.runtime.outbox.drain()
        await bot.runtime.outbox.drain()  # a second pass must not try again
        with db.session() as tx:
            [row] = queries.deliveries(tx, bot.runtime.community)
    assert (row.status, row.attempts) == ("failed", 1)
    assert "does not accept direct messages" in (row.error or "")
    assert len(fake.calls_to_any_status("POST", r"/channels/\d+/messages")) == 1


async def test_a_pair_where_one_member_takes_no_dms_still_reaches_the_other(fake: FakeDiscord, db: Database) -> None:
    fake.closed_dms.add(BEN)
    pair = GroupMessage(text="You two are paired this week!", members=(key(fake, ANA), key(fake, BEN)))
    async with running_bot(fake, db) as bot:
        ref = await bot.adapter.perform(pair, "pairing:w1:0")
    assert ref is not None and ref.startswith(f"{ANA + 7}:")
    assert [m["channel_id"] for m in fake.messages.values()] == [str(ANA + 7)]
