"""One copbot replica in its own process, for the multi-process tests (run as ``python -m tests.replica_worker``).

Why a real process: "every slot runs once, every delivery goes out once" must hold between processes
that share nothing but the database, and a sender killed with SIGKILL gets no chance to clean up. The
Slack side is the fake Slack Web API served by the test process (``--api``), whose record is the judge.

Modes:

``fire``  waits for the ``--go`` file (so every replica starts together), then calls ``runtime.tick()``
          from ``--fires`` threads at once with the clock at ``--at``, then starts the runtime (which
          drains the outbox) and prints ``{"ran": {schedule: N}}``: how many of its ticks ran each slot.
``send``  waits for ``--go`` too (when given), then drains the outbox of ``--community`` through the
          real Slack adapter (with ``--until-empty``: until no row is unsent) and prints ``{"sent": N}``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

from adapters.slack.adapter import SlackAdapter
from adapters.slack.pacing import Pacing
from bot.clock import ManualClock, SystemClock
from bot.outbox import Outbox
from bot.runtime import Runtime
from config.loader import parse_config
from copbot.registry import RITUALS
from storage import queries
from storage.db import Database

FAST = Pacing(per_channel_seconds=0.0, method_rates={})
TOKEN = "xoxb-0001-test-token"
SECRET = "8f742231b10e8888abcd99aabb85a5c0"


def _adapter(api: str, channel: str | None = None) -> SlackAdapter:
    return SlackAdapter(token=TOKEN, signing_secret=SECRET, base_url=api, host="127.0.0.1", port=0, pacing=FAST,
                        community_channel=channel)  # fmt: skip


def _unsent(db: Database, community: str) -> int:
    with db.session() as tx:
        return len(queries.unsent_deliveries(tx, community))


def _wait_for_go(go: str | None) -> None:
    """Say "ready", then wait for the test's go file, so replicas that started seconds apart act together."""
    print(json.dumps({"ready": True}), flush=True)
    while go is not None and not Path(go).exists():
        time.sleep(0.002)


async def fire(args: argparse.Namespace, config_text: str) -> dict[str, object]:
    config = parse_config(config_text, "community.yaml")
    db = Database(args.db)
    adapter = _adapter(args.api, config.community.channels.general)
    runtime = Runtime(config, db, adapter, ManualClock(datetime.fromisoformat(args.at)), RITUALS)
    _wait_for_go(args.go)
    with ThreadPoolExecutor(max_workers=args.fires) as pool:
        outcomes = list(pool.map(lambda _: runtime.tick(), range(args.fires)))
    ran: dict[str, int] = {}
    for per_schedule in outcomes:
        for outcome in per_schedule:
            ran[outcome.schedule] = ran.get(outcome.schedule, 0) + (outcome.ran is not None)
    await runtime.start(background=False)  # drains the outbox: a planned post goes out (once, across replicas)
    await runtime.stop()
    db.dispose()
    return {"ran": ran}


async def send(args: argparse.Namespace) -> dict[str, object]:
    db = Database(args.db)
    adapter = _adapter(args.api)
    outbox = Outbox(db, args.community, adapter, SystemClock(), lambda tx, row, ref: None,
                    sender_ttl=timedelta(seconds=args.sender_ttl))  # fmt: skip
    _wait_for_go(args.go)
    sent = await outbox.drain()
    while args.until_empty and _unsent(db, args.community):
        # Rows still claimed by a sender that died recently wait for its heartbeat to go stale.
        await asyncio.sleep(0.1)
        sent += await outbox.drain()
    outbox.forget()
    await adapter.stop()
    db.dispose()
    return {"sent": sent}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.replica_worker")
    parser.add_argument("mode", choices=["fire", "send"])
    parser.add_argument("--db", required=True)
    parser.add_argument("--api", required=True)
    parser.add_argument("--config", default=None)
    parser.add_argument("--at", default=None)
    parser.add_argument("--go", default=None)
    parser.add_argument("--fires", type=int, default=50)
    parser.add_argument("--community", default="slack-guild")
    parser.add_argument("--until-empty", action="store_true", help="send: keep draining until nothing is unsent")
    parser.add_argument("--sender-ttl", type=float, default=60.0, help="seconds a silent sender counts as alive")
    args = parser.parse_args(argv)
    work = fire(args, Path(args.config).read_text()) if args.mode == "fire" else send(args)
    result = asyncio.run(work)
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
