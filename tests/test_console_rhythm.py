"""Every member's rhythm on the console, as a user would try it: a time zone, "not now", a mentor, who knows what,
the digest, nudges and the figures in /report; through the installed ``copbot`` command, from any start."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

from tests.test_console_session import COPBOT, ROOT, _env

SCRIPT = """\
/join dana
/join zoe Asia/Tokyo kubernetes
/join ana
/join ben
/as zoe
/cop timezone
/cop dm off
/cop dm on
/cop pause until 2030-01-01
/cop mentor request kubernetes
/cop skills add kubernetes
/as dana
/cop who knows kubernetes
/as ana
/cop mentor match
/cop mentor list
/time +1h
/cop digest now
/time +35d
/cop nudge status
/report
/quit
"""


def test_a_members_rhythm_in_the_console(tmp_path: Path, scenario_start: datetime) -> None:
    config = tmp_path / "community.yaml"
    shipped = (ROOT / "community.yaml").read_text()
    commented = '    # local_window:\n    #   # hours: local time, "HH:MM-HH:MM".   Default: "09:00-18:00"\n'
    assert commented in shipped
    config.write_text(shipped.replace(commented, "    local_window: {}\n"))  # on: DMs in each member's daytime
    result = subprocess.run([*COPBOT, "run", "--config", str(config)], input=SCRIPT, capture_output=True,
                            text=True, env=_env(tmp_path), cwd=tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())  # rich wraps long lines
    assert "Your time zone here is Asia/Tokyo" in out
    assert "no more optional DMs" in out and "my DMs are on again" in out and "Paused until 2030-01-01" in out
    assert "you would like a mentor for kubernetes" in out
    assert "zoe: listed it" in out and "ana: mentors on it" in out
    assert "Matched 1 mentee" in out and "1 active" in out
    assert "@ana is mentoring @zoe" in out  # the introduction, in their shared daytime
    assert "in brief*" in out and "Welcome to ana, ben, dana, zoe!" in out  # Monday's digest, or the one asked for
    assert "We have missed you" in out and "Hi zoe! We have missed you" not in out  # zoe is on pause
    assert "Nudges (last 52 weeks)" in out and "Mentorships: 1 active" in out
