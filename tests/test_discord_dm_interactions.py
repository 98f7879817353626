"""Buttons pressed and commands run inside a DM with the bot count for the member of the community's server.

Discord sends such an interaction with no ``guild_id`` and no ``member``, only ``user``: Dana joins, gets her
welcome DM, presses "I agree to the ground rules" in it, and the agreement is stored for her, not for a
member of server 0 who does not exist. Ben types ``/cop agree`` in his DM with the bot: the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.discord.ids import guild_for_dm
from bot.events import ButtonClicked, CommandInvoked
from storage import onboarding as store
from storage.db import Database
from tests.discord_harness import BEN, key, running_bot
from tests.fakes.discord_fake import FakeDiscord

DANA = 100000000000000004
CONFIG = (Path(__file__).parent / "fixtures" / "discord" / "community.yaml").read_text() + "  onboarding: {}\n"


def dm_messages_with_buttons(fake: FakeDiscord, user_id: int) -> list[dict[str, Any]]:
    return [m for m in fake.messages.values() if m["channel_id"] == str(user_id + 7) and m["components"]]


async def test_ground_rules_agreed_with_a_button_in_a_dm_count_for_the_member(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db, config_text=CONFIG) as bot:
        await fake.member_joins(DANA, "Dana")
        [welcome] = await fake.wait_for(lambda: dm_messages_with_buttons(fake, DANA))
        custom_id = welcome["components"][0]["components"][0]["custom_id"]
        assert custom_id == "cop:onboarding.ack|"

        interaction = await fake.click(DANA, welcome, custom_id)  # in her DM: no guild_id, no member
        assert "guild_id" not in interaction and "member" not in interaction and interaction["context"] == 1
        [click] = await bot.wait_event(lambda e: isinstance(e, ButtonClicked))
        assert click.member == key(fake, DANA)
        await fake.wait_for(lambda: any("Thank you for agreeing" in m["content"] for m in fake.messages.values()
                                        if m["channel_id"] == str(DANA + 7)))
        await bot.runtime.settle()
        with db.session() as tx:
            assert store.acknowledged_members(tx, bot.runtime.community) == {key(fake, DANA)}


async def test_a_command_run_in_a_dm_is_the_member_s_own(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db, config_text=CONFIG) as bot:
        interaction = await fake.dm_slash(BEN, ["agree"])
        [command] = await bot.wait_event(lambda e: isinstance(e, CommandInvoked))
        assert command.member == key(fake, BEN)
        answer = await fake.wait_for(
            lambda: [c.body for c in fake.calls_to("POST", rf"/interactions/{interaction['id']}/[^/]+/callback")])
        assert answer[0]["data"]["content"] == "Thank you for agreeing to our ground rules. Glad to have you!"
        with db.session() as tx:
            assert store.acknowledged_members(tx, bot.runtime.community) == {key(fake, BEN)}


def test_the_server_of_a_dm_interaction() -> None:
    """Configured server first; else the server the DM was sent for; else one the bot shares with the member."""
    assert guild_for_dm(configured=7, remembered=8, guilds_with_user=[9], guilds=[9, 10]) == 7
    assert guild_for_dm(configured=None, remembered=8, guilds_with_user=[9], guilds=[9, 10]) == 8
    assert guild_for_dm(configured=None, remembered=None, guilds_with_user=[10], guilds=[9, 10]) == 10
    assert guild_for_dm(configured=None, remembered=None, guilds_with_user=[], guilds=[9, 10]) == 9
    assert guild_for_dm(configured=None, remembered=None, guilds_with_user=[], guilds=[]) is None
