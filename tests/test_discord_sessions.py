"""A community session on Discord: the real discord.py client against the fake Discord. The session becomes a
Guild Scheduled Event (POST /guilds/{id}/scheduled-events), moved with PATCH and cancelled with status 4; the
RSVP buttons are persistent components."""

from __future__ import annotations

import json
from typing import Any

from bot.events import MemberJoined
from storage import sessions as store
from storage.db import Database
from tests.discord_harness import ANA, BEN, FIXTURES, GENERAL, running_bot
from tests.fakes.discord_fake import FakeDiscord

CHIDI, DANA = 100000000000000003, 100000000000000004

CONFIG = (FIXTURES / "community.yaml").read_text() + """
  sessions:
    link: https://meet.test/cop
    from_rota: false
"""


def test_the_fake_scheduled_event_has_every_documented_field(fake: FakeDiscord) -> None:
    documented = json.loads((FIXTURES / "scheduled_event_example.json").read_text())
    ours = fake.scheduled_event_payload(1, {"name": "x", "scheduled_start_time": "2027-01-14T15:00:00+00:00",
                                            "entity_type": 3})
    assert set(ours) == set(documented)


async def _answer(fake: FakeDiscord, interaction: dict[str, Any]) -> str:
    path = rf"/interactions/{interaction['id']}/[^/]+/callback"
    found = await fake.wait_for(lambda: fake.calls_to("POST", path))
    return str(found[0].body["data"]["content"])


async def test_a_session_is_a_scheduled_event_kept_in_sync(fake: FakeDiscord, db: Database) -> None:
    async with running_bot(fake, db, CONFIG) as bot:
        text = '"Terraform at scale" --at 2027-01-14T16:00 --guest Kelsey'
        assert "is on for Thursday 14 January, 16:00" in await _answer(fake, await fake.slash(ANA, ["session", "add"],
                                                                                              text))
        made = await fake.wait_for(lambda: fake.calls_to("POST", rf"/guilds/{fake.guild_id}/scheduled-events"))
        body = made[0].body
        assert body["name"] == "Terraform at scale" and body["entity_type"] == 3 and body["privacy_level"] == 2
        assert body["entity_metadata"] == {"location": "https://meet.test/cop"}
        assert body["scheduled_start_time"].startswith("2027-01-14T15:00:00")
        [event_id] = list(fake.scheduled_events)
        await bot.runtime.settle()
        with db.session() as tx:
            [row] = store.sessions(tx, bot.runtime.community)
        assert row.calendar_ref == str(event_id)  # kept to move or cancel this very event

        [post] = [m for m in fake.messages.values() if m["channel_id"] == str(GENERAL) and "Terraform" in m["content"]]
        going = next(c["custom_id"] for r in post["components"] for c in r["components"] if c["custom_id"].endswith(
            ":going"))
        await fake.click(BEN, post, going)
        await fake.wait_for(lambda: any("Going (1)" in m["content"] for m in fake.messages.values()))

        await _answer(fake, await fake.slash(ANA, ["session", "move"], "1 --at 2027-01-14T18:00"))
        patched = await fake.wait_for(lambda: fake.calls_to("PATCH", rf"/guilds/\d+/scheduled-events/{event_id}"))
        assert patched[0].body["scheduled_start_time"].startswith("2027-01-14T17:00:00")
        assert fake.scheduled_events[event_id]["scheduled_start_time"].startswith("2027-01-14T17:00:00")

        await _answer(fake, await fake.slash(ANA, ["session", "cancel"], "1"))
        await fake.wait_for(lambda: fake.scheduled_events[event_id]["status"] == 4)
        assert len(fake.calls_to("POST", rf"/guilds/{fake.guild_id}/scheduled-events")) == 1  # never a second one


async def test_a_scheduled_event_made_just_before_a_crash_is_found_not_made_twice(fake: FakeDiscord,
                                                                                 db: Database) -> None:
    from bot.actions import CalendarEvent

    event = CalendarEvent(uid="u1@copbot", title="Chaos day", starts_at="2027-01-20T09:00:00+00:00",
                          ends_at="2027-01-20T10:00:00+00:00", location="https://meet.test/cop", channel="general")
    async with running_bot(fake, db, CONFIG) as bot:
        assert await bot.adapter.find_delivery(event, "sessions:x:1") is None  # not made yet
        made = await bot.adapter.perform(event, "sessions:x:1")
        assert await bot.adapter.find_delivery(event, "sessions:x:1") == made  # the crash came after: found
    assert len(fake.scheduled_events) == 1


async def test_a_host_named_in_text_and_a_swap_through_the_member_picker(fake: FakeDiscord, db: Database) -> None:
    """``session add`` takes its host as typed text (Discord sends a typed mention as ``<@id>``); ``session swap``
    has a USER option, so the picked member arrives by id before the session's number."""
    async with running_bot(fake, db, CONFIG) as bot:
        await fake.member_joins(CHIDI, "Chidi")  # newcomers: known to the bot from their joins
        await fake.member_joins(DANA, "Dana")
        await bot.wait_event(lambda e: isinstance(e, MemberJoined), count=2)
        await bot.runtime.settle()
        text = f'"Lightning talks" --at 2027-01-14T16:00 --host <@{CHIDI}>'
        assert "is on for Thursday 14 January" in await _answer(fake, await fake.slash(ANA, ["session", "add"], text))
        await bot.runtime.settle()
        with db.session() as tx:
            [row] = store.sessions(tx, bot.runtime.community)
        assert row.host.endswith(f":{CHIDI}")
        answer = await _answer(fake, await fake.slash(CHIDI, ["session", "swap"], str(row.id), member=DANA))
        assert answer.startswith("I've asked"), answer
        await fake.wait_for(lambda: any("asks whether you'd host" in m["content"] for m in fake.messages.values()
                                        if m["channel_id"] == str(DANA + 7)))  # the fake's DM channel with dana
