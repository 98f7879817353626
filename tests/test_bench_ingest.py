"""bench/ingest.py runs end to end on a small load, and every path it times stores each event once.

Why a test for a benchmark: its figures are only worth reading if each contender (ours, Core, raw
sqlite3, and the floor's insert process) really stored the same events; the bench checks the counts
itself, and this keeps that check, and the bench, from rotting. No timing is asserted.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_ingest_bench_stores_every_event_once_on_every_path() -> None:
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "ingest.py"), "--sqlite-only", "--events", "3000", "--repeat", "1",
         "--json"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    assert figures["unique"] < figures["events"] == 3000  # some resends, as in a real stream
    assert figures["targets"]["counts"]["pass"]
    for path in ("ours", "core", "raw"):
        assert figures[path]["count"] == figures["unique"], path
    assert figures["floor"]["counts_ok"]
    assert figures["floor"]["ticks"] > 0 and figures["baseline"]["ticks"] > 0
    assert figures["ours"]["duplicates"] == figures["events"] - figures["unique"]
