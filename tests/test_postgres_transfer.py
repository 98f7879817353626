"""``copbot db migrate-sqlite-to-postgres``: a community's whole history moves from SQLite to PostgreSQL intact.

The source is a real community's database: two simulated weeks (members joining, onboarding steps,
prompts, reactions, a pairing cycle with groups that reference it, the facilitator rota), written by
the real runtime. Every table's rows must come out the same on the other side.
"""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from config.loader import load_config
from copbot.cli import main as copbot
from copbot.simulate import _simulate
from storage.bot_lock import BotLock
from storage.db import Database, head_revision
from storage.ingest import store_events
from storage.transfer import TransferError, copy_sqlite_to_postgres, tables_in_dependency_order
from tests.postgres_server import PostgresServer

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def community_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two weeks of a 10-member community, simulated once for the module (about 10 s)."""
    path = tmp_path_factory.mktemp("source") / "copbot.db"
    asyncio.run(_simulate(load_config(ROOT / "community.yaml"), 2, 10, 3, None, False, path))
    return path


@pytest.fixture
def source(community_db: Path, tmp_path: Path) -> Path:
    """A private copy of the simulated database for one test."""
    path = tmp_path / "copbot.db"
    shutil.copy(community_db, path)
    return path


def _rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, with timestamps as aware UTC (SQLite hands back naive UTC)."""
    db = Database(url)
    out: dict[str, list[tuple[Any, ...]]] = {}
    try:
        with db.engine.connect() as conn:
            for table in SQLModel.metadata.sorted_tables:
                rows = []
                for row in conn.execute(select(table)):
                    rows.append(tuple(
                        (v.replace(tzinfo=UTC) if v.tzinfo is None else v.astimezone(UTC))
                        if isinstance(v, datetime) else v
                        for v in row
                    ))
                out[table.name] = sorted(rows, key=repr)
    finally:
        db.dispose()
    return out


def test_every_table_is_copied_row_for_row_in_batches(source: Path, pg_url: str) -> None:
    seen: list[tuple[str, int, int]] = []
    report = copy_sqlite_to_postgres(f"sqlite:///{source}", pg_url, batch_size=7,
                                     progress=lambda t, n, total: seen.append((t, n, total)))
    expected = _rows(f"sqlite:///{source}")
    assert _rows(pg_url) == expected
    assert report.rows == {name: len(rows) for name, rows in expected.items()}
    # The simulation wrote to the tables that matter, including a child table with a foreign key.
    for name in ("members", "deliveries", "participation_events", "ritual_runs", "pairing_groups", "rota_ledger"):
        assert report.rows[name] > 0, name
    # Batches of 7: the ritual runs (thousands of rows) arrived in many steps, parents before children.
    assert len([s for s in seen if s[0] == "ritual_runs"]) == -(-report.rows["ritual_runs"] // 7)
    order = [t.name for t in tables_in_dependency_order()]
    assert order.index("pairing_cycles") < order.index("pairing_groups") < order.index("pairing_group_members")


def test_the_bot_keeps_writing_after_the_copy(source: Path, pg_url: str) -> None:
    """Sequences were moved past the copied ids: a new participation row gets a new id, not a collision."""
    copy_sqlite_to_postgres(str(source), pg_url)
    db = Database(pg_url)
    try:
        stored, _ = store_events(db, [{
            "community": "x", "platform": "console", "event_id": "after-the-move", "member": "console:ana",
            "kind": "reaction", "ritual": "prompts", "subject": "", "at": datetime(2030, 1, 1, tzinfo=UTC),
        }])
        assert stored == 1
        assert db.current_revision() == head_revision()
    finally:
        db.dispose()


def test_a_second_run_is_a_no_op_and_a_different_target_is_refused(source: Path, pg_url: str) -> None:
    copy_sqlite_to_postgres(str(source), pg_url)
    again = copy_sqlite_to_postgres(str(source), pg_url)
    assert again.already_done
    # The SQLite file grows (the community goes on) after the first copy: the target no longer matches.
    conn = sqlite3.connect(source)
    conn.execute("INSERT INTO community_state (community, key, value) VALUES ('x', 'late', '1')")
    conn.commit()
    conn.close()
    with pytest.raises(TransferError, match=r"already holds rows: .*--force"):
        copy_sqlite_to_postgres(str(source), pg_url)
    forced = copy_sqlite_to_postgres(str(source), pg_url, force=True)
    assert forced.cleared and not forced.already_done
    assert _rows(pg_url) == _rows(f"sqlite:///{source}")


def test_a_failure_half_way_leaves_the_target_empty(source: Path, pg_url: str) -> None:
    conn = sqlite3.connect(source)
    # SQLite keeps a NUL character in text; PostgreSQL refuses it: the copy fails on the very last row.
    last = [t.name for t in tables_in_dependency_order() if t.name in ("members", "ritual_runs", "deliveries")][-1]
    conn.execute(f"UPDATE {last} SET community = 'a' || char(0) || 'b' WHERE rowid = (SELECT MAX(rowid) FROM {last})")
    conn.commit()
    conn.close()
    with pytest.raises(Exception, match=r"(?i)nul"):
        copy_sqlite_to_postgres(str(source), pg_url)
    assert all(not rows for rows in _rows(pg_url).values())


def test_clear_refusals(tmp_path: Path, source: Path, pg_url: str) -> None:
    with BotLock(f"sqlite:///{source}"), pytest.raises(TransferError, match="Stop that bot first"):
        copy_sqlite_to_postgres(str(source), pg_url)  # a bot is still running on the source
    with pytest.raises(TransferError, match="does not exist"):
        copy_sqlite_to_postgres(str(tmp_path / "missing.db"), pg_url)
    with pytest.raises(TransferError, match="COPBOT_DATABASE_URL"):
        copy_sqlite_to_postgres(str(source), None)
    with pytest.raises(TransferError, match="must be PostgreSQL"):
        copy_sqlite_to_postgres(str(source), f"sqlite:///{tmp_path / 'other.db'}")
    old = Database(f"sqlite:///{tmp_path / 'old.db'}")
    old.upgrade("0001")
    old.dispose()
    with pytest.raises(TransferError, match="copbot db upgrade"):
        copy_sqlite_to_postgres(str(tmp_path / "old.db"), pg_url)


def test_command_line(source: Path, pg_url: str, postgres_server: PostgresServer, monkeypatch: pytest.MonkeyPatch,
                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COPBOT_DATABASE_URL", pg_url)
    assert copbot(["db", "migrate-sqlite-to-postgres", f"sqlite:///{source}", "--batch-size", "50"]) == 0
    out = capsys.readouterr().out
    assert "row counts verified" in out and "ritual_runs:" in out
    assert copbot(["db", "migrate-sqlite-to-postgres", str(source)]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert copbot(["db", "current"]) == 0
    assert f"revision {head_revision()} (up to date)" in capsys.readouterr().out
    # A server nobody listens on: one line that says so, exit 2, no traceback.
    monkeypatch.setenv("COPBOT_DATABASE_URL", f"postgresql+psycopg://copbot:secret@127.0.0.1:{_closed_port()}/x")
    assert copbot(["db", "migrate-sqlite-to-postgres", str(source)]) == 2
    err = capsys.readouterr().err
    assert "cannot reach the database" in err and "secret" not in err


def _closed_port() -> int:
    from tests.postgres_server import free_port

    return free_port()


def test_db_upgrade_on_a_fresh_postgres(pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert copbot(["db", "upgrade", "--url", pg_url]) == 0
    assert f"to {head_revision()}" in capsys.readouterr().out
    assert copbot(["db", "upgrade", "--url", pg_url]) == 0
    assert "nothing to do" in capsys.readouterr().out


