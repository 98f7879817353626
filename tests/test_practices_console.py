"""Interest groups, challenges and community sessions in a scripted console session, through the installed
``copbot`` command as a user would type it, from every weekday and both DST days (``scenario_start``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
COPBOT = [sys.executable, "-m", "copbot.cli"]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env["COPBOT_DATABASE_URL"] = f"sqlite:///{tmp_path / 'console.db'}"
    env["COLUMNS"] = "200"
    return env


def _run(tmp_path: Path, script: str) -> str:
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)
    result = subprocess.run([*COPBOT, "run", "--config", str(config)], input=script, capture_output=True, text=True,
                            env=_env(tmp_path), cwd=tmp_path, timeout=180)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _report(tmp_path: Path) -> dict[str, object]:
    result = subprocess.run([*COPBOT, "report", "--json", "--config", str(tmp_path / "community.yaml")],
                            capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path, timeout=60)
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


GROUPS_SCRIPT = """\
/join ana
/join kim
/join zoe
/cop groups
/cop group join kubernetes
/as ana
/cop group join kubernetes
/cop group create rust "systems programming"
/as kim
/cop group create sneaky
/cop group join rust
/time +8d
/as zoe
/reply m{prompt} we canary every upgrade
/cop group leave kubernetes
/quit
"""


def test_a_console_week_of_interest_groups(tmp_path: Path, scenario_start: datetime) -> None:
    first = _run(tmp_path, GROUPS_SCRIPT.replace("/reply m{prompt} we canary every upgrade\n", ""))
    assert "*kubernetes*: clusters, operators and the joy of upgrades (0 members)" in first
    assert "2 Join kubernetes" in first  # the join buttons under the list
    assert "You joined *kubernetes*. Say hello in #grp-kubernetes!" in first
    assert "Created the *rust* group with its channel #grp-rust" in first
    assert "Only facilitators can run `/cop group create`" in first  # kim is a member
    assert "(@kim joined #grp-rust)" in first
    assert "This week in kubernetes" in first  # the group's own question went out within the week
    assert "You left *kubernetes*" in first

    ref = next(line.split()[0] for line in first.splitlines() if "This week in kubernetes" in line)
    second_dir = tmp_path / "again"
    second_dir.mkdir()
    out = _run(second_dir, GROUPS_SCRIPT.replace("m{prompt}", ref))
    assert "You left *kubernetes*" in out
    report = _report(second_dir)
    groups = {g["group"]: g for g in report["groups"]}  # type: ignore[attr-defined]
    assert groups["kubernetes"]["members"] == 1 and groups["kubernetes"]["contributions"] == 1
    assert groups["rust"]["members"] == 2


def test_a_console_challenge_from_start_to_results(tmp_path: Path, scenario_start: datetime) -> None:
    until = (scenario_start + timedelta(days=3)).date().isoformat()
    script = f"""\
/join ana
/join kim
/join zoe
/as ana
/cop challenge start "Automate one toil" --until {until} --rules "One script."
/as kim
/cop challenge submit https://git.test/kim/toil
/as zoe
/cop challenge submit https://git.test/zoe/toil
/as ana
/cop challenge status
/time +4d
/quit
"""
    out = _run(tmp_path, script)
    assert "New challenge: Automate one toil" in out and "One script." in out
    assert "Your entry to *Automate one toil* is in" in out
    assert "2 taking part, 2 entries, 0 votes" in out
    ref = next(line.split()[0] for line in out.splitlines() if "Vote for your favourite" in line)
    assert "1 Vote 1" in out and "2 Vote 2" in out
    again = tmp_path / "again"
    again.mkdir()
    votes = (f"/time +4d\n/as kim\n/click {ref} challenges.vote 1:2\n/as zoe\n/click {ref} challenges.vote 1:2\n"
             "/as ana\n/cop challenge close\n")
    out = _run(again, script.replace("/time +4d\n", votes))
    assert "Thank you, your vote is in" in out  # kim voted for zoe's entry
    assert "That's your own entry" in out  # zoe tried her own
    assert "Voting for *Automate one toil* is closed" in out
    assert "🥇 1st @zoe: 1 vote" in out
    report = _report(again)
    [challenge] = report["challenges"]  # type: ignore[misc]
    assert challenge["status"] == "closed" and [e["votes"] for e in challenge["entries"]] == [1, 0]


def test_a_console_session_with_rsvps_an_invite_and_attendance(tmp_path: Path, scenario_start: datetime) -> None:
    zone = ZoneInfo("Europe/Berlin")
    at = (scenario_start.astimezone(zone) + timedelta(days=2)).replace(hour=16, minute=0, second=0, microsecond=0)
    script = f"""\
/join ana
/join kim
/join zoe
/as ana
/cop session add "Terraform at scale" --at {at:%Y-%m-%dT%H:%M} --guest Kelsey --duration 90m
/as kim
/click m{{announce}} sessions.rsvp 1:going
/as zoe
/click m{{announce}} sessions.rsvp 1:maybe
/cop sessions
/time +3d
/as kim
/click m{{thanks}} sessions.attended 1
/quit
"""
    first = _run(tmp_path, script.replace("m{announce}", "m1").replace("m{thanks}", "m1"))
    announce = next(line.split()[0] for line in first.splitlines() if "📅 *Terraform at scale*" in line)
    assert "1 Going" in first and "3 Can't make it" in first and "hosted by Kelsey" in first
    assert "(calendar invite: Terraform at scale" in first
    invite = next(line for line in first.splitlines() if "Terraform at scale:" in line and ".ics" in line)
    assert Path(invite.split(": ", 1)[-1].strip()).suffix == ".ics"
    again = tmp_path / "again"
    again.mkdir()
    out = _run(again, script.replace("m{announce}", announce).replace("m{thanks}", announce))
    assert "Going (1): kim · maybe: zoe" in out
    assert "Starting soon: *Terraform at scale*" in out  # kim, who is going, got the reminder
    thanks = next(line.split()[0] for line in out.splitlines() if "Thank you Kelsey for *Terraform at scale*" in line)
    third = tmp_path / "third"
    third.mkdir()
    out = _run(third, script.replace("m{announce}", announce).replace("m{thanks}", thanks))
    assert "Thanks for coming to *Terraform at scale*!" in out
    [session] = [x for x in _report(third)["sessions"] if x["title"] == "Terraform at scale"]  # type: ignore[attr-defined]
    assert (session["going"], session["maybe"], session["attended"]) == (1, 1, 1)
