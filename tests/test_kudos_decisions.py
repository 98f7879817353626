"""Kudos decisions, pure: reading the command, refusals, milestones and the digest."""

from __future__ import annotations

import pytest

from bot.text import mention
from rituals.kudos.decisions import (
    GivenKudos,
    KudosRefused,
    check_allowed,
    digest_text,
    milestones_reached,
    parse_request,
)


def test_parse_reads_private_the_member_and_the_reason_without_the_word_for() -> None:
    request = parse_request(["private", "@ben", "for", "the", "kind", "review"], max_reason=100)
    assert (request.private, request.who, request.reason) == (True, "@ben", "the kind review")
    assert parse_request(["@ben", "debugging", "it"], max_reason=100).reason == "debugging it"


def test_parse_strips_mention_markers_from_the_reason() -> None:
    request = parse_request(["@ben", "for", f"telling {mention('slack:T1:U9')}"], max_reason=100)
    assert "\ue000" not in request.reason and "slack:T1:U9" in request.reason


@pytest.mark.parametrize(("args", "expected"), [
    ([], "Who would you like to thank?"),
    (["@ben"], "Say what you're thanking them for"),
    (["@ben", "for"], "Say what you're thanking them for"),
    (["@ben", "x" * 31], "keep it under 30"),
])
def test_parse_refuses_with_what_to_type(args: list[str], expected: str) -> None:
    with pytest.raises(KudosRefused, match=expected):
        parse_request(args, max_reason=30)


def test_self_kudos_are_refused() -> None:
    with pytest.raises(KudosRefused, match="someone else"):
        check_allowed("ana", "ana", 0, 5, private=False, allow_private=True)


def test_the_cap_refuses_the_kudos_after_the_last_allowed_one() -> None:
    check_allowed("ana", "ben", 4, 5, private=False, allow_private=True)
    with pytest.raises(KudosRefused, match="You've given 5 kudos today"):
        check_allowed("ana", "ben", 5, 5, private=False, allow_private=True)


def test_private_kudos_can_be_switched_off() -> None:
    with pytest.raises(KudosRefused, match="Private kudos are switched off"):
        check_allowed("ana", "ben", 0, 5, private=True, allow_private=False)


def test_milestones_crossed_only_on_the_step_that_reaches_them() -> None:
    assert milestones_reached(9, 10, [10, 25]) == [10]
    assert milestones_reached(10, 11, [10, 25]) == []
    assert milestones_reached(8, 26, [10, 25]) == [10, 25]


def test_digest_counts_and_ranks_and_is_none_when_empty() -> None:
    kudos = [GivenKudos("a", "b", "one"), GivenKudos("c", "b", "two"), GivenKudos("b", "c", "three")]
    text = digest_text("Guild", kudos, str.upper, period="this week")
    assert text is not None
    assert "3 thank-yous from 3 members" in text and "Most thanked: B (2), C (1)" in text
    assert "• A → B: one" in text
    assert digest_text("Guild", [], str.upper, period="this week") is None
