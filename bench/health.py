"""Benchmark the health snapshot: how long a report takes on a large community, against the plain participation
report over the same database in the same run.

Why: the dashboard calls ``health_snapshot`` on every page view and ``/cop health`` runs it inside a command's
transaction, so it must stay close to the cost of simply reading the events (``copbot.report.build_report``,
the baseline). Figures are printed as time and as a ratio to the baseline, never asserted.

    python bench/health.py [--members 2000] [--events 200000] [--repeat 3] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert

from config.loader import parse_config
from copbot.report import build_report
from rituals.health.decisions import build_snapshot
from rituals.health.ritual import health_snapshot, load_history, report_period, stage_rule
from storage.db import Database, open_database
from storage.models import Member, ParticipationEvent
from storage.prompts import Prompt

NOW = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)
CONFIG = parse_config(
    """\
community:
  id: cop
  name: Bench Guild
  channels:
    general: general
    facilitators: facilitators
rituals:
  health: {}
""",
    "community.yaml",
)


def seed(db: Database, members: int, events: int, seed_value: int = 11) -> None:
    """A year of history: members joining over the year, weekly prompts, replies, reactions, meetings, hosts."""
    rng = random.Random(seed_value)
    start = NOW - timedelta(days=365)
    people: list[dict[str, Any]] = [
        {"community": "cop", "key": f"slack:T1:U{i:05d}", "platform": "slack", "name": f"Member {i}",
         "tz": None, "interests": rng.choice(["k8s", "terraform", "observability", ""]), "team": None,
         "joined_at": start + timedelta(days=rng.uniform(0, 360)), "left_at": None, "welcomed": i % 5 != 0}
        for i in range(members)
    ]
    prompts = [{"community": "cop", "question": f"Q{w}", "source": "bank", "bank_index": w,
                "asked_at": start + timedelta(weeks=w), "delivery_id": f"d{w}", "thread_ref": f"t{w}"}
               for w in range(52)]
    kinds = ("reply", "reaction", "post", "met", "facilitated", "resource_contribution")  # the last is not activity
    rows = []
    for i in range(events):
        person = people[int(rng.paretovariate(1.2)) % members]  # a few very active members, a long tail
        joined: datetime = person["joined_at"]
        at = joined + timedelta(days=rng.uniform(0, (NOW - joined).days))
        week = min(51, max(0, (at - start).days // 7))
        rows.append({"community": "cop", "platform": "slack", "event_id": f"Ev{i:08d}", "member": person["key"],
                     "kind": rng.choices(kinds, weights=(30, 40, 15, 5, 1, 9))[0], "ritual": "prompts",
                     "subject": f"prompt:{week + 1}", "at": at})
    with db.engine.begin() as conn:
        conn.execute(insert(Member.__table__), people)  # type: ignore[attr-defined]
        conn.execute(insert(Prompt.__table__), prompts)  # type: ignore[attr-defined]
        for chunk in range(0, len(rows), 20_000):
            conn.execute(insert(ParticipationEvent.__table__), rows[chunk:chunk + 20_000])  # type: ignore[attr-defined]


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        seed(db, args.members, args.events)
        baseline = best_of(args.repeat, lambda: build_report(db, "cop", "UTC", NOW, since_days=400))
        snapshot = best_of(args.repeat, lambda: health_snapshot(db, CONFIG, NOW))
        with db.session() as tx:
            history = load_history(tx, "cop", NOW, report_period(CONFIG))
        decide = best_of(args.repeat, lambda: build_snapshot(history, NOW, report_period(CONFIG), stage_rule(CONFIG)))
        db.dispose()
    figures: dict[str, Any] = {
        "members": args.members,
        "events": args.events,
        "baseline_report_s": round(baseline, 4),
        "health_snapshot_s": round(snapshot, 4),
        "snapshot_over_report": round(snapshot / baseline, 2),
        "decisions_only_s": round(decide, 4),
        "decisions_share_of_snapshot": round(decide / snapshot, 2),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f"{args.members} members, {args.events} participation events, best of {args.repeat}")
    print(f"  participation report (baseline): {baseline * 1000:8.1f} ms")
    print(f"  health_snapshot:                 {snapshot * 1000:8.1f} ms   ratio {snapshot / baseline:.2f}× baseline")
    print(f"    of which the pure decisions:   {decide * 1000:8.1f} ms   ({decide / snapshot:.0%} of the snapshot)")


if __name__ == "__main__":
    main()
