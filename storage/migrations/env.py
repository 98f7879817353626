"""Alembic environment for copbot: runs the revisions on the engine or connection storage.db hands over.

There is no alembic.ini: ``storage.db.alembic_config()`` builds the ``Config`` in code and passes the
live connection in ``config.attributes["connection"]`` (or an engine in ``config.attributes["engine"]``,
or, for the command line, a URL in the ``sqlalchemy.url`` main option).

How a developer adds the next revision after changing storage/models.py (see README.md beside this file):

    .venv/bin/python -m storage.migrations revision -m "add pairings"

That upgrades a throwaway SQLite database to head, autogenerates the difference against
``SQLModel.metadata`` into ``versions/``, and prints the new file's path: review it before committing
(autogenerate misses renames and server defaults; SQLite needs batch mode, which is already on).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from storage import tables  # noqa: F401  (registers every table on SQLModel.metadata)
from storage.resources import include_object

config = context.config
target_metadata = SQLModel.metadata


def _configure(connection: Connection) -> None:
    """Same options for every run, so autogenerate and upgrade see the schema the same way."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things in place
        compare_type=True,
        compare_server_default=False,
        include_object=include_object,  # the full-text index is raw SQL, not a model
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    """Emit SQL for ``--sql`` runs (no database needed)."""
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=bool(url and url.startswith("sqlite")),
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Use the caller's connection if there is one, so the pragmas and transaction are the caller's."""
    connection = config.attributes.get("connection")
    if isinstance(connection, Connection):
        _configure(connection)
        return
    engine = config.attributes.get("engine")
    owned = False
    if not isinstance(engine, Engine):
        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("no connection, engine or sqlalchemy.url given to the copbot migrations")
        engine = create_engine(url)
        owned = True
    try:
        with engine.begin() as conn:
            _configure(conn)
    finally:
        if owned:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
