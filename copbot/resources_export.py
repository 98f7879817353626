"""``copbot resources export``: write the resource library to a directory, so a community can publish it.

The rendering is pure (:mod:`rituals.resources.export`); this reads the library and writes the files. Files of
resources no longer in the library are left alone: the export only writes, it never deletes a directory's files.
"""

from __future__ import annotations

from pathlib import Path

from config.models import CommunityConfig
from rituals.resources.export import ExportedResource, render_library
from storage import queries
from storage import resources as store
from storage.db import Database
from storage.tags import decode_list

FORMATS = ("markdown",)


def export_library(db: Database, config: CommunityConfig, out_dir: Path, fmt: str = "markdown") -> list[Path]:
    """Write ``index.md`` and one file per resource into ``out_dir``; returns the paths written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    community = config.community.id
    with db.session() as tx:
        rows = store.resources(tx, community)
        people = {m.key: m.name for m in queries.members(tx, community, active_only=False)}
    exported = [
        ExportedResource(
            id=row.id or 0,
            title=row.title,
            link=row.link,
            tags=decode_list(row.tags),
            contributors=decode_list(row.contributors),
            summary=row.summary,
            body=row.body,
            harvested_at=row.harvested_at,
        )
        for row in rows
    ]
    files = render_library(exported, config.community.name, lambda key: people.get(key) or key.rsplit(":", 1)[-1])
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in sorted(files.items()):
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
