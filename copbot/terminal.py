"""Chat markup shown in a terminal: the neutral ``*bold*``, ``_italic_``, ``~strike~``, code and links, via rich.

Why: the health report and other texts are written once, in the neutral markup (bot/text.py) that the adapters
render for Slack and Discord. ``copbot report --health`` prints the same text for an operator, and raw
``*Stage:*`` in a terminal reads as noise. The text is cut with the same tokenizer the adapters use (code, links
and mentions are never restyled); rich drops the styles by itself when the output is a pipe or a file, so a
script gets plain words. A Slack date token (``<!date^…|fallback>``), should one reach a terminal, shows its
fallback.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.text import Text

from bot.text import emphasis_pattern, spans

_STYLED = re.compile(
    r"<!date\^\d+\^[^|>]*\|(?P<date>[^>]*)>"
    f"|{emphasis_pattern('*', 'bold')}|{emphasis_pattern('_', 'italic')}|{emphasis_pattern('~', 'strike')}"
)
_STYLES = {"bold": "bold", "italic": "italic", "strike": "strike"}


def _plain(out: Text, text: str) -> None:
    at = 0
    for match in _STYLED.finditer(text):
        out.append(text[at : match.start()])
        at = match.end()
        kind = next(name for name, value in match.groupdict().items() if value is not None)
        out.append(match.group(kind), style=_STYLES.get(kind))
    out.append(text[at:])


def to_rich(text: str) -> Text:
    """Neutral ``text`` as a styled rich Text (a mention becomes @ and the member's id)."""
    out = Text()
    for span in spans(text):
        if span.kind == "code":
            out.append(span.value.strip("`"), style="cyan")
        elif span.kind == "link":
            out.append(span.value, style=f"link {span.url}")
            out.append(f" ({span.url})", style="dim")
        elif span.kind == "mention":
            out.append("@" + span.value.rsplit(":", 1)[-1])
        else:
            _plain(out, span.value)
    return out


def print_chat_text(text: str, console: Console | None = None) -> None:
    """Print neutral chat text for a person at a terminal (plain words when stdout is not one)."""
    (console or Console(soft_wrap=True)).print(to_rich(text))
