"""The health and polls sections of community.yaml: defaults, and mistakes pointed at where they are."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from config.loader import ConfigError, load_config, parse_config

BASE = """\
community:
  id: guild
  name: Guild
  channels:
    general: guild
    facilitators: guild-facilitators
rituals:
"""


def problem_of(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "community.yaml")
    [problem] = caught.value.problems
    return f"{problem.line}:{problem.col}: {problem.message}"


def test_empty_sections_take_the_documented_defaults() -> None:
    config = parse_config(BASE + "  health: {}\n  polls: {}\n", "community.yaml")
    health, polls = config.rituals.health, config.rituals.polls
    assert health is not None and polls is not None
    assert (health.schedule.cron, health.period, health.chart) == ("0 9 1 * *", timedelta(days=30), True)
    assert health.stages.beginning_members == 15
    assert (polls.open_for, polls.anonymous, polls.pulse) == (timedelta(days=3), True, None)


def test_the_shipped_file_has_a_quarterly_pulse_survey() -> None:
    config = load_config(Path(__file__).resolve().parents[1] / "community.yaml")
    assert not isinstance(config, list)
    polls = config.rituals.polls
    assert polls is not None and polls.pulse is not None
    assert polls.pulse.schedule.cron == "0 10 1 1,4,7,10 *" and polls.pulse.options == ["1", "2", "3", "4", "5"]


def test_an_unknown_poll_channel_points_at_its_line() -> None:
    text = BASE + "  polls:\n    pulse:\n      channel: pulse-room\n"
    assert problem_of(text).startswith(
        "10:16: rituals.polls.pulse.channel: channel 'pulse-room' is not one of community.channels"
    )


def test_an_unknown_health_channel_points_at_its_line() -> None:
    message = problem_of(BASE + "  health:\n    channel: leads\n")
    assert message.startswith("9:14: rituals.health.channel: channel 'leads' is not one of community.channels")
    assert "facilitators, general" in message


def test_pulse_options_must_differ_and_stage_thresholds_stay_in_range() -> None:
    assert "distinct" in problem_of(BASE + '  polls:\n    pulse:\n      options: ["1", "1"]\n')
    assert "rituals.health.stages.change_active_drop" in problem_of(
        BASE + "  health:\n    stages:\n      change_active_drop: 5\n"
    )
