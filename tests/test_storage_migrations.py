"""The schema comes from Alembic revisions, and those revisions must match the SQLModel tables exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage.db import MIGRATIONS_DIR, Database, alembic_config, default_url, head_revision, open_database
from storage.resources import include_object, is_search_index


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = Database(f"sqlite:///{tmp_path / 'copbot.db'}")
    yield database  # type: ignore[misc]
    database.dispose()


def _diffs(db: Database) -> list[object]:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
        return list(compare_metadata(context, SQLModel.metadata))


def _tables(db: Database) -> set[str]:
    names = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    return {n for n in names if not is_search_index(n)}  # the FTS5 index is raw SQL (storage/resources.py)


def test_fresh_database_upgrades_to_head(db: Database) -> None:
    assert db.current_revision() is None
    db.migrate()
    assert db.current_revision() == head_revision()
    assert {"participation_events", "members", "ritual_runs", "deliveries"} <= _tables(db)
    assert _tables(db) <= set(SQLModel.metadata.tables)  # nothing the models don't know


def test_migrations_match_the_models(db: Database) -> None:
    """Fails when a model changed without a revision: run `python -m storage.migrations revision -m ...`."""
    db.migrate()
    diffs = _diffs(db)
    assert diffs == [], f"models and migrations disagree; add a revision (storage/migrations/README.md): {diffs}"


def test_downgrade_to_base_and_back(db: Database) -> None:
    db.migrate()
    at_head = _tables(db)
    db.downgrade("base")
    assert db.current_revision() is None
    assert _tables(db) == set()
    db.migrate()
    assert db.current_revision() == head_revision()
    assert _tables(db) == at_head


def test_every_revision_steps_down_and_up_one_at_a_time(db: Database) -> None:
    """Each revision's downgrade undoes its upgrade (not just the whole chain at once)."""
    script = ScriptDirectory.from_config(alembic_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions, "no revisions found"
    for rev in revisions:
        db.upgrade(rev)
        assert db.current_revision() == rev
    for rev in reversed(revisions[:-1]):
        db.downgrade("-1")
        assert db.current_revision() == rev
    db.downgrade("-1")
    assert db.current_revision() is None


def test_single_head(db: Database) -> None:
    """Two people adding revisions at once leaves two heads; one must be rebased onto the other."""
    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


def test_migrate_twice_is_a_no_op(db: Database) -> None:
    db.migrate()
    db.migrate()
    assert db.current_revision() == head_revision()


def test_wal_mode_is_on(tmp_path: Path) -> None:
    database = open_database(f"sqlite:///{tmp_path / 'w.db'}")
    try:
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    finally:
        database.dispose()


def test_in_memory_database_is_shared_across_threads() -> None:
    """The event writer works in its own thread; an in-memory DB must be the same DB there."""
    import threading

    database = open_database("sqlite://")
    seen: list[set[str]] = []
    worker = threading.Thread(target=lambda: seen.append(set(inspect(database.engine).get_table_names())))
    worker.start()
    worker.join()
    assert "participation_events" in seen[0]
    database.dispose()


def test_migration_files_are_in_the_package() -> None:
    """The wheel ships storage/migrations because it and versions/ are packages, plus the *.mako rule."""
    assert (MIGRATIONS_DIR / "__init__.py").exists()
    assert (MIGRATIONS_DIR / "versions" / "__init__.py").exists()
    assert (MIGRATIONS_DIR / "env.py").exists()
    assert (MIGRATIONS_DIR / "script.py.mako").exists()


def test_default_url_is_beside_the_config(tmp_path: Path) -> None:
    assert default_url(tmp_path / "community.yaml") == f"sqlite:///{tmp_path.resolve() / 'copbot.db'}"


def test_0007_keeps_what_members_did_and_drops_what_the_bot_sent(db: Database) -> None:
    """A 0006 database: Ana was sent two welcome steps, agreed to the ground rules and reacted once."""
    db.upgrade("0006")
    at = "2027-01-04 10:00:00.000000"
    with db.engine.begin() as conn:
        for step in ("welcome", "introduce"):
            conn.exec_driver_sql(
                "INSERT INTO onboarding_steps (community, member, step, sent_at) VALUES ('g', 'console:ana', ?, ?)",
                (step, at),
            )
        rows = [
            ("onboarding:onboarding_step:console:ana:welcome", "onboarding_step", "onboarding", "step:welcome"),
            ("onboarding:onboarding_step:console:ana:introduce", "onboarding_step", "onboarding", "step:introduce"),
            ("onboarding:onboarding_step:console:ana:ground_rules_ack", "onboarding_step", "onboarding",
             "ground_rules_ack"),
            ("r1", "reaction", "prompts", "prompt:1"),
        ]
        for event_id, kind, ritual, subject in rows:
            conn.exec_driver_sql(
                "INSERT INTO participation_events (community, platform, event_id, member, kind, ritual, subject, at) "
                "VALUES ('g', 'copbot', ?, 'console:ana', ?, ?, ?, ?)",
                (event_id, kind, ritual, subject, at),
            )

    def kinds() -> list[tuple[str, str]]:
        with db.engine.connect() as conn:
            found = conn.exec_driver_sql("SELECT kind, subject FROM participation_events ORDER BY kind, subject")
            return [(kind, subject) for kind, subject in found]

    db.upgrade("0007")
    assert kinds() == [("acknowledgement", "ground_rules_ack"), ("reaction", "prompt:1")]
    db.downgrade("0006")
    assert kinds() == [("onboarding_step", "ground_rules_ack"), ("onboarding_step", "step:introduce"),
                       ("onboarding_step", "step:welcome"), ("reaction", "prompt:1")]
