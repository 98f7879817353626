"""A challenge on Discord: the real discord.py client against the fake Discord. The announcement carries a
"Take part" button (a persistent component), entries come by /cop, votes by buttons, one each and not your own."""

from __future__ import annotations

from typing import Any

from storage import challenges as store
from storage.db import Database
from tests.discord_harness import ANA, BEN, FIXTURES, GENERAL, running_bot
from tests.fakes.discord_fake import FakeDiscord

CONFIG = (FIXTURES / "community.yaml").read_text() + """
  challenges:
    voting_for: 1d
"""


async def _answer(fake: FakeDiscord, interaction: dict[str, Any]) -> str:
    path = rf"/interactions/{interaction['id']}/[^/]+/callback"
    found = await fake.wait_for(lambda: fake.calls_to("POST", path))
    return str(found[0].body["data"]["content"])


def _posted(fake: FakeDiscord, needle: str) -> list[dict[str, Any]]:
    return [m for m in fake.messages.values() if m["channel_id"] == str(GENERAL) and needle in m["content"]]


def _custom_ids(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message["components"] for c in row["components"]]


async def test_a_challenge_on_discord_with_buttons_for_taking_part_and_voting(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db, CONFIG) as bot:
        runtime = bot.runtime
        start = '"Automate one toil" --until 2027-01-20'
        answer = await _answer(fake, await fake.slash(ANA, ["challenge", "start"], start))
        assert "is on" in answer
        [announcement] = await fake.wait_for(lambda: _posted(fake, "New challenge: Automate one toil"))
        [join] = _custom_ids(announcement)
        assert join.startswith("cop:challenges.join|")
        await fake.click(BEN, announcement, join)
        answer = await _answer(fake, await fake.slash(BEN, ["challenge", "submit"], "https://git.test/ben/toil"))
        assert answer.startswith("Your entry to **Automate one toil** is in")

        answer = await _answer(fake, await fake.slash(ANA, ["challenge", "close"]))
        assert answer.startswith("Submissions for **Automate one toil** are closed; voting is open until")
        [voting] = await fake.wait_for(lambda: _posted(fake, "Vote for your favourite"))
        [vote] = _custom_ids(voting)
        await fake.click(BEN, voting, vote)  # his own entry: refused by DM
        await fake.click(ANA, voting, vote)
        await fake.wait_for(lambda: len([m for m in fake.messages.values() if "vote is in" in m["content"]
                                         or "your own entry" in m["content"]]) == 2)
        answer = await _answer(fake, await fake.slash(ANA, ["challenge", "close"]))
        assert answer.startswith("Voting for **Automate one toil** is closed")
        [results] = await fake.wait_for(lambda: _posted(fake, "Results of Automate one toil"))
        assert f"🥇 1st <@{BEN}>: 1 vote" in results["content"]
        with db.session() as tx:
            [row] = store.challenges(tx, runtime.community)
            assert [v.voter for v in store.votes(tx, row.id or 0)] == [f"discord:{fake.guild_id}:{ANA}"]
