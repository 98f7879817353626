"""The digest's words: a few short, linked lines per section, and nothing at all when nothing happened."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class PromptLine:
    question: str
    replies: int
    reactions: int
    link: str | None = None


@dataclass(frozen=True)
class Digest:
    """What happened in the period, already in members' names (never mentions: a digest pings nobody)."""

    community: str
    period: str  # "the week of 4 Jan" / "January"
    prompts: Sequence[PromptLine] = ()
    newcomers: Sequence[str] = ()
    kudos: Sequence[tuple[str, str, str]] = ()  # giver, receiver, reason
    resources: Sequence[tuple[str, str | None]] = ()  # title, link
    sessions: Sequence[tuple[str, str | None]] = ()  # when (local), host
    extra: Sequence[str] = field(default_factory=tuple)

    def empty(self) -> bool:
        return not (self.prompts or self.newcomers or self.kudos or self.resources)


def _linked(text: str, link: str | None) -> str:
    return f"{text} ({link})" if link else text


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def digest_text(digest: Digest, items: int) -> str | None:
    """The digest post, or None when the period had nothing worth a post (no prompt, newcomer, kudos or resource)."""
    if digest.empty():
        return None
    lines = [f"*{digest.community}: {digest.period} in brief*"]
    if digest.prompts:
        best = sorted(digest.prompts, key=lambda p: (-(p.replies * 3 + p.reactions), p.question))[:items]
        lines.append("\U0001f4ac Questions and their liveliest threads:")
        lines += [f"\u2022 {_linked(_short(p.question), p.link)}: {p.replies} repl{'ies' if p.replies != 1 else 'y'}, "
                  f"{p.reactions} reaction{'s' if p.reactions != 1 else ''}" for p in best]  # fmt: skip
    if digest.newcomers:
        shown = ", ".join(digest.newcomers[:items * 3])
        more = f" and {len(digest.newcomers) - items * 3} more" if len(digest.newcomers) > items * 3 else ""
        lines.append(f"\U0001f44b Welcome to {shown}{more}!")
    if digest.kudos:
        lines.append(f"\U0001f389 {len(digest.kudos)} kudos, among them:")
        lines += [f"\u2022 {giver} to {receiver}, for {_short(reason, 70)}" for giver, receiver, reason in
                  digest.kudos[-items:]]  # fmt: skip
    if digest.resources:
        lines.append("\U0001f4da New in the library:")
        lines += [f"\u2022 {_linked(_short(title), link)}" for title, link in digest.resources[-items:]]
    if digest.sessions:
        lines.append("\U0001f4c5 Coming up: " + "; ".join(
            f"{when}{f' hosted by {host}' if host else ''}" for when, host in digest.sessions[:items]))  # fmt: skip
    lines += list(digest.extra)
    return "\n".join(lines)
