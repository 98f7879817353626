"""Plain-text helpers shared by every ritual: intended mentions, the neutral markup, and splitting long text.

A mention the bot means to make is wrapped in private-use characters that no member can type by
accident; each adapter renders it as its platform's user mention. Everything else is shown as typed.

The neutral markup is the small set every platform can show, written the way the rituals already write it:
``*bold*``, ``_italic_``, ``~strike~``, ``\\`code\\``` and fenced code blocks, ``[label](https://…)`` links, and
lists as lines starting with ``• ``, ``- `` or ``1. ``. Adapters decode their platform's text into it on the way
in (Slack's ``&amp;`` and ``<https://…|label>``, Discord's ``**bold**``) and render it on the way out, so a
member's words and the bot's emphasis look the same on Slack, Discord and the console.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

_OPEN = "\ue000"
_CLOSE = "\ue001"
MENTION_RE = re.compile(f"{_OPEN}([^{_CLOSE}]+){_CLOSE}")

LINK_RE = re.compile(r"\[([^\[\]\n]+)\]\((https?://[^\s()<>|]+|mailto:[^\s()<>|]+)\)")
"""A neutral link: ``[label](url)``; only http(s) and mailto addresses, without spaces or ``<>|``."""
_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)


def emphasis_pattern(mark: str, name: str = "inner") -> str:
    """The neutral emphasis ``mark`` (``*`` bold, ``_`` italic, ``~`` strike) around words, its text in group ``name``.

    Why one definition: every renderer (Discord, the terminal) must agree on what counts as emphasis; a mark
    inside a word (``snake_case``, ``2*3*4``) or next to a space is left as typed.
    """
    m = re.escape(mark)
    return rf"(?<![{m}\w]){m}(?=[^\s{m}])(?P<{name}>[^{m}\n]*?[^\s{m}]){m}(?![{m}\w])"


def mention(member_key: str) -> str:
    """Mark an intended mention of one member; adapters render it (``<@U1>``, ``<@42>``, ``@ana``)."""
    return f"{_OPEN}{member_key}{_CLOSE}"


def render_mentions(text: str, render: Callable[[str], str]) -> str:
    """Replace each marked mention with ``render(member_key)``."""
    return MENTION_RE.sub(lambda m: render(m.group(1)), text)


def strip_markers(text: str) -> str:
    """Remove any mention markers from member-supplied text so relayed text can never mention anyone."""
    return text.replace(_OPEN, "").replace(_CLOSE, "")


def mentioned_key(text: str) -> str | None:
    """The member key when ``text`` is exactly one marked mention (a command argument the platform resolved)."""
    match = MENTION_RE.fullmatch(text.strip())
    return match.group(1) if match else None


def link(url: str, label: str) -> str:
    """A neutral link; adapters render it as their platform's link (``<url|label>``, ``[label](url)``)."""
    return f"[{label}]({url})"


@dataclass(frozen=True)
class Span:
    """A piece of neutral text: ``kind`` is text, code, link (``value`` the label, ``url``) or mention (a key)."""

    kind: str
    value: str
    url: str = ""


def spans(text: str) -> Iterator[Span]:
    """Neutral text cut into plain text, code (left exactly as written), links and marked mentions, in order.

    Why one tokenizer for every renderer: each platform escapes or converts plain text differently, but none
    may touch what is inside code, a link's address or a mention, and all must agree on where those are.
    """
    pattern = re.compile(f"(?P<code>{_CODE.pattern})|(?P<link>{LINK_RE.pattern})|(?P<mention>{MENTION_RE.pattern})",
                         re.DOTALL)
    last = 0
    for match in pattern.finditer(text):
        if match.start() > last:
            yield Span("text", text[last : match.start()])
        if match.group("code") is not None:
            yield Span("code", match.group("code"))
        elif match.group("link") is not None:
            inner = LINK_RE.fullmatch(match.group("link"))
            assert inner is not None
            yield Span("link", inner.group(1), inner.group(2))
        else:
            inner = MENTION_RE.fullmatch(match.group("mention"))
            assert inner is not None
            yield Span("mention", inner.group(1))
        last = match.end()
    if last < len(text):
        yield Span("text", text[last:])


def render_spans(
    text: str, *, plain: Callable[[str], str], code: Callable[[str], str], link: Callable[[str, str], str],
    mention: Callable[[str], str],
) -> str:
    """Neutral text in a platform's notation: each kind of :func:`spans` piece through its own function
    (``link(label, url)``, ``mention(member_key)``), joined back in order."""
    out: list[str] = []
    for span in spans(text):
        if span.kind == "mention":
            out.append(mention(span.value))
        elif span.kind == "link":
            out.append(link(span.value, span.url))
        elif span.kind == "code":
            out.append(code(span.value))
        else:
            out.append(plain(span.value))
    return "".join(out)


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, cut at line breaks (a longer line at a space).

    Why line boundaries: a status list, a report or a digest stays readable when a part ends where a line
    ends; only a single line longer than ``limit`` is cut inside, at its last space, and only a word longer
    than ``limit`` mid-word. Empty parts are never made. Joining the parts with line breaks gives back the
    text, apart from the line breaks at the cuts.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit + 1)
            cut = cut if cut > 0 else limit
            piece, line = line[:cut], line[cut:].lstrip(" ")
            if current:
                parts.append(current)
                current = ""
            parts.append(piece)
        if not current:
            current = line
        elif len(current) + 1 + len(line) <= limit:
            current += "\n" + line
        else:
            parts.append(current)
            current = line
    if current.strip() or not parts:
        parts.append(current)
    return [part for part in parts if part.strip()] or [text[:limit]]


def split_to_fit(text: str, limit: int, measure: Callable[[str], int]) -> list[str]:
    """``text`` in neutral parts whose *rendered* size, ``measure(part)``, is at most ``limit``, cut at lines.

    Why measure the rendering: a platform's limit counts what it receives (Slack's ``&amp;``, Discord's
    ``**bold**`` and ``<@id>``), which is longer than the neutral text. Parts are first cut at ``limit``
    neutral characters, and a part that renders too long is cut again, smaller, until it fits.
    """
    parts: list[str] = []
    for chunk in split_text(text, limit):
        pending = [chunk]
        while pending:
            piece = pending.pop(0)
            size = measure(piece)
            if size <= limit or len(piece) <= 1:
                parts.append(piece)
                continue
            smaller = max(1, min(len(piece) - 1, len(piece) * limit // size))
            pending[0:0] = split_text(piece, smaller)
    return parts


ECHO_LIMIT = 60
"""The most characters of a member's own argument an answer repeats back (a 100 KB argument stays theirs)."""


def clip(text: str, limit: int = ECHO_LIMIT) -> str:
    """``text`` shortened with … past ``limit`` characters, markers stripped (member text repeated back)."""
    clean = strip_markers(text)
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """A member's argument quoted back in an answer: :func:`clip`, in quotes."""
    return repr(clip(text, limit))
