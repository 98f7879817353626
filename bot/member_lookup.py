"""Finding the member a command names (``@ana``, ``ana``, a platform mention) and showing members by name.

Commands name members the way people type them. This tries the stable key, then the display name, then a
key whose last segment is the typed id (``<@U123>`` → ``slack:T1:U123``), without knowing any platform.
"""

from __future__ import annotations

import re

from sqlmodel import Session

from bot.commands import CommandError
from bot.text import strip_markers
from storage import queries
from storage.models import Member

_ID = re.compile(r"[A-Za-z0-9_.-]+")


def resolve(tx: Session, community: str, typed: str, example: str) -> Member:
    """The active member ``typed`` names, or a CommandError that says how to name them."""
    cleaned = strip_markers(typed).strip()
    found = queries.find_member_by_name(tx, community, cleaned)
    if found is None:
        ids = _ID.findall(cleaned.strip("<>@!"))
        token = ids[0] if ids else ""
        if token:
            found = next((m for m in queries.members(tx, community) if m.key.rsplit(":", 1)[-1] == token), None)
    if found is None or found.left_at is not None:
        raise CommandError(f"I don't know a member called {cleaned!r}. Write their name as it shows here, "
                           f"e.g. `{example}`.")
    return found


def display_name(tx: Session, community: str, key: str) -> str:
    """A member's name for text that must not ping anyone (digests, exports, figures)."""
    row = queries.member(tx, community, key)
    return strip_markers(row.name) if row is not None and row.name else key.rsplit(":", 1)[-1]


def names(tx: Session, community: str) -> dict[str, str]:
    """Every member's display name by key (including those who left), for bulk rendering."""
    return {m.key: strip_markers(m.name) or m.key for m in queries.members(tx, community, active_only=False)}
