"""Benchmark the dashboard: how long a page and its charts take, next to the reports they are built from.

Why: the page is read on demand, in a worker thread beside the bot; a facilitator expects it in well
under a second, and it must not cost much more than the figures it shows. The community is simulated
(``copbot simulate``'s engine: members join, prompts, replies, pairing, the rota) on a SQLite file, then:

- baseline: ``build_report`` (what ``copbot report`` computes) and ``health_snapshot`` (``/cop health``);
- the page's data pass (``gather``), the HTML render, and one full GET /dashboard over 127.0.0.1;
- each chart PNG (matplotlib), which is the slow part and is only fetched by the browser after the page.

Figures are printed, never asserted; ratios are against the baseline measured in the same run.

    python bench/dashboard.py [--weeks 6] [--members 40] [--repeat 5] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.runtime import Runtime
from config.loader import load_config
from copbot.dashboard.auth import TOKEN_ENV
from copbot.dashboard.data import gather
from copbot.dashboard.routes import CHART_TTL, ChartCache, _cached_chart, _chart_png, templates
from copbot.registry import RITUALS
from copbot.report import build_report
from copbot.simulate import _simulate
from copbot.web import build_web_app
from rituals.health.ritual import health_snapshot
from storage import queries
from storage.db import open_database

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-token-0123456789abcdef"


def timed(fn: Callable[[], Any], repeat: int) -> float:
    """Median wall time of ``repeat`` runs after one warm-up, in milliseconds."""
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs)


async def http_page(runtime: Runtime, repeat: int) -> float:
    """Median time of GET /dashboard (bearer token) through aiohttp on 127.0.0.1, in milliseconds."""
    import os

    os.environ[TOKEN_ENV] = TOKEN
    server = TestServer(build_web_app(runtime), host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/dashboard"))
    runs = []
    try:
        async with ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            for i in range(repeat + 1):
                start = time.perf_counter()
                async with http.get(url) as response:
                    assert response.status == 200, response.status
                    await response.read()
                if i:
                    runs.append((time.perf_counter() - start) * 1000)
    finally:
        await server.close()
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    config = load_config(ROOT / "community.yaml")
    with tempfile.TemporaryDirectory(prefix="copbot-bench-dash-") as tmp:
        path = Path(tmp) / "sim.db"
        started = time.perf_counter()
        asyncio.run(_simulate(config, args.weeks, args.members, args.seed, None, False, path))
        simulated = time.perf_counter() - started
        db = open_database(f"sqlite:///{path}")
        with db.session() as tx:
            events = queries.participation_count(tx, config.community.id)
            last = max((e.at for e in queries.participation(tx, config.community.id)), default=None)
        from copbot.simulate import START
        from storage.times import utc

        now = utc(last) if last is not None else START
        runtime = Runtime(config, db, ConsoleAdapter(), ManualClock(now), RITUALS)
        page = templates().get_template("dashboard.html")
        cache = ChartCache(CHART_TTL)
        figures = {
            "report (baseline)": timed(lambda: build_report(db, config.community.id, config.community.timezone, now),
                                       args.repeat),
            "health snapshot": timed(lambda: health_snapshot(db, config, now), args.repeat),
            "page data (gather)": timed(lambda: gather(runtime, now), args.repeat),
            "page data + render (Jinja2)": timed(lambda: page.render(d=gather(runtime, now)), args.repeat),
            "GET /dashboard over 127.0.0.1": asyncio.run(http_page(runtime, args.repeat)),
            "chart health.png": timed(lambda: _chart_png("health.png", runtime), max(1, args.repeat // 2)),
            "chart participation.png": timed(lambda: _chart_png("participation.png", runtime),
                                             max(1, args.repeat // 2)),
            "chart from the cache (TTL 5 min)": timed(lambda: _cached_chart("health.png", runtime, cache), args.repeat),
        }
        db.dispose()
    baseline = figures["report (baseline)"]
    result = {
        "weeks": args.weeks,
        "members": args.members,
        "participation_events": events,
        "simulation_s": round(simulated, 1),
        "median_ms": {k: round(v, 1) for k, v in figures.items()},
        "ratio_to_report": {k: round(v / baseline, 2) for k, v in figures.items()},
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"community: {args.members} members, {args.weeks} weeks simulated ({simulated:.1f} s), "
          f"{events} participation events; median of {args.repeat} runs")
    print(f"{'':34} {'ms':>9} {'× report':>9}")
    for name, ms in figures.items():
        print(f"{name:34} {ms:9.1f} {ms / baseline:9.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
