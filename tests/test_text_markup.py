"""The neutral markup, and each platform's text both ways: what a member wrote comes through as written.

Slack sends ``Tips &amp; tricks <https://x.org|guide>``; the core stores ``Tips & tricks [guide](https://x.org)``
and Slack gets back exactly what it sent (escaped once, not ``&amp;amp;``). The bot's ``*bold*`` is bold on
Discord too (``**bold**``), and a Discord member's ``*italic*`` stays italic when the bot relays it.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapters.discord import markdown
from adapters.slack import mrkdwn
from bot.text import mention, mentioned_key, spans, split_text, split_to_fit

NEUTRAL = (
    "*Pairing cycle #3* _this week_ ~old~ `code *stays*`\n"
    "• see [the guide](https://example.org/a?b=1&c=2)\n"
    "- Tips & tricks <for> everyone\n"
    "1. ```\nblock *x*\n```"
)


def test_slack_text_is_decoded_once_on_the_way_in_and_escaped_once_on_the_way_out() -> None:
    sent = "Tips &amp; tricks &lt;3 <https://x.org/a?b=1&amp;c=2|the guide> in <#C0123|platform> by <@U1|ana> <!here>"
    neutral = mrkdwn.decode(sent)
    assert neutral == "Tips & tricks <3 [the guide](https://x.org/a?b=1&c=2) in #platform by @ana @here"
    rendered = mrkdwn.render(neutral)
    assert rendered.startswith("Tips &amp; tricks &lt;3 <https://x.org/a?b=1&amp;c=2|the guide> in #platform")
    assert "&amp;amp;" not in rendered and "<!here>" not in rendered
    assert mrkdwn.decode("see <https://x.org>") == "see https://x.org"
    assert mrkdwn.decode("<mailto:a@b.org|a@b.org>") == "[a@b.org](mailto:a@b.org)"
    assert mrkdwn.decode("no &amp;lt; double") == "no &lt; double"  # &amp;lt; is the text "&lt;", not "<"


def test_a_person_named_in_a_slack_command_becomes_that_member_by_id() -> None:
    text = mrkdwn.decode("kudos <@U2|ana> for the &quot;fix&quot; &amp; docs",
                         user=lambda uid, _: mention(f"slack:T1:{uid}"))
    words = text.split()
    assert mentioned_key(words[1]) == "slack:T1:U2"
    assert text.endswith("for the &quot;fix&quot; & docs")


def test_the_same_neutral_markup_looks_the_same_on_slack_and_discord() -> None:
    slack = mrkdwn.render(NEUTRAL)
    discord = markdown.render(NEUTRAL, lambda key: f"<@{key}>")
    assert slack.splitlines()[0] == "*Pairing cycle #3* _this week_ ~old~ `code *stays*`"
    assert discord.splitlines()[0] == "**Pairing cycle #3** _this week_ ~~old~~ `code *stays*`"
    assert "<https://example.org/a?b=1&amp;c=2|the guide>" in slack
    assert "[the guide](https://example.org/a?b=1&c=2)" in discord
    assert "- Tips &amp; tricks &lt;for&gt; everyone" in slack and "- Tips & tricks <for> everyone" in discord
    assert discord.endswith("1. ```\nblock *x*\n```") and slack.endswith("1. ```\nblock *x*\n```")


def test_discord_markdown_round_trips_through_the_neutral_markup() -> None:
    written = "**Bold** and *italic* and ~~gone~~ and `*code*` and 2 * 3 = 6"
    neutral = markdown.decode(written)
    assert neutral == "*Bold* and _italic_ and ~gone~ and `*code*` and 2 * 3 = 6"
    assert markdown.render(neutral, str) == "**Bold** and _italic_ and ~~gone~~ and `*code*` and 2 * 3 = 6"


def test_spans_keep_code_links_and_mentions_whole() -> None:
    kinds = [(s.kind, s.value) for s in spans(f"a `b [c](https://d)` [e](https://f) {mention('k:1')}")]
    assert kinds == [("text", "a "), ("code", "`b [c](https://d)`"), ("text", " "), ("link", "e"), ("text", " "),
                     ("mention", "k:1")]


@given(st.lists(st.text(alphabet="ab \n*", max_size=40), max_size=60), st.integers(min_value=5, max_value=200))
def test_split_text_keeps_every_word_in_order_and_every_part_within_the_limit(lines: list[str], limit: int) -> None:
    text = "\n".join(lines)
    parts = split_text(text, limit)
    assert parts and all(len(p) <= limit for p in parts)
    assert all(p.strip() for p in parts) or len(parts) == 1  # blank text is one (blank) part, never several
    assert "".join("".join(p.split()) for p in parts) == "".join(text.split())


def test_split_text_cuts_at_line_boundaries() -> None:
    text = "\n".join(f"line {i:03d}" for i in range(100))  # 8 characters a line
    parts = split_text(text, 50)
    assert all(p.splitlines()[0].startswith("line ") and len(p) <= 50 for p in parts)
    assert [line for p in parts for line in p.splitlines()] == text.splitlines()


def test_parts_fit_the_platform_s_limit_after_rendering() -> None:
    """Slack counts ``&amp;``: 1,000 ampersands are 5,000 characters on the wire, so they take two parts of 3,000."""
    text = "\n".join("&" * 100 for _ in range(10))
    parts = split_to_fit(text, 3000, lambda part: len(mrkdwn.render(part)))
    assert len(parts) == 2 and all(len(mrkdwn.render(p)) <= 3000 for p in parts)
    assert "\n".join(parts) == text
