"""On Discord, which tells us no member's time zone: `/cop timezone` and the window's default decide when a DM
goes; `/cop pause until` holds back optional DMs. The real discord.py client against the fake Discord."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.discord.commands import build_cop_group, command_text
from bot.actions import DirectMessage
from bot.clock import ManualClock
from bot.events import MemberJoined
from bot.outbox import write_plan
from bot.ritual import CommandResult, CommandSpec, Planned, Role
from storage import member_prefs, queries
from storage.db import Database
from tests.discord_harness import ANA, BEN, FIXTURES, key, running_bot
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.pinned_clock import PLATFORM_CLOCK

WINDOW = (FIXTURES / "community.yaml").read_text().replace(
    "    per_second: 0", '    per_second: 0\n    local_window:\n      hours: "09:00-18:00"\n'
    "      default_timezone: Europe/Lisbon"
)


async def answer_of(fake: FakeDiscord, interaction: dict[str, Any]) -> str:
    path = rf"/interactions/{interaction['id']}/[^/]+/callback"
    [call] = await fake.wait_for(lambda: fake.calls_to("POST", path))
    data = call.body.get("data") or {}
    return str(data.get("content", ""))


async def test_timezone_and_pause_set_in_discord_decide_when_and_whether_a_dm_goes(
    fake: FakeDiscord, db: Database
) -> None:
    async with running_bot(fake, db, WINDOW) as bot:
        refused = await answer_of(fake, await fake.slash(BEN, ["timezone"], "Los Angeles"))
        assert "unknown time zone" in refused
        answer = await answer_of(fake, await fake.slash(BEN, ["timezone"], "America/Los_Angeles"))
        assert "America/Los_Angeles" in answer
        paused = await answer_of(fake, await fake.slash(ANA, ["pause", "until"], "2027-02-01"))
        assert "Paused until 2027-02-01" in paused
        community = bot.runtime.community
        with db.session() as tx:
            assert member_prefs.prefs(tx, community, key(fake, BEN)).tz == "America/Los_Angeles"  # type: ignore[union-attr]
            # 10:00 UTC on the pinned Wednesday: 02:00 in Los Angeles, 10:00 in Lisbon (ana's default).
            write_plan(tx, community, "notices", "wed", [
                Planned(DirectMessage(member=key(fake, BEN), text="for ben")),
                Planned(DirectMessage(member=key(fake, ANA), text="for ana")),
                Planned(DirectMessage(member=key(fake, ANA), text="a tip for ana"), optional=True),
            ], PLATFORM_CLOCK.now(), policy=bot.runtime.dm_policy)
            tx.commit()
        await bot.runtime.outbox.drain()
        sent = [c.body["content"] for c in fake.calls_to("POST", r"/channels/\d+/messages")]
        assert sent == ["for ana"]  # ben's waits for his morning; ana's tip waits for the end of her pause
        with db.session() as tx:
            rows = {row.id: row for row in queries.deliveries(tx, community)}
        held = rows["notices:wed:0"]
        assert held.status == "pending" and held.not_before is not None
        assert held.not_before.replace(tzinfo=UTC) == datetime(2027, 1, 6, 17, 0, tzinfo=UTC)  # 09:00 in LA
        assert rows["notices:wed:2"].status == "withheld"
        bot.runtime.outbox.clock = ManualClock(datetime(2027, 1, 6, 17, 0, tzinfo=UTC))  # the outbox's clock moves on
        await bot.runtime.outbox.drain()
    sent = [c.body["content"] for c in fake.calls_to("POST", r"/channels/\d+/messages")]
    assert sent == ["for ana", "for ben"]
    assert [c.body for c in fake.calls_to("POST", r"/users/@me/channels")][-1] == {"recipient_id": BEN}


NUDGES = (FIXTURES / "community.yaml").read_text() + """
  nudges:
    quiet_weeks: 4
"""


async def test_a_facilitator_nudges_a_member_quiet_for_six_weeks_by_discord_dm(fake: FakeDiscord, db: Database) -> None:
    chidi = 100000000000000003
    async with running_bot(fake, db, NUDGES) as bot:
        six_weeks_ago = (PLATFORM_CLOCK.now() - timedelta(weeks=6)).isoformat()
        await fake.member_joins(chidi, "Chidi", joined_at=six_weeks_ago)
        await bot.wait_event(lambda e: isinstance(e, MemberJoined))
        answer = await answer_of(fake, await fake.slash(ANA, ["more"], "nudge now"))  # /cop nudge is folded
        assert answer.startswith("Nudging 1 quiet member")
        sent = await fake.wait_for(lambda: fake.calls_to("POST", rf"/channels/{chidi + 7}/messages"))
    assert sent[0].body["content"].startswith("Hi Chidi! We have missed you in Platform Guild")
    assert [c.body for c in fake.calls_to("POST", r"/users/@me/channels")] == [{"recipient_id": chidi}]


def test_more_first_words_than_discord_allows_fold_into_cop_more() -> None:
    """Discord allows 25 children under /cop; members' commands keep theirs, the rest are typed after /cop more."""

    def handler(call: object) -> CommandResult:
        return CommandResult("")

    specs = [CommandSpec((f"admin{i}",), Role.ADMIN, "an admin thing", handler) for i in range(5)]
    specs += [CommandSpec((f"word{i}", "go"), Role.MEMBER, "a member thing", handler) for i in range(24)]

    async def invoke(interaction: object, text: str | None) -> None:
        return None

    root, paths = build_cop_group(specs, invoke)
    names = [command.name for command in root.commands]
    assert len(names) == 25
    assert {f"word{i}" for i in range(24)} | {"more"} == set(names)
    assert paths["cop more"] == () and command_text((), "admin3 now") == "admin3 now"


async def test_a_command_typed_after_cop_more_is_answered(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db, NUDGES) as bot:
        assert len(bot.adapter.client.tree.get_commands()[0].commands) <= 25  # type: ignore[union-attr]
        answer = await answer_of(fake, await fake.slash(BEN, ["more"], "stats"))
    assert "members" in answer and "Thank you!" in answer
