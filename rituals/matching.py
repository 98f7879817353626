"""What the pairing and the lasting mentorships both decide with: time-zone overlap, shared interests, and the
mentor matcher, as pure functions.

Why a module of its own, beside the rituals' rooms: both rituals match mentees to mentors by the same measure, and
neither may import the other (pyproject.toml, "rituals apart"); a member's offset and the tags they type are read
the same way for both.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from bot.text import strip_markers
from storage.tags import decode_list, encode_tags

WORKDAY_HOURS = 8.0
"""Two members whose offsets differ by this many hours or more share no working hours."""

MAX_SHARED_COUNTED = 3
"""Shared interests beyond this many add nothing: three common topics are plenty for a first coffee."""

UNKNOWN_TZ_OVERLAP = 0.5
"""Overlap assumed when a member has not told us their time zone: neither a bonus nor a penalty."""

History = Sequence[Iterable[Collection[str]]]
"""Past cycles, oldest first; each cycle is its groups, each group the member keys in it."""

FloatArray = npt.NDArray[np.float64]


def tz_offset_hours(tz: str | None, at: datetime) -> float | None:
    """A member's UTC offset at ``at`` (daylight saving included), or None if unknown or unreadable."""
    if not tz:
        return None
    try:
        offset = at.astimezone(ZoneInfo(tz)).utcoffset()
    except (ValueError, KeyError):
        return None
    return None if offset is None else offset.total_seconds() / 3600


def parse_tags(text: str) -> list[str]:
    """``k8s, Terraform`` -> ``["k8s", "terraform"]`` (member text: markers stripped, nothing interpreted)."""
    return list(decode_list(encode_tags(strip_markers(text).split(","))))


def tz_overlap(a: float | None, b: float | None) -> float:
    """Shared working hours of two UTC offsets as a fraction of a working day (0..1), around the clock."""
    if a is None or b is None:
        return UNKNOWN_TZ_OVERLAP
    diff = abs(a - b) % 24.0
    diff = min(diff, 24.0 - diff)
    return max(0.0, WORKDAY_HOURS - diff) / WORKDAY_HOURS


def interest_score(a: frozenset[str], b: frozenset[str]) -> float:
    """Shared interests as a fraction (0..1) of :data:`MAX_SHARED_COUNTED`."""
    return min(len(a & b), MAX_SHARED_COUNTED) / MAX_SHARED_COUNTED


# --- mentorship ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mentee:
    """A member asking for a mentor, with what they want to learn."""

    key: str
    tz_offset_hours: float | None = None
    goals: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Mentor:
    """A member offering to mentor up to ``capacity`` mentees at a time."""

    key: str
    tz_offset_hours: float | None = None
    skills: frozenset[str] = frozenset()
    capacity: int = 1


@dataclass(frozen=True)
class MentorshipResult:
    """Mentee -> mentor, and the mentees left unmatched with the reason."""

    assignments: dict[str, str]
    unmatched: dict[str, str] = field(default_factory=dict)


SKILL_WEIGHT = 2.0
"""A mentor who knows what the mentee wants to learn matters more than a shared time zone."""


def mentor_fit(mentee: Mentee, mentor: Mentor) -> float:
    """How well ``mentor`` suits ``mentee`` (0..3): skills covering goals (weighted) plus time-zone overlap."""
    return SKILL_WEIGHT * interest_score(mentee.goals, mentor.skills) + tz_overlap(
        mentee.tz_offset_hours, mentor.tz_offset_hours
    )


def _masks(sets: Sequence[frozenset[str]], vocab: Mapping[str, int], words: int) -> npt.NDArray[np.uint64]:
    out = np.zeros((len(sets), words), dtype=np.uint64)
    for i, tags in enumerate(sets):
        for tag in tags:
            t = vocab[tag]
            out[i, t // 64] |= np.uint64(1 << (t % 64))
    return out


def mentor_fit_matrix(mentees: Sequence[Mentee], mentors: Sequence[Mentor]) -> FloatArray:
    """:func:`mentor_fit` for every (mentee, mentor) at once, rows mentees, columns mentors."""
    vocab_list = sorted({t for m in mentees for t in m.goals} | {t for m in mentors for t in m.skills})
    vocab = {t: i for i, t in enumerate(vocab_list)}
    words = max(1, (len(vocab_list) + 63) // 64)
    goals = _masks([m.goals for m in mentees], vocab, words)
    skills = _masks([m.skills for m in mentors], vocab, words)
    shared = np.zeros((len(mentees), len(mentors)), dtype=np.int64)
    for k in range(words):
        shared += np.bitwise_count(goals[:, k][:, None] & skills[:, k][None, :]).astype(np.int64)
    interests = np.minimum(shared, MAX_SHARED_COUNTED) / MAX_SHARED_COUNTED
    ta = np.array([np.nan if m.tz_offset_hours is None else m.tz_offset_hours for m in mentees], dtype=np.float64)
    tb = np.array([np.nan if m.tz_offset_hours is None else m.tz_offset_hours for m in mentors], dtype=np.float64)
    diff = np.abs(ta[:, None] - tb[None, :]) % 24.0
    diff = np.minimum(diff, 24.0 - diff)
    overlap = np.maximum(0.0, WORKDAY_HOURS - diff) / WORKDAY_HOURS
    overlap = np.where(np.isnan(ta)[:, None] | np.isnan(tb)[None, :], UNKNOWN_TZ_OVERLAP, overlap)
    return np.asarray(SKILL_WEIGHT * interests + overlap, dtype=np.float64)


def match_mentors(
    mentees: Sequence[Mentee],
    mentors: Sequence[Mentor],
    history: History = (),
    *,
    avoid_repeat_cycles: int = 6,
    blocked: Iterable[frozenset[str]] = (),
) -> MentorshipResult:
    """Assign mentees to mentor slots maximising total :func:`mentor_fit` exactly (Hungarian algorithm).

    ``blocked`` pairs are never matched, like a recent repeat (a "never pair" wish, the same team, a
    mentorship that was not a fit).

    Each mentor contributes ``capacity`` columns, so capacity can never be exceeded. A recent repeat gets a cost
    higher than any total fit: the solver first matches as many mentees as the rules allow, then maximises fit;
    a mentee whose only option was forbidden is reported unmatched, never assigned.
    """
    mentees = sorted({m.key: m for m in mentees}.values(), key=lambda m: m.key)
    mentors = sorted({m.key: m for m in mentors if m.capacity > 0}.values(), key=lambda m: m.key)
    if not mentees:
        return MentorshipResult(assignments={})
    if not mentors:
        return MentorshipResult(assignments={}, unmatched={m.key: "no mentor has capacity this cycle" for m in mentees})
    fit = mentor_fit_matrix(mentees, mentors)
    banned = np.zeros(fit.shape, dtype=bool)
    mentee_index = {m.key: i for i, m in enumerate(mentees)}
    mentor_index = {m.key: j for j, m in enumerate(mentors)}
    recent = list(history)[-avoid_repeat_cycles:] if avoid_repeat_cycles > 0 else []
    for group in (g for cycle in recent for g in cycle):  # look up each past group, not every possible pair
        rows = [mentee_index[k] for k in group if k in mentee_index]
        cols = [mentor_index[k] for k in group if k in mentor_index]
        if rows and cols:
            banned[np.ix_(rows, cols)] = True
    refused = np.zeros(fit.shape, dtype=bool)
    for pair in blocked:
        for a in pair:
            for b in pair:
                if a in mentee_index and b in mentor_index:
                    refused[mentee_index[a], mentor_index[b]] = True
    banned |= refused
    slot_mentor = np.repeat(np.arange(len(mentors)), [m.capacity for m in mentors])
    prohibitive = (float(fit.max()) + 1.0) * (len(mentees) + 1)
    cost = np.where(banned, prohibitive, -fit)[:, slot_mentor]
    rows, cols = linear_sum_assignment(cost)
    assignments: dict[str, str] = {}
    unmatched: dict[str, str] = {}
    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        j = int(slot_mentor[c])
        if banned[r, j] and refused[r, j]:
            unmatched[mentees[r].key] = "no mentor with a free place may be matched with them (never-pair or team)"
        elif banned[r, j]:
            unmatched[mentees[r].key] = (
                f"every mentor with a free place mentored them in the last {avoid_repeat_cycles} cycles"
            )
        else:
            assignments[mentees[r].key] = mentors[j].key
    for mentee in mentees:
        if mentee.key not in assignments and mentee.key not in unmatched:
            unmatched[mentee.key] = "all mentor places are taken this cycle"
    return MentorshipResult(assignments=assignments, unmatched=unmatched)
