"""The JSON Schema of community.yaml, so editors can complete keys and flag mistakes while an admin types.

``community.schema.json`` at the repo root is generated from the pydantic models and committed (the
example ``community.yaml`` points at it with a ``yaml-language-server`` comment). A test compares the
committed file with :func:`json_schema`, so a model change without a regenerated file fails CI.
Regenerate with ``python -m config.schema``.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from config.durations import format_duration
from config.models import CommunityConfig

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_TITLE = "copbot community.yaml"
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "community.schema.json"


class _AdminSpelling(GenerateJsonSchema):
    """Defaults shown the way an admin writes them: a Duration default is ``36h``, not ISO ``P1DT12H``.

    pydantic encodes a default by its runtime type (timedelta), ignoring the field's own serializer,
    which would make editors offer a default that the Duration pattern itself rejects.
    """

    def encode_default(self, dft: Any) -> Any:
        if isinstance(dft, timedelta):
            return format_duration(dft)
        return super().encode_default(dft)


def json_schema() -> dict[str, Any]:
    """The schema of CommunityConfig, with ``$schema`` and ``title`` first so tools know what they read."""
    generated = CommunityConfig.model_json_schema(mode="validation", schema_generator=_AdminSpelling)
    generated.pop("title", None)
    return {"$schema": SCHEMA_DIALECT, "title": SCHEMA_TITLE, **generated}


def schema_text() -> str:
    """The schema exactly as written to ``community.schema.json`` (stable, diff-friendly formatting)."""
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_schema(path: Path = SCHEMA_FILE) -> Path:
    """Write the schema file; returns where it went."""
    path.write_text(schema_text(), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    """``python -m config.schema [PATH]``: regenerate the committed schema file (default: repo root)."""
    args = sys.argv[1:] if argv is None else argv
    target = write_schema(Path(args[0]) if args else SCHEMA_FILE)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
