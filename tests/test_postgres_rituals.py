"""Every ritual on PostgreSQL behaves as on SQLite: two simulated weeks, same seed, same story.

The simulator drives the real runtime, every ritual of the shipped community.yaml, the console
adapter and the participation writer, in simulated time. Run once on SQLite and once on PostgreSQL,
the summaries (posts, DMs, participation, pairings, rota turns...) must be identical: any dialect
difference (booleans, timezone-aware timestamps, ordering, upserts) shows up as a different story.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import copbot.simulate as simulate
from config.loader import load_config
from storage.db import Database, open_database

ROOT = Path(__file__).resolve().parents[1]


def _run(path: Path, url: str | None, monkeypatch: pytest.MonkeyPatch, start: datetime) -> dict[str, Any]:
    opened: list[Database] = []
    if url is not None:
        def on_postgres(_sqlite_url: str) -> Database:
            db = open_database(url)
            opened.append(db)
            return db

        monkeypatch.setattr(simulate, "open_database", on_postgres)
    summary = asyncio.run(simulate._simulate(load_config(ROOT / "community.yaml"), 2, 10, 5, None, False, path, start))
    monkeypatch.undo()
    if url is not None:
        assert opened and opened[0].engine.dialect.name == "postgresql"
    return summary


def test_two_simulated_weeks_tell_the_same_story_on_postgres(tmp_path: Path, pg_url: str,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            scenario_start: datetime) -> None:
    on_sqlite = _run(tmp_path / "sim.db", None, monkeypatch, scenario_start)
    on_postgres = _run(tmp_path / "unused.db", pg_url, monkeypatch, scenario_start)
    assert on_postgres == on_sqlite
    # ...and the story is not empty: prompts went out, members reacted, slots ran.
    assert sum(week["posts"] for week in on_sqlite["weeks"]) > 0
    assert sum(week["reactions"] for week in on_sqlite["weeks"]) > 0
    assert sum(on_sqlite["slots"].values()) > 0
