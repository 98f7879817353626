"""The member ladder as pure functions: who may be ready for their next step, and the figures that say so.

The ladder is newcomer → regular → buddy (mentor) → co-host → facilitator. A member is suggested for the *next*
rung only, when every threshold of that rung (community.yaml, ``rituals.ladder.rungs``) is met. A suggestion is
only ever a suggestion: a facilitator confirms, the member accepts, and only then does anything change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from config.ladder import LadderRungs, Rung

RUNGS = ("newcomer", "regular", "buddy", "co_host", "facilitator")
LABELS = {
    "newcomer": "newcomer",
    "regular": "regular",
    "buddy": "buddy and mentor for newcomers",
    "co_host": "co-host of community sessions",
    "facilitator": "facilitator",
}
FIGURE_LABELS = {
    "days_member": "days in the community",
    "prompt_replies": "prompt replies",
    "pairings_met": "pairings met",
    "kudos_received": "kudos received",
    "newcomers_buddied": "newcomers buddied",
    "sessions_co_hosted": "sessions co-hosted",
    "sessions_hosted": "sessions hosted",
}


@dataclass(frozen=True)
class Figures:
    """What a member has done (in the ladder's window; ``days_member`` since they joined)."""

    days_member: int = 0
    prompt_replies: int = 0
    pairings_met: int = 0
    kudos_received: int = 0
    newcomers_buddied: int = 0
    sessions_co_hosted: int = 0
    sessions_hosted: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Candidate:
    """A member as the ladder sees them: where they stand and what they did."""

    member: str
    current: str
    figures: Figures


@dataclass(frozen=True)
class Suggestion:
    """``member`` looks ready for ``rung``; ``figures`` are the numbers shown to facilitators beside the thresholds."""

    member: str
    rung: str
    figures: Figures
    thresholds: Rung


def rank(rung: str) -> int:
    return RUNGS.index(rung) if rung in RUNGS else 0


def higher(a: str, b: str) -> str:
    return a if rank(a) >= rank(b) else b


def next_rung(current: str) -> str | None:
    index = rank(current)
    return RUNGS[index + 1] if index + 1 < len(RUNGS) else None


def thresholds_for(rungs: LadderRungs, rung: str) -> Rung:
    found: Rung = getattr(rungs, rung)
    return found


def meets(figures: Figures, threshold: Rung) -> bool:
    """Every threshold of the rung is reached (a zero threshold asks nothing)."""
    have = figures.as_dict()
    return all(have[name] >= need for name, need in threshold.model_dump().items())


def suggest(candidates: Sequence[Candidate], rungs: LadderRungs, quiet: set[str]) -> list[Suggestion]:
    """Members past every threshold of their next rung, except those in ``quiet`` (an open suggestion, or a
    recent "not now" or decline); in the order given."""
    out = []
    for candidate in candidates:
        if candidate.member in quiet:
            continue
        rung = next_rung(candidate.current)
        if rung is None:
            continue
        threshold = thresholds_for(rungs, rung)
        if meets(candidate.figures, threshold):
            out.append(Suggestion(candidate.member, rung, candidate.figures, threshold))
    return out


def explain(figures: Mapping[str, int], threshold: Rung) -> str:
    """``14 prompt replies (needs 10), 3 kudos received (needs 2)``: the asked-for figures first, then the rest."""
    need = threshold.model_dump()
    asked = [f"{figures.get(k, 0)} {FIGURE_LABELS[k]} (needs {n})" for k, n in need.items() if n > 0]
    extra = [f"{figures.get(k, 0)} {FIGURE_LABELS[k]}" for k, n in need.items() if n == 0 and figures.get(k, 0) > 0]
    return ", ".join(asked + extra) or "no thresholds set for this step"
