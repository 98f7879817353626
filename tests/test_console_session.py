"""The console, driven by a script on stdin through the installed ``copbot`` command, as a user would."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.conftest import console_env

ROOT = Path(__file__).resolve().parents[1]
COPBOT = [sys.executable, "-m", "copbot.cli"]

SCRIPT = """\
/join dana
/join zoe Europe/Lisbon kubernetes
/cop prompt now
/join ana
/cop prompt now
/as zoe
/cop prompt nwo
/react
/reply We moved our runners to spot instances <!everyone> @here
/report
/quit
"""


def _env(tmp_path: Path) -> dict[str, str]:
    return console_env(tmp_path)


def test_a_scripted_console_session_posts_a_prompt_stores_a_reaction_and_reports_it(
    tmp_path: Path, scenario_start: datetime
) -> None:
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)
    result = subprocess.run([*COPBOT, "run", "--config", str(config)], input=SCRIPT, capture_output=True,
                            text=True, env=_env(tmp_path), cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Only facilitators can run `/cop prompt now`" in out  # zoe is a member
    assert "Did you mean `/cop prompt now`" in out or "Did you mean one of" in out
    assert out.count("copbot in #") == 1  # ana (a facilitator) posted it; zoe's attempt was refused
    report = subprocess.run([*COPBOT, "report", "--json", "--config", str(config)], capture_output=True, text=True,
                            env=_env(tmp_path), cwd=tmp_path, timeout=60)
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    by_member = {row["member"]: row for row in data["members"]}
    assert by_member["console:zoe"]["reactions"] == 1
    assert by_member["console:zoe"]["replies"] == 1
    assert "console:ana" not in by_member  # she asked the question and was welcomed: nothing she did counts
    assert "ana" in [row["name"] for row in data["welcomed_not_active"]]
    assert sum(week["reactions"] for week in data["weeks"]) == 1


def test_check_reports_every_problem_with_its_location_and_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "community.yaml"
    broken.write_text((ROOT / "community.yaml").read_text().replace("timezone: Europe/Berlin",
                                                                     "timezone: Europe/Berlln\n  colour: blue"))
    result = subprocess.run([*COPBOT, "check", "--config", str(broken)], capture_output=True, text=True,
                            env=_env(tmp_path), timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"{broken}:") for line in lines)
    assert any("Europe/Berlin" in line for line in lines)  # the suggested fix
    assert any("colour" in line for line in lines)


def test_check_prints_the_next_three_firings_in_the_community_time_zone(tmp_path: Path) -> None:
    result = subprocess.run([*COPBOT, "check", "--config", str(ROOT / "community.yaml")], capture_output=True,
                            text=True, env=_env(tmp_path), timeout=60)
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.strip().startswith("prompts:"))
    assert line.count("Mon ") == 3 and line.count("10:00") == 3


def test_schema_command_prints_the_committed_schema(tmp_path: Path) -> None:
    result = subprocess.run([*COPBOT, "schema"], capture_output=True, text=True, env=_env(tmp_path), timeout=60)
    assert result.returncode == 0
    assert json.loads(result.stdout) == json.loads((ROOT / "community.schema.json").read_text())


def test_simulate_is_deterministic_and_counts_what_it_stored(tmp_path: Path, scenario_start: datetime) -> None:
    args = [*COPBOT, "simulate", "--weeks", "3", "--members", "30", "--seed", "7", "--json",
            "--config", str(ROOT / "community.yaml")]
    first = subprocess.run(args, capture_output=True, text=True, env=_env(tmp_path), timeout=120)
    second = subprocess.run(args, capture_output=True, text=True, env=_env(tmp_path), timeout=120)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    summary = json.loads(first.stdout)
    assert [week["prompts_messages"] for week in summary["weeks"]] == [1, 1, 1]
    assert all(week["posts"] >= week["prompts_messages"] for week in summary["weeks"])
    assert summary["totals"]["reactions"] > 0
    assert summary["members"] == 30


RECOGNITION_SCRIPT = """\
/join dana
/join zoe
/join ana
/cop prompt now
/as zoe
/reply We pin runner images and cache layers in our registry
/as dana
/reply And never run terraform apply from a laptop
/as ana
/react :pushpin:
/cop resources laptop
/as zoe
/cop kudos @dana for the laptop tip
/cop kudos @zoe for being me
/quit
"""


def test_console_kudos_harvest_search_report_and_export(tmp_path: Path, scenario_start: datetime) -> None:
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)
    result = subprocess.run([*COPBOT, "run", "--config", str(config)], input=RECOGNITION_SCRIPT, capture_output=True,
                            text=True, env=_env(tmp_path), cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "saved this thread to the community's resource library" in out
    assert "Resources matching “laptop”" in out  # found by a word from a reply, not from the question
    assert "Kudos to @dana from @zoe for: the laptop tip" in out
    assert "kudos are for thanking someone else" in out  # zoe's self-kudos was refused
    assert out.count("Kudos to @") == 1
    report = subprocess.run([*COPBOT, "report", "--json", "--config", str(config)], capture_output=True, text=True,
                            env=_env(tmp_path), cwd=tmp_path, timeout=60)
    assert report.returncode == 0, report.stderr
    by_member = {row["member"]: row for row in json.loads(report.stdout)["members"]}
    assert by_member["console:dana"]["kudos"] == 1 and by_member["console:zoe"]["kudos"] == 0
    library = tmp_path / "library"
    export = subprocess.run([*COPBOT, "resources", "export", "--format", "markdown", str(library), "--config",
                             str(config)], capture_output=True, text=True, env=_env(tmp_path), cwd=tmp_path,
                            timeout=60)
    assert export.returncode == 0, export.stderr
    assert "wrote 1 resource" in export.stdout
    files = sorted(p.name for p in library.iterdir())
    assert len(files) == 2 and "index.md" in files
    [page] = [f for f in files if f != "index.md"]
    assert f"]({page})" in (library / "index.md").read_text()
    assert "terraform apply from a laptop" in (library / page).read_text()


def _first_ladder_check_of_a_two_week_member(joined: datetime) -> str:
    """Just after the first ladder check (community.yaml: Mondays 09:00 Berlin) at which members who joined at
    ``joined`` are 14 days in (the ``regular`` rung's days_member), as a console ``/time`` target.

    Computed from the start, not a fixed ``+15d``: from a Friday, fifteen days cross only the Mondays at 3 and
    10 days of membership, and the suggestion this test waits for never comes.
    """
    berlin = ZoneInfo("Europe/Berlin")
    due = (joined + timedelta(days=14)).astimezone(berlin)
    check = datetime.combine(due.date(), time(9, 0), berlin)
    while check.weekday() != 0 or check < due:
        check = datetime.combine(check.date() + timedelta(days=1), time(9, 0), berlin)
    return (check + timedelta(minutes=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


LADDER_SCRIPT = """\
/join dana
/join zoe
/join ana
/cop prompt now
/as zoe
/reply Our runners live on spot instances
/reply We drain them on the termination notice
/reply And cache layers in the registry
/time {ladder_check}
/as zoe
/cop ladder
/as ana
/cop ladder invite @zoe
/as zoe
/click "Yes, I'd like that"
/as ana
/cop ladder
/quit
"""


def test_console_ladder_suggests_privately_and_moves_a_member_only_after_both_yeses(
    tmp_path: Path, scenario_start: datetime
) -> None:
    config = tmp_path / "community.yaml"
    shutil.copy(ROOT / "community.yaml", config)
    script = LADDER_SCRIPT.format(ladder_check=_first_ladder_check_of_a_two_week_member(scenario_start))
    result = subprocess.run([*COPBOT, "run", "--config", str(config)], input=script, capture_output=True,
                            text=True, env=_env(tmp_path), cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    suggestions = [line for line in out.splitlines() if "may be ready to become" in line]
    assert len(suggestions) == 1  # zoe only: dana and ana are already admin/facilitator
    assert "#platform-guild-facilitators: 🪜 zoe may be ready to become a *regular*" in suggestions[0]
    assert "3 prompt replies (needs 3)" in suggestions[0]
    assert "Only facilitators can run `/cop ladder`" in out  # zoe cannot see the ladder
    assert "DM @zoe: Hello! @ana and the facilitators" in out
    assert "DM @zoe: Wonderful, welcome aboard as a regular!" in out
    assert "zoe accepted: they're now a regular." in out
    after_yes = out.split("/click \"Yes, I'd like that\"")[-1]
    assert "No open suggestions" in after_yes  # the accepted suggestion is closed
