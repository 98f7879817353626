"""Telling "the database cannot be used right now" apart from every other failure, and saying it in one line.

Why one place: a full disk, a read-only file, a locked SQLite or a PostgreSQL that went away is not a bug in
the bot and not the user's input; it deserves its own short answer ("try again in a few minutes"), a red
/healthz and a retry, never a traceback. SQLAlchemy wraps the driver's errors as ``OperationalError``; the
driver's own class (sqlite3's, psycopg's) reaches us unwrapped when it is raised outside a statement.
"""

from __future__ import annotations

import sqlite3

import psycopg
import psycopg.errors
from sqlalchemy.exc import OperationalError

_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OperationalError,  # SQLAlchemy's wrapper of both drivers' OperationalError
    sqlite3.OperationalError,
    psycopg.OperationalError,
    psycopg.errors.ReadOnlySqlTransaction,  # a PostgreSQL standby, or default_transaction_read_only
)


def database_unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says the database cannot be used now (full, read-only, locked, unreachable, or a file
    that is not a database at all), as opposed to a refused row or a bug."""
    orig = getattr(exc, "orig", None)
    for candidate in (exc, orig):
        if isinstance(candidate, _UNAVAILABLE) or type(candidate) is sqlite3.DatabaseError:  # "file is not a database"
            return True
    return False


def first_line(exc: BaseException) -> str:
    """The driver's complaint, one line, without SQLAlchemy's statement-and-parameters dump."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    return text.splitlines()[0] if text else type(orig).__name__
