"""Malformed and hostile ``/cop`` commands: each gets a short answer, never a crash, and never its own 100 KB back.

Each command is run by an admin (who may run everything, so every handler is reached) against the shipped
community.yaml (every ritual on), with members, through the runtime as an adapter hands it in.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import CommandInvoked, MemberJoined
from bot.runtime import ANSWER_LIMIT, Runtime
from bot.text import ECHO_LIMIT
from config.loader import load_config
from copbot.registry import RITUALS
from storage.db import Database

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
async def shipped(db: Database, clock: ManualClock) -> AsyncIterator[Runtime]:
    bot = Runtime(load_config(ROOT / "community.yaml"), db, ConsoleAdapter(), clock, RITUALS)
    await bot.start(background=False)
    yield bot
    await bot.stop()

HUGE = "x" * 100_000
COMMANDS = [
    HUGE,
    f"pair {HUGE}",
    f"pairing pause {HUGE}",
    f"pairing status {HUGE}",
    f"facilitator away {HUGE}",
    f"facilitator swap @{HUGE}",
    f"facilitator assign @{HUGE}",
    f"poll results {HUGE}",
    f"poll answer {HUGE} yes",
    f"poll close {HUGE}",
    f"buddy {HUGE}",
    f"harvest {HUGE}",
    f"resources show {HUGE}",
    f"resources tag {HUGE} #x",
    f"kudos @{HUGE} for {HUGE}",
    f"mentee goals {HUGE}",
    f"prompt add \"{HUGE}\"",
    f'poll "{HUGE}" a b',
    "pairing status 99999999999999999999999999999",
    "pairing pause 9999-99-99",
    "pairing pause -1",
    "poll results -1",
    "poll results 1e400",
    'prompt add "never closed',
    "\x00\x01\x02",
    "   ",
    "🙂 🙃",
    "\u202eevil\u202c",
    "<!channel> <!here> @everyone",
    "pairing status 2027-02-30",
    "facilitator away 2027-02-30",
    " ".join(["help"] * 20_000),
]


@pytest.mark.parametrize("text", COMMANDS, ids=[repr(c[:30]) + f"({len(c)})" for c in COMMANDS])
async def test_every_malformed_command_gets_a_short_answer(
    shipped: Runtime, clock: ManualClock, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = shipped
    for who in ("dana", "ana", "ben"):
        await runtime.handle_event(MemberJoined(platform="console", event_id=f"join-{who}", member=f"console:{who}",
                                                at=clock.now(), name=who))  # fmt: skip
    caplog.set_level(logging.ERROR)
    answer = await runtime.handle_event(CommandInvoked(platform="console", event_id="cmd-1", member="console:dana",
                                                       at=clock.now(), text=text))  # fmt: skip
    await runtime.settle()
    assert answer is not None and answer.strip()
    if text.strip() and not text.startswith("help"):  # blank and "help" answer with the (long) help
        assert len(answer) <= ANSWER_LIMIT, answer[:200]
    assert "x" * (ECHO_LIMIT + 1) not in answer  # the member's 100 KB is not repeated back
    assert "Something went wrong" not in answer
    assert not [r for r in caplog.records if r.exc_info], [r.getMessage() for r in caplog.records]
