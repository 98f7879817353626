"""Health report and polls end to end: the installed ``copbot`` command, driven by a script on stdin.

Ana (a facilitator in the shipped community.yaml) opens a poll; Zoe and Dana vote, Zoe twice; Ana closes it
and asks for the health report; then ``copbot report --health`` gives the same figures as JSON and a PNG.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

from tests.test_console_session import COPBOT, ROOT, _env

SCRIPT = """\
/join ana
/join dana
/join zoe
/as ana
/cop poll "Which day suits the meetup?" Tuesday Wednesday --ask "Anything else?"
/as zoe
/cop poll "Can members open polls?" yes no
/click {poll} poll.vote.0
/click {poll} poll.vote.1
/reply {poll} Thursdays are better for me
/as dana
/click {poll} poll.vote.1
/as ana
/cop poll close 1
/cop health
/quit
"""


def _run(tmp_path: Path, script: str) -> str:
    config = tmp_path / "community.yaml"
    if not config.exists():
        shutil.copy(ROOT / "community.yaml", config)
    result = subprocess.run([*COPBOT, "run", "--config", str(config)], input=script, capture_output=True,
                            text=True, env=_env(tmp_path), cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_poll_from_the_console_counts_one_vote_per_member_and_feeds_the_health_report(
    tmp_path: Path, scenario_start: datetime
) -> None:
    # the poll's message reference depends on how many welcome messages went before it: find it first
    (tmp_path / "probe").mkdir()
    probe = _run(tmp_path / "probe", SCRIPT.split("/as zoe")[0] + "/quit\n")
    poll_ref = re.findall(r"(m\d+) copbot in #[\w-]+: \*Poll:\*", probe)[0]
    out = _run(tmp_path, SCRIPT.format(poll=poll_ref))
    assert "Only facilitators can run `/cop poll`" in out  # Zoe is a member
    assert "Your vote is counted: Tuesday" in out and "Your vote is changed: Wednesday" in out
    results = out[out.index("Poll closed: Which day suits the meetup?"):]
    assert "Tuesday: 0 (0%)" in results and "Wednesday: 2 (100%)" in results and "2 votes" in results
    assert "Thursdays are better for me" in results
    assert "zoe" not in results.split("\n> ")[0].lower()  # anonymous: no names in the results
    report = out[out.index("community health"):]
    assert "*Polls closed this period:*" in report and "Which day suits the meetup?" in report
    assert re.search(r"attached .*: (\S+\.png)", report)

    png = tmp_path / "health.png"
    result = subprocess.run([*COPBOT, "report", "--health", "--json", "--png", str(png), "--config",
                             str(tmp_path / "community.yaml")], capture_output=True, text=True,
                            env=_env(tmp_path), cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["members_now"] == 3 and data["stage"]["stage"] == "beginning"
    assert data["polls"][0]["options"] == [{"label": "Tuesday", "votes": 0}, {"label": "Wednesday", "votes": 2}]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
