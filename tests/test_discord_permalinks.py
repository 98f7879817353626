"""The Discord adapter fills the neutral permalink fields the resource library links harvested threads with."""

from __future__ import annotations

from bot.events import ReplyPosted
from storage.db import Database
from tests.discord_harness import BEN, PROMPTS, running_bot
from tests.fakes.discord_fake import FakeDiscord
from tests.test_discord_adapter import post_prompt


async def test_a_thread_reply_carries_its_own_and_its_threads_jump_links(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db) as bot:
        prompt = await post_prompt(fake)
        await fake.post_in_thread(BEN, int(prompt["id"]), "We automated our certificate renewals")
        [event] = await bot.wait_event(lambda e: isinstance(e, ReplyPosted))
    assert isinstance(event, ReplyPosted)
    guild = event.member.split(":")[1]
    assert event.thread_link == f"https://discord.com/channels/{guild}/{PROMPTS}/{prompt['id']}"
    assert event.link is not None and event.link.startswith(f"https://discord.com/channels/{guild}/{prompt['id']}/")
