"""The shipped community.yaml on Slack, unchanged: a real community's first week through the fake Slack.

dana, ana and ben are in the workspace (the file names them "@dana", "@ana", "@ben"). Eve, Finn and Gus join: each
gets one welcome and a buddy DM naming ben, a real member. Eve agrees to the ground rules with the button in her
DM. Ana starts a pairing cycle with /cop pair now; four days later the "did you meet?" comes to the group DM, and
Finn presses "We met": the group's answer and everyone's participation are recorded for the right members. No
delivery fails.
"""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.clock import ManualClock
from rituals.pairing.ritual import meet_rate
from storage import onboarding as onboarding_store
from storage import pairing as pairing_store
from storage import queries
from tests.fakes.slack_api import FakeSlack, Message
from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import FACILITATOR, MEMBER, TEAM, SlackWorld, slack_world

ROOT = Path(__file__).resolve().parents[1]
DANA, ANA, BEN = FACILITATOR, MEMBER, "UBEN"  # the harness's Dana and Ana, and Ben
NEWCOMERS = {"eve": "U0EVE", "finn": "U0FINN", "gus": "U0GUS"}
_clicks = itertools.count(1)  # each click its own action_ts, as Slack stamps them


def workspace(fake: FakeSlack) -> None:
    fake.add_user(BEN, "ben")
    for channel_id, name in (("C0GUILD", "platform-guild"), ("C0WEEKLY", "platform-guild-weekly"),
                             ("C0INTROS", "platform-guild-intros"), ("C0FACIL", "platform-guild-facilitators")):
        fake.add_channel(channel_id, name)


def joined(user_id: str, name: str, at: int) -> dict[str, Any]:
    payload = fixture("team_join")
    payload.update(event_id=f"Ev{user_id}", event_time=at)
    payload["event"]["user"].update(id=user_id, name=name, real_name=name.capitalize(),
                                    profile={"display_name": name, "real_name": name.capitalize()})
    return payload


def dms(world: SlackWorld, *users: str) -> list[Message]:
    channel = world.fake._dm_ids.get(",".join(sorted(users)))
    return list(world.fake.messages.get(channel, [])) if channel else []


def click(world: SlackWorld, user: str, message: Message, label: str) -> dict[str, Any]:
    [pressed] = [e for b in message.blocks or [] if b["type"] == "actions" for e in b["elements"]
                 if e["text"]["text"] == label]
    payload = fixture("block_actions")
    payload.update(user={"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
                   container={"type": "message", "message_ts": message.ts, "channel_id": message.channel,
                              "is_ephemeral": False},
                   channel={"id": message.channel, "name": "directmessage"},
                   message={"type": "message", "user": "UBOT", "ts": message.ts, "text": message.text},
                   actions=[{**pressed, "block_id": "actions", "type": "button",
                             "action_ts": f"{1700000000 + next(_clicks)}.000100"}])
    return payload


async def test_the_shipped_community_runs_on_slack(tmp_path: Path) -> None:
    shipped = (ROOT / "community.yaml").read_text()
    async with slack_world(tmp_path, config=shipped, workspace=workspace) as world:
        clock = world.runtime.clock
        assert isinstance(clock, ManualClock)
        community = world.community
        keys = {name: f"slack:{TEAM}:{uid}" for name, uid in NEWCOMERS.items()}
        assert world.runtime.config.roles.admins == [f"slack:{TEAM}:{DANA}"]
        assert world.runtime.config.roles.facilitators == [f"slack:{TEAM}:{ANA}", f"slack:{TEAM}:{BEN}"]
        assert world.runtime.people.problems == []

        for name, user_id in NEWCOMERS.items():
            assert (await world.sender.event(joined(user_id, name, int(clock.now().timestamp())))).status == 200
        async with asyncio.timeout(10):
            await world.adapter.processed(3)
            await world.all_sent()
        for user_id in NEWCOMERS.values():
            texts = [m.text for m in dms(world, user_id)]
            assert [t for t in texts if t.startswith("Welcome to the Platform Engineering Guild")] == [texts[0]]
            assert f"Your buddy is <@{BEN}>" in texts[0]
            assert [t for t in texts if t.startswith("Meet your buddy")] == [
                f"Meet your buddy, <@{BEN}>: someone to ask anything while you find your way around Platform "
                "Engineering Guild. Say hi whenever you like!"]
        assert len([m for m in dms(world, BEN) if m.text.startswith("Thank you for being a buddy")]) == 3

        eve = NEWCOMERS["eve"]
        await world.sender.action(click(world, eve, dms(world, eve)[0], "I agree to the ground rules"))
        async with asyncio.timeout(10):
            await world.adapter.processed(4)
            await world.all_sent()
        with world.db.session() as tx:
            assert onboarding_store.acknowledged_members(tx, community) == {keys["eve"]}

        answer = await world.sender.command("pair now", user_id=ANA)  # acknowledged at once, worked out aside
        assert answer.json()["text"] == "On it: `/cop pair now` is running now. I will tell you here when it is done."
        async with asyncio.timeout(10):
            await world.runtime.commands_done()
            await world.all_sent()
        assert [e["text"] for e in world.fake.ephemerals if e.get("user") == ANA] == [
            "Started a pairing cycle: 1 group introduced."]  # the answer follows, to ana alone
        clock.advance(timedelta(days=4, hours=1))  # the shipped followup_after: 4d
        world.runtime.tick()
        async with asyncio.timeout(10):
            await world.all_sent()
        group_dm = dms(world, *NEWCOMERS.values())
        followup = next(m for m in group_dm if m.blocks and m.text.startswith("Did you manage to meet"))
        await world.sender.action(click(world, NEWCOMERS["finn"], followup, "We met"))
        async with asyncio.timeout(10):
            await world.adapter.processed(6)
            await world.all_sent()
        await world.runtime.writer.flush()
        with world.db.session() as tx:
            [cycle] = pairing_store.cycles(tx, community)
            groups = list(pairing_store.groups(tx, community, [cycle.id or 0]))
            met = sorted(e.member for e in queries.participation(tx, community) if e.kind == "met")
        assert world.deliveries("failed") == [] and world.deliveries("sent")
    [group] = groups
    assert (group.answer, group.answered_by) == ("met", keys["finn"])
    assert met == sorted(keys.values())
    assert meet_rate([g.answer for g in groups]) == "1/1 met (100%)"
