"""Editing community.yaml: copbot check and the editor's JSON Schema tell the same truth, in readable words.

The schema is checked for real with the jsonschema library (what the YAML language server does in VS Code):
for each sample, ``copbot check`` and the schema both accept it or both refuse it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from config.loader import ConfigError, parse_config, read_yaml
from config.schema import SCHEMA_FILE, json_schema
from copbot.init import PLATFORM_NAMES, InitError, init_files

ROOT = Path(__file__).resolve().parent.parent
BASE = """
community:
  id: {id}
  name: Guild
  channels:
    general: general
rituals:
  prompts:
    enabled: {enabled}
    schedule:
      cron: "0 10 * * mon"
      grace: {grace}
    questions: ["What did you automate this week?"]
  onboarding:
    steps:
      - key: {key}
        day: 0
        time: {time}
        text: "Welcome {{name}}!"
  resources:
    harvest_role: {harvest_role}
"""
GOOD = {"id": "guild", "enabled": "true", "grace": "36h", "key": "welcome", "time": '"09:30"', "harvest_role": "member"}


def sample(**changes: str) -> str:
    return BASE.format(**(GOOD | changes))


def check_accepts(text: str) -> bool:
    try:
        parse_config(text, "community.yaml")
    except ConfigError:
        return False
    return True


def schema_accepts(text: str) -> bool:
    return jsonschema.Draft202012Validator(json_schema()).is_valid(read_yaml(text))


def patterns(node: Any, where: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        if "pattern" in node:
            yield where, node
        for key, value in node.items():
            yield from patterns(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from patterns(value, f"{where}[{index}]")


def test_copbot_schema_prints_the_committed_file_byte_for_byte() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8")} | {"LC_ALL": "C"}
    out = subprocess.run([sys.executable, "-m", "copbot.cli", "schema"], capture_output=True, env=env, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout == SCHEMA_FILE.read_bytes()


def test_copbot_schema_write_publishes_the_same_file(tmp_path: Path) -> None:
    target = tmp_path / "etc" / "community.schema.json"
    target.parent.mkdir()
    out = subprocess.run([sys.executable, "-m", "copbot.cli", "schema", "--write", str(target)],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and str(target) in out.stdout
    assert target.read_bytes() == SCHEMA_FILE.read_bytes()


def test_every_pattern_in_the_schema_has_a_readable_message() -> None:
    found = list(patterns(json_schema()))
    assert len(found) >= 5  # durations, the community id, step keys and times, the harvest role
    missing = [where for where, node in found if not node.get("patternErrorMessage")]
    assert missing == []
    assert all("\\" not in node["patternErrorMessage"] for _, node in found)  # words, not a regular expression


@pytest.mark.parametrize(
    ("field", "bad", "words"),
    [
        ("id", "Guild_One", "lowercase letters, digits and dashes"),
        ("key", "Day 1", "short name of lowercase letters"),
        ("time", '"9:30"', "HH:MM"),
        ("harvest_role", "admins", "member (anyone may harvest) or facilitator"),
        ("grace", "3 days", "a number and a unit: 90m, 36h, 3d or 2w"),
    ],
)
def test_check_and_the_editor_refuse_a_bad_pattern_in_the_same_words(field: str, bad: str, words: str) -> None:
    text = sample(**{field: bad})
    assert not schema_accepts(text)
    with pytest.raises(ConfigError) as refused:
        parse_config(text, "community.yaml")
    [problem] = refused.value.problems
    assert words in problem.message
    messages = {node["patternErrorMessage"] for _, node in patterns(json_schema())}
    assert any(words in message and message in problem.message for message in messages)


@pytest.mark.parametrize(
    "enabled", ["true", "false", "yes", "no", "on", "off", "Yes", "y", '"true"', "1", "0", "True", "FALSE"]
)
def test_check_and_the_schema_agree_on_yes_no_values(enabled: str) -> None:
    text = sample(enabled=enabled)
    assert check_accepts(text) == schema_accepts(text)
    assert check_accepts(text) == (enabled in {"true", "false", "True", "FALSE"})


def test_yes_is_refused_with_the_fix() -> None:
    with pytest.raises(ConfigError) as refused:
        parse_config(sample(enabled="yes"), "community.yaml")
    [problem] = refused.value.problems
    assert (problem.line, problem.col) == (9, 14)
    assert "'yes' is not a yes/no value here; write true (without quotes)" in problem.message


@pytest.mark.parametrize("grace", ["36h", "3 d", "90m", "3600", "1.5h", "3x", "-2h", "h"])
def test_check_and_the_schema_agree_on_durations(grace: str) -> None:
    text = sample(grace=grace)
    assert check_accepts(text) == schema_accepts(text), grace


def test_text_that_yaml_1_1_would_read_as_a_boolean_stays_text() -> None:
    config = parse_config(sample().replace("name: Guild", "name: on"), "community.yaml")
    assert config.community.name == "on"


@pytest.mark.parametrize("platform", PLATFORM_NAMES)
def test_init_writes_a_valid_commented_file_whose_schema_line_finds_its_schema(platform: str, tmp_path: Path) -> None:
    target = tmp_path / "etc" / "copbot" / "community.yaml"
    out = subprocess.run([sys.executable, "-m", "copbot.cli", "init", "--platform", platform, "--config", str(target)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    text = target.read_text()
    first = text.splitlines()[0]
    assert first == "# yaml-language-server: $schema=./community.schema.json"
    assert (target.parent / "community.schema.json").read_bytes() == SCHEMA_FILE.read_bytes()
    check = subprocess.run([sys.executable, "-m", "copbot.cli", "check", "--config", str(target)],
                           capture_output=True, text=True, cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    assert schema_accepts(text)
    shipped = (ROOT / "community.yaml").read_text().splitlines()
    comments = [line for line in shipped[1:] if line.lstrip().startswith("#") and "console:" not in line]
    assert [line for line in text.splitlines() if line in comments] == comments  # the reference's explanations
    keys = {"console": "console:ana", "slack": "slack:T0123ABCD:", "discord": "discord:112233445566778899:"}
    assert keys[platform] in text
    others = set(keys.values()) - {keys[platform]}
    assert not any(f"- {key}" in text for key in others)


def test_init_never_overwrites_a_community_file_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "community.yaml"
    target.write_text("mine")
    with pytest.raises(InitError, match="already exists"):
        init_files("slack", target)
    assert target.read_text() == "mine"
    init_files("slack", target, force=True)
    assert target.read_text().startswith("# yaml-language-server")


def test_the_reference_and_its_schema_are_installed_with_the_package() -> None:
    import tomllib

    data_files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["data-files"]
    assert sorted(data_files["share/copbot"]) == ["community.schema.json", "community.yaml"]
    assert json.loads(SCHEMA_FILE.read_text())["title"] == "copbot community.yaml"
