"""The ack of ``/cop pair now`` with 10,000 members next to the ack of ``/cop help``, and one cycle after retries.

Why: Slack wants a slash command acknowledged within 3 s, and retries an event it thinks was lost. Pairing
10,000 members takes seconds of CPU; it used to run on the event loop, so the ack (and everything else the bot
was doing) waited for it, and a retry could start a second cycle. Now the command is acknowledged at once and
paired in a worker thread, and a repeat joins the running cycle.

Through the real Bolt app over loopback (signed requests, tests/fakes/slack_harness.py), the bench measures the
HTTP round trip of: ``/cop help`` before, ``/cop pair now``, three Slack retries of that same request (the same
trigger id, ``X-Slack-Retry-Num`` 1-3), a second ``/cop pair now`` (a second click), and ``/cop help`` again
while the cycle is still being worked out. Then it counts the cycles stored. Goal: pair now's ack within a few
times help's (the ratio is printed), and exactly one cycle. Printed, never asserted.

    python bench/heavy_command.py [--members 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import pairing as pairing_store
from tests.fakes.crowd import seed_members
from tests.fakes.pinned_clock import PLATFORM_START
from tests.fakes.slack_harness import CONFIG, FACILITATOR, TEAM, slack_world

PAIRING = CONFIG + """\
  pairing:
    schedule:
      cron: "0 9 * * mon"
"""


async def timed(send: object) -> tuple[float, str]:
    started = time.perf_counter()
    answer = await send  # type: ignore[misc]
    return (time.perf_counter() - started) * 1000, str(answer.json().get("text", ""))


async def run(members: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with slack_world(Path(tmp), config=PAIRING) as world:
            seed_members(world.db, world.community, members, lambda i: f"slack:{TEAM}:UM{i:06d}", PLATFORM_START)
            sender = world.sender
            await sender.command("help", user_id=FACILITATOR)  # warm up: connection pool, first queries
            help_before, _ = await timed(sender.command("help", user_id=FACILITATOR))
            pair, pair_text = await timed(sender.command("pair now", user_id=FACILITATOR, trigger_id="pair-1"))
            retries = [await timed(sender.command("pair now", user_id=FACILITATOR, trigger_id="pair-1", retry_num=n))
                       for n in (1, 2, 3)]  # fmt: skip
            second = await timed(sender.command("pair now", user_id=FACILITATOR, trigger_id="pair-2"))
            help_during, _ = await timed(sender.command("help", user_id=FACILITATOR))
            await asyncio.sleep(1.0)  # deep inside the cycle's work (and its transaction) by now
            help_later, _ = await timed(sender.command("help", user_id=FACILITATOR))
            still_running = bool(world.runtime._fanning_out)
            started = time.perf_counter()
            await world.runtime.commands_done()
            rest = time.perf_counter() - started
            with world.db.session() as tx:
                cycles = pairing_store.cycles(tx, world.community)
                groups = pairing_store.groups(tx, world.community, [c.id for c in cycles if c.id is not None])
    print(f"/cop pair now with {members:,} members, through the Bolt app over loopback")
    print(f"  ack of /cop help (before)        {help_before:8.1f} ms")
    print(f"  ack of /cop pair now             {pair:8.1f} ms   ({pair_text[:60]}…)")
    print(f"  ratio pair now ÷ help            {pair / help_before:8.1f}")
    for n, (ms, text) in enumerate(retries, 1):
        print(f"  ack of Slack retry {n}             {ms:8.1f} ms   ({text[:60]}…)")
    print(f"  ack of a second /cop pair now    {second[0]:8.1f} ms   ({second[1][:60]}…)")
    print(f"  ack of /cop help just after      {help_during:8.1f} ms")
    print(f"  ack of /cop help 1 s later       {help_later:8.1f} ms   (cycle still running: "
          f"{'yes' if still_running else 'no'})")
    print(f"  the cycle finished {rest:.1f} s after the last ack")
    print(f"  cycles stored: {len(cycles)} (goal 1); groups: {len(groups):,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(run(args.members))


if __name__ == "__main__":
    main()
