"""Slack fan-out benchmark: 1,000 welcome DMs through the outbox and the real adapter against a rate-limited fake.

Why: a community that imports its members gets a burst of welcomes. The fake Slack enforces Slack's
documented limits (conversations.open Tier 3 = 50/min, about one message per second per channel,
short bursts tolerated) on a sped-up clock; the adapter's pacing is sped up by the same factor. The
platform minimum is the slowest limited method's calls ÷ its rate. Goals: elapsed ÷ minimum ≤ 1.10,
0 lost, 0 duplicates, ≤ 1% of requests answered 429. Figures are printed, never asserted.

    python bench/fanout.py --platform slack [--messages 1000] [--scale 50]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from adapters.slack.adapter import SlackAdapter
from adapters.slack.pacing import Pacing
from bot.actions import DirectMessage
from bot.clock import ManualClock
from bot.outbox import Outbox, write_plan
from bot.ritual import Planned
from storage.db import open_database
from tests.fakes.slack_api import FakeSlack, SlackLimits


async def run(messages: int, scale: float) -> dict[str, float]:
    limits = SlackLimits(scale=scale)
    fake = FakeSlack(limits=limits)
    await fake.start()
    adapter = SlackAdapter(token="xoxb-bench", signing_secret="0" * 32, base_url=fake.api_url,
                           pacing=Pacing(scale=scale))
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        clock = ManualClock(datetime.now(UTC))
        planned = [Planned(DirectMessage(text=f"Welcome, member {i}!", member=f"slack:T0001:U{i:06d}"))
                   for i in range(messages)]
        with db.session() as tx:
            write_plan(tx, "bench", "onboarding", "import", planned, clock.now())
            tx.commit()
        outbox = Outbox(db, "bench", adapter, clock, lambda tx, row, ref: None)
        started = time.perf_counter()
        await outbox.drain()
        elapsed = time.perf_counter() - started
        db.dispose()
    await adapter.stop()
    await fake.stop()

    ids = Counter(m.metadata["event_payload"]["delivery_id"] for m in fake.posted() if m.metadata)
    opens = len([c for c in fake.calls_to("conversations.open") if c.status == 200])
    open_rate = limits.per_method["conversations.open"] * scale / 60.0
    minimum = max(opens - limits.burst, 0) / open_rate  # the binding limit: one DM channel per newcomer
    return {
        "elapsed": elapsed,
        "minimum": minimum,
        "ratio": elapsed / minimum if minimum else float("nan"),
        "lost": messages - len(ids),
        "duplicates": sum(n - 1 for n in ids.values()),
        "share_429": fake.rate_limited / max(len(fake.calls), 1),
        "requests": len(fake.calls),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--scale", type=float, default=50.0, help="time runs this many times faster")
    args = parser.parse_args()
    r = asyncio.run(run(args.messages, args.scale))
    print(f"Slack fan-out: {args.messages} welcome DMs, Slack's limits ×{args.scale:g} faster, "
          f"{r['requests']:.0f} requests")
    print(f"  elapsed ÷ platform minimum  {r['ratio']:.3f}   (goal ≤ 1.10; "
          f"{r['elapsed']:.2f} s vs {r['minimum']:.2f} s)")
    print(f"  lost                        {r['lost']:.0f}       (goal 0)")
    print(f"  duplicates                  {r['duplicates']:.0f}       (goal 0)")
    print(f"  share of requests → 429     {r['share_429']:.2%}   (goal ≤ 1%)")


if __name__ == "__main__":
    main()
