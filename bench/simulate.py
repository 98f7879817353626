"""``copbot simulate --weeks 12 --members 200``: how long a simulated quarter takes, against the same run
with idle hints switched off (every 15-minute check run at every hourly tick), measured in the same process.

Why: an admin tries a config with ``copbot simulate`` before inviting anyone; a quarter must take
seconds, not minutes (issue "Foundation"). Both runs must produce the same summary (apart from how
many check slots were recorded); the bench refuses to print a ratio if they don't. Printed, never asserted.

    python bench/simulate.py [--weeks 12] [--members 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.ritual import Ritual
from config.loader import load_config
from copbot.registry import RITUALS
from copbot.simulate import run_simulation

ROOT = Path(__file__).resolve().parent.parent


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(weeks: int, members: int, seed: int) -> tuple[float, float, dict[str, Any]]:
    config = load_config(ROOT / "community.yaml")
    wall, cpu = time.perf_counter(), _cpu()
    summary = run_simulation(config, weeks=weeks, members=members, seed=seed, console=None, progress=False)
    return time.perf_counter() - wall, _cpu() - cpu, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    _timed(1, 20, args.seed)  # warm up: imports, matplotlib's font cache
    wall, cpu, ours = _timed(args.weeks, args.members, args.seed)
    hinted = {r: getattr(r, "idle_until", None) for r in RITUALS if isinstance(r, type)}
    for ritual in hinted:
        ritual.idle_until = Ritual.idle_until  # type: ignore[method-assign]
    try:
        base_wall, base_cpu, plain = _timed(args.weeks, args.members, args.seed)
    finally:
        for ritual, method in hinted.items():
            if method is not None:
                ritual.idle_until = method  # type: ignore[method-assign]
    same = {k: v for k, v in ours.items() if k != "slots"} == {k: v for k, v in plain.items() if k != "slots"}
    print(f"copbot simulate --weeks {args.weeks} --members {args.members} --seed {args.seed}")
    print(f"  ours (idle hints, jumping idle hours): {wall:6.2f} s wall, {cpu:6.2f} s CPU; "
          f"{ours['slots'].get('done', 0)} check slots run")
    print(f"  baseline (every check every hour):     {base_wall:6.2f} s wall, {base_cpu:6.2f} s CPU; "
          f"{plain['slots'].get('done', 0)} check slots run")
    if not same:
        print("  the two runs DIFFER in what members saw: no ratio printed (a bug)")
        raise SystemExit(1)
    print(f"  same summary in both; ours / baseline: {cpu / base_cpu:.2f} (CPU), {wall / base_wall:.2f} (wall)")
    print(f"  per simulated week: {cpu / args.weeks:.2f} s CPU (goal: a quarter in seconds, not minutes)")


if __name__ == "__main__":
    main()
