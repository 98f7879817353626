"""On Discord, which tells us no member's time zone: `/cop timezone` and the window's default decide when a DM
goes; `/cop pause until` holds back optional DMs. The real discord.py client against the fake Discord."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from adapters.discord.commands import build_cop_groups, command_text
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
        answer = await answer_of(fake, await fake.slash(ANA, ["nudge", "now"]))  # /cop-admin nudge now
        assert answer.startswith("Nudging 1 quiet member")
        sent = await fake.wait_for(lambda: fake.calls_to("POST", rf"/channels/{chidi + 7}/messages"))
    assert sent[0].body["content"].startswith("Hi Chidi! We have missed you in Platform Guild")
    assert [c.body for c in fake.calls_to("POST", r"/users/@me/channels")] == [{"recipient_id": chidi}]


def test_more_first_words_than_discord_allows_fold_into_cop_more() -> None:
    """Discord allows 25 children in a group: one-word commands keep theirs, the rest are typed after ``more``."""

    def handler(call: object) -> CommandResult:
        return CommandResult("")

    specs = [CommandSpec((f"word{i:02d}", "go"), Role.MEMBER, "a member thing", handler) for i in range(26)]
    specs += [CommandSpec(("help",), Role.MEMBER, "help", handler), CommandSpec(("reload",), Role.ADMIN, "r", handler)]

    async def invoke(interaction: object, given: object) -> None:
        return None

    roots, paths = build_cop_groups(specs, invoke)
    member = next(root for root in roots if root.name == "cop")
    names = [command.name for command in member.commands]
    assert len(names) == 25 and "help" in names and "more" in names
    assert {f"word{i:02d}" for i in range(23)} <= set(names)  # the last ones in order are typed out
    assert paths["cop more"] == () and command_text((), "word25 go") == "word25 go"
    assert "more" not in [command.name for root in roots if root.name == "cop-admin" for command in root.commands]


async def test_every_command_of_the_shipped_bot_is_reachable_on_discord(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db, NUDGES) as bot:
        specs = bot.runtime.router.specs
    for spec in specs:
        root = next(c for c in fake.commands if c["name"] == ("cop" if spec.role == Role.MEMBER else "cop-admin"))
        assert len(root["options"]) <= 25
        names = {o["name"]: o for o in root["options"]}
        head = names.get(spec.path[0])
        found = head is not None and (len(spec.path) == 1 or any(
            o["name"] in ("-".join(spec.path[1:]), "run") for o in head.get("options", [])))
        assert found or "more" in names, spec.path
