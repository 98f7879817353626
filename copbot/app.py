"""Assembling a runnable bot: config file, database URL, adapter choice and the runtime around them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from adapters.console.adapter import ConsoleAdapter, Message
from adapters.console.session import HELP, ConsoleSession
from bot import metrics
from bot.actions import Button
from bot.clock import ManualClock
from bot.runtime import Runtime
from bot.web_server import PortError, WebServer, port_from_env
from config.loader import ConfigError, load_config
from config.models import CommunityConfig
from config.watch import ConfigWatcher
from copbot import heap
from copbot.registry import RITUALS
from copbot.report import build_report, render_text
from copbot.rhythm_report import rhythm_figures, rhythm_text
from copbot.web import serve_web
from storage import console as console_store
from storage import queries
from storage.db import Database, default_url, open_database

log = logging.getLogger("copbot")


def database_url(config_path: Path) -> str:
    """``COPBOT_DATABASE_URL`` if set, else a SQLite file beside the config."""
    return os.environ.get("COPBOT_DATABASE_URL") or default_url(config_path)


def reload_from(path: Path, runtime: Runtime, notify: Callable[[str], None]) -> Callable[[], str]:
    """A reload function for ``/cop reload`` and the file watcher: apply a valid file, refuse a broken one."""

    def reload() -> str:
        try:
            config = load_config(path)
        except ConfigError as exc:
            text = "community.yaml was NOT applied; the bot keeps running on the last good version:\n" + str(exc)
            metrics.config_reload("refused")
            log.error(text)
            notify(text)
            return text
        runtime.apply_config(config)
        return "community.yaml reloaded."

    return reload


def _echo_to(console: Console) -> Callable[[Message], None]:
    def echo(message: Message) -> None:
        style = "bold cyan" if message.author == "copbot" else "green"
        console.print(
            f"[dim]{message.ref}[/dim] [{style}]{escape(message.author)}[/{style}] "
            f"[dim]in {escape(message.where)}[/dim]: {escape(message.text)}"
        )
        for number, button in enumerate(message.choices, start=1):
            console.print(f"      [reverse] {number} {escape(button.label)} [/reverse]")
        if message.choices:
            console.print(f"      [dim](press one: /click {message.ref} {escape(message.choices[0].label)}, "
                          f"or /click {message.ref} 1)[/dim]")
        for attachment in message.attachments:
            console.print(f"      [dim]attached[/dim] {escape(attachment)}")

    return echo


class StoredTranscript:
    """The console's transcript kept in the database (storage/console.py), so a restart carries on from it."""

    def __init__(self, db: Database, community: str) -> None:
        self.db = db
        self.community = community

    def load(self) -> list[Message]:
        with self.db.session() as tx:
            return [
                Message(
                    ref=f"m{line.number}", where=line.place, author=line.author, text=line.text,
                    delivery_id=line.delivery_id, thread_of=line.thread_of,
                    attachments=list(json.loads(line.attachments)),
                    choices=tuple(Button(**b) for b in json.loads(line.buttons)),
                    buttons=[f"{b['label']} [{b['action_id']}]" for b in json.loads(line.buttons)],
                )
                for line in console_store.lines(tx, self.community)
            ]

    def keep(self, message: Message) -> None:
        with self.db.session() as tx:
            console_store.keep(tx, console_store.ConsoleLine(
                community=self.community, number=message.number, place=message.where, author=message.author,
                text=message.text, delivery_id=message.delivery_id, thread_of=message.thread_of,
                buttons=json.dumps([asdict(b) for b in message.choices]), attachments=json.dumps(message.attachments),
            ))
            tx.commit()


def console_start(db: Database, community: str, requested: datetime | None) -> tuple[datetime, str | None]:
    """Where the console's clock begins, and a note for the user when it is not where they asked.

    A console community lives on its own clock, kept in the database: a restarted console resumes where the
    last one stopped (time only moves forward), a fresh one starts at ``--start`` or else at the wall clock.
    """
    with db.session() as tx:
        stored = queries.console_clock(tx, community)
    if requested is None:
        return (stored or datetime.now(UTC).replace(second=0, microsecond=0)), None
    if stored is not None and requested < stored:
        return stored, (f"This database's clock already stands at {stored:%Y-%m-%d %H:%M} UTC and time only "
                        "moves forward here: continuing from there (use a fresh COPBOT_DATABASE_URL to start earlier).")
    return requested, None


def community_now(db: Database, community: str) -> datetime:
    """The community's time: the console's clock for a console community, else the wall clock.

    Why: ``copbot report`` after a console session that moved its clock weeks ahead (or began at ``--start``)
    must count those weeks as the past, as the members in that session lived them.
    """
    with db.session() as tx:
        stored = queries.console_clock(tx, community)
    return stored or datetime.now(UTC)


async def run_console(
    config_path: Path,
    config: CommunityConfig,
    db: Database,
    *,
    interactive: bool,
    console: Console,
    start: datetime | None = None,
) -> int:
    """The console adapter: a local chat where the user plays members and moves the clock.

    It opens an HTTP port (/healthz, /metrics, ...) only when ``PORT`` is set. ``start``: where the clock
    begins (``--start``); by default where this database's console clock stopped, else now.
    """
    begin, note = console_start(db, config.community.id, start)
    clock = ManualClock(begin)
    adapter = ConsoleAdapter(echo=_echo_to(console), history=StoredTranscript(db, config.community.id))
    runtime = Runtime(config, db, adapter, clock, RITUALS)

    def say(text: str) -> None:
        console.print(f"[yellow]{escape(text)}[/yellow]")

    runtime.reload_hook = reload_from(config_path, runtime, say)

    def edited(new: CommunityConfig) -> None:
        runtime.apply_config(new)
        say(f"{config_path.name} changed: applied.")

    def refused(error: ConfigError) -> None:
        metrics.config_reload("refused")
        say(f"{config_path.name} changed but was NOT applied; still running on the last good version:\n{error}")

    # The watcher `copbot run` uses on a platform: polled in the background, and looked at before each line,
    # so a script's next line sees an edit made before it.
    watcher = ConfigWatcher(config_path, edited, refused, initial=config)

    def report() -> str:
        text = render_text(
            build_report(db, runtime.community, config.community.timezone, clock.now()), runtime.config.community.name
        )
        rhythm = rhythm_text(rhythm_figures(db, runtime.config, clock.now()))  # nudges, mentorships
        return f"{text}\n{rhythm}" if rhythm else text

    session = ConsoleSession(runtime, adapter, clock, say, report)
    session.remember_clock()
    web: WebServer | None = None
    try:
        web_port = port_from_env(os.environ)
        if web_port is not None:
            web = await serve_web(runtime, web_port)
    except PortError as exc:
        console.print(f"[red]{escape(str(exc))}[/red]")
        return 2
    await runtime.start(background=False)
    heap.settle()  # after start: what start-up built lives as long as the bot (see copbot/heap.py)
    watching = asyncio.create_task(watcher.run(), name="copbot-config-watch")
    console.print(
        f"[bold]copbot[/bold] on the console for [bold]{escape(config.community.name)}[/bold] "
        f"(database: {escape(db.url)}). It is {escape(session.local_time(clock.now()))}. Type /help."
    )
    if note:
        say(note)
    if adapter.transcript:
        say(f"Carrying on from the last session: {len(adapter.transcript)} earlier messages "
            f"(the newest is {adapter.transcript[-1].ref}).")
    if interactive:
        say(HELP)
    try:
        loop = asyncio.get_running_loop()
        while True:
            if interactive:
                line = await loop.run_in_executor(None, _prompt, session)
            else:
                # In a worker thread, so a slow pipe never stalls the loop (the outbox, /healthz on PORT).
                line = await loop.run_in_executor(None, sys.stdin.readline)
            if line is None or line == "":
                break
            if not interactive:
                console.print(f"[dim]> {escape(line.rstrip())}[/dim]")
            watcher.check_now()
            if not await session.feed(line):
                break
    finally:
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watching
        if web is not None:
            await web.stop()
        await runtime.settle()
        await runtime.stop()
    return 0


def _prompt(session: ConsoleSession) -> str | None:
    who = session.speaker.split(":", 1)[1] if session.speaker else "nobody"
    try:
        return input(f"{who}> ") + "\n"
    except EOFError:
        return None


def open_for(config_path: Path) -> Database:
    return open_database(database_url(config_path))
