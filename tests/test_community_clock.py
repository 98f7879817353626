"""``copbot report`` and ``copbot report --health`` count on the community's clock, not the machine's.

A console community lives on the clock its sessions moved (here: years away from today, so a report that read
the machine's clock would count every member as not yet joined and every week as empty).
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from copbot.cli import main

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = """\
/join ana
/join dana
/as ana
/cop prompt now
/react
/time +3d
/quit
"""


def test_reports_after_a_console_session_far_from_today_read_the_console_clock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)
    for name in ("SLACK_BOT_TOKEN", "DISCORD_TOKEN", "PORT", "COPBOT_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COPBOT_START", "2031-06-02T10:00")  # a Monday, years from any day this suite runs on
    monkeypatch.setattr("sys.stdin", io.StringIO(SCRIPT))
    assert main(["run", "--config", str(config)]) == 0
    capsys.readouterr()

    assert main(["report", "--health", "--json", "--config", str(config)]) == 0
    health = json.loads(capsys.readouterr().out)
    assert health["period_end"].startswith("2031-06-05")  # the console clock after /time +3d
    assert health["members_now"] == 2

    assert main(["report", "--json", "--config", str(config)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [week["week"] for week in report["weeks"]] == ["2031-W23"]  # the week of 2031-06-02
