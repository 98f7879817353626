"""Benchmark library search: ``/cop resources <words>`` through the FTS5 index against a LIKE scan of the same rows.

Why: the library grows with every harvested thread and each search is an interactive command (Slack wants an
answer within 3 s, shared with everything else the bot does). This measures our search (``storage.resources.search``,
FTS5 + bm25 ranking) and, as the baseline measured in the same run on the same database, the query one would
write without an index (``body LIKE '%word%' AND ...``, title matches first). It also times harvesting (insert + index)
against a plain insert. Figures are printed as a ratio, never asserted.

    python bench/resources_search.py [--resources 5000] [--queries 200] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text

from storage import resources as store
from storage.db import open_database

VOCAB = [f"{stem}{i}" for stem in ("terra", "kube", "runner", "alert", "state", "drift", "cache", "deploy", "trace")
         for i in range(2000)]
WEIGHTS = [1 / (rank + 1) for rank in range(len(VOCAB))]  # Zipf-like: a few common words, a long tail
AT = datetime(2027, 1, 8, tzinfo=UTC)


def _body(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(VOCAB, WEIGHTS, k=words))


def _fill(url: str, n: int, seed: int) -> float:
    """Harvest ``n`` resources (about 300 words each, a long thread); returns seconds per resource."""
    rng = random.Random(seed)
    db = open_database(url)
    started = time.perf_counter()
    with db.session() as tx:
        for i in range(n):
            store.add_resource(tx, store.Resource(
                community="bench", title=_body(rng, 6), link=None, channel="general", thread_ref=f"t{i}",
                contributors="a,b,c", tags=",".join(rng.sample(VOCAB, 3)), summary=_body(rng, 30),
                body=_body(rng, 300), harvested_by="a", via="command", harvested_at=AT))
        tx.commit()
    elapsed = time.perf_counter() - started
    db.dispose()
    return elapsed / n


def _like(tx: Any, words: list[str], limit: int) -> list[int]:
    clauses = " AND ".join(f"(title LIKE :w{i} OR tags LIKE :w{i} OR summary LIKE :w{i} OR body LIKE :w{i})"
                           for i in range(len(words)))
    params: dict[str, Any] = {f"w{i}": f"%{w}%" for i, w in enumerate(words)}
    params["limit"] = limit
    # Ranked like ours (title matches first), so it must look at every row, as a best-matches answer has to.
    order = " + ".join(f"(title LIKE :w{i})" for i in range(len(words)))
    rows = tx.execute(text(f"SELECT id FROM resources WHERE community = 'bench' AND {clauses} "
                           f"ORDER BY {order} DESC, id DESC LIMIT :limit"), params)
    return [int(r[0]) for r in rows]


def run(resources: int, queries: int, seed: int = 3) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        per_harvest = _fill(url, resources, seed)
        db = open_database(url)
        rng = random.Random(seed + 1)
        asks = [rng.choices(VOCAB, WEIGHTS, k=rng.choice((1, 2))) for _ in range(queries)]
        ours: list[float] = []
        baseline: list[float] = []
        with db.session() as tx:
            for words in asks:
                t0 = time.perf_counter()
                store.search(tx, "bench", " ".join(words), 5)
                ours.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                _like(tx, words, 5)
                baseline.append(time.perf_counter() - t0)
        db.dispose()
    ours_ms = statistics.median(ours) * 1000
    base_ms = statistics.median(baseline) * 1000
    return {
        "resources": resources,
        "queries": queries,
        "search_median_ms": round(ours_ms, 3),
        "search_p95_ms": round(sorted(ours)[int(0.95 * (len(ours) - 1))] * 1000, 3),
        "like_scan_median_ms": round(base_ms, 3),
        "like_over_fts_ratio": round(base_ms / ours_ms, 1) if ours_ms else None,
        "harvest_ms_per_resource": round(per_harvest * 1000, 3),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=5000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.resources, args.queries)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['resources']} resources, {result['queries']} searches (1-2 words), SQLite")
        print(f"  FTS5 search (ours):  median {result['search_median_ms']} ms, p95 {result['search_p95_ms']} ms")
        print(f"  LIKE scan (baseline): median {result['like_scan_median_ms']} ms")
        print(f"  baseline / ours:      {result['like_over_fts_ratio']}×")
        print(f"  harvest (insert + index): {result['harvest_ms_per_resource']} ms per resource")
    return 0


if __name__ == "__main__":
    sys.exit(main())
