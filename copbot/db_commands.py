"""``copbot db ...``: the schema and the move to PostgreSQL, as a community manager runs them.

Why a module beside cli.py: the argparse wiring stays in cli.py; this turns storage's results and errors
into short lines and exit codes (0 done, 2 something the user can fix, 1 anything else). Passwords in
URLs are never printed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from copbot.app import database_url
from storage.db import Database, head_revision
from storage.errors import first_line
from storage.transfer import TransferError, copy_sqlite_to_postgres

EXIT_USER = 2


def shown(url: str) -> str:
    """The URL with its password masked, for messages (a SQLite URL has none, and is shown as written)."""
    try:
        parsed = make_url(url)
    except Exception:
        return "(unparsable URL)"
    return url if parsed.get_backend_name() == "sqlite" else parsed.render_as_string(hide_password=True)


def _url(args: argparse.Namespace) -> str:
    return str(args.url) if args.url else database_url(Path(args.config))


def database_problem(url: str, exc: BaseException) -> str:
    """One line: what failed, on which database (password masked), and what to do about it."""
    reason = first_line(exc)
    low = reason.lower()
    sqlite = url.startswith("sqlite")
    if "readonly" in low or "read-only" in low:
        verb = "cannot write to"
        advice = ("give the bot write access to the file and its directory" if sqlite else
                  "point COPBOT_DATABASE_URL at the primary server, not a read-only standby")
    elif "disk is full" in low or "no space" in low:
        verb, advice = "cannot write to", "free some disk space where the database lives, then start again"
    elif "locked" in low:
        verb, advice = "cannot use", "another program holds the database: stop it (or wait) and try again"
    elif "not a database" in low:
        verb = "cannot read"
        advice = "this file is not a SQLite database: point COPBOT_DATABASE_URL at copbot's database, or move it away"
    elif sqlite:
        verb = "cannot reach"
        advice = "check the path in COPBOT_DATABASE_URL (or the config's directory): it must exist and be writable"
    else:
        verb = "cannot reach"
        advice = "check that the server runs, the host, port, user and password, and that the database exists"
    return f"copbot: {verb} the database {shown(url)}: {reason}; {advice}"


def report_unreachable(url: str, exc: BaseException) -> int:
    """Print :func:`database_problem`'s one line to stderr; exit code 2."""
    print(database_problem(url, exc), file=sys.stderr)
    return EXIT_USER


def cmd_upgrade(args: argparse.Namespace) -> int:
    url = _url(args)
    db = Database(url)
    try:
        before = db.current_revision()
        db.upgrade(args.revision)
        after = db.current_revision()
    except OperationalError as exc:
        return report_unreachable(url, exc)
    finally:
        db.dispose()
    if before == after:
        print(f"{shown(url)}: already at revision {after} (this copbot's head is {head_revision()}); nothing to do")
    else:
        print(f"{shown(url)}: upgraded from {before or 'an empty database'} to {after}")
    return 0


def cmd_current(args: argparse.Namespace) -> int:
    url = _url(args)
    db = Database(url)
    try:
        at = db.current_revision()
    except OperationalError as exc:
        return report_unreachable(url, exc)
    finally:
        db.dispose()
    head = head_revision()
    state = "up to date" if at == head else f"behind: run `copbot db upgrade` to reach {head}"
    print(f"{shown(url)}: revision {at or 'none (empty database)'} ({state})")
    return 0


def cmd_move(args: argparse.Namespace) -> int:
    import os

    target = args.to or os.environ.get("COPBOT_DATABASE_URL")
    shown_tables: set[str] = set()

    def progress(table: str, done: int, total: int) -> None:
        if done == total and table not in shown_tables:
            shown_tables.add(table)
            print(f"  {table}: {total} row{'s' if total != 1 else ''}")

    try:
        report = copy_sqlite_to_postgres(
            args.source, target, force=args.force, batch_size=args.batch_size, progress=progress
        )
    except TransferError as exc:
        print(f"copbot: {exc}", file=sys.stderr)
        return EXIT_USER
    except OperationalError as exc:
        return report_unreachable(str(target), exc)
    if report.already_done:
        print(f"{shown(str(target))} already holds this copy ({report.total} rows, same count in every table); "
              "nothing to do")  # fmt: skip
        return 0
    if report.cleared:
        print(f"cleared the target first (--force): {sum(report.cleared.values())} rows deleted")
    print(f"copied {report.total} rows in {len(report.rows)} tables to {shown(str(target))}; row counts verified.")
    print("Next: keep COPBOT_DATABASE_URL set to it for `copbot run` (and move the SQLite file away).")
    return 0


def run_db_command(args: argparse.Namespace) -> int:
    handler = {"upgrade": cmd_upgrade, "current": cmd_current, "migrate-sqlite-to-postgres": cmd_move}
    return handler[args.db_command](args)
