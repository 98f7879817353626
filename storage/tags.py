"""Tags and short lists as stored: one comma-separated text column, one way to write it and one to read it.

Why one module: members' interests, resource tags, pairing goals and contributor lists are all kept as
``a,b,c`` text. Each reader used to split it by hand and each writer to normalise in its own way (lower-case
here, ``#`` stripped there), so ``#K8s`` given in one place missed ``k8s`` stored in another.
"""

from __future__ import annotations

from collections.abc import Iterable


def normalise_tag(tag: str) -> str:
    """``" #K8s "`` -> ``"k8s"``: the one spelling every tag is stored and compared in.

    Every leading ``#`` and blank goes at once, so normalising twice changes nothing (``"# #"`` is no tag, not
    ``"#"``, which a second pass would have turned into ``""``)."""
    return tag.lstrip("# \t\r\n\f\v").rstrip().lower()


def encode_tags(tags: Iterable[str]) -> str:
    """Tags as stored: normalised, without blanks or repeats, sorted, comma-separated."""
    return ",".join(sorted({t for t in (normalise_tag(raw) for raw in tags) if t}))


def encode_list(items: Iterable[str]) -> str:
    """Items kept as given and in order (member keys, tags already normalised in the order a member chose)."""
    return ",".join(items)


def decode_list(stored: str | None) -> tuple[str, ...]:
    """The items of a stored comma-separated text, in order, without blanks (tags or member keys alike)."""
    return tuple(item for item in (stored or "").split(",") if item)
