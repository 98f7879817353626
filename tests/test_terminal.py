"""What the command line prints for a person at a terminal: readable at 80 columns, no chat markup left raw."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from bot.text import mention
from copbot.terminal import to_rich

ROOT = Path(__file__).resolve().parent.parent


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COPBOT_DATABASE_URL", "COLUMNS", "LINES")}
    return env | {"COPBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'copbot.db'}"} | extra


def test_chat_markup_becomes_styles_and_plain_words() -> None:
    text = to_rich("*Stage:* growing _Because replies rose_ ~old~ `/cop help` on "
                   "<!date^1767225600^{date}|1 Jan 2027> "
                   f"[the guide](https://example.org/x) thanks {mention('slack:T1:UANA')} `*not bold*`")
    assert text.plain == ("Stage: growing Because replies rose old /cop help on 1 Jan 2027 the guide "
                          "(https://example.org/x) thanks @UANA *not bold*")
    styles = {text.plain[span.start:span.end]: str(span.style) for span in text.spans}
    assert styles["Stage:"] == "bold" and styles["Because replies rose"] == "italic" and styles["old"] == "strike"
    assert styles["/cop help"] == "cyan" and styles["the guide"].startswith("link https://example.org/x")
    assert styles["*not bold*"] == "cyan"  # code is shown as written


def test_snake_case_words_are_not_mistaken_for_italics() -> None:
    assert to_rich("copbot_last_tick_age_seconds and direct_messages").plain == (
        "copbot_last_tick_age_seconds and direct_messages"
    )


def test_report_health_prints_no_raw_markup(tmp_path: Path) -> None:
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)
    out = subprocess.run([sys.executable, "-m", "copbot.cli", "report", "--health", "--config", str(config)],
                         capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "Stage:" in out.stdout and "Members:" in out.stdout
    assert "*" not in out.stdout and "<!" not in out.stdout
    assert "\x1b[" not in out.stdout  # piped: plain words, no colour codes


def test_report_health_is_styled_on_a_terminal() -> None:
    console = Console(force_terminal=True, color_system="standard", width=80)
    with console.capture() as captured:
        console.print(to_rich("*Stage:* growing"))
    assert "\x1b[1mStage:" in captured.get() and "*" not in captured.get()


def test_the_simulate_table_fits_80_columns_with_whole_headers(tmp_path: Path) -> None:
    env = _env(tmp_path, COLUMNS="80")
    args = [sys.executable, "-m", "copbot.cli", "simulate", "--weeks", "3", "--members", "20",
            "--config", str(ROOT / "community.yaml")]
    shown = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert shown.returncode == 0, shown.stderr
    table = shown.stdout[shown.stdout.index("3 weeks, 20 members"):]
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "…" not in table
    summary = json.loads(subprocess.run([*args, "--json"], capture_output=True, text=True, env=env, cwd=tmp_path,
                                        timeout=300).stdout)
    figures = {k for week in summary["weeks"] for k in week} - {"week", "start"}
    words = set(re.findall(r"[a-z-]+", table))
    for figure in figures:
        assert set(figure.split("_")) <= words, figure  # every column is there, its header whole
    first = summary["weeks"][0]
    first_rows = [line for line in table.splitlines() if line.strip().startswith(f"1 ({first['start']})")]
    assert len(first_rows) >= 2  # folded: the week column is repeated in each part
