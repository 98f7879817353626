"""What the dashboard shows, as plain rows: pure functions of stored rows, names and a time zone.

Why separate from the page and the database: each section's rules (who counts as matched, which bank
question is next, how many replies a prompt drew) are tested here with no server, clock or database,
and the template only lays the rows out. Times are shown in the community's time zone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.text import strip_markers
from copbot.report import kind_label  # noqa: F401  (the dashboard template filter, named as the report names kinds)
from rituals.facilitator.decisions import Turn
from rituals.prompts.ritual import Asked, next_question
from storage.facilitator import RotaVolunteer
from storage.models import ParticipationEvent
from storage.pairing import PairingCycle, PairingGroup, PairingLeftOut
from storage.prompts import Prompt, QueuedQuestion
from storage.times import utc

WAITING = "waiting"  # a group that has not answered "did you meet?" yet


def display_name(key: str, names: Mapping[str, str]) -> str:
    """A member's name as stored, else the last part of their key (``slack:T1:U2`` → ``U2``)."""
    name = names.get(key, "")
    return strip_markers(name) if name else key.rsplit(":", 1)[-1]


def when_text(at: datetime, zone: ZoneInfo) -> str:
    """``Thu 14 Jan 2027, 16:00`` in the community's zone: what a member reads in the channel."""
    local = utc(at).astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y}, {local:%H:%M}"


def day_text(at: datetime, zone: ZoneInfo) -> str:
    local = utc(at).astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y}"


# --- facilitator rota ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RotaRow:
    """One upcoming session and who hosts it (``host`` None: nobody available yet)."""

    when: str
    date: str  # ISO date in the community's zone, for machines (tests, scripts)
    host: str | None
    co_host: str | None


def rota_rows(turns: Sequence[tuple[datetime, Turn]], names: Mapping[str, str], zone: ZoneInfo) -> list[RotaRow]:
    """The rota as the page lists it, names instead of keys."""
    return [
        RotaRow(
            when=when_text(session, zone),
            date=utc(session).astimezone(zone).date().isoformat(),
            host=display_name(turn.host, names) if turn.host else None,
            co_host=display_name(turn.co_host, names) if turn.co_host else None,
        )
        for session, turn in turns
    ]


@dataclass(frozen=True)
class PoolView:
    """The facilitator pool at a glance: who can host, who is away until when, who stepped down."""

    hosting: tuple[str, ...]
    away: tuple[tuple[str, str], ...]  # (name, back on)
    stepped_down: tuple[str, ...]


def pool_view(volunteers: Iterable[RotaVolunteer], gone: Iterable[str], names: Mapping[str, str],
              today: date) -> PoolView:
    """Sort the pool by what a manager asks first; a member who left the community counts as stepped down."""
    left = set(gone)
    hosting: list[str] = []
    away: list[tuple[str, str]] = []
    stepped_down: list[str] = []
    for v in sorted(volunteers, key=lambda v: display_name(v.member, names).lower()):
        name = display_name(v.member, names)
        if v.retired or v.member in left:
            stepped_down.append(name)
        elif v.away_until is not None and v.away_until > today:
            away.append((name, f"{v.away_until:%a} {v.away_until.day} {v.away_until:%b}"))
        else:
            hosting.append(name)
    return PoolView(tuple(hosting), tuple(away), tuple(stepped_down))


# --- pairing cycle ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupRow:
    """One group of the cycle: its members' names, suggested topic and "did you meet?" answer."""

    kind: str  # peer | mentorship
    members: tuple[str, ...]
    topic: str
    answer: str  # met | skipped | waiting


@dataclass(frozen=True)
class LeftOutRow:
    name: str
    kind: str
    reason: str


@dataclass(frozen=True)
class PairingView:
    """The latest pairing cycle: matched, met and left out, with the counts a manager checks first."""

    started: str
    mode: str
    source: str
    followup: str
    groups: tuple[GroupRow, ...]
    left_out: tuple[LeftOutRow, ...]
    matched_members: int
    groups_met: int
    groups_skipped: int
    groups_waiting: int


def pairing_view(
    cycle: PairingCycle,
    groups: Iterable[PairingGroup],
    left_out: Iterable[PairingLeftOut],
    names: Mapping[str, str],
    zone: ZoneInfo,
    now: datetime,
) -> PairingView:
    """Summarise one cycle. A member in several groups (a mentor with two mentees) counts as matched once."""
    rows = [
        GroupRow(
            kind=g.kind,
            members=tuple(display_name(k, names) for k in g.member_keys()),
            topic=g.topic,
            answer=g.answer or WAITING,
        )
        for g in groups
    ]
    matched = {key for g in groups for key in g.member_keys()}
    answers = Counter(row.answer for row in rows)
    if cycle.followup_sent_at is not None:
        followup = f"asked on {day_text(cycle.followup_sent_at, zone)}"
    elif utc(cycle.followup_due_at) > utc(now):
        followup = f"due {day_text(cycle.followup_due_at, zone)}"
    else:
        followup = "due now"
    return PairingView(
        started=when_text(cycle.slot, zone),
        mode=cycle.mode,
        source=cycle.source,
        followup=followup,
        groups=tuple(rows),
        left_out=tuple(LeftOutRow(display_name(o.member, names), o.kind, o.reason) for o in left_out),
        matched_members=len(matched),
        groups_met=answers["met"],
        groups_skipped=answers["skipped"],
        groups_waiting=answers[WAITING],
    )


@dataclass(frozen=True)
class CycleRow:
    """One cycle of the pairing history: how many groups, and how their "did you meet?" went."""

    started: str
    groups: int
    met: int
    skipped: int
    waiting: int
    left_out: int


def cycle_rows(
    cycles: Sequence[PairingCycle], groups: Iterable[PairingGroup], left_out: Mapping[int, int], zone: ZoneInfo
) -> list[CycleRow]:
    """Newest first; ``left_out`` counts the members left out per cycle id."""
    by_cycle: dict[int, Counter[str]] = {}
    for g in groups:
        by_cycle.setdefault(g.cycle_id, Counter())[g.answer or WAITING] += 1
    rows = []
    for c in sorted(cycles, key=lambda c: utc(c.slot), reverse=True):
        answers = by_cycle.get(c.id or 0, Counter())
        rows.append(CycleRow(day_text(c.slot, zone), sum(answers.values()), answers["met"], answers["skipped"],
                             answers[WAITING], left_out.get(c.id or 0, 0)))
    return rows


# --- question bank and what was asked when ---------------------------------------------------------------


@dataclass(frozen=True)
class BankRow:
    """A question of the bank in its written order, how often and when it was last asked."""

    position: int
    question: str
    times_asked: int
    last_asked: str | None
    is_next: bool


@dataclass(frozen=True)
class AskedRow:
    """One prompt as posted, newest first, with the replies and reactions it drew."""

    when: str
    question: str
    source: str  # bank | queued
    replies: int
    reactions: int


@dataclass(frozen=True)
class QueuedRow:
    question: str
    added_by: str
    added: str
    is_next: bool


@dataclass(frozen=True)
class QuestionsView:
    bank: tuple[BankRow, ...]
    queued: tuple[QueuedRow, ...]
    asked: tuple[AskedRow, ...]
    next_question: str | None
    asked_total: int


def questions_view(
    bank: Sequence[str],
    prompts: Sequence[Prompt],
    queued: Sequence[QueuedQuestion],
    participation: Iterable[ParticipationEvent],
    names: Mapping[str, str],
    zone: ZoneInfo,
    *,
    history_limit: int = 26,
) -> QuestionsView:
    """The bank with its next question (the ritual's own :func:`next_question`), the queue, and the history.

    ``prompts`` are every prompt asked, oldest first; the history shows the newest ``history_limit``.
    """
    choice = next_question(bank, [Asked(p.question, p.source) for p in prompts], [(q.id or 0, q.question)
                                                                                   for q in queued])
    counts = Counter(p.question for p in prompts)
    last: dict[str, datetime] = {}
    for p in prompts:
        last[p.question] = utc(p.asked_at)
    bank_rows = tuple(
        BankRow(
            position=i + 1,
            question=q,
            times_asked=counts[q],
            last_asked=day_text(last[q], zone) if q in last else None,
            is_next=choice is not None and choice.source == "bank" and choice.bank_index == i,
        )
        for i, q in enumerate(bank)
    )
    drawn: Counter[tuple[str, str]] = Counter()
    for event in participation:
        if event.subject.startswith("prompt:") and event.kind in ("reply", "reaction"):
            drawn[(event.subject, event.kind)] += 1
    asked = tuple(
        AskedRow(
            when=when_text(p.asked_at, zone),
            question=p.question,
            source=p.source,
            replies=drawn[(f"prompt:{p.id}", "reply")],
            reactions=drawn[(f"prompt:{p.id}", "reaction")],
        )
        for p in reversed(prompts[-history_limit:] if history_limit else prompts)
    )
    queue = tuple(
        QueuedRow(
            question=q.question,
            added_by=display_name(q.added_by, names),
            added=day_text(q.added_at, zone),
            is_next=choice is not None and choice.queued_id == q.id,
        )
        for q in queued
    )
    return QuestionsView(bank_rows, queue, asked, choice.question if choice else None, len(prompts))


def percent(value: float | None) -> str:
    """``0.423`` → ``42%``; None (nothing to divide by) → an em dash, never a misleading 0%."""
    return "—" if value is None else f"{round(value * 100)}%"
