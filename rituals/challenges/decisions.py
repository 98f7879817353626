"""Challenges' decisions, as pure functions: reading ``/cop challenge start``, what is due, who may vote for
what, and the leaderboard."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from config.durations import parse_duration

MAX_TITLE = 120
MAX_ENTRY = 1000


class Refused(ValueError):
    """Input that cannot be used; the message says what to type instead."""


def close_of(day: date, zone: str) -> datetime:
    """Submissions for ``day`` close at the end of that day in the community's zone (the next midnight)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(zone))


@dataclass(frozen=True)
class StartRequest:
    """A facilitator's ``/cop challenge start "title" --until DAY [--teams] [--rules "..."] [--voting 3d]``."""

    title: str
    until: date
    teams: bool
    rules: str
    voting: timedelta | None


USAGE = '`/cop challenge start "Automate one toil" --until 2027-02-01 [--teams] [--rules "..."] [--voting 3d]`'


def parse_start(args: Sequence[str], today: date) -> StartRequest:
    """The words after ``/cop challenge start``; a :class:`Refused` that shows the usage when they don't fit."""
    title_words: list[str] = []
    until: date | None = None
    teams = False
    rules = ""
    voting: timedelta | None = None
    words = list(args)
    while words:
        word = words.pop(0)
        flag = word.lower()
        if flag in ("--until", "--rules", "--voting"):
            if not words:
                raise Refused(f"`{flag}` needs a value. Usage: {USAGE}")
            value = words.pop(0)
            if flag == "--until":
                try:
                    until = date.fromisoformat(value)
                except ValueError:
                    raise Refused(f"I could not read {value!r} as a day; write it like 2027-02-01.") from None
            elif flag == "--rules":
                rules = value.strip()
            else:
                try:
                    voting = parse_duration(value)
                except ValueError:
                    raise Refused(f"I could not read {value!r} as a duration; write it like 3d or 36h.") from None
        elif flag == "--teams":
            teams = True
        elif word.startswith("--"):
            raise Refused(f"I don't know the option {word!r}. Usage: {USAGE}")
        else:
            title_words.append(word)
    title = " ".join(title_words).strip()
    if not title:
        raise Refused(f"Give the challenge a title. Usage: {USAGE}")
    if len(title) > MAX_TITLE:
        raise Refused(f"Keep the title under {MAX_TITLE} characters (it is {len(title)}).")
    if until is None:
        raise Refused(f"Say when submissions close with `--until YYYY-MM-DD`. Usage: {USAGE}")
    if until < today:
        raise Refused(f"{until.isoformat()} has passed; pick today or a later day for `--until`.")
    return StartRequest(title, until, teams, rules, voting)


@dataclass(frozen=True)
class Moments:
    """A challenge's timeline."""

    starts: datetime
    remind: datetime
    deadline: datetime
    voting_ends: datetime


def due_steps(status: str, reminded: bool, moments: Moments, now: datetime) -> list[str]:
    """The steps a check at ``now`` must take, in order: ``remind``, ``vote`` (the deadline passed), ``close``."""
    steps = []
    if status == "open" and not reminded and moments.remind <= now < moments.deadline:
        steps.append("remind")
    if status == "open" and now >= moments.deadline:
        steps.append("vote")
    if status in ("open", "voting") and now >= moments.voting_ends:
        steps.append("close")
    return steps


def next_moment(status: str, reminded: bool, moments: Moments, after: datetime) -> datetime | None:
    """When this challenge next needs a check after ``after`` (None: never again)."""
    candidates = []
    if status == "open":
        if not reminded and moments.remind > after:
            candidates.append(moments.remind)
        candidates.append(moments.deadline)
    if status in ("open", "voting"):
        candidates.append(moments.voting_ends)
    later = [c for c in candidates if c > after]
    return min(later) if later else (after if candidates else None)


def may_vote(voter: str, voter_team: str, entry: str) -> bool:
    """No self-votes: a member may not vote for their own entry, nor for their team's."""
    return entry not in (voter, voter_team)


@dataclass(frozen=True)
class Standing:
    """One entry's place on the leaderboard."""

    place: int
    entry: str
    votes: int
    submission_id: int


def leaderboard(entries: Sequence[tuple[int, str]], votes: Sequence[int]) -> list[Standing]:
    """Entries (submission id, entry) in submission order, ranked by votes; ties share a place, and an earlier
    entry is listed first among equals. ``votes`` is the submission id of each vote cast."""
    counted = Counter(votes)
    ranked = sorted(enumerate(entries), key=lambda item: (-counted[item[1][0]], item[0]))
    standings: list[Standing] = []
    for position, (_, (submission_id, entry)) in enumerate(ranked, start=1):
        n = counted[submission_id]
        place = standings[-1].place if standings and standings[-1].votes == n else position
        standings.append(Standing(place, entry, n, submission_id))
    return standings


def winners(standings: Sequence[Standing], places: int) -> list[Standing]:
    """The entries that won a place: within the first ``places`` places and with at least one vote."""
    return [s for s in standings if s.place <= places and s.votes > 0]


ORDINAL = {1: "1st", 2: "2nd", 3: "3rd"}


def ordinal(n: int) -> str:
    return ORDINAL.get(n, f"{n}th")


def is_marked_submission(text: str) -> str | None:
    """A reply in a challenge's thread is an entry when it starts with ``submit:`` / ``submission:``; its text."""
    head, sep, rest = text.strip().partition(":")
    if sep and head.strip().lower() in ("submit", "submission", "entry") and rest.strip():
        return rest.strip()
    return None
