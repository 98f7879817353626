"""Opening the database: engine, SQLite pragmas (WAL, busy timeout), Alembic migrations, sessions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from storage import tables  # noqa: F401  (registers every table on SQLModel.metadata)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def default_url(config_path: Path) -> str:
    """A SQLite file beside community.yaml."""
    return f"sqlite:///{config_path.resolve().parent / 'copbot.db'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets readers run beside the one writer; NORMAL sync is durable enough in WAL and much faster."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def postgres_engine_options() -> dict[str, Any]:
    """Engine options for PostgreSQL: survive a server restart, and read every timestamp back in UTC.

    ``pool_pre_ping`` tests a pooled connection before handing it out, so after PostgreSQL restarts (or a
    failover, or an idle timeout in a proxy) the next query gets a fresh connection instead of an error;
    ``pool_recycle`` drops connections older than half an hour for the same reason. ``timezone=UTC`` makes
    the server return ``timestamptz`` values in UTC whatever its own setting, so ``.date()`` and
    ``.isoformat()`` on a stored time mean the same on PostgreSQL as on SQLite.
    """
    return {
        "pool_pre_ping": True,
        "pool_recycle": 1800,
        "pool_size": 5,
        "max_overflow": 10,
        "connect_args": {"options": "-c timezone=UTC", "connect_timeout": 10},
    }


def _is_memory_sqlite(url: str) -> bool:
    return url.startswith("sqlite") and (url.rstrip("/").endswith(":") or ":memory:" in url or url in {"sqlite://"})


MIGRATION_LOCK = 0x636F70626F74  # "copbot": the PostgreSQL advisory lock key that serialises migrations


def _one_migrator_at_a_time(connection: Connection) -> None:
    """PostgreSQL: replicas starting together would run the same migration at once (a table created twice,
    or two transactions waiting on each other's catalog locks). A transaction-scoped advisory lock makes
    the second wait until the first commits; it then finds the schema at head and does nothing.
    SQLite needs nothing: one writer at a time, and one bot per file."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """An Alembic ``Config`` built in code, so nothing outside the package (no alembic.ini) is needed at runtime.

    ``env.py`` runs on ``connection`` when given (our pragmas and transaction), else on ``url``.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    """The newest revision shipped with this code."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


class Database:
    """One engine and its sessions; ``migrate()`` brings the schema up to date with Alembic."""

    def __init__(self, url: str) -> None:
        self.url = url
        kwargs: dict[str, Any] = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 5}
            if _is_memory_sqlite(url):
                # One shared connection, or every thread (e.g. the event writer's) would see its own empty DB.
                kwargs["poolclass"] = StaticPool
        elif url.startswith("postgresql"):
            kwargs.update(postgres_engine_options())
        self.engine: Engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)

    def migrate(self) -> None:
        """Bring the schema to the newest revision (``alembic upgrade head``)."""
        self.upgrade("head")

    def upgrade(self, revision: str = "head") -> None:
        """``alembic upgrade REVISION`` on this engine, in one transaction where the backend allows."""
        with self.engine.begin() as connection:
            _one_migrator_at_a_time(connection)
            command.upgrade(alembic_config(connection), revision)

    def downgrade(self, revision: str) -> None:
        """``alembic downgrade REVISION`` (e.g. ``"base"`` or ``"-1"``); for tests and rollbacks by hand."""
        with self.engine.begin() as connection:
            _one_migrator_at_a_time(connection)
            command.downgrade(alembic_config(connection), revision)

    def current_revision(self) -> str | None:
        """The revision the database is at, or None when it has never been migrated."""
        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose objects stay readable after commit (rituals read them after the write)."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    def dispose(self) -> None:
        """Close the pooled connections (and let SQLite checkpoint its WAL)."""
        self.engine.dispose()


def open_database(url: str) -> Database:
    """Open and migrate."""
    db = Database(url)
    db.migrate()
    return db
