"""Resource-library decisions as pure functions: a thread's title, summary, contributors and tags.

A harvested thread becomes a :class:`Draft` from its kept messages (and, for a weekly prompt's thread, the
question that opened it). Tags are the ones given, or else suggested: words of the prompt or thread that
match the community's known tags (members' interests and tags already in the library), then the thread's
most frequent meaningful words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.text import strip_markers
from storage.tags import normalise_tag

MAX_TITLE = 90
MAX_TAGS = 5
_WORD = re.compile(r"[a-z0-9][a-z0-9+#.-]*[a-z0-9+#]|[a-z0-9]", re.IGNORECASE)
_TAG = re.compile(r"^[a-z0-9][a-z0-9+#.-]{0,30}$")
_STOPWORD_TEXT = """a about after again all also an and any are as at be because been before being but by can could
    did do does doing don't down during each few for from further had has have having he her here hers him his how i if
    in into is it its itself just let me more most my no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these they this those
    through to too under until up very was we were what when where which while who whom why will with would you
    your yours week weekly thread reply question thanks thank anyone everyone one get got use used using like
    think really much many still way thing things lot bit try tried yes yeah ok okay good great"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


@dataclass(frozen=True)
class ThreadLine:
    """One kept message of a thread, in order."""

    member: str
    text: str


@dataclass(frozen=True)
class Draft:
    """A resource before it is stored."""

    title: str
    summary: str
    body: str
    contributors: tuple[str, ...]
    tags: tuple[str, ...]


def clean(text: str) -> str:
    """Member text as the library keeps it: no mention markers, whitespace tidied line by line."""
    lines = [" ".join(line.split()) for line in strip_markers(text).splitlines()]
    return "\n".join(line for line in lines if line)


def title_for(lines: Sequence[ThreadLine], question: str | None) -> str:
    """The prompt's question, else the first line of the thread's first message, shortened on a word."""
    source = question or next((clean(line.text) for line in lines if clean(line.text)), "") or "A thread worth keeping"
    first = source.splitlines()[0].strip(" *_")
    if len(first) <= MAX_TITLE:
        return first
    cut = first[:MAX_TITLE].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


def summarise(lines: Sequence[ThreadLine], keep: int) -> str:
    """The thread's first ``keep`` non-empty lines, each shortened, with ``…`` when there is more."""
    flat = [line for message in lines for line in clean(message.text).splitlines()]
    shown = [line if len(line) <= 200 else line[:199].rsplit(" ", 1)[0] + "…" for line in flat[:keep]]
    if len(flat) > keep:
        shown.append("…")
    return "\n".join(shown)


def contributors(lines: Sequence[ThreadLine], exclude: Iterable[str] = ()) -> tuple[str, ...]:
    """Everyone who wrote in the thread, in order of their first message."""
    skip = set(exclude)
    seen: dict[str, None] = {}
    for line in lines:
        if line.member not in skip:
            seen.setdefault(line.member, None)
    return tuple(seen)


def normalise_tags(given: Iterable[str]) -> tuple[str, ...]:
    """Tags as typed (``#k8s``, ``Terraform,CI``) made lower-case, de-duplicated; rejects what is not a tag."""
    out: dict[str, None] = {}
    for raw in given:
        for part in raw.split(","):
            tag = normalise_tag(part)
            if not tag:
                continue
            if not _TAG.match(tag):
                raise ValueError(f"{strip_markers(part.strip())!r} is not a tag; use letters, digits and - . + #, "
                                 "e.g. `#kubernetes`")
            out.setdefault(tag, None)
    return tuple(out)[:MAX_TAGS]


def words_of(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(strip_markers(text))]


def suggest_tags(question: str | None, lines: Sequence[ThreadLine], known: Iterable[str]) -> tuple[str, ...]:
    """Known tags mentioned in the prompt or thread (most mentioned first), then the thread's own frequent words."""
    known_set = {k.lower() for k in known if k}
    prompt_words = words_of(question or "")
    thread_words = [w for line in lines for w in words_of(line.text)]
    counts = Counter(prompt_words * 3 + thread_words)  # the prompt names the topic: weigh it
    chosen: list[str] = [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if w in known_set]
    if len(chosen) < MAX_TAGS:
        frequent = [w for w, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                    if n >= 2 and len(w) > 3 and w not in STOPWORDS and not w.isdigit() and w not in chosen]
        chosen += frequent[: MAX_TAGS - len(chosen)]
    return tuple(chosen[:MAX_TAGS])


def draft(lines: Sequence[ThreadLine], *, question: str | None, summary_lines: int, given_tags: Sequence[str],
          known_tags: Iterable[str], bot_members: Iterable[str] = ()) -> Draft:
    """Everything a resource needs from a thread: title, summary, searchable body, contributors and tags."""
    body_parts = ([question] if question else []) + [clean(line.text) for line in lines]
    tags = normalise_tags(given_tags) if given_tags else suggest_tags(question, lines, known_tags)
    return Draft(
        title=title_for(lines, question),
        summary=summarise(lines, summary_lines),
        body="\n".join(part for part in body_parts if part),
        contributors=contributors(lines, exclude=bot_members),
        tags=tags,
    )
