"""Benchmark resident memory at ready: the bot on a database of 10,000 and 100,000 members ÷ an import-only process.

Why: a community bot lives for months in a small container; its memory must not grow with the member
list it merely stores. Each figure comes from a fresh child process (so nothing is shared between them):

* ``import``: imports everything the live bot imports, opens nothing: the floor of this Python and these
  libraries on this machine, measured in the same run so the ratios mean the same on any machine;
* ``ready N``: the live runtime (system clock, scheduler, console adapter, HTTP port for /healthz and
  /metrics) on a database holding N members, restarted an hour after its last run so the first tick
  catches up every frequent schedule (the onboarding check every 15 minutes) exactly as a real restart does.

Goals (printed, not asserted): ready with 10,000 members ≤ 1.5 × import-only; ready with 100,000 ≤ 300 MiB.
Also printed: the pause of one full garbage collection at ready, before and after copbot/heap.py's freeze
(a full collection is an event-loop stall as long as the heap it walks).
Memory is read from ``process_resident_memory_bytes`` (bot/metrics.py), the same figure /metrics exports.

    python bench/memory.py [--members 10000 100000] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CONFIG = ROOT / "community.yaml"
MIB = 1024 * 1024
GOAL_RATIO_10K = 1.5
GOAL_MIB_100K = 300.0
ZONES = ("Europe/Berlin", "America/Sao_Paulo", "Asia/Tokyo", "UTC", None)


def _import_everything() -> None:
    """What ``copbot run`` imports on its way to ready (the baseline imports exactly this too)."""
    import adapters.console.adapter  # noqa: F401
    import bot.web_server  # noqa: F401
    import config.loader  # noqa: F401
    import storage.db  # noqa: F401


def _resident() -> int:
    import gc

    from bot import metrics

    gc.collect()
    return int(metrics.value("process_resident_memory_bytes"))


def _peak() -> int:
    """The most this process ever had resident (Linux reports KiB, macOS bytes)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def seed(db_url: str, community: str, members: int) -> None:
    """``members`` members who joined over the past year, and a bot last seen an hour ago."""
    from sqlalchemy import insert

    from storage import queries
    from storage.db import open_database
    from storage.models import Member

    db = open_database(db_url)
    table = Member.__table__  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    with db.engine.begin() as conn:
        for i in range(members):
            rows.append(
                {
                    "community": community,
                    "key": f"console:m{i:06d}",
                    "platform": "console",
                    "name": f"Member {i}",
                    "tz": ZONES[i % len(ZONES)],
                    "interests": "k8s,observability" if i % 3 else "",
                    "team": None,
                    "joined_at": now - timedelta(days=365) + timedelta(minutes=i % 500_000),
                    "left_at": None,
                    "welcomed": True,
                }
            )
            if len(rows) == 5000:
                conn.execute(insert(table), rows)
                rows.clear()
        if rows:
            conn.execute(insert(table), rows)
    with db.session() as tx:
        queries.set_state(tx, community, "installed_at", (now - timedelta(hours=1)).isoformat())
        tx.commit()
    db.dispose()


async def _ready(db_url: str) -> dict[str, Any]:
    import asyncio

    from adapters.console.adapter import ConsoleAdapter
    from config.loader import load_config
    from copbot.live import build_live_runtime, serve
    from storage.db import open_database

    config = load_config(CONFIG)
    db = open_database(db_url)
    runtime = build_live_runtime(config, db, ConsoleAdapter())
    started = time.perf_counter()
    stop = asyncio.Event()
    serving = asyncio.create_task(serve(runtime, None, stop, web_port=0))
    while runtime.last_tick is None:  # noqa: ASYNC110  (serve() has no ready event; its first tick is the sign)
        await asyncio.sleep(0.01)
    await runtime.settle()
    ready_s = time.perf_counter() - started
    resident = _resident()
    pauses = _gc_pauses()
    stop.set()
    await serving
    db.dispose()
    return {"rss": resident, "peak": _peak(), "ready_s": ready_s, **pauses}


def _gc_pauses() -> dict[str, float]:
    """One full collection's pause over the ready bot's heap, before and after copbot/heap.py's freeze.

    A full collection runs on whichever thread allocates, mostly the event loop, so its pause is a loop
    stall. ``copbot run`` freezes its start-up heap once started; each figure is the median of 3 passes.
    """
    import gc
    import statistics

    from copbot import heap

    def full_pass() -> float:
        started = time.perf_counter()
        gc.collect()
        return time.perf_counter() - started

    before = statistics.median([full_pass(), full_pass(), heap.freeze_now()])
    after = statistics.median([full_pass() for _ in range(3)])
    gc.unfreeze()
    return {"gc_full_ms": before * 1000, "gc_frozen_ms": after * 1000}


def child(argv: list[str]) -> None:
    mode = argv[0]
    _import_everything()
    if mode == "import":
        print(json.dumps({"rss": _resident()}))
        return
    import asyncio

    print(json.dumps(asyncio.run(_ready(argv[1]))))


def run_child(*args: str) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PORT", None)
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=True, env=env, cwd=ROOT
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0

    from config.loader import load_config

    community = load_config(CONFIG).community.id
    baseline = run_child("import")["rss"]
    results: dict[str, Any] = {"import_only_mib": round(baseline / MIB, 1), "ready": []}
    if not args.json:
        print(f"import-only process: {baseline / MIB:.1f} MiB resident")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.members:
            url = f"sqlite:///{Path(tmp) / f'members-{n}.db'}"
            seed(url, community, n)
            ready = run_child("ready", url)
            mib = ready["rss"] / MIB
            ratio = ready["rss"] / baseline
            peak = ready["peak"] / MIB
            entry = {
                "members": n,
                "mib": round(mib, 1),
                "ratio": round(ratio, 2),
                "peak_mib": round(peak, 1),
                "ready_s": round(ready["ready_s"], 2),
                "gc_full_ms": round(ready["gc_full_ms"], 1),
                "gc_frozen_ms": round(ready["gc_frozen_ms"], 3),
            }
            results["ready"].append(entry)
            if not args.json:
                goal = ""
                if n == 10_000:
                    goal = f"  (goal ≤ {GOAL_RATIO_10K}×: {'met' if ratio <= GOAL_RATIO_10K else 'MISSED'})"
                elif n == 100_000:
                    goal = f"  (goal ≤ {GOAL_MIB_100K:.0f} MiB: {'met' if mib <= GOAL_MIB_100K else 'MISSED'})"
                print(
                    f"ready with {n:>7,} members: {mib:6.1f} MiB resident = {ratio:.2f}× import-only "
                    f"(peak {peak:.1f} MiB), ready in {ready['ready_s']:.2f} s{goal}"
                )
                print(
                    f"  a full garbage collection at ready: {ready['gc_full_ms']:.1f} ms; with the start-up heap "
                    f"frozen as copbot run does: {ready['gc_frozen_ms']:.3f} ms"
                )
    if args.json:
        print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
