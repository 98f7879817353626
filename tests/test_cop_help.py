"""``/cop help`` on the shipped community: short, grouped by what people come to do, only what you may run.

It was 42 lines in alphabetical order for everyone. Now a member sees under 15 lines of their own commands,
grouped by ritual with families folded, and ``/cop help <command>`` gives the details of one.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import CommandInvoked
from bot.ritual import Role
from bot.runtime import Runtime
from config.loader import load_config
from copbot.registry import RITUALS
from storage.db import Database
from tests.conftest import START

SHIPPED = Path(__file__).resolve().parent.parent / "community.yaml"
MEMBER, FACILITATOR, ADMIN = "console:mia", "console:ana", "console:dana"  # roles as in the shipped file
_ids = itertools.count()


@pytest.fixture
async def guild(db: Database) -> AsyncIterator[Runtime]:
    runtime = Runtime(load_config(SHIPPED), db, ConsoleAdapter(), ManualClock(START), RITUALS)
    await runtime.start(background=False)
    yield runtime
    await runtime.stop()


async def ask(runtime: Runtime, member: str, text: str) -> str:
    answer = await runtime.handle_event(
        CommandInvoked(platform="console", event_id=f"help-{next(_ids)}", member=member, at=START, text=text)
    )
    assert answer is not None
    return answer


def commands_in(text: str) -> set[str]:
    """Every command word a help text shows, families unfolded (`pairing join|leave` -> pairing join, ...)."""
    shown = set()
    for code in re.findall(r"`([^`]+)`", text):
        word, _, rest = code.removeprefix("/cop ").partition(" ")
        for sub in rest.split("|") if rest and not rest.startswith(("<", "[", '"', "@")) else [""]:
            shown.add(f"{word} {sub.split(' ')[0]}".strip())
    return shown


async def test_a_member_sees_under_15_lines_of_only_their_own_commands(guild: Runtime) -> None:
    text = await ask(guild, MEMBER, "help")
    lines = text.splitlines()
    assert len(lines) < 15, text
    member_paths = {" ".join(s.path) for s in guild.router.specs if s.role == Role.MEMBER} - {"help"}
    above = {" ".join(s.path) for s in guild.router.specs if s.role > Role.MEMBER}
    assert commands_in("\n".join(lines[1:])) == member_paths
    assert not commands_in(text) & above
    assert "help <command>" in lines[0]


async def test_lines_are_grouped_by_what_people_come_to_do(guild: Runtime) -> None:
    text = await ask(guild, MEMBER, "help")
    topics = [line.split(":")[0].removeprefix("• ") for line in text.splitlines()[1:]]
    assert topics[0] == "General" and len(topics) == len(set(topics))  # one line per topic
    assert "Pairing" in topics and "Kudos" in topics
    pairing = next(line for line in text.splitlines() if line.startswith("• Pairing"))
    assert re.search(r"`pairing (\w+\|)+\w+`", pairing)  # a family folded on one line


async def test_facilitators_and_admins_see_their_extra_commands_in_their_own_sections(guild: Runtime) -> None:
    member, facilitator, admin = [await ask(guild, who, "help") for who in (MEMBER, FACILITATOR, ADMIN)]
    assert "_for facilitators_" in facilitator and "_for admins_" not in facilitator
    assert "_for facilitators_" in admin and "_for admins_" in admin and "`reload`" in admin
    assert facilitator.startswith(member)  # the member's part first, unchanged
    everything = {" ".join(s.path) for s in guild.router.specs} - {"help"}
    assert commands_in("\n".join(admin.splitlines()[1:])) == everything
    assert len(admin.splitlines()) < 30


async def test_help_for_one_command_gives_its_usage_and_what_it_does(guild: Runtime) -> None:
    text = await ask(guild, MEMBER, "help kudos")
    assert "`/cop kudos " in text and "`/cop kudos mine`" in text
    family = await ask(guild, MEMBER, "help pairing")
    assert "`/cop pairing join" in family and "more for facilitators" in family
    assert "pair now" not in family
    refused = await ask(guild, MEMBER, "help reload")
    assert refused.startswith("Only admins can run `/cop reload`")
    unknown = await ask(guild, MEMBER, "help kudoz")
    assert "is not a command" in unknown and "kudos" in unknown
