"""Same seed, same story, also inside one process: nothing a first run leaves behind (caches) may change a second.

`copbot simulate` runs once per process, but the bot's caches live as long as the process (the slot
calendar cache is module-wide), so a long-running bot asks them the way a second run here does.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import copbot.simulate as simulate
from config.loader import load_config

ROOT = Path(__file__).resolve().parents[1]


def test_two_runs_in_one_process_give_the_same_summary_slot_for_slot(tmp_path: Path, scenario_start: datetime) -> None:
    config = load_config(ROOT / "community.yaml")
    first = asyncio.run(simulate._simulate(config, 2, 10, 5, None, False, tmp_path / "first.db", scenario_start))
    second = asyncio.run(simulate._simulate(config, 2, 10, 5, None, False, tmp_path / "second.db", scenario_start))
    assert second == first
    assert first["slots"]["coalesced"] > 0  # the bookkeeping the stale cache got wrong is really exercised
