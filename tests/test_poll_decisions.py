"""Reading /cop poll and counting votes: the parts of polls that need no clock, database or network."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rituals.polls.decisions import PollSyntaxError, Vote, numeric_average, parse_poll, results_text, tally

CLOSED = datetime(2027, 1, 10, 12, tzinfo=UTC)


def test_a_quoted_question_then_options() -> None:
    request = parse_poll(["Which day suits the meetup?", "Tuesday", "Wednesday", "Thursday"])
    assert request.question == "Which day suits the meetup?"
    assert request.options == ("Tuesday", "Wednesday", "Thursday")
    assert (request.open_for, request.open_question, request.anonymous) == (None, "", None)


def test_flags_anywhere_after_the_question() -> None:
    request = parse_poll(["Rate the talk", "--for", "2d", "1", "2", "3", "--ask", "What was missing?", "--named"])
    assert request.options == ("1", "2", "3")
    assert request.open_for == timedelta(days=2)
    assert request.open_question == "What was missing?"
    assert request.anonymous is False


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "needs a question"),
        (["Which day?", "Tuesday"], "at least two options"),
        (["Which?"], "at least two options"),
        (["Q?", "a", "A"], "are the same"),
        (["Q?", "a", "b", "--for"], "`--for` needs a value"),
        (["Q?", "a", "b", "--for", "soon"], "as a duration"),
        (["Q?", "a", "b", "--for", "90d"], "between 15 minutes and 60 days"),
        (["Q?", "a", "b", "--colour", "red"], "not an option I know"),
        (["Q?", *[str(i) for i in range(11)]], "at most 10 options"),
        (["Q?", "a", "x" * 80], "too long for a button"),
    ],
)
def test_malformed_polls_say_what_to_change_with_an_example(args: list[str], says: str) -> None:
    with pytest.raises(PollSyntaxError) as caught:
        parse_poll(args)
    message = str(caught.value)
    assert says in message
    assert '/cop poll "' in message  # usage and example are always there


def test_unquoted_question_words_get_a_hint_about_quotes() -> None:
    with pytest.raises(PollSyntaxError, match="Put the question in quotes"):
        parse_poll(["Which", "day"])  # "day" would be the only option


def test_tally_counts_each_members_latest_vote_and_averages_a_scale() -> None:
    votes = [Vote("ana", 4, None), Vote("ben", 2, "More demos"), Vote("cy", 4, None), Vote("dee", None, "Less talk")]
    result = tally(1, "How valuable?", ["1", "2", "3", "4", "5"], votes, CLOSED, open_question="What would help?")
    assert [o.votes for o in result.options] == [0, 0, 1, 0, 2]
    assert result.responses == 4
    assert result.average == pytest.approx((3 + 5 + 5) / 3)
    assert result.open_answers == ("More demos", "Less talk")
    assert result.voters == ()  # anonymous by default


def test_named_polls_say_who_chose_what() -> None:
    votes = [Vote("console:ana", 0, None, "Ana"), Vote("console:ben", 1, None, "Ben")]
    result = tally(2, "Which day?", ["Tue", "Wed"], votes, CLOSED, anonymous=False)
    assert result.voters == ("Ana: Tue", "Ben: Wed")
    assert "Who chose what: Ana: Tue; Ben: Wed" in results_text(result)
    assert "Ana" not in results_text(tally(2, "Which day?", ["Tue", "Wed"], votes, CLOSED))


def test_average_only_for_numeric_options() -> None:
    assert numeric_average(["Tue", "Wed"], [1, 2]) is None
    assert numeric_average(["1", "5"], [0, 0]) is None
    assert numeric_average(["1", "5"], [1, 1]) == 3.0


def test_results_text_shows_bars_and_relays_member_text_without_mentions() -> None:
    votes = [Vote("ana", 0, "ping \ue000slack:T1:U1\ue001 please")]
    text = results_text(tally(3, "Tue or Wed?", ["Tue", "Wed"], votes, CLOSED, open_question="Why?"))
    assert "██████████ Tue: 1 (100%)" in text and "░░░░░░░░░░ Wed: 0 (0%)" in text
    assert "\ue000" not in text and "ping slack:T1:U1 please" in text


def test_many_written_answers_are_capped_so_the_results_stay_readable() -> None:
    votes = [Vote(f"m{i}", None, f"answer number {i} " + "words " * 80) for i in range(20)]
    text = results_text(tally(4, "Ideas?", ["a", "b"], votes, CLOSED, open_question="What next?"))
    assert text.count("• answer number") == 12 and "…and 8 more" in text
    assert len(text) < 4000 and max(len(line) for line in text.splitlines()) <= 282
