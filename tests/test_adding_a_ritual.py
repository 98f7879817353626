"""docs/adding-a-ritual.md builds the anniversaries ritual on its own.

The test takes a copy of the code, removes every step the page describes (its files and its lines), checks
that nothing of the ritual is left, then follows the page step by step and checks two things: the copy is the
shipped code again, byte for byte, and the ritual built from the page cheers a member on her anniversary.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "adding-a-ritual.md"
COPIED = ("copbot/", "bot/", "adapters/", "rituals/", "storage/", "config/", "pyproject.toml", "community.yaml")
BLOCK = re.compile(r"^```[a-z]*\n(# (?P<header>[^\n]+)\n)?(?P<body>.*?)^```$", re.M | re.S)
EDIT = re.compile(r"^(?P<path>[\w./-]+): (?:(?P<where>before|after) `(?P<anchor>[^`]+)`|(?P<end>at the end))$")


@dataclass(frozen=True)
class Step:
    path: str
    body: str
    where: str  # "file" (the whole file), "before", "after" or "end"
    anchor: str = ""


def steps() -> list[Step]:
    found = []
    for block in BLOCK.finditer(DOC.read_text()):
        header, body = block.group("header"), block.group("body")
        if header is None:
            continue
        edit = EDIT.match(header)
        if edit:
            where = "end" if edit.group("end") else edit.group("where")
            found.append(Step(edit.group("path"), body, where, edit.group("anchor") or ""))
        elif re.fullmatch(r"[\w./-]+\.(py|toml|yaml)", header):
            found.append(Step(header, body, "file"))
    return found


def _copy_code(into: Path) -> None:
    files = subprocess.run(["git", "ls-files", *COPIED], capture_output=True, text=True, cwd=ROOT, check=True)
    for name in files.stdout.split():
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / name).read_bytes())


def _unfollow(tree: Path, step: Step) -> None:
    """Undo one step on the copy: the state of the code before the page was followed."""
    target = tree / step.path
    if step.where == "file":
        assert target.read_text() == step.body, f"the page's {step.path} differs from the shipped file"
        target.unlink()
        return
    text = target.read_text()
    if step.where == "end":
        assert text.endswith("\n" + step.body), f"{step.path} does not end with the page's lines"
        target.write_text(text[: -len(step.body) - 1])
        return
    anchor = step.anchor + "\n"
    placed = anchor + step.body if step.where == "after" else step.body + anchor
    assert text.count(placed) == 1, f"{step.path}: the page's lines are not {step.where} `{step.anchor}`"
    target.write_text(text.replace(placed, anchor))


def _follow(tree: Path, step: Step) -> None:
    target = tree / step.path
    if step.where == "file":
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(step.body)
        return
    text = target.read_text()
    if step.where == "end":
        target.write_text(text + "\n" + step.body)
        return
    anchor = step.anchor + "\n"
    assert text.count(anchor) == 1, f"{step.path}: the anchor `{step.anchor}` is not there once"
    placed = anchor + step.body if step.where == "after" else step.body + anchor
    target.write_text(text.replace(anchor, placed))


def test_the_page_names_files_and_one_line_edits_in_every_room() -> None:
    paths = {step.path for step in steps()}
    assert {"config/anniversaries.py", "rituals/anniversaries/decisions.py", "rituals/anniversaries/ritual.py",
            "rituals/anniversaries/__init__.py", "config/models.py", "copbot/registry.py", "pyproject.toml",
            "community.yaml"} <= paths


def test_following_the_page_on_code_without_the_ritual_builds_it(tmp_path: Path) -> None:
    tree = tmp_path / "code"
    _copy_code(tree)
    page = steps()
    for step in page:
        _unfollow(tree, step)
    rests = [str(p.relative_to(tree)) for p in tree.rglob("*") if p.is_file() and p.suffix in (".py", ".toml", ".yaml")
             and re.search("anniversar", p.read_text(), re.I)]
    assert not (tree / "rituals" / "anniversaries").exists() or not any((tree / "rituals" / "anniversaries").iterdir())
    assert rests == [], f"the page misses a step: the ritual is still mentioned in {rests}"

    for step in page:
        _follow(tree, step)
    for step in page:
        assert (tree / step.path).read_bytes() == (ROOT / step.path).read_bytes(), f"{step.path} differs"

    script = textwrap.dedent(
        """
        import asyncio, sys
        from datetime import UTC, datetime, timedelta
        import rituals.anniversaries.ritual as built
        assert built.__file__.startswith(sys.argv[1]), built.__file__  # the copy, not the repository
        from adapters.console.adapter import ConsoleAdapter
        from bot.clock import ManualClock
        from bot.events import MemberJoined
        from bot.runtime import Runtime
        from config.loader import load_config
        from copbot.registry import RITUALS
        from pathlib import Path
        from storage.db import open_database

        async def main():
            config = load_config(Path(sys.argv[1]) / "community.yaml")
            db = open_database(f"sqlite:///{sys.argv[2]}")
            clock = ManualClock(datetime(2027, 3, 8, 7, 0, tzinfo=UTC))
            adapter = ConsoleAdapter()
            runtime = Runtime(config, db, adapter, clock, RITUALS)
            await runtime.start(background=False)
            await runtime.handle_event(MemberJoined(platform="console", event_id="j", member="console:ana",
                                                    at=datetime(2025, 3, 8, 12, 0, tzinfo=UTC), name="ana"))
            clock.advance(timedelta(hours=2))  # 09:00 in Berlin
            runtime.tick()
            await runtime.settle()
            await runtime.stop()
            print("\\n".join(m.text for m in adapter.transcript if m.author == "copbot"))

        asyncio.run(main())
        """
    )
    result = subprocess.run([sys.executable, "-c", script, str(tree), str(tmp_path / "built.db")],
                            capture_output=True, text=True, cwd=tree, env={"PYTHONPATH": str(tree), "PATH": ""},
                            timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "@ana: 2 years in the community today!" in result.stdout
