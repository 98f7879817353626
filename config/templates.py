"""Message templates admins write in community.yaml: ``{name}``-style placeholders, checked and filled safely.

Why in config/: a template is checked when community.yaml is loaded (a typo like ``{nmae}`` is refused with
its line, not when a newcomer's welcome is due), and filled by the ritual that sends it, from the same rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


class TemplateError(ValueError):
    """A template that cannot be rendered: unknown or malformed placeholder, or a missing value."""


def template_placeholders(template: str, allowed: Iterable[str]) -> set[str]:
    """The placeholders ``template`` uses; a :class:`TemplateError` naming every problem if any is not allowed.

    Used by config validation, so a typo like ``{nmae}`` is refused when community.yaml is loaded rather than
    when a newcomer's welcome is due. ``{{`` and ``}}`` are literal braces.
    """
    allowed = frozenset(allowed)
    used: set[str] = set()
    problems: list[str] = []
    for match in _PLACEHOLDER.finditer(template):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            problems.append(f"a lone {token!r} at position {match.start()} (write {token * 2} for a literal brace)")
        elif not _NAME.fullmatch(name):
            problems.append(f"{{{name}}} is not a placeholder: only plain names such as {{name}} are allowed")
        elif name not in allowed:
            known = ", ".join("{" + a + "}" for a in sorted(allowed))
            problems.append(f"unknown placeholder {{{name}}}; known: {known}")
        else:
            used.add(name)
    if problems:
        raise TemplateError("; ".join(problems))
    return used


def render_template(template: str, /, *, allowed: Iterable[str], **values: str) -> str:
    """Fill ``{name}``-style placeholders with ``values``, inserted verbatim.

    Why not ``str.format``: it evaluates ``{0.__class__}``-style attribute and index lookups, and a member's
    name containing braces could be expanded again. Here one regex pass replaces only plain names, and a value
    is never re-scanned, so ``name="{facilitator}"`` comes out as those literal characters.
    """
    used = template_placeholders(template, allowed)
    missing = sorted(used - values.keys())
    if missing:
        raise TemplateError(f"no value for {', '.join('{' + m + '}' for m in missing)}")

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        return str(_lookup(values, match.group(1)))

    return _PLACEHOLDER.sub(replace, template)


def _lookup(values: Mapping[str, str], name: str) -> str:
    return values[name]
