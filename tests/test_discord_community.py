"""The shipped community.yaml on Discord, unchanged: a real community's first week through the fake Discord.

dana, ana and ben are in the server (the file names them "@dana", "@ana", "@ben"). Eve, Finn and Gus join: each
gets one welcome and a buddy DM naming ben, a real member. Eve agrees to the ground rules with the button in her
DM (Discord sends that press without a server). Ana starts a pairing cycle with /cop-admin pair now; four days
later the "did you meet?" comes, and Finn presses "We met" in his DM: the group's answer and everyone's
participation are recorded for the right members. No delivery fails.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.clock import ManualClock
from bot.events import ButtonClicked, MemberJoined
from rituals.pairing.ritual import meet_rate
from storage import onboarding as onboarding_store
from storage import pairing as pairing_store
from storage import queries
from storage.db import Database
from tests.discord_harness import key, running_bot
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.pinned_clock import PLATFORM_CLOCK
from tests.test_discord_adapter import callback_of

ROOT = Path(__file__).resolve().parents[1]
DANA, ANA, BEN = 100000000000000001, 100000000000000002, 100000000000000003
NEWCOMERS = {"Eve": 100000000000000011, "Finn": 100000000000000012, "Gus": 100000000000000013}
CHANNELS = {"platform-guild": 200000000000000001, "platform-guild-weekly": 200000000000000002,
            "platform-guild-intros": 200000000000000003, "platform-guild-facilitators": 200000000000000004}


def dms(fake: FakeDiscord, user_id: int) -> list[dict[str, Any]]:
    return sorted((m for m in fake.messages.values() if m["channel_id"] == str(user_id + 7)),
                  key=lambda m: int(m["id"]))


def button(message: dict[str, Any], label: str) -> str:
    found: str = next(c["custom_id"] for row in message["components"] for c in row["components"] if c["label"] == label)
    return found


async def test_the_shipped_community_runs_on_discord(db: Database) -> None:
    fake = FakeDiscord(members={"dana": DANA, "ana": ANA, "ben": BEN}, channels=CHANNELS)
    await fake.start()
    clock = ManualClock(PLATFORM_CLOCK.now())
    shipped = ROOT / "community.yaml"
    try:
        async with running_bot(fake, db, shipped.read_text(), clock=clock, config_path=str(shipped)) as bot:
            community = bot.runtime.community
            assert bot.runtime.config.roles.facilitators == [key(fake, ANA), key(fake, BEN)]
            assert bot.runtime.people.problems == []
            for name, user_id in NEWCOMERS.items():
                await fake.member_joins(user_id, name)
            await bot.wait_event(lambda e: isinstance(e, MemberJoined), count=3)
            await bot.runtime.settle()
            for user_id in NEWCOMERS.values():
                texts = [m["content"] for m in dms(fake, user_id)]
                assert [t for t in texts if t.startswith("Welcome to the Platform Engineering Guild")] == [texts[0]]
                assert f"Your buddy is <@{BEN}>" in texts[0]
                assert [t for t in texts if t.startswith("Meet your buddy")] == [
                    f"Meet your buddy, <@{BEN}>: someone to ask anything while you find your way around Platform "
                    "Engineering Guild. Say hi whenever you like!"]
            assert len([m for m in dms(fake, BEN) if m["content"].startswith("Thank you for being a buddy")]) == 3

            eve = NEWCOMERS["Eve"]
            welcome = dms(fake, eve)[0]
            await fake.click(eve, welcome, button(welcome, "I agree to the ground rules"))  # in her DM
            await bot.wait_event(lambda e: isinstance(e, ButtonClicked))
            await bot.runtime.settle()
            with db.session() as tx:
                assert onboarding_store.acknowledged_members(tx, community) == {key(fake, eve)}

            interaction = await fake.slash(ANA, ["pair", "now"])
            started = (await callback_of(fake, interaction))["data"]["content"]  # acknowledged at once
            assert started == "On it: `/cop-admin pair now` is running now. I will tell you here when it is done."
            await bot.runtime.settle()
            answers = [m["content"] for m in dms(fake, ANA) if m["content"].startswith("Started a pairing cycle")]
            assert answers == ["Started a pairing cycle: 1 group introduced."]  # the answer follows, by DM
            clock.advance(timedelta(days=4, hours=1))  # the shipped followup_after: 4d
            bot.runtime.tick()
            await bot.runtime.settle()
            finn = NEWCOMERS["Finn"]
            followup = next(m for m in dms(fake, finn) if m["components"] and "meet" in m["content"].lower())
            await fake.click(finn, followup, button(followup, "We met"))
            await bot.wait_event(lambda e: isinstance(e, ButtonClicked), count=2)
            await bot.runtime.settle()
            with db.session() as tx:
                [cycle] = pairing_store.cycles(tx, community)
                groups = list(pairing_store.groups(tx, community, [cycle.id or 0]))
                met = [(e.member, e.kind) for e in queries.participation(tx, community) if e.kind == "met"]
                failed = list(queries.deliveries(tx, community, "failed"))
                sent = list(queries.deliveries(tx, community, "sent"))
    finally:
        await fake.stop()
    [group] = groups  # three newcomers: one group of three
    assert set(group.member_keys()) == {key(fake, uid) for uid in NEWCOMERS.values()}
    assert (group.answer, group.answered_by) == ("met", key(fake, finn))
    assert sorted(met) == sorted((key(fake, uid), "met") for uid in NEWCOMERS.values())
    assert failed == [] and sent
    rate = meet_rate([g.answer for g in groups])
    assert rate == "1/1 met (100%)"
    print(f"\nDiscord meet rate: {rate}; {len(sent)} deliveries sent, {len(failed)} failed")
