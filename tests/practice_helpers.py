"""Verbs for the practices' console tests (interest groups, challenges, sessions): a small community of five,
commands and button presses as events, time passing slot by slot, and what the bot said to one member."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import ButtonClicked, CommandInvoked, MemberJoined
from bot.runtime import Runtime
from config.models import CommunityConfig
from copbot.registry import RITUALS
from storage.db import Database

MEMBERS = ("ana", "ben", "chen", "dana", "fay")
_ids = itertools.count()


async def start(config: CommunityConfig, db: Database, adapter: ConsoleAdapter, clock: ManualClock) -> Runtime:
    """The runtime, started, with the five members joined."""
    bot = Runtime(config, db, adapter, clock, RITUALS)
    await bot.start(background=False)
    for name in MEMBERS:
        await bot.handle_event(MemberJoined(platform="console", event_id=f"j-{name}", member=f"console:{name}",
                                            at=clock.now(), name=name))
    await bot.settle()
    return bot


def command(member: str, text: str, at: datetime) -> CommandInvoked:
    return CommandInvoked(platform="console", event_id=f"c{next(_ids)}", member=member, at=at, text=text,
                          channel="guild")


async def ask(bot: Runtime, member: str, text: str) -> str:
    answer = await bot.handle_event(command(f"console:{member}", text, bot.clock.now()))
    await bot.settle()
    return answer or ""


async def click(bot: Runtime, member: str, action: str, value: str) -> None:
    await bot.handle_event(ButtonClicked(platform="console", event_id=f"b{next(_ids)}", member=f"console:{member}",
                                         at=bot.clock.now(), action_id=action, value=value))
    await bot.settle()


async def advance(bot: Runtime, clock: ManualClock, until: datetime, step: timedelta = timedelta(hours=1)) -> None:
    """Let time pass ``step`` by ``step``, so each slot runs at its own time (as a live bot would)."""
    while clock.now() < until:
        clock.set(min(until, clock.now() + step))
        bot.tick()
        await bot.settle()


def said_to(adapter: ConsoleAdapter, who: str) -> list[str]:
    return [m.text for m in adapter.transcript if m.where in (f"only @{who}", f"DM @{who}")]
