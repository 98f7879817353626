"""Slack text both ways: Slack's escaped markup in, the neutral markup out, and nothing a member wrote can ping.

Inbound (:func:`decode`): Slack sends message and command text HTML-escaped (``&amp; &lt; &gt;``) with its own
markup for people, channels and links (``<@U…>``, ``<#C…|name>``, ``<https://…|label>``); it is decoded into
the neutral text of :mod:`bot.text` once, on the way in, so what is stored and relayed is what the member wrote.

Outbound (:func:`render`): the bot relays member-written text (queued questions, names, replies). In Slack's API
text the control sequences ``<!everyone>``, ``<!here>``, ``<!channel>``, ``<!subteam^…>`` and ``<@U…>`` ping
people; escaping ``&``, ``<`` and ``>`` exactly once turns each into inert characters. Bare ``@here``-style words
do not ping in API text, but clients may still highlight them, so a zero-width joiner is slipped in too. Only
the mention markers from :func:`bot.text.mention` (which members cannot type) become real mentions, and only
neutral links ``[label](url)`` become Slack links. Slack's mrkdwn is the neutral markup's own notation
(``*bold*``, ``_italic_``, ``~strike~``), so emphasis passes through as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from bot.actions import Button
from bot.text import link, render_spans

ZWJ = "\u200d"
_BROADCAST = re.compile(r"@(everyone|here|channel)\b", re.IGNORECASE)
SECTION_LIMIT = 3000  # Block Kit: a section's text may hold at most 3000 characters
BUTTON_LABEL_LIMIT = 75
BUTTON_VALUE_LIMIT = 2000


_MARKUP = re.compile(r"<([^<>\n]*)>")


def escape(text: str) -> str:
    """Make member text inert: Slack's three control characters escaped, broadcast words broken."""
    return _BROADCAST.sub(lambda m: "@" + ZWJ + m.group(1), _escape_chars(text))


def _escape_chars(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack's three entities back to characters (``&amp;`` last, so ``&amp;lt;`` stays ``&lt;``)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


Resolve = Callable[[str, str], str]
"""(id, the label Slack sent or "") → what to show instead of ``<@id>`` / ``<#id>``."""


def decode(text: str, *, user: Resolve | None = None, channel: Resolve | None = None) -> str:
    """Slack's text → neutral text: entities unescaped once, ``<…>`` markup made readable.

    People become ``@name`` (``user`` picks the name, or the mention marker of a member for a command's
    argument), channels ``#name``, ``<!here>`` the plain word ``@here`` (which the way out makes inert again),
    a user group its ``@handle``, a date its fallback text, ``<https://x|label>`` the neutral link and a bare
    ``<https://x>`` the address itself.
    """

    def replace(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            return user(target[1:], label) if user else "@" + (label or target[1:])
        if target.startswith("#"):
            return channel(target[1:], label) if channel else "#" + (label or target[1:])
        if target.startswith("!subteam^"):
            return label or "@group"
        if target.startswith("!date^"):
            return label
        if target.startswith("!"):
            return "@" + (label or target[1:])
        if target.startswith(("http://", "https://", "mailto:")):
            shown = label or target.removeprefix("mailto:")
            return target if shown == target else link(target, shown)
        return match.group(0)

    return unescape(_MARKUP.sub(replace, text))


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
    """Neutral text → Slack mrkdwn: every piece escaped exactly once; marked mentions and neutral links become
    Slack's own markup between them; code is escaped but otherwise left as written."""
    return render_spans(text, plain=escape, code=_escape_chars, mention=render_mention,
                        link=lambda label, url: f"<{_escape_chars(url)}|{escape(label)}>")


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
