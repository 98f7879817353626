"""No test depends on the day it runs: the console and simulate start where they are told, and the weekday
guard (:data:`tests.conftest.SCENARIO_STARTS`) really covers every weekday and both DST change days."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.clock import parse_start
from tests.conftest import SCENARIO_STARTS, SHIPPED_ZONE
from tests.test_console_session import COPBOT, ROOT, _env


def _dst_change_days(zone: str, year: int) -> list[date]:
    """The days of ``year`` on which ``zone``'s offset from UTC changes (found by walking the year hourly)."""
    tz = ZoneInfo(zone)
    days: list[date] = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(tz).utcoffset()
    while moment.year == year:
        moment += timedelta(hours=1)
        now = moment.astimezone(tz).utcoffset()
        if now != offset:
            days.append(moment.astimezone(tz).date())
            offset = now
    return days


def test_the_guard_starts_on_every_weekday_and_just_before_both_dst_changes_of_the_shipped_zone() -> None:
    shipped = yaml.safe_load((ROOT / "community.yaml").read_text())
    assert shipped["community"]["timezone"] == SHIPPED_ZONE
    starts = {name: parse_start(text, SHIPPED_ZONE) for name, text in SCENARIO_STARTS.items()}
    weekdays = sorted(starts[name].astimezone(ZoneInfo(SHIPPED_ZONE)).weekday()
                      for name in starts if not name.startswith("dst"))
    assert weekdays == list(range(7))
    hours = {starts[name].astimezone(ZoneInfo(SHIPPED_ZONE)).hour for name in starts if not name.startswith("dst")}
    assert len(hours) == 7  # each weekday at another hour: a test cannot lean on the time of day either
    change_days = _dst_change_days(SHIPPED_ZONE, 2027)
    assert len(change_days) == 2
    for day, name in zip(change_days, ("dst-spring", "dst-autumn"), strict=True):
        local = starts[name].astimezone(ZoneInfo(SHIPPED_ZONE))
        assert local.date() == day
        # before the change: the scenario lives through it
        assert local.utcoffset() == datetime.combine(day, datetime.min.time(), ZoneInfo(SHIPPED_ZONE)).utcoffset()


def test_start_without_an_offset_is_read_in_the_community_zone() -> None:
    assert parse_start("2027-01-04T09:00", "Europe/Berlin") == datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
    assert parse_start("2027-07-05T09:00", "Europe/Berlin") == datetime(2027, 7, 5, 7, 0, tzinfo=UTC)
    assert parse_start("2027-01-04T09:00Z", "Europe/Berlin") == datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert parse_start("2027-01-04", "Asia/Tokyo") == datetime(2027, 1, 3, 15, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="2027-01-04T09:00"):
        parse_start("next monday", "Europe/Berlin")


def _console(tmp_path: Path, script: str, *args: str, env: dict[str, str] | None = None
             ) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "community.yaml"
    if not config.exists():
        shutil.copy(ROOT / "community.yaml", config)
    return subprocess.run([*COPBOT, "run", "--config", str(config), *args], input=script, capture_output=True,
                          text=True, env=env or _env(tmp_path), cwd=tmp_path, timeout=120)


def test_the_console_starts_at_start_resumes_where_it_stopped_and_reports_on_its_own_clock(tmp_path: Path) -> None:
    first = _console(tmp_path, "/join dana\n/cop prompt now\n/react\n/time +20d\n/now\n/quit\n",
                     "--start", "2027-02-03T11:00")
    assert first.returncode == 0, first.stderr
    assert "It is Wed 03 Feb 2027 11:00 (Europe/Berlin)" in first.stdout
    assert "It is Tue 23 Feb 2027 11:00 (Europe/Berlin)" in first.stdout

    # a second session on the same database resumes from the console's clock, not from its --start or the wall
    second = _console(tmp_path, "/now\n/quit\n", "--start", "2027-02-03T11:00")
    assert second.returncode == 0, second.stderr
    assert "time only moves forward here" in second.stdout
    assert "It is Tue 23 Feb 2027 11:00 (Europe/Berlin)" in second.stdout
    env = _env(tmp_path)
    env.pop("COPBOT_START")
    third = _console(tmp_path, "/now\n/quit\n", env=env)
    assert "It is Tue 23 Feb 2027 11:00 (Europe/Berlin)" in third.stdout

    # the reaction was 20 days before the console's clock: in the last 30 days, not in the last 7
    for days, reactions in ((30, 1), (7, 0)):
        report = subprocess.run([*COPBOT, "report", "--json", "--since", str(days), "--config",
                                 str(tmp_path / "community.yaml")], capture_output=True, text=True, env=env,
                                cwd=tmp_path, timeout=60)
        assert report.returncode == 0, report.stderr
        assert sum(week["reactions"] for week in json.loads(report.stdout)["weeks"]) == reactions, days


def test_a_bad_start_is_one_clear_line_and_start_is_refused_off_the_console(tmp_path: Path) -> None:
    bad = _console(tmp_path, "/quit\n", "--start", "tomorrow")
    assert bad.returncode == 2
    assert bad.stderr.strip() == ("copbot: --start: 'tomorrow' is not a start time; write an ISO 8601 date-time "
                                  "such as 2027-01-04T09:00 (in Europe/Berlin) or 2027-01-04T08:00Z")
    slack = _console(tmp_path, "", "--platform", "slack", "--start", "2027-01-04T09:00")
    assert slack.returncode == 2
    assert "--start only applies to the console" in slack.stderr
    assert "Traceback" not in bad.stderr + slack.stderr


def test_simulate_starts_where_it_is_told(tmp_path: Path) -> None:
    result = subprocess.run([*COPBOT, "simulate", "--weeks", "1", "--members", "5", "--json", "--start",
                             "2027-03-26T19:05", "--config", str(ROOT / "community.yaml")], capture_output=True,
                            text=True, env=_env(tmp_path), timeout=120)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["start"] == "2027-03-26T18:05:00+00:00"
    assert [week["start"] for week in summary["weeks"]] == ["2027-03-26"]
