"""Who knows what: ranking members for a skill from what they said and did, naming only those who agreed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass
class Evidence:
    """Why a member might know a skill."""

    member: str
    listed: bool = False
    mentors: bool = False
    harvested: int = 0
    answered: int = 0
    reasons: list[str] = field(default_factory=list)

    def score(self) -> int:
        return 4 * self.listed + 4 * self.mentors + 2 * self.harvested + self.answered


def mentions(skill: str, text: str) -> bool:
    """Does ``text`` speak of ``skill`` (a whole word or tag, any case; "ci-cd" matches "CI-CD" and "ci cd")?"""
    words = [re.escape(w) for w in re.split(r"[-_\s]+", skill.lower()) if w]
    return bool(words) and re.search(r"(?<!\w)" + r"[-_\s]?".join(words) + r"(?!\w)", text.lower()) is not None


def who_knows(
    skill: str,
    listed: Mapping[str, set[str] | frozenset[str]],
    mentors: Mapping[str, frozenset[str]],
    library: Iterable[tuple[str, tuple[str, ...], str]],
    answers: Iterable[tuple[str, str]],
    sharing: set[str],
    *,
    limit: int,
) -> tuple[list[Evidence], int]:
    """The members to name for ``skill``, best first, and how many others know it but did not agree to be named.

    A member is named when they listed the skill, offer to mentor on it, or agreed to be named for what they did
    (``sharing``); anyone else counts only in the number.
    """
    found: dict[str, Evidence] = {}

    def of(member: str) -> Evidence:
        return found.setdefault(member, Evidence(member))

    for member, claimed in listed.items():
        if skill in claimed:
            of(member).listed = True
    for member, offered in mentors.items():
        if skill in offered:
            of(member).mentors = True
    for harvested_by, contributors, about in library:
        if mentions(skill, about):
            of(harvested_by).harvested += 1
            for member in contributors:
                if member != harvested_by:
                    of(member).answered += 1
    for member, text in answers:
        if mentions(skill, text):
            of(member).answered += 1
    named, unnamed = [], 0
    for evidence in sorted(found.values(), key=lambda e: (-e.score(), e.member)):
        if evidence.listed or evidence.mentors or evidence.member in sharing:
            named.append(evidence)
        else:
            unnamed += 1
    return named[:limit], unnamed + max(0, len(named) - limit)


def why(evidence: Evidence) -> str:
    parts = []
    if evidence.listed:
        parts.append("listed it")
    if evidence.mentors:
        parts.append("mentors on it")
    if evidence.harvested:
        parts.append(f"saved {evidence.harvested} thread{'s' if evidence.harvested != 1 else ''} on it")
    if evidence.answered:
        parts.append(f"answered {evidence.answered} thread{'s' if evidence.answered != 1 else ''} on it")
    return ", ".join(parts)


def answer_text(skill: str, named: list[tuple[str, Evidence]], others: int) -> str:
    """The private answer: a few names with why, and how many more know it without wanting to be named."""
    if not named:
        more = (f" {others} member{'s' if others != 1 else ''} seem to know it but have not agreed to be named."
                if others else "")  # fmt: skip
        return (f"Nobody has said they know {skill} yet.{more} Know it yourself? `/cop skills add {skill}` "
                "puts you in the directory.")  # fmt: skip
    lines = [f"*Who knows {skill}* (only you see this):"]
    lines += [f"\u2022 {name}: {why(evidence)}" for name, evidence in named]
    if others:
        lines.append(f"{others} more seem to know it but have not agreed to be named.")
    lines.append("Ask them kindly, and say what you are working on.")
    return "\n".join(lines)
