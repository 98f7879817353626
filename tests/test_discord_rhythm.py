"""On Discord, which tells us no member's time zone: `/cop timezone` and the window's default decide when a DM
goes; `/cop pause until` holds back optional DMs. The real discord.py client against the fake Discord."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.actions import DirectMessage
from bot.clock import ManualClock
from bot.outbox import write_plan
from bot.ritual import Planned
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
