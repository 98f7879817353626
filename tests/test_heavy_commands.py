"""``/cop pair now`` in a big community: acknowledged at once, paired off the event loop, and run once however
often Slack retries it or a facilitator clicks again. Through the real Bolt app (signed requests over loopback)
and the fake Slack Web API; bench/heavy_command.py measures the same at 10,000 members.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from storage import pairing as pairing_store
from tests.fakes.crowd import seed_members
from tests.fakes.pinned_clock import PLATFORM_START
from tests.fakes.slack_harness import CONFIG, FACILITATOR, TEAM, slack_world

PAIRING = CONFIG + """\
  pairing:
    schedule:
      cron: "0 9 * * mon"
"""
MEMBERS = 400
ON_IT = "On it: `/cop pair now` is running now. I will tell you here when it is done."


async def test_pair_now_is_acknowledged_at_once_and_retries_and_repeats_join_one_cycle(tmp_path: Path) -> None:
    async with slack_world(tmp_path, config=PAIRING) as world:
        seed_members(world.db, world.community, MEMBERS, lambda i: f"slack:{TEAM}:UM{i:06d}", PLATFORM_START)
        sender = world.sender
        first = await sender.command("pair now", user_id=FACILITATOR, trigger_id="pair-1")
        assert first.status == 200 and first.json()["text"] == ON_IT  # the ack says "on it", not the result
        again = [await sender.command("pair now", user_id=FACILITATOR, trigger_id="pair-1", retry_num=n)
                 for n in (1, 2, 3)]  # fmt: skip
        world.runtime.clock.advance(timedelta(seconds=30))  # type: ignore[attr-defined]  # the harness's ManualClock
        again.append(await sender.command("pair now", user_id=FACILITATOR, trigger_id="pair-2"))  # a second click
        for answer in again:
            text = answer.json()["text"]
            assert answer.status == 200
            # Joined while it runs, or (if it already finished) told that this cycle is the one: never a second.
            assert text.startswith(("Already on it", "Already done", "A pairing cycle started")), text
        async with asyncio.timeout(120):
            await world.runtime.commands_done()
            await world.all_sent()
        with world.db.session() as tx:
            cycles = pairing_store.cycles(tx, world.community)
            groups = pairing_store.groups(tx, world.community, [c.id for c in cycles if c.id is not None])
        assert len(cycles) == 1 and len(groups) == MEMBERS // 2
        introduced = [m for c in world.fake.calls_to("conversations.open") for m in str(c.body["users"]).split(",")]
        assert len(introduced) == len(set(introduced)) == MEMBERS  # everyone introduced, nobody twice
        answers = [e["text"] for e in world.fake.ephemerals if e.get("user") == FACILITATOR]
        assert f"Started a pairing cycle: {MEMBERS // 2} groups introduced." in answers

