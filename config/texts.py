"""Texts admins can change in community.yaml: a template type checked for its placeholders when the file loads.

Why a helper: every new ritual's wording (a welcome to a group, a challenge's rules, a session reminder) is the
community's own voice; each text is a field with our default wording, and a typo such as ``{gruop}`` is refused
with its line when community.yaml is loaded, not when the message is due.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any

from pydantic import AfterValidator

from config.templates import TemplateError, render_template, template_placeholders


def _checker(allowed: frozenset[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if not value.strip():
            raise ValueError("this text is empty; write the text or remove the line to keep the default")
        try:
            template_placeholders(value, allowed)
        except TemplateError as exc:
            raise ValueError(str(exc)) from None
        return value

    return check


def text_with(*allowed: str) -> Any:
    """A ``str`` field type whose ``{placeholders}`` must be among ``allowed``."""
    return Annotated[str, AfterValidator(_checker(frozenset(allowed)))]


def fill(template: str, allowed: Iterable[str], **values: str) -> str:
    """Render a checked text with its values (each inserted verbatim, never re-scanned)."""
    return render_template(template, allowed=allowed, **values)
