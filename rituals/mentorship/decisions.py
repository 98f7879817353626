"""Lasting mentorships: what is due next in a term, what the answers decide, and the words. Pure functions.

A mentorship runs a term. Both get a short check-in every ``checkin_every``; halfway through the term both are
asked "keep going / done / not a fit", and again when the term ends. "Not a fit" from either ends it (the mentee
is matched anew, never with that mentor again); "done" from either completes it; both saying "keep going" at the
end renews it for another term. Nobody answering the end-of-term question within ``answer_within`` closes it as
completed (or renews it, if one of them said "keep going").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

KEEP, DONE, MISFIT = "keep", "done", "misfit"
ANSWERS = {KEEP: "keep going", DONE: "done", MISFIT: "not a fit"}
COMPLETED, NOT_A_FIT, RENEW = "completed", "not_a_fit", "renew"


@dataclass(frozen=True)
class Term:
    """Where a mentorship stands in its current term (all aware UTC)."""

    started_at: datetime
    term_started_at: datetime
    term_ends_at: datetime
    last_checkin_at: datetime | None = None
    mid_asked_at: datetime | None = None
    end_asked_at: datetime | None = None


def _this_term(at: datetime | None, term: Term) -> bool:
    return at is not None and at >= term.term_started_at


def next_step(term: Term, now: datetime, checkin_every: timedelta, answer_within: timedelta) -> str | None:
    """What is due now: ``close``, ``end`` (question), ``mid`` (question), ``checkin``, or None."""
    if _this_term(term.end_asked_at, term):
        assert term.end_asked_at is not None
        return "close" if now >= term.end_asked_at + answer_within else None
    if now >= term.term_ends_at:
        return "end"
    if now >= term.term_started_at + (term.term_ends_at - term.term_started_at) / 2 and not _this_term(
        term.mid_asked_at, term
    ):
        return "mid"
    base = max(t for t in (term.last_checkin_at, term.mid_asked_at, term.term_started_at) if t is not None)
    return "checkin" if now >= base + checkin_every else None


def decide(stage: str, answers: Mapping[str, str], pair: Sequence[str]) -> str | None:
    """What the answers so far decide: ``not_a_fit``, ``completed``, ``renew`` (end of term, both keep going), or
    None (keep going; at the end of a term, wait for the other one)."""
    said = set(answers.values())
    if MISFIT in said:
        return NOT_A_FIT
    if DONE in said:
        return COMPLETED
    if stage == "end" and all(answers.get(member) == KEEP for member in pair):
        return RENEW
    return None


def close_unanswered(answers: Mapping[str, str]) -> str:
    """The end-of-term question went unanswered long enough: renew if one said "keep going", else completed."""
    said = set(answers.values())
    if MISFIT in said:
        return NOT_A_FIT
    return RENEW if KEEP in said and DONE not in said else COMPLETED


def completion(statuses: Iterable[str]) -> tuple[int, int]:
    """(completed, ended): of the mentorships that ended, how many ran their course rather than not fitting."""
    ended = [s for s in statuses if s in (COMPLETED, NOT_A_FIT)]
    return sum(1 for s in ended if s == COMPLETED), len(ended)


def weeks(span: timedelta) -> str:
    n = round(span / timedelta(weeks=1))
    return f"{n} week{'s' if n != 1 else ''}"


def intro_text(community: str, mentor: str, mentee: str, skills: Sequence[str], term: timedelta) -> str:
    wants = f" would like to learn about {', '.join(skills)}" if skills else " would like a mentor"
    return (
        f"Hello {mentor} and {mentee}! In {community}'s mentorship, {mentor} is mentoring {mentee}, who{wants}. "
        f"This mentorship runs for {weeks(term)}: I will check in every now and then, ask halfway how it goes, "
        "and again at the end. Take half an hour this week to get to know each other and agree how you want to work."
    )


def checkin_text(left: timedelta) -> str:
    return (f"A quick check-in on your mentorship ({weeks(left)} left in this term): did you manage to meet "
            "lately? One click from either of you is enough.")  # fmt: skip


def question_text(stage: str) -> str:
    if stage == "mid":
        return ("Halfway through your mentorship's term: how is it going? Keep going, done (you got what you "
                "came for), or not a fit? Each of you can answer; nobody else sees it.")  # fmt: skip
    return ("Your mentorship's term ends now. Keep going for another term, done, or not a fit? If you both "
            "keep going it carries on; otherwise it closes, with thanks.")  # fmt: skip
