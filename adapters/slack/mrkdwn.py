"""Slack text rendering: intended mentions become ``<@U…>``, everything a member wrote is made harmless.

Why: the bot relays member-written text (queued questions, names, replies). In Slack's API text the
control sequences ``<!everyone>``, ``<!here>``, ``<!channel>``, ``<!subteam^…>`` and ``<@U…>`` ping
people; escaping ``&``, ``<`` and ``>`` turns each into inert characters. Bare ``@here``-style words do
not ping in API text, but clients may still highlight them, so a zero-width joiner is slipped in too.
Only the mention markers from :func:`bot.text.mention` (which members cannot type) become real mentions.
"""

from __future__ import annotations

import re
from typing import Any

from bot.actions import Button
from bot.text import MENTION_RE

ZWJ = "\u200d"
_BROADCAST = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
SECTION_LIMIT = 3000  # Block Kit: a section's text may hold at most 3000 characters
BUTTON_LABEL_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000


def escape(text: str) -> str:
    """Make member text inert: Slack's three control characters escaped, broadcast words broken."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + ZWJ + m.group(1), escaped)


def user_id_of(member_key: str) -> str:
    """``slack:T1:U2`` → ``U2``; any other key is not a Slack member and cannot be addressed here."""
    parts = member_key.split(":")
    if len(parts) != 3 or parts[0] != "slack" or not parts[2]:
        raise ValueError(f"{member_key!r} is not a Slack member key (slack:<team_id>:<user_id>)")
    return parts[2]


def render_mention(member_key: str) -> str:
    """A marked mention of a Slack member pings them; a non-Slack key is shown as plain, inert text."""
    try:
        return f"<@{user_id_of(member_key)}>"
    except ValueError:
        return escape("@" + member_key.split(":")[-1])


def render(text: str) -> str:
    """Core text → Slack mrkdwn: escape every span, then put the intended mentions between them."""
    out: list[str] = []
    last = 0
    for match in MENTION_RE.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(render_mention(match.group(1)))
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def _chunks(text: str, size: int) -> list[str]:
    """Split at line breaks where possible so a long message stays readable across sections."""
    chunks: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        if cut <= 0:
            cut = size
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    chunks.append(text)
    return chunks


def blocks(rendered: str, buttons: tuple[Button, ...]) -> list[dict[str, Any]]:
    """Block Kit for one message: the text in section(s), then one actions block with the buttons."""
    result: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
        for chunk in _chunks(rendered, SECTION_LIMIT)
        if chunk
    ]
    if buttons:
        result.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": b.label[:BUTTON_LABEL_LIMIT], "emoji": True},
                        "action_id": b.action_id,
                        "value": b.value[:BUTTON_VALUE_LIMIT],
                    }
                    for b in buttons
                ],
            }
        )
    return result
