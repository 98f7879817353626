"""The console as a newcomer drives it: buttons by what they say, answers to this week's question, edits of
community.yaml that apply, and a restart after ``kill -9`` that shows nothing twice.

The in-process tests play the shipped community through the console session (as ``copbot run`` does); the
others run the installed CLI in a subprocess, as a user would.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter, Message
from adapters.console.session import ConsoleSession
from bot.clock import ManualClock
from bot.runtime import Runtime
from config.loader import load_config
from copbot.app import StoredTranscript
from copbot.registry import RITUALS
from storage import prompts as prompt_store
from storage import queries
from storage.db import Database
from tests.conftest import console_env

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Console:
    session: ConsoleSession
    adapter: ConsoleAdapter
    runtime: Runtime
    said: list[str]

    async def type(self, *lines: str) -> None:
        for line in lines:
            assert await self.session.feed(line)

    def bot_dms(self, who: str) -> list[Message]:
        return [m for m in self.adapter.transcript if m.author == "copbot" and m.where == f"DM @{who}"]


@pytest.fixture
async def console(db: Database, scenario_start: datetime) -> AsyncIterator[Console]:
    config = load_config(ROOT / "community.yaml")
    clock = ManualClock(scenario_start)
    adapter = ConsoleAdapter(history=StoredTranscript(db, config.community.id))
    runtime = Runtime(config, db, adapter, clock, RITUALS)
    said: list[str] = []
    session = ConsoleSession(runtime, adapter, clock, said.append, lambda: "")
    await runtime.start(background=False)
    yield Console(session, adapter, runtime, said)
    await runtime.stop()


async def _asked_to_swap(console: Console) -> Message:
    await console.type("/join dana", "/join ana", "/join ben", "/as ana", "/cop facilitator swap @ben")
    (asked,) = [m for m in console.bot_dms("ben") if m.choices and "swap" in m.text]
    assert [b.label for b in asked.choices] == ["Accept", "Decline"]
    return asked


async def test_a_swap_is_accepted_by_the_label_on_its_button(console: Console) -> None:
    asked = await _asked_to_swap(console)
    await console.type("/as ben", f"/click {asked.ref} Accept")
    told = console.bot_dms("ben")[-1].text
    assert told.startswith("Swap agreed"), console.said
    assert console.bot_dms("ana")[-1].text == told
    console.said.clear()
    await console.type("/cop facilitator next")
    first = console.said[-1].splitlines()[1]
    assert first.endswith(": ben")  # ana's turn went to ben, as the confirmation said
    assert re.search(r"ben hosts (\w+day \d+ \w+)", told)[1] in first  # type: ignore[index]


async def test_a_button_is_pressed_by_its_number_or_without_naming_the_message(console: Console) -> None:
    asked = await _asked_to_swap(console)
    await console.type("/as ben", f"/click {asked.ref} 2")  # Decline
    assert "can't swap this time" in console.bot_dms("ben")[-1].text
    await console.type("/as ana", "/cop facilitator swap @ben", "/as ben", "/click Accept")  # the newest he sees
    assert console.bot_dms("ben")[-1].text.startswith("Swap agreed")


async def test_a_button_on_someone_elses_message_or_a_wrong_label_says_what_to_type(console: Console) -> None:
    asked = await _asked_to_swap(console)
    console.said.clear()
    await console.type(f"/click {asked.ref} Accept")  # ana speaking: the request is ben's
    assert console.said == [f"{asked.ref} is for @ben, not for you: only they can press its buttons "
                            "(/as NAME speaks as someone else)."]
    await console.type("/as ben", f"/click {asked.ref} Maybe")
    assert console.said[-1] == (f"{asked.ref} has no button 'Maybe'. Its buttons: 1 Accept, 2 Decline. "
                                f"Write /click {asked.ref} Accept (or its number).")
    assert not any(m.text.startswith("Swap agreed") for m in console.bot_dms("ben"))


async def test_reply_and_react_go_to_this_weeks_question_not_the_newest_bot_post(console: Console) -> None:
    await console.type("/join dana", "/join ana", "/join ben", "/as ana", "/cop prompt now",
                       "/cop kudos @ben for the runbook")  # a newer bot post in a channel than the question
    await console.type("/as ben", "/react", "/reply We cache the base images")
    await console.type("/as dana")
    ben_reply = next(m for m in console.adapter.transcript if m.author == "ben")
    await console.type(f"/reply {ben_reply.ref} Same here")  # a reply's number: the same thread
    await console.runtime.settle()
    with console.runtime.db.session() as tx:
        (prompt,) = prompt_store.asked_prompts(tx, console.runtime.community)
        done = sorted((e.member, e.kind, e.subject) for e in queries.participation(tx, console.runtime.community)
                      if e.kind in ("reaction", "reply"))
    assert done == [("console:ben", "reaction", f"prompt:{prompt.id}"), ("console:ben", "reply", f"prompt:{prompt.id}"),
                    ("console:dana", "reply", f"prompt:{prompt.id}")]


async def test_a_restarted_console_carries_on_its_message_numbers_and_buttons(
    db: Database, scenario_start: datetime
) -> None:
    config = load_config(ROOT / "community.yaml")
    first = ConsoleAdapter(history=StoredTranscript(db, config.community.id))
    clock = ManualClock(scenario_start)
    runtime = Runtime(config, db, first, clock, RITUALS)
    session = ConsoleSession(runtime, first, clock, [].append, lambda: "")
    await runtime.start(background=False)
    for line in ("/join dana", "/join ana", "/join ben", "/as ana", "/cop facilitator swap @ben"):
        await session.feed(line)
    await runtime.stop()
    again = ConsoleAdapter(history=StoredTranscript(db, config.community.id))
    assert [(m.ref, m.where, m.text, m.choices) for m in again.transcript] == [
        (m.ref, m.where, m.text, m.choices) for m in first.transcript]
    assert again.next_ref() == f"m{len(first.transcript) + 1}"


def _env(tmp_path: Path) -> dict[str, str]:
    return console_env(tmp_path, columns=200)  # a DM on one line, whatever its length


def _read_until(process: subprocess.Popen[str], marker: str) -> str:
    assert process.stdout is not None
    seen = ""
    while marker not in seen:
        line = process.stdout.readline()
        assert line, f"the console ended before {marker!r}:\n{seen}"
        seen += line
    return seen


def test_the_console_follows_edits_of_community_yaml(tmp_path: Path, scenario_start: datetime) -> None:
    """The watcher `copbot run` uses on a platform: a valid edit applies before the next line, a broken one is
    refused with its location and the console carries on with the last good file."""
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)
    shipped = config.read_text(encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "copbot.cli", "run", "--config", str(config)],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=_env(tmp_path), cwd=tmp_path)
    assert process.stdin is not None
    try:
        process.stdin.write("/join ana\n")
        process.stdin.flush()
        _read_until(process, "you are now speaking as ana")
        config.write_text(shipped.replace("Platform question of the week", "Edited question of the week"),
                          encoding="utf-8")
        process.stdin.write("/cop prompt now\n")
        process.stdin.flush()
        applied = _read_until(process, "Reply in the thread")
        assert "community.yaml changed: applied." in applied
        assert "Edited question of the week" in applied
        config.write_text(shipped.replace("timezone: Europe/Berlin", "timezone: Europe/Berlln"), encoding="utf-8")
        out, err = process.communicate("/cop prompt next\n/quit\n", timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "community.yaml changed but was NOT applied" in out
    assert "Europe/Berlin" in out  # the refusal's "did you mean"


CROWD = [f"member{n:02d}" for n in range(12)]


def test_after_kill_9_the_console_shows_no_direct_message_twice(tmp_path: Path, scenario_start: datetime) -> None:
    """Twelve newcomers; two days on, their "say hello" DMs go out in one batch, and the console is killed right
    after showing the fifth, before the batch is marked sent. Restarted, it shows the other seven, once."""
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)
    script = "".join(f"/join {name}\n" for name in CROWD) + "/time +3d\n/quit\n"
    killed = subprocess.run([sys.executable, "-m", "tests.console_killed", "run", "--config", str(config)],
                            input=script, capture_output=True, text=True, timeout=300, cwd=ROOT,
                            env={**_env(tmp_path), "COPBOT_KILL_AT": "say hello:5"})
    assert killed.returncode == -9, killed.stderr
    restarted = subprocess.run([sys.executable, "-m", "copbot.cli", "run", "--config", str(config)], input="/quit\n",
                               capture_output=True, text=True, timeout=120, cwd=tmp_path, env=_env(tmp_path))
    assert restarted.returncode == 0, restarted.stderr
    shown = [line for line in (killed.stdout + restarted.stdout).splitlines()
             if re.match(r"m\d+ copbot in DM @member\d\d: .*say hello", line)]
    per_member = {name: sum(f"DM @{name}:" in line for line in shown) for name in CROWD}
    assert per_member == dict.fromkeys(CROWD, 1), shown
    assert sum(f"DM @{name}:" in line for line in killed.stdout.splitlines() if "say hello" in line
               for name in CROWD) == 5
