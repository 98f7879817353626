"""The ``copbot`` command line: run, check, schema, simulate, report.

Exit codes: 0 success, 2 a problem the user can fix (bad config, bad arguments), 1 anything else.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console

from copbot import logs
from copbot.platforms.registry import PLATFORMS
from copbot.version import copbot_version

DEFAULT_CONFIG = "community.yaml"


def _config_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        default=os.environ.get("COPBOT_CONFIG", DEFAULT_CONFIG),
        help="path to community.yaml (default: ./community.yaml)",
    )


def _start_arg(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--start",
        default=None,
        metavar="WHEN",
        help=f"{what}. ISO 8601, e.g. 2027-01-04T09:00 (in the community's time zone unless it names an "
        "offset, as in 2027-01-04T08:00Z); also read from $COPBOT_START",
    )


def _start_of(args: argparse.Namespace, config: Any) -> datetime | None:
    """``--start``, else ``$COPBOT_START``, as aware UTC (None when neither is set).

    Raises ValueError with a message for the user. The variable is read only where a manual clock runs
    (the console, simulate), so an environment that sets it for scripts never stops a Slack or Discord bot.
    """
    from bot.clock import parse_start

    text = args.start or os.environ.get("COPBOT_START") or None
    return parse_start(text, config.community.timezone) if text else None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="copbot", description="Runs the rituals of a community of practice.")
    parser.add_argument("-V", "--version", action="version", version=f"copbot {copbot_version()}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more (the same as COPBOT_LOG_LEVEL=DEBUG)")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the bot (console by default; Slack or Discord when their tokens are set)")
    _config_arg(run)
    run.add_argument("--platform", choices=list(PLATFORMS), default=None)
    _start_arg(run, "console only: the console's clock starts here, so a script behaves the same on any day "
                    "(default: where this database's console clock stopped, else now)")

    init = sub.add_parser("init", help="write a commented community.yaml for a platform, with its schema beside it")
    init.add_argument("--platform", choices=list(PLATFORMS), default="console",
                      help="how people and channels are written in the file (default: console)")
    init.add_argument("--config", default=DEFAULT_CONFIG, help="where to write it (default: ./community.yaml)")
    init.add_argument("--force", action="store_true", help="replace an existing file")

    check = sub.add_parser("check", help="validate community.yaml and show when each ritual fires next")
    _config_arg(check)
    check.add_argument("--platform", choices=list(PLATFORMS), default=None,
                       help="also check the people it names for this platform: other platforms' member keys, forms "
                            "it cannot look up, and (with its token set) everyone against the live workspace")

    schema = sub.add_parser("schema", help="print the JSON Schema of community.yaml (community.schema.json)")
    schema.add_argument("--write", metavar="PATH", default=None,
                        help="write it to PATH instead (e.g. beside your community.yaml, for your editor)")

    simulate = sub.add_parser("simulate", help="run the community in simulated time on a throwaway database")
    _config_arg(simulate)
    simulate.add_argument("--weeks", type=int, required=True)
    simulate.add_argument("--members", type=int, default=40)
    simulate.add_argument("--seed", type=int, default=1)
    simulate.add_argument("--json", action="store_true", help="print the summary as JSON")
    _start_arg(simulate, "the simulated community's first moment (default: Monday 2027-01-04 00:00 UTC)")

    report = sub.add_parser("report", help="participation per member and per week")
    _config_arg(report)
    report.add_argument("--since", type=int, default=None, metavar="DAYS", help="only the last DAYS days")
    report.add_argument("--json", action="store_true")
    report.add_argument("--png", metavar="FILE", help="also draw participation per week as a PNG chart")
    report.add_argument("--by-week", action="store_true",
                        help="the member x week grid (posts, replies, reactions, meetings, kudos); --png a heat map")
    report.add_argument("--format", choices=("table", "json", "csv"), default=None,
                        help="with --by-week: csv for a spreadsheet (one row per member and week), json, or table")
    report.add_argument("--health", action="store_true",
                        help="the health report instead (figures, stage, next steps); --png draws its chart")

    _db_parser(sub)

    resources = sub.add_parser("resources", help="the community's resource library")
    resources_sub = resources.add_subparsers(dest="resources_command", required=True)
    export = resources_sub.add_parser("export", help="write the library as files (one per resource, an index by tag)")
    _config_arg(export)
    export.add_argument("--format", choices=["markdown"], default="markdown", help="file format (default markdown)")
    export.add_argument("dir", metavar="DIR", help="directory to write into (created if missing)")

    discord_cmd = sub.add_parser("discord", help="Discord helpers")
    discord_sub = discord_cmd.add_subparsers(dest="discord_command", required=True)
    invite = discord_sub.add_parser("invite", help="print the OAuth2 URL that adds the bot to a server")
    invite.add_argument("--client-id", default=None, help="application id (default: $DISCORD_APPLICATION_ID)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        logs.configure(verbose=args.verbose)  # a live platform raises it to INFO once chosen (cmd_run)
    except logs.LogSetupError as exc:
        print(f"copbot: {exc}", file=sys.stderr)
        return 2
    handler = {
        "run": cmd_run,
        "check": cmd_check,
        "init": cmd_init,
        "schema": cmd_schema,
        "simulate": cmd_simulate,
        "report": cmd_report,
        "discord": cmd_discord,
        "resources": cmd_resources,
        "db": cmd_db,
    }[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `copbot check | head` closed our stdout early: not an error worth a traceback. Point stdout at
        # /dev/null so the interpreter's final flush does not raise again (the recipe in Python's signal
        # docs), and exit as a process killed by SIGPIPE would (128 + 13).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except Exception as exc:
        url = _database_of(args)
        if url is None or not _database_unavailable(exc):
            raise
        from copbot.db_commands import report_unreachable

        return report_unreachable(url, exc)  # one line, what to do, no traceback (exit 2)


def _database_unavailable(exc: BaseException) -> bool:
    from storage.errors import database_unavailable

    return database_unavailable(exc)


def _database_of(args: argparse.Namespace) -> str | None:
    """The database a command works on (None for those on a throwaway one, or none at all)."""
    if args.command not in ("run", "report", "resources", "db"):
        return None
    if getattr(args, "url", None):
        return str(args.url)
    if args.command == "db" and getattr(args, "db_command", "") == "migrate-sqlite-to-postgres":
        return str(getattr(args, "to", None) or os.environ.get("COPBOT_DATABASE_URL") or "")
    from copbot.app import database_url

    return database_url(Path(args.config))


def _load(path: str) -> Any:
    """Load and validate the config, or print every problem and return None."""
    from config.loader import ConfigError, load_config

    try:
        return load_config(Path(path))
    except ConfigError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return None


def cmd_init(args: argparse.Namespace) -> int:
    from copbot.init import InitError, init_files

    try:
        config, schema = init_files(args.platform, Path(args.config), force=args.force)
    except InitError as exc:
        print(f"copbot: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"copbot: cannot write {args.config}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(f"wrote {config} (for {args.platform}) and {schema}; edit it, then run: copbot check --config {config}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    config = _load(args.config)  # before the rituals are imported: a broken file is refused in a blink
    if config is None:
        return 2
    from bot.ritual import RitualContext
    from copbot.registry import RITUALS
    from copbot.upcoming import upcoming_line

    zone = ZoneInfo(config.community.timezone)
    now = datetime.now(UTC)
    print(f"{args.config}: OK — {config.community.name} ({config.community.timezone})")
    ctx = RitualContext(SimpleNamespace(config=config))  # type: ignore[arg-type]
    for factory in RITUALS:
        ritual = factory(ctx)
        if not ritual.enabled():
            print(f"  {ritual.name}: off")
            continue
        for item in ritual.upcoming(now, 3):
            print(f"  {upcoming_line(item, zone)}")
    if args.platform:
        return _check_people(config, args.platform)
    return 0


def _check_people(config: Any, platform: str) -> int:
    """``copbot check --platform P``: warnings about the people community.yaml names, as P would see them.

    Without the platform's token: the forms P cannot use (another platform's member keys, email addresses on
    Discord, roles on Slack). With it: every reference looked up in the live workspace or server, as the bot would
    at start. Warnings do not fail the check (exit 0): the bot runs on without those people.
    """
    from bot.people import PeopleBook, form_problems
    from copbot.platforms.registry import PEOPLE_FORMS, live_credentials, resolve_live

    emails, roles = PEOPLE_FORMS[platform]
    problems = form_problems(platform, config, emails=emails, roles=roles)
    looked_up = False
    if live_credentials(platform):
        book = PeopleBook(platform, lambda refs: resolve_live(platform, refs))
        try:
            problems = asyncio.run(book.refresh(config))
            looked_up = True
        except Exception as exc:  # unreachable, refused token: say so, keep the offline findings
            print(f"copbot: could not look people up on {platform} ({type(exc).__name__}: {exc}); "
                  "checked their form only", file=sys.stderr)
    for problem in problems:
        print(problem, file=sys.stderr)
    how = f"looked up on {platform}" if looked_up else f"checked for {platform} (set its token to look them up)"
    print(f"  people: {len(problems)} warning{'s' if len(problems) != 1 else ''}; every name {how}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    """The schema byte for byte as committed (UTF-8 whatever the terminal's locale), or written to a file."""
    from config.schema import schema_text, write_schema

    if args.write:
        try:
            print(f"wrote {write_schema(Path(args.write))}")
        except OSError as exc:
            print(f"copbot: cannot write {args.write}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        return 0
    sys.stdout.flush()
    sys.stdout.buffer.write(schema_text().encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from copbot import heap
    from copbot.app import database_url
    from copbot.platforms.registry import choose_platform
    from storage.bot_lock import AnotherBotIsRunning, BotLock

    config = _load(args.config)
    if config is None:
        return 2
    platform = choose_platform(args.platform)
    if platform != "console":
        logs.configure(live=True, verbose=args.verbose)  # an operator reads this bot's log: INFO by default
    if args.start and platform != "console":
        print(f"copbot: --start only applies to the console; {platform} runs on the real clock.", file=sys.stderr)
        return 2
    try:
        args.start_at = _start_of(args, config) if platform == "console" else None
    except ValueError as exc:
        print(f"copbot: --start: {exc}", file=sys.stderr)
        return 2

    lock = BotLock(database_url(Path(args.config)))  # SQLite: one bot per file (PostgreSQL: a no-op)
    try:
        lock.acquire()
    except AnotherBotIsRunning as exc:
        print(f"copbot: {exc}", file=sys.stderr)
        return 2
    heap.freeze_after_start()  # this process is the bot (see copbot/heap.py)
    try:
        return _serve(args, config, platform)
    finally:
        lock.release()


def _serve(args: argparse.Namespace, config: Any, platform: str) -> int:
    from sqlalchemy.exc import OperationalError

    from copbot.app import database_url, open_for, run_console
    from copbot.db_commands import report_unreachable

    try:
        if platform == "console":
            db = open_for(Path(args.config))
        else:  # a live bot waits for its database (one line per attempt) rather than exit: copbot/live.py
            from copbot.live import open_when_reachable

            db = open_when_reachable(database_url(Path(args.config)), lambda: open_for(Path(args.config)))
    except OperationalError as exc:  # PostgreSQL down, wrong host or password: one clear line, exit 2
        return report_unreachable(database_url(Path(args.config)), exc)
    try:
        if platform == "console":
            console = Console(soft_wrap=True)  # the terminal wraps; a script's reader gets whole lines
            return asyncio.run(run_console(Path(args.config), config, db, interactive=sys.stdin.isatty(),
                                           console=console, start=args.start_at))
        from copbot.platforms.registry import run_platform

        return run_platform(platform, Path(args.config), config, db)
    finally:
        db.dispose()  # before the bot lock is let go (storage/bot_lock.py says why)


def cmd_simulate(args: argparse.Namespace) -> int:
    from copbot.simulate import run_simulation

    config = _load(args.config)
    if config is None:
        return 2
    if args.weeks < 1 or args.members < 1:
        print("--weeks and --members must be at least 1", file=sys.stderr)
        return 2
    try:
        start = _start_of(args, config)
    except ValueError as exc:
        print(f"copbot: --start: {exc}", file=sys.stderr)
        return 2
    summary = run_simulation(
        config,
        weeks=args.weeks,
        members=args.members,
        seed=args.seed,
        start=start,
        console=None if args.json else Console(),
        progress=not args.json,
    )
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from copbot.app import community_now, open_for
    from copbot.report import build_report, render_report
    from copbot.rhythm_report import rhythm_figures, rhythm_text

    config = _load(args.config)
    if config is None:
        return 2
    db = open_for(Path(args.config))
    if args.health:
        return _health_report(args, config, db)
    now = community_now(db, config.community.id)
    if args.by_week:
        return _week_grid(args, config, db, now)
    if args.format is not None:
        print("--format goes with --by-week (e.g. copbot report --by-week --format csv); "
              "the plain report takes --json", file=sys.stderr)
        return 2
    report = build_report(db, config.community.id, config.community.timezone, now, args.since)
    if args.png:
        from copbot.charts import participation_chart

        participation_chart(report, Path(args.png), config.community.name)
    rhythm = rhythm_figures(db, config, now)  # nudges' return rate, mentorships completed
    if args.json:
        print(json.dumps({**report.as_json(), **rhythm}, indent=2))
    else:
        Console().print(render_report(report, config.community.name))
        if rhythm:
            print(rhythm_text(rhythm))
        if args.png:
            print(f"chart written to {args.png}")
    return 0


def _week_grid(args: argparse.Namespace, config: Any, db: Any, now: Any) -> int:
    """``copbot report --by-week``: every member x week, as CSV, JSON or a table, and a heat map with --png."""
    from copbot.week_grid import grid_chart, grid_csv, week_grid

    grid = week_grid(db, config.community.id, config.community.timezone, now, args.since)
    if args.png:
        grid_chart(grid, Path(args.png), config.community.name)
    fmt = args.format or ("json" if args.json else "table")
    if fmt == "csv":
        sys.stdout.write(grid_csv(grid))
    elif fmt == "json":
        print(json.dumps(grid.rows(), indent=2))
    else:
        from rich.table import Table

        table = Table(title=f"{config.community.name}: contributions per member and week")
        table.add_column("member")
        for week in grid.weeks:
            table.add_column(f"W{week.isocalendar().week:02d}", justify="right")
        for key, name in grid.members:
            table.add_row(name, *[str(sum(grid.cells.get((key, w), {}).values())) for w in grid.weeks])
        Console().print(table)
    if args.png and fmt != "csv":
        print(f"chart written to {args.png}", file=sys.stderr)
    return 0


def _health_report(args: argparse.Namespace, config: Any, db: Any) -> int:
    """``copbot report --health``: the report the facilitators get (the operator also sees who went quiet)."""
    from copbot.app import community_now
    from copbot.terminal import print_chat_text
    from rituals.health.ritual import health_snapshot
    from rituals.health.texts import groups_text, quiet_members_text, report_text
    from storage import groups as groups_store

    now = community_now(db, config.community.id)
    snapshot = health_snapshot(db, config, now)
    if args.png:
        from rituals.health.charts import health_chart

        health_chart(snapshot, Path(args.png), config.community.name)
    if args.json:
        print(json.dumps(snapshot.as_json(), indent=2))
        return 0
    with db.session() as tx:
        groups = groups_store.figures(tx, config.community.id, now)
    print_chat_text(report_text(snapshot, config.community.name) + groups_text(groups))  # rendered for a terminal
    quiet = quiet_members_text(snapshot)
    if quiet:
        print()
        print_chat_text(quiet)
    if args.png:
        print(f"chart written to {args.png}")
    return 0


def _db_parser(sub: Any) -> None:
    """``copbot db upgrade|current|migrate-sqlite-to-postgres`` (the logic lives in storage/)."""
    db_cmd = sub.add_parser("db", help="database schema and moving to PostgreSQL")
    db_sub = db_cmd.add_subparsers(dest="db_command", required=True)
    url_help = "database URL (default: $COPBOT_DATABASE_URL, else the SQLite file beside the config)"
    upgrade = db_sub.add_parser("upgrade", help="bring the database schema up to date (Alembic upgrade)")
    _config_arg(upgrade)
    upgrade.add_argument("--url", default=None, help=url_help)
    upgrade.add_argument("--revision", default="head", help="target revision (default: head)")
    current = db_sub.add_parser("current", help="print the schema revision the database is at")
    _config_arg(current)
    current.add_argument("--url", default=None, help=url_help)
    move = db_sub.add_parser(
        "migrate-sqlite-to-postgres",
        help="copy every table from a SQLite file into the PostgreSQL at $COPBOT_DATABASE_URL",
        description="Copies every table in dependency order, in batches, in one transaction; verifies row counts. "
        "The target must be empty (or already hold this exact copy), unless --force.",
    )
    move.add_argument("source", metavar="SOURCE_SQLITE_URL", help="sqlite:///path/to/copbot.db or a file path")
    move.add_argument("--to", default=None, metavar="URL", help="target (default: $COPBOT_DATABASE_URL)")
    move.add_argument("--force", action="store_true", help="DELETE the target's rows first if it is not empty")
    move.add_argument("--batch-size", type=int, default=1000, help="rows per insert batch (default 1000)")


def cmd_db(args: argparse.Namespace) -> int:
    from copbot.db_commands import run_db_command

    return run_db_command(args)


def cmd_resources(args: argparse.Namespace) -> int:
    from copbot.app import open_for
    from copbot.resources_export import export_library

    config = _load(args.config)
    if config is None:
        return 2
    db = open_for(Path(args.config))
    written = export_library(db, config, Path(args.dir), args.format)
    count = len(written) - 1
    print(f"wrote {count} resource{'s' if count != 1 else ''} and index.md to {args.dir}")
    return 0


def cmd_discord(args: argparse.Namespace) -> int:
    from adapters.discord.invite import print_invite

    return print_invite(args.client_id)


if __name__ == "__main__":
    sys.exit(main())
