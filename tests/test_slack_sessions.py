"""A community session on Slack: a signed /cop session add into the real Bolt app; the announcement with its RSVP
buttons and the .ics invite (files_upload_v2's three steps) as the fake Slack Web API got them; a moved session
shares an invite with the same UID and a higher SEQUENCE; RSVP clicks are answered privately."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from icalendar import Calendar

from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import COMMUNITY_CHANNEL, CONFIG, FACILITATOR, MEMBER, slack_world

SESSIONS = """
  sessions:
    link: https://meet.test/cop
    from_rota: false
"""


def _click(value: str, user: str, ts: str, n: int) -> dict[str, Any]:
    payload = fixture("block_actions")
    payload["user"] = {"id": user, "username": user.lower(), "name": user.lower(), "team_id": "T0001"}
    payload["container"] = {"type": "message", "message_ts": ts, "channel_id": COMMUNITY_CHANNEL,
                            "is_ephemeral": False}
    payload["actions"][0].update(action_id="sessions.rsvp", value=value, action_ts=f"1548426417.84019{n}")
    return payload


async def test_a_session_on_slack_is_announced_with_rsvp_buttons_and_an_ics_invite(tmp_path: Path) -> None:
    async with slack_world(tmp_path, config=CONFIG + SESSIONS) as world:
        fake, sender = world.fake, world.sender
        answer = await sender.command('session add "Terraform at scale" --at 2027-01-14T16:00 --guest Kelsey',
                                      user_id=FACILITATOR)
        assert "is on for Thursday 14 January, 16:00" in answer.json()["text"]
        async with asyncio.timeout(5):
            await world.all_sent()
        [post] = fake.messages[COMMUNITY_CHANNEL]
        assert "hosted by Kelsey" in post.text
        values = [e["value"] for b in post.blocks or [] if b["type"] == "actions" for e in b["elements"]]
        assert values == ["1:going", "1:maybe", "1:cant"]
        [upload] = fake.uploads
        assert upload["channel"] == COMMUNITY_CHANNEL and upload["filename"] == "terraform-at-scale.ics"
        event = Calendar.from_ical(upload["data"]).walk("VEVENT")[0]
        assert (str(event["summary"]), event["sequence"]) == ("Terraform at scale", 0)
        assert event["dtstart"].dt.isoformat() == "2027-01-14T15:00:00+00:00"

        processed = world.adapter.processed_count
        await sender.action(_click("1:going", MEMBER, post.ts, 1))
        async with asyncio.timeout(5):
            await world.adapter.processed(processed + 1)
            await world.all_sent()
        [noted] = fake.ephemerals
        assert noted["user"] == MEMBER and f"Going (1): {MEMBER}" in noted["text"]  # not seen joining: her id

        await sender.command("session move 1 --at 2027-01-14T17:00", user_id=FACILITATOR)
        async with asyncio.timeout(5):
            await world.all_sent()
        moved = Calendar.from_ical(fake.uploads[-1]["data"]).walk("VEVENT")[0]
        assert moved["uid"] == event["uid"] and moved["sequence"] == 1
        assert moved["dtstart"].dt.isoformat() == "2027-01-14T16:00:00+00:00"
        dms = [m.text for channel, ms in fake.messages.items() if channel.startswith("D") for m in ms]
        assert any("moved: now Thursday 14 January, 17:00" in text for text in dms)  # Ana said she's going
