"""The Discord adapter gives the resource library what it needs: permalinks, and the thread a command runs in."""

from __future__ import annotations

from bot.events import ReplyPosted
from storage import resources as resource_store
from storage.db import Database
from tests.discord_harness import ANA, BEN, FIXTURES, PROMPTS, running_bot
from tests.fakes.discord_fake import FakeDiscord
from tests.test_discord_adapter import callback_of, post_prompt


async def test_a_thread_reply_carries_its_own_and_its_threads_jump_links(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db) as bot:
        prompt = await post_prompt(fake)
        await fake.post_in_thread(BEN, int(prompt["id"]), "We automated our certificate renewals")
        [event] = await bot.wait_event(lambda e: isinstance(e, ReplyPosted))
    assert isinstance(event, ReplyPosted)
    guild = event.member.split(":")[1]
    assert event.thread_link == f"https://discord.com/channels/{guild}/{PROMPTS}/{prompt['id']}"
    assert event.link is not None and event.link.startswith(f"https://discord.com/channels/{guild}/{prompt['id']}/")


async def test_cop_harvest_run_inside_a_thread_saves_that_thread(fake: FakeDiscord, db: Database) -> None:
    """The interaction's channel is the thread: the adapter passes its ref, so no message has to be named."""
    config = (FIXTURES / "community.yaml").read_text() + "  resources:\n    enabled: true\n"
    async with running_bot(fake, db, config) as bot:
        prompt = await post_prompt(fake)
        await fake.post_in_thread(BEN, int(prompt["id"]), "We automated our certificate renewals with cert-manager")
        await bot.wait_event(lambda e: isinstance(e, ReplyPosted))
        interaction = await fake.slash(ANA, ["harvest"], text="#tls", channel_id=int(prompt["id"]))
        answer = await callback_of(fake, interaction)
        with db.session() as tx:
            [saved] = resource_store.search(tx, bot.runtime.community, "cert-manager", 5)
    assert answer["data"]["content"].startswith("Saved “")
    assert saved.thread_ref == f"{PROMPTS}:{prompt['id']}" and saved.tags == "tls"


async def test_cop_harvest_outside_a_thread_still_asks_which_thread(fake: FakeDiscord, db: Database) -> None:
    config = (FIXTURES / "community.yaml").read_text() + "  resources:\n    enabled: true\n"
    async with running_bot(fake, db, config):
        interaction = await fake.slash(ANA, ["harvest"], text="#tls")
        answer = await callback_of(fake, interaction)
    assert answer["data"]["content"].startswith("Which thread?")
