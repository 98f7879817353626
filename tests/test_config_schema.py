"""The committed community.schema.json is exactly what the models generate, so editors never lie to admins."""

from __future__ import annotations

import json
from pathlib import Path

from config.schema import SCHEMA_FILE, json_schema, schema_text, write_schema

REPO = Path(__file__).resolve().parent.parent


def test_the_committed_schema_file_is_current() -> None:
    committed = (REPO / "community.schema.json").read_text(encoding="utf-8")
    assert json.loads(committed) == json_schema(), "community.schema.json is stale: run `python -m config.schema`"
    assert committed == schema_text(), "community.schema.json is stale: run `python -m config.schema`"


def test_the_schema_names_its_dialect_and_title_and_forbids_unknown_keys() -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "copbot community.yaml"
    assert schema["additionalProperties"] is False
    assert schema["required"] == ["community"]


def test_duration_defaults_are_written_the_way_admins_write_them() -> None:
    grace = json_schema()["$defs"]["Schedule"]["properties"]["grace"]
    assert grace["default"] == "36h"


def test_write_schema_writes_the_same_text(tmp_path: Path) -> None:
    target = write_schema(tmp_path / "schema.json")
    assert target.read_text(encoding="utf-8") == schema_text()
    assert SCHEMA_FILE == REPO / "community.schema.json"
