"""The Alembic chain on a real PostgreSQL: up to head, down to base, one step at a time, and models = migrations.

The SQLite twin is tests/test_storage_migrations.py; PostgreSQL is stricter (real ALTERs, real types,
transactional DDL), so a revision that only works on SQLite fails here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage.db import Database, alembic_config, head_revision
from storage.resources import include_object


@pytest.fixture
def pg(pg_url: str) -> Iterator[Database]:
    database = Database(pg_url)
    yield database
    database.dispose()


def _tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_fresh_postgres_upgrades_to_head_and_matches_the_models(pg: Database) -> None:
    assert pg.engine.dialect.name == "postgresql"
    assert pg.current_revision() is None
    pg.migrate()
    assert pg.current_revision() == head_revision()
    assert _tables(pg) == set(SQLModel.metadata.tables)
    with pg.engine.connect() as conn:
        opts = {"compare_type": True, "include_object": include_object}  # the search index is raw SQL
        diffs = list(compare_metadata(MigrationContext.configure(conn, opts=opts), SQLModel.metadata))
    assert diffs == [], f"models and migrations disagree on PostgreSQL: {diffs}"


def test_every_revision_steps_down_and_up_on_postgres(pg: Database) -> None:
    script = ScriptDirectory.from_config(alembic_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    for rev in revisions:
        pg.upgrade(rev)
        assert pg.current_revision() == rev
    at_head = _tables(pg)
    for rev in reversed(revisions[:-1]):
        pg.downgrade("-1")
        assert pg.current_revision() == rev
    pg.downgrade("-1")
    assert pg.current_revision() is None
    assert _tables(pg) == set()
    pg.migrate()
    assert _tables(pg) == at_head


def test_migrate_twice_is_a_no_op_on_postgres(pg: Database) -> None:
    pg.migrate()
    pg.migrate()
    assert pg.current_revision() == head_revision()


def test_replicas_starting_together_migrate_once(pg_url: str) -> None:
    """Four replicas open a fresh database at the same moment: one migrates, the others wait and find it done.

    Without the advisory lock two of them create the same table (or wait on each other's locks forever).
    """
    import threading

    errors: list[str] = []
    ready = threading.Barrier(4)

    def start_replica() -> None:
        db = Database(pg_url)
        ready.wait()
        try:
            db.migrate()
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}".splitlines()[0])
        finally:
            db.dispose()

    threads = [threading.Thread(target=start_replica, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "replicas deadlocked migrating the same database"
    assert errors == []
    db = Database(pg_url)
    assert db.current_revision() == head_revision()
    db.dispose()
