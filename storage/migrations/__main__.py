"""Developer command line for the migrations: ``python -m storage.migrations revision -m "what changed"``.

Autogenerate compares ``SQLModel.metadata`` with a database, so the database must be at head first:
this upgrades a throwaway SQLite file to head and autogenerates against it, which works on any checkout
without a local copbot.db. Other Alembic commands (``history``, ``heads``, ``upgrade``, ``downgrade``,
``current``) run against ``--url`` (default ``$COPBOT_DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

from storage.db import Database, alembic_config


def _format_with_ruff(config: Config) -> None:
    """Format and import-sort new revisions so they pass ``ruff check`` as written (when ruff is installed)."""
    if importlib.util.find_spec("ruff") is None:
        return
    config.set_section_option("post_write_hooks", "hooks", "ruff_fix, ruff_format")
    config.set_section_option("post_write_hooks", "ruff_fix.type", "module")
    config.set_section_option("post_write_hooks", "ruff_fix.module", "ruff")
    config.set_section_option("post_write_hooks", "ruff_fix.options", "check --fix REVISION_SCRIPT_FILENAME")
    config.set_section_option("post_write_hooks", "ruff_format.type", "module")
    config.set_section_option("post_write_hooks", "ruff_format.module", "ruff")
    config.set_section_option("post_write_hooks", "ruff_format.options", "format REVISION_SCRIPT_FILENAME")


def main(argv: list[str] | None = None) -> int:
    """Parse the command and run it."""
    parser = argparse.ArgumentParser(prog="python -m storage.migrations", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    rev = sub.add_parser("revision", help="autogenerate the next revision from storage/models.py")
    rev.add_argument("-m", "--message", required=True)
    rev.add_argument("--empty", action="store_true", help="write an empty revision (data migrations)")
    rev.add_argument("--rev-id", default=None, help="revision id (default: a random hex id)")
    for name in ("upgrade", "downgrade"):
        p = sub.add_parser(name)
        p.add_argument("revision", nargs="?", default="head" if name == "upgrade" else "-1")
        p.add_argument("--url", default=os.environ.get("COPBOT_DATABASE_URL"))
    for name in ("current", "history", "heads", "check"):
        p = sub.add_parser(name)
        p.add_argument("--url", default=os.environ.get("COPBOT_DATABASE_URL"))
    args = parser.parse_args(argv)

    if args.cmd == "revision":
        with tempfile.TemporaryDirectory() as tmp:
            db = Database(f"sqlite:///{Path(tmp) / 'autogen.db'}")
            try:
                db.migrate()
                with db.engine.begin() as connection:
                    config = alembic_config(connection)
                    _format_with_ruff(config)
                    scripts = command.revision(
                        config, message=args.message, autogenerate=not args.empty, rev_id=args.rev_id
                    )
            finally:
                db.dispose()
        for script in scripts if isinstance(scripts, list) else [scripts]:
            if script is not None:
                print(script.path)
        return 0

    if args.cmd in {"history", "heads"}:
        getattr(command, args.cmd)(alembic_config())
        return 0
    if not args.url:
        print("give --url or set COPBOT_DATABASE_URL", file=sys.stderr)
        return 2
    db = Database(args.url)
    try:
        if args.cmd == "upgrade":
            db.upgrade(args.revision)
        elif args.cmd == "downgrade":
            db.downgrade(args.revision)
        else:
            with db.engine.begin() as connection:
                getattr(command, args.cmd)(alembic_config(connection))
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
