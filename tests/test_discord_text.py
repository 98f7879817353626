"""Discord text: the bot's bold is bold, a member's words keep their look, a picked member is that member.

Ana asks for `/cop help` and its heading is bold (``**…**``, not Slack's single star, which Discord shows as
italics). Ben replies in a thread with **bold**, *italics* and a mention: the core gets the neutral markup and a
name. Ana thanks the *other* Ana by picking her in the member option: the kudos mentions her, by id.
"""

from __future__ import annotations

from bot.events import CommandInvoked, MemberJoined, ReplyPosted
from storage import queries
from storage.db import Database
from tests.discord_harness import ANA, BEN, FIXTURES, GENERAL, PROMPTS, key, running_bot
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.pinned_clock import PLATFORM_CLOCK
from tests.test_discord_adapter import callback_of, post_prompt

OTHER_ANA = 100000000000000003
KUDOS = (
    "  kudos:\n"
    "    channel: general\n"
)


async def test_the_bot_s_bold_is_bold_on_discord(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db):
        interaction = await fake.slash(BEN, ["help"])
        answer = await callback_of(fake, interaction)
    assert answer["data"]["content"].startswith("**What you can ask me** (`/cop help <command>` explains one)\n")


async def test_a_member_s_markdown_and_mentions_reach_the_core_as_neutral_text(fake: FakeDiscord, db: Database
                                                                                ) -> None:
    async with running_bot(fake, db) as bot:
        prompt = await post_prompt(fake)
        data = fake.message_payload(int(prompt["id"]), BEN, f"**Never** do this *twice*, <@{ANA}>")
        data["mentions"] = [{"id": str(ANA), "username": "ana", "discriminator": "0", "global_name": "Ana",
                             "avatar": None, "public_flags": 0}]
        await fake.dispatch("MESSAGE_CREATE", {**data, "guild_id": str(fake.guild_id)})
        [reply] = await bot.wait_event(lambda e: isinstance(e, ReplyPosted))
    assert isinstance(reply, ReplyPosted) and reply.thread_ref == f"{PROMPTS}:{prompt['id']}"
    assert reply.text == "*Never* do this _twice_, @Ana"


async def test_kudos_go_to_the_member_picked_in_the_member_option(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db, config_text=(FIXTURES / "community.yaml").read_text() + KUDOS) as bot:
        with db.session() as tx:  # Ana was here before the bot
            queries.upsert_member(tx, community=bot.runtime.community, key=key(fake, ANA), platform="discord",
                                  name="Ana", tz=None, joined_at=PLATFORM_CLOCK.now(), interests=(), welcomed=False)
            tx.commit()
        await fake.member_joins(OTHER_ANA, "Ana")  # a second member called Ana
        await bot.wait_event(lambda e: isinstance(e, MemberJoined))
        cop = next(c for c in fake.commands if c["name"] == "cop")
        [kudos] = [o for o in cop["options"] if o["name"] == "kudos"]
        give = next(o for o in kudos["options"] if o["name"] == "run")
        assert [(o["name"], o["type"]) for o in give["options"]] == [("member", 6), ("text", 3), ("private", 5)]
        interaction = await fake.slash(ANA, ["kudos", "run"], "for fixing CI", member=OTHER_ANA)
        [command] = await bot.wait_event(lambda e: isinstance(e, CommandInvoked))
        answer = await callback_of(fake, interaction)
        assert answer["data"]["content"].startswith("Posted in #general"), answer
        posted = await fake.wait_for(lambda: fake.calls_to("POST", rf"/channels/{GENERAL}/messages"))
    assert isinstance(command, CommandInvoked)
    assert posted[0].body["content"] == f"🎉 Kudos to <@{OTHER_ANA}> from <@{ANA}> for: fixing CI"
    assert posted[0].body["allowed_mentions"]["users"] == [OTHER_ANA, ANA]
