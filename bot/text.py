"""Plain-text helpers shared by every ritual: intended mentions, and what member text may not do.

A mention the bot means to make is wrapped in private-use characters that no member can type by
accident; each adapter renders it as its platform's user mention. Everything else is shown as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_OPEN = "\ue000"
_CLOSE = "\ue001"
MENTION_RE = re.compile(f"{_OPEN}([^{_CLOSE}]+){_CLOSE}")


def mention(member_key: str) -> str:
    """Mark an intended mention of one member; adapters render it (``<@U1>``, ``<@42>``, ``@ana``)."""
    return f"{_OPEN}{member_key}{_CLOSE}"


def render_mentions(text: str, render: Callable[[str], str]) -> str:
    """Replace each marked mention with ``render(member_key)``."""
    return MENTION_RE.sub(lambda m: render(m.group(1)), text)


def strip_markers(text: str) -> str:
    """Remove any mention markers from member-supplied text so relayed text can never mention anyone."""
    return text.replace(_OPEN, "").replace(_CLOSE, "")


ECHO_LIMIT = 60
"""The most characters of a member's own argument an answer repeats back (a 100 KB argument stays theirs)."""


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` shortened with … past ``limit`` characters, markers stripped (member text repeated back)."""
    clean = strip_markers(text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """A member's argument quoted back in an answer: :func:`clip`, in quotes."""
    return repr(clip(text, limit))
