"""community.yaml is refused with file, line, column and a fix for every problem; the shipped example loads."""

from __future__ import annotations

import textwrap
from datetime import timedelta
from pathlib import Path

import pytest

from config.loader import ConfigError, ConfigProblem, load_config, parse_config
from config.models import CommunityConfig

REPO = Path(__file__).resolve().parent.parent

GOOD = """\
community:
  id: platform-guild
  name: Platform Engineering Guild
  timezone: Europe/Berlin
  channels:
    general: guild
    prompts: guild-weekly
rituals:
  prompts:
    schedule:
      cron: "0 10 * * mon"
      grace: 2d
    questions:
      - What did you automate this week?
"""


def problems(text: str) -> list[ConfigProblem]:
    """The problems the loader reports for ``text`` (the test fails if it is accepted)."""
    with pytest.raises(ConfigError) as caught:
        parse_config(textwrap.dedent(text), "community.yaml")
    return caught.value.problems


def only(text: str) -> ConfigProblem:
    found = problems(text)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


async def test_the_shipped_community_yaml_loads_with_the_console_roles() -> None:
    """The shipped file names people portably ("@dana"); on the console they are the console's members."""
    from adapters.console.adapter import ConsoleAdapter
    from bot.people import PeopleBook

    config = load_config(REPO / "community.yaml")
    assert isinstance(config, CommunityConfig)
    assert config.community.timezone == "Europe/Berlin"
    assert config.roles.admins == ["@dana"] and config.roles.facilitators == ["@ana", "@ben"]
    book = PeopleBook("console", ConsoleAdapter().resolve_people)
    assert await book.refresh(config) == []  # everyone found, nothing to warn about
    resolved = book.resolved(config)
    assert "console:dana" in resolved.roles.admins
    assert {"console:ana", "console:ben"} <= set(resolved.roles.facilitators)
    prompts = config.rituals.prompts
    assert prompts is not None
    assert prompts.schedule.cron == "0 10 * * mon"
    assert prompts.schedule.grace == timedelta(days=2)
    assert len(prompts.questions) >= 10


def test_the_shipped_file_starts_with_the_schema_comment() -> None:
    first = (REPO / "community.yaml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./community.schema.json"


def test_a_valid_file_parses() -> None:
    config = parse_config(GOOD, "community.yaml")
    assert config.rituals.prompts is not None
    assert config.rituals.prompts.questions == ["What did you automate this week?"]


def test_problem_prints_as_path_line_col_message() -> None:
    assert str(ConfigProblem("community.yaml", 12, 5, "boom")) == "community.yaml:12:5: boom"


def test_a_typo_in_a_key_points_at_the_key_and_suggests_the_right_one() -> None:
    problem = only(GOOD.replace("    schedule:", "    schedul:"))
    assert (problem.line, problem.col) == (10, 5)
    assert str(problem) == (
        "community.yaml:10:5: unknown key 'schedul' in rituals.prompts; did you mean 'schedule'?"
    )


def test_an_unknown_key_with_no_near_match_lists_what_is_allowed() -> None:
    problem = only(GOOD.replace("  timezone: Europe/Berlin\n", "  timezone: Europe/Berlin\n  mascot: otter\n"))
    assert (problem.line, problem.col) == (5, 3)
    assert "unknown key 'mascot' in community" in problem.message
    assert "id, name, timezone, channels" in problem.message


def test_a_wrong_type_points_at_the_value_and_says_what_to_write() -> None:
    problem = only(GOOD.replace("grace: 2d", "grace: soon"))
    assert (problem.line, problem.col) == (12, 14)
    assert problem.message.startswith("rituals.prompts.schedule.grace: 'soon' is not a duration")
    assert "36h" in problem.message


def test_a_non_boolean_enabled_says_true_or_false() -> None:
    problem = only(GOOD.replace("  prompts:\n    schedule:", "  prompts:\n    enabled: maybe\n    schedule:"))
    assert (problem.line, problem.col) == (10, 14)
    assert "write true or false" in problem.message


def test_every_problem_in_a_file_is_listed_in_file_order() -> None:
    text = """\
    community:
      id: Platform Guild
      name: Platform Engineering Guild
      timezone: Mars/Olympus
      channels:
        general: guild
    roles:
      admin: [console:dana]
    rituals:
      prompts:
        schedule:
          cron: "0 10 * *"
          grace: soon
    """
    found = problems(text)
    located = [(p.line, p.col) for p in found]
    assert located == [(2, 7), (4, 13), (8, 3), (11, 5), (12, 13), (13, 14)], [str(p) for p in found]
    messages = [p.message for p in found]
    assert "lowercase letters, digits and dashes" in messages[0]
    assert "unknown time zone 'Mars/Olympus'" in messages[1]
    assert "did you mean 'admins'?" in messages[2]
    assert "missing the required key 'questions'" in messages[3]
    assert "cron needs 5 fields" in messages[4]
    assert "is not a duration" in messages[5]


def test_a_bad_time_zone_suggests_the_closest_real_one() -> None:
    problem = only(GOOD.replace("Europe/Berlin", "Europe/Berln"))
    assert (problem.line, problem.col) == (4, 13)
    assert problem.message == "community.timezone: unknown time zone 'Europe/Berln'; did you mean 'Europe/Berlin'?"


def test_a_bad_cron_line_is_located_and_shows_an_example() -> None:
    problem = only(GOOD.replace('"0 10 * * mon"', '"0 25 * * mon"'))
    assert (problem.line, problem.col) == (11, 13)
    assert problem.message.startswith("rituals.prompts.schedule.cron: not a valid crontab line")
    assert '"0 10 * * mon"' in problem.message


def test_an_unquoted_cron_star_is_a_yaml_error_with_the_quoting_fix() -> None:
    problem = only(GOOD.replace('cron: "0 10 * * mon"', "cron: * * * * *"))
    assert (problem.line, problem.col) == (11, 14)
    assert problem.message.startswith("YAML syntax error:")
    assert "must be in quotes" in problem.message


def test_a_yaml_syntax_error_gives_its_own_line_and_column() -> None:
    problem = only(GOOD.replace("  name: Platform Engineering Guild", "  name: Platform: Engineering Guild"))
    assert (problem.line, problem.col) == (3, 17)
    assert "YAML syntax error" in problem.message
    assert "in quotes" in problem.message


def test_a_tab_in_the_indentation_says_use_spaces() -> None:
    problem = only(GOOD.replace("  id: platform-guild", "\tid: platform-guild"))
    assert problem.line == 2
    assert "spaces, not tabs" in problem.message


def test_a_duplicate_key_is_reported_at_the_second_one() -> None:
    text = GOOD.replace("    prompts: guild-weekly\n", "    prompts: guild-weekly\n    general: guild-2\n")
    problem = only(text)
    assert (problem.line, problem.col) == (8, 5)
    assert problem.message == (
        "key 'general' appears twice in community.channels (first at line 6); keep one of them and delete the other"
    )


def test_a_duplicate_key_and_a_type_error_are_both_listed() -> None:
    text = GOOD.replace("  name: Platform Engineering Guild\n", "  name: A\n  name: B\n").replace("2d", "soon")
    assert [(p.line, p.col) for p in problems(text)] == [(4, 3), (13, 14)]


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n"])
def test_an_empty_file_says_what_it_needs(text: str) -> None:
    problem = only(text)
    assert (problem.line, problem.col) == (1, 1)
    assert "the file is empty" in problem.message
    assert "community:" in problem.message


def test_a_list_at_the_top_level_is_refused() -> None:
    problem = only("- community\n")
    assert (problem.line, problem.col) == (1, 1)
    assert "the top level must be keys" in problem.message


def test_a_missing_section_points_at_the_mapping_it_belongs_in() -> None:
    problem = only("community:\n  id: x\n  name: y\n")
    assert (problem.line, problem.col) == (2, 3)
    assert problem.message == (
        "community is missing the required key 'channels'; add 'channels:' here, at this indentation"
    )


def test_a_blank_question_points_at_that_question() -> None:
    problem = only(GOOD + '      - "  "\n')
    assert (problem.line, problem.col) == (15, 9)
    assert problem.message.startswith("rituals.prompts.questions[1]: this question is empty")


def test_a_list_written_as_a_plain_value_says_how_to_write_a_list() -> None:
    problem = only(GOOD + "roles:\n  admins: console:dana\n")
    assert (problem.line, problem.col) == (16, 11)
    assert "starting with '- '" in problem.message


def test_an_unknown_prompts_channel_points_at_the_channel_not_the_file_start() -> None:
    text = GOOD.replace("  prompts:\n    schedule:", "  prompts:\n    channel: weekly\n    schedule:")
    problem = only(text)
    assert (problem.line, problem.col) == (10, 14)
    assert problem.message.startswith("rituals.prompts.channel: channel 'weekly' is not one of community.channels")
    assert "general, prompts" in problem.message


def test_a_second_document_is_refused() -> None:
    problem = only(GOOD + "---\nother: 1\n")
    assert problem.line == 15
    assert "remove the '---' line" in problem.message


def test_the_error_text_lists_every_problem_one_per_line() -> None:
    text = GOOD.replace("schedule:", "schedul:").replace("Europe/Berlin", "Nowhere")
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "c.yaml")
    lines = str(caught.value).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("c.yaml:4:13: community.timezone: unknown time zone 'Nowhere'")
    assert lines[1].startswith("c.yaml:10:5: unknown key 'schedul'")


def test_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError) as caught:
        load_config(missing)
    [problem] = caught.value.problems
    assert problem.path == str(missing)
    assert "cannot read the file" in problem.message
    assert "--config" in problem.message


def test_a_file_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    target = tmp_path / "community.yaml"
    target.write_bytes(GOOD.encode().replace(b"Platform Engineering", b"Plattform \xe4nderung"))
    with pytest.raises(ConfigError) as caught:
        load_config(target)
    [problem] = caught.value.problems
    assert (problem.line, problem.col) == (3, 19)
    assert "UTF-8" in problem.message


def test_load_config_reads_a_file_and_labels_problems_with_its_path(tmp_path: Path) -> None:
    target = tmp_path / "community.yaml"
    target.write_text(GOOD.replace("grace: 2d", "grace: later"), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(target)
    assert str(caught.value).startswith(f"{target}:12:14: ")
