"""Chat markup shown in a terminal: ``*bold*``, ``_italic_``, ```code```, dates and links, rendered with rich.

Why: the health report and other texts are written once, in the chat markup the adapters render for Slack
and Discord. ``copbot report --health`` prints the same text for an operator, and raw ``*Stage:*`` or
``<!date^1767225600^{date}|1 Jan 2027>`` in a terminal reads as noise. rich drops the styles by itself when
the output is a pipe or a file, so a script gets plain words.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.text import Text

from bot.text import render_mentions

_TOKEN = re.compile(
    r"<!date\^\d+\^[^|>]*\|(?P<date>[^>]*)>"  # Slack's date token: its fallback text is the local date
    r"|<(?P<url>https?://[^|>]+)(?:\|(?P<label>[^>]+))?>"  # a link, with or without a label
    r"|\*(?P<bold>[^*\n]+)\*"
    r"|(?<!\w)_(?P<italic>[^_\n]+)_(?!\w)"
    r"|`(?P<code>[^`\n]+)`"
)


def to_rich(text: str) -> Text:
    """``text`` in chat markup as a styled rich Text (mentions become @name)."""
    text = render_mentions(text, lambda key: "@" + key.rsplit(":", 1)[-1])
    out = Text()
    at = 0
    for match in _TOKEN.finditer(text):
        out.append(text[at : match.start()])
        at = match.end()
        if match.group("date") is not None:
            out.append(match.group("date"))
        elif match.group("url") is not None:
            label, url = match.group("label"), match.group("url")
            out.append(label or url, style=f"link {url}")
            if label:
                out.append(f" ({url})", style="dim")
        elif match.group("bold") is not None:
            out.append(match.group("bold"), style="bold")
        elif match.group("italic") is not None:
            out.append(match.group("italic"), style="italic")
        else:
            out.append(match.group("code"), style="cyan")
    out.append(text[at:])
    return out


def print_chat_text(text: str, console: Console | None = None) -> None:
    """Print chat markup for a person at a terminal (plain words when stdout is not one)."""
    (console or Console(soft_wrap=True)).print(to_rich(text))
