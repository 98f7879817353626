"""Long messages fit each platform's limits: a 1,000-pair status arrives whole, in parts, in order, once each.

A facilitator of a 2,000-member community asks `/cop pairing status`. The answer (about 55,000 characters) is far
more than one reply can hold, so it comes by DM through the outbox, cut at line boundaries into parts within
the platform's limits (Slack: 50 blocks, 3,000 characters a section, 3,900 characters of text; Discord: 2,000
characters of content, one small embed). A crash between two parts sends only the missing ones after a restart.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.adapter import PART_LIMIT, SlackAdapter
from adapters.slack.mrkdwn import SECTION_LIMIT, unescape
from bot.actions import DirectMessage
from bot.outbox import delivery_id, write_plan
from bot.ritual import Planned
from storage import queries
from storage.db import Database
from tests.discord_harness import ANA, BEN, key, running_bot
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.pinned_clock import PLATFORM_CLOCK
from tests.fakes.slack_harness import CONFIG, FACILITATOR, MEMBER, TEAM, slack_world
from tests.pairing_seed import pair_lines, seed_pairs
from tests.test_discord_adapter import callback_of
from tests.test_discord_crash import Crash, bot_process, die_after_sending, plan, statuses

PAIRS = 1000
LONG = "\n".join(f"• line {n:04d}: " + "words & more words " * 4 for n in range(300))  # about 26,000 characters


def status_lines(texts: list[str]) -> list[str]:
    return [line for text in texts for line in text.splitlines() if line.startswith("• ")]


async def test_a_1000_pair_status_reaches_slack_whole_in_parts_within_its_limits(tmp_path: Path) -> None:
    async with slack_world(tmp_path, config=CONFIG + "  pairing: {}\n") as world:
        keys = [f"slack:{TEAM}:U{n:06d}" for n in range(2 * PAIRS)]
        seed_pairs(world.db, world.community, keys, world.runtime.clock.now(), "slack")
        answer = await world.sender.command("pairing status", user_id=FACILITATOR)
        assert "so I sent it to you as a direct message" in answer.json()["text"]
        async with asyncio.timeout(60):
            await world.all_sent()
    posts = [c.body for c in world.fake.calls_to("chat.postMessage")]
    assert len({p["channel"] for p in posts}) == 1 and posts[0]["channel"].startswith("D")  # one DM
    assert [p["metadata"]["event_payload"].get("part", 0) for p in posts] == list(range(len(posts)))  # in order
    for post in posts:
        assert len(post["text"]) <= PART_LIMIT and len(post["blocks"]) <= 50
        assert all(len(b["text"]["text"]) <= SECTION_LIMIT for b in post["blocks"] if b["type"] == "section")
    texts = [unescape(p["text"]) for p in posts]
    assert texts[0].startswith(f"*Pairing cycle #1 of 1, 2027-01-06* (peer, scheduled): {PAIRS} groups, 0 met")
    assert status_lines(texts) == pair_lines(PAIRS)  # every pair once, in order: nothing cut, nothing doubled
    print(f"\nSlack: {len(posts)} parts, longest {max(len(p['text']) for p in posts)} characters, "
          f"most blocks {max(len(p['blocks']) for p in posts)}")


async def test_a_1000_pair_status_reaches_discord_whole_in_parts_within_its_limits(
    fake: FakeDiscord, db: Database
) -> None:
    config = (Path(__file__).parent / "fixtures" / "discord" / "community.yaml").read_text() + "  pairing: {}\n"
    async with running_bot(fake, db, config_text=config) as bot:
        keys = [f"discord:{fake.guild_id}:{300000000000000000 + n}" for n in range(2 * PAIRS)]
        seed_pairs(db, bot.runtime.community, keys, PLATFORM_CLOCK.now(), "discord")
        interaction = await fake.slash(ANA, ["pairing", "status"])
        answer = await callback_of(fake, interaction)
        assert "so I sent it to you as a direct message" in answer["data"]["content"]
        await bot.runtime.settle()
    sent = [c.body for c in fake.calls_to("POST", rf"/channels/{ANA + 7}/messages")]
    assert len(sent) > 1
    for body in sent:
        assert len(body["content"]) <= 2000
        [embed] = body["embeds"]  # only the footer naming the delivery: far inside 10 embeds, 6,000 characters
        assert len(embed["footer"]["text"]) < 100
    assert len({b["nonce"] for b in sent}) == len(sent)  # each part its own nonce: none collapses into another
    texts = [b["content"] for b in sent]
    assert texts[0].startswith(f"**Pairing cycle #1 of 1, 2027-01-06** (peer, scheduled): {PAIRS} groups, 0 met")
    assert status_lines(texts) == pair_lines(PAIRS)
    print(f"\nDiscord: {len(sent)} parts, longest {max(len(t) for t in texts)} characters")


async def test_slack_sends_only_the_missing_parts_after_a_crash_between_two(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as world:
        action = DirectMessage(text=LONG, member=f"slack:{TEAM}:{MEMBER}")
        count = len(SlackAdapter.parts(LONG))
        assert count >= 3
        delivery = delivery_id("onboarding", "crash", 0)
        real = world.adapter._post_part
        sent = 0

        async def post_then_die(*args: Any, **kwargs: Any) -> str:
            nonlocal sent
            if sent == 2:
                raise Crash  # two parts reached Slack, then the process died...
            sent += 1
            return await real(*args, **kwargs)

        world.adapter._post_part = post_then_die  # type: ignore[method-assign]
        with pytest.raises(Crash):
            await world.adapter.perform(action, delivery)
        world.adapter._post_part = real  # type: ignore[method-assign]
        with world.db.session() as tx:  # ...leaving its row claimed, in doubt
            write_plan(tx, world.community, "onboarding", "crash", [Planned(action)], world.runtime.clock.now())
            queries.mark_sending(tx, delivery)
            tx.commit()
        await world.runtime.settle()
        with world.db.session() as tx:
            row = queries.delivery(tx, delivery)
            assert row is not None and row.status == "sent"
    assert world.fake.calls_to("conversations.history")  # looked up, not blindly resent
    posts = [c.body for c in world.fake.calls_to("chat.postMessage")]
    assert [p["metadata"]["event_payload"].get("part", 0) for p in posts] == list(range(count))  # once each, in order
    assert "\n".join(unescape(p["text"]) for p in posts) == LONG


async def test_discord_sends_only_the_missing_parts_after_a_crash_between_two(fake: FakeDiscord, db: Database) -> None:
    action = DirectMessage(text=LONG, member=key(fake, BEN))
    async with bot_process(fake, db) as (runtime, adapter):
        count = len(adapter.parts(LONG))
        assert count >= 3
        ids = plan(db, runtime, [action])
        die_after_sending(adapter, deaths=2)  # two parts reached Discord, then the process died
        with pytest.raises(Crash):
            await runtime.outbox.drain()
    fake.forget_nonces()  # the restart comes later than Discord's nonce window
    async with bot_process(fake, db) as (runtime, _):
        assert runtime.outbox.sent == 1
    assert statuses(db, ids) == ["sent"]
    messages = sorted((m for m in fake.messages.values() if m["channel_id"] == str(BEN + 7)),
                      key=lambda m: int(m["id"]))
    assert len(messages) == count  # none doubled, none missing
    assert "\n".join(m["content"] for m in messages) == LONG
