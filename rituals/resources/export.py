"""The library as Markdown files, so a community can publish it: one file per resource and an index by tag.

Pure: :func:`render_library` turns resources (and a way to name members) into ``{relative path: text}``;
``copbot resources export`` writes them. Links in the index are relative, so they work on any static host,
in a Git forge's file browser or on disk. Member text is escaped so it cannot break the Markdown around it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

_UNSAFE = re.compile(r"[^a-z0-9]+")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
UNTAGGED = "untagged"


@dataclass(frozen=True)
class ExportedResource:
    """What the export needs of a resource."""

    id: int
    title: str
    link: str | None
    tags: tuple[str, ...]
    contributors: tuple[str, ...]
    summary: str
    body: str
    harvested_at: datetime


def slug(text: str, limit: int = 50) -> str:
    """A file-name-safe slug: lower-case ASCII letters, digits and dashes."""
    out = _UNSAFE.sub("-", text.lower()).strip("-")[:limit].strip("-")
    return out or "resource"


def file_name(resource: ExportedResource) -> str:
    """Stable and unique: the id first (titles may repeat or change), then a readable slug."""
    return f"{resource.id:04d}-{slug(resource.title)}.md"


def escape(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


def render_resource(resource: ExportedResource, name: Callable[[str], str]) -> str:
    who = ", ".join(escape(name(m)) for m in resource.contributors) or "—"
    tags = " ".join(f"`{t}`" for t in resource.tags) or "—"
    link = f"<{resource.link}>" if resource.link else "(the platform gave no link to this thread)"
    quoted = "\n".join(f"> {escape(line)}" if line else ">" for line in resource.body.splitlines())
    return (
        f"# {escape(resource.title)}\n\n"
        f"- **Thread:** {link}\n"
        f"- **Contributors:** {who}\n"
        f"- **Tags:** {tags}\n"
        f"- **Saved:** {resource.harvested_at.date().isoformat()}\n\n"
        f"## Summary\n\n{escape(resource.summary)}\n\n"
        f"## The thread\n\n{quoted}\n\n"
        "[← all resources](index.md)\n"
    )


def render_index(resources: Sequence[ExportedResource], community: str) -> str:
    by_tag: dict[str, list[ExportedResource]] = defaultdict(list)
    for resource in resources:
        for tag in resource.tags or (UNTAGGED,):
            by_tag[tag].append(resource)
    lines = [f"# {escape(community)}: resource library", "",
             f"{len(resources)} resource{'s' if len(resources) != 1 else ''}, by tag.", ""]
    if by_tag:
        lines.append("Tags: " + " · ".join(f"[{t}](#{slug(t)})" for t in sorted(by_tag)))
        lines.append("")
    for tag in sorted(by_tag):
        lines.append(f'<a id="{slug(tag)}"></a>')
        lines.append(f"## {tag}")
        lines.append("")
        for resource in sorted(by_tag[tag], key=lambda r: r.title.lower()):
            lines.append(f"- [{escape(resource.title)}]({file_name(resource)})")
        lines.append("")
    return "\n".join(lines)


def render_library(resources: Sequence[ExportedResource], community: str, name: Callable[[str], str]
                   ) -> dict[str, str]:
    """Every file of the export, by relative path: ``index.md`` and one ``NNNN-title.md`` per resource."""
    files = {file_name(r): render_resource(r, name) for r in resources}
    files["index.md"] = render_index(resources, community)
    return files
