"""Discord text both ways: Discord's Markdown in, the neutral markup (:mod:`bot.text`) out.

Why convert at all: the neutral markup writes bold as ``*bold*`` (Slack's notation, which the rituals use),
and Discord shows a single star as italics. So ``*bold*`` goes out as ``**bold**`` and ``~strike~`` as
``~~strike~~``; ``_italic_``, code and ``[label](url)`` links are the same on both. On the way in a member's
``**bold**`` becomes ``*bold*`` and their ``*italic*`` ``_italic_``, so relayed text keeps its look.
Mentions are rendered by the adapter, which also decides who may be pinged.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.text import emphasis_pattern, render_spans

_NEUTRAL_BOLD = re.compile(emphasis_pattern("*"))
_NEUTRAL_STRIKE = re.compile(emphasis_pattern("~"))
_DISCORD_EMPHASIS = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<![*\w])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![*\w])")
_DISCORD_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)


def render(text: str, mention: Callable[[str], str]) -> str:
    """Neutral text → Discord Markdown; ``mention(member_key)`` renders each marked mention."""
    def plain(text: str) -> str:
        return _NEUTRAL_STRIKE.sub(r"~~\1~~", _NEUTRAL_BOLD.sub(r"**\1**", text))

    return render_spans(text, plain=plain, code=lambda code: code, mention=mention,
                        link=lambda label, url: f"[{label}]({url})")


def decode(content: str) -> str:
    """Discord Markdown (mentions already made readable) → neutral text; code is left as written."""
    out: list[str] = []
    last = 0
    for match in _CODE.finditer(content):
        out.append(_decode_plain(content[last : match.start()]))
        out.append(match.group(0))
        last = match.end()
    out.append(_decode_plain(content[last:]))
    return "".join(out)


def _decode_plain(text: str) -> str:
    def emphasis(match: re.Match[str]) -> str:
        if match.group(1) is not None:
            return f"*{match.group(1)}*"
        return f"_{match.group(2)}_"

    return _DISCORD_STRIKE.sub(r"~\1~", _DISCORD_EMPHASIS.sub(emphasis, text))
