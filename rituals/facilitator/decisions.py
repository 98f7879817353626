"""Who facilitates which session: a fair, ledger-based rota of volunteer hosts, as pure functions.

The ledger is the record of turns (hosted, skipped, swapped out, co-hosted). The rota is not stored: it is
re-derived from the ledger each time, so a skip, an away date or a swap simply adds entries and the next four
hosts follow. Entries dated on or after the first planned session are decisions already taken about upcoming
sessions: a ``hosted`` one pins that host (an admin's assignment, an accepted swap), a ``skipped`` or
``swapped_out`` one keeps that member off that session.

Fairness: a volunteer's *credit* is the number of sessions they hosted, plus, for someone who joined the pool
late, the number of rounds already completed when they joined (so a newcomer hosts once in the current round,
not five times in a row). Each session goes to the available volunteer with the least credit; ties go first
to someone who skipped since their last turn ("first in line"), then to who hosted least recently, then to the
earliest volunteer, then by key. So nobody hosts twice before every available volunteer has hosted once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class TurnKind(StrEnum):
    """What a ledger entry records about a member and a session."""

    HOSTED = "hosted"
    SKIPPED = "skipped"  # passed their turn on; keeps them first in line
    SWAPPED_OUT = "swapped_out"  # gave this session away in an accepted swap (and got another one back)
    CO_HOST = "co_host"


@dataclass(frozen=True)
class Volunteer:
    """A member of the facilitator pool."""

    key: str
    volunteered_on: date
    away_until: date | None = None  # unavailable for sessions before this date
    retired: bool = False


@dataclass(frozen=True)
class LedgerEntry:
    """One fact about one member and one session."""

    session_date: date
    member: str
    kind: TurnKind


@dataclass(frozen=True)
class Turn:
    """A planned session: its host (``None`` when nobody is available) and an optional newer co-host."""

    session_date: date
    host: str | None
    co_host: str | None = None


@dataclass(frozen=True)
class SwapOutcome:
    """The rota after a swap request, and the ledger entries that make it stick (empty if nothing changed)."""

    plan: list[Turn]
    entries: list[LedgerEntry] = field(default_factory=list)


def is_available(volunteer: Volunteer, session: date) -> bool:
    """In the pool, already volunteered, and not away on ``session``."""
    if volunteer.retired or volunteer.volunteered_on > session:
        return False
    return volunteer.away_until is None or session >= volunteer.away_until


def _hosting_from(volunteer: Volunteer, cohost_days: int | None) -> date:
    """The first session date a volunteer may host alone (before it, they co-host)."""
    if cohost_days is None:
        return volunteer.volunteered_on
    return volunteer.volunteered_on + timedelta(days=cohost_days)


def next_hosts(
    volunteers: Iterable[Volunteer],
    ledger: Iterable[LedgerEntry],
    session_dates: Sequence[date],
    *,
    cohost_for_newer_than_days: int | None = None,
    first_in_line: Iterable[str] = (),
) -> list[Turn]:
    """The host (and co-host) of each session in ``session_dates``, derived from the ledger.

    With ``cohost_for_newer_than_days`` set, a volunteer who joined the pool fewer than that many days before
    a session does not host it alone: they are the co-host beside an experienced host (least co-hosted
    first), and join the hosting rota, at the current round, once that time has passed. If no experienced
    volunteer is available, a newer one hosts rather than nobody.
    """
    pool = {v.key: v for v in sorted(volunteers, key=lambda v: v.key)}
    dates = sorted(set(session_dates))
    if not dates:
        return []
    start = dates[0]
    entries = sorted(ledger, key=lambda e: (e.session_date, e.member, e.kind.value))
    past = [e for e in entries if e.session_date < start]
    upcoming = [e for e in entries if e.session_date >= start]

    pinned_host: dict[date, str] = {}
    pinned_cohost: dict[date, str] = {}
    off: dict[date, set[str]] = {}
    skipped_on: dict[date, set[str]] = {}
    for e in upcoming:
        if e.kind is TurnKind.HOSTED:
            pinned_host.setdefault(e.session_date, e.member)
        elif e.kind is TurnKind.CO_HOST:
            pinned_cohost.setdefault(e.session_date, e.member)
        else:
            off.setdefault(e.session_date, set()).add(e.member)
            if e.kind is TurnKind.SKIPPED:
                skipped_on.setdefault(e.session_date, set()).add(e.member)

    hosting_from = {k: _hosting_from(v, cohost_for_newer_than_days) for k, v in pool.items()}
    credit: dict[str, int] = {}
    # credit of those who could host before the plan starts: turns hosted plus the rounds done when they joined
    for key in sorted((k for k in pool if hosting_from[k] < start), key=lambda k: (hosting_from[k], k)):
        joined = hosting_from[key]
        earlier = [k for k in credit if hosting_from[k] < joined]
        baseline = min(
            (
                credit[k]
                + sum(1 for e in past if e.member == k and e.kind is TurnKind.HOSTED and e.session_date < joined)
                for k in earlier
            ),
            default=0,
        )
        credit[key] = max(0, baseline)
    last_hosted: dict[str, date] = {}
    cohosted: dict[str, int] = {}
    last_cohosted: dict[str, date] = {}
    priority = set(first_in_line)
    for e in past:
        if e.kind is TurnKind.HOSTED:
            if e.member in credit:
                credit[e.member] += 1
            last_hosted[e.member] = e.session_date
            priority.discard(e.member)
        elif e.kind is TurnKind.SKIPPED:
            priority.add(e.member)
        elif e.kind is TurnKind.CO_HOST:
            cohosted[e.member] = cohosted.get(e.member, 0) + 1
            last_cohosted[e.member] = e.session_date

    def order(key: str) -> tuple[int, bool, date, date, str]:
        return (
            credit.get(key, 0),
            key not in priority,
            last_hosted.get(key, date.min),
            pool[key].volunteered_on,
            key,
        )

    plan: list[Turn] = []
    was_available: set[str] | None = None
    for session in dates:
        # newcomers reaching their hosting date join the current round rather than owing every past round
        for key in sorted(k for k in pool if k not in credit and hosting_from[k] <= session):
            others = [credit[k] for k in credit if not pool[k].retired]
            credit[key] = min(others, default=0)
        pinned_later = {m for d, m in pinned_host.items() if d > session}
        present = [k for k, v in pool.items() if is_available(v, session)]
        # back from an away date: rejoin the current round too (one turn now, not a run of catch-up turns)
        if was_available is not None:
            back = [k for k in present if k not in was_available and k in credit]
            steady = [credit[k] for k in present if k in was_available and k in credit]
            for key in back:
                credit[key] = max(credit[key], min(steady, default=credit[key]))
        was_available = set(present)
        available = [k for k in present if k not in off.get(session, set())]

        def pick(keys: list[str], at: date = session, later: set[str] = pinned_later) -> str | None:
            free = [k for k in keys if k not in later]
            experienced = [k for k in free if hosting_from[k] <= at]
            choices = experienced or free
            return min(choices, key=order) if choices else None

        host = pinned_host.get(session)
        if host is None:
            host = pick(available)
        # a skip earns "first in line" only when it really passed a turn on: the skipper was the one due
        would_have = pick(present)
        skippers = skipped_on.get(session, set())
        co_host = pinned_cohost.get(session)
        if co_host is None and cohost_for_newer_than_days is not None:
            newer = [k for k in available if hosting_from[k] > session and k != host]
            if newer and host is not None:
                co_host = min(
                    newer,
                    key=lambda k: (cohosted.get(k, 0), last_cohosted.get(k, date.min), pool[k].volunteered_on, k),
                )
        plan.append(Turn(session, host, co_host))
        if host is not None:
            credit[host] = credit.get(host, 0) + 1
            last_hosted[host] = session
            priority.discard(host)
        if co_host is not None:
            cohosted[co_host] = cohosted.get(co_host, 0) + 1
            last_cohosted[co_host] = session
        if would_have in skippers:
            priority.add(would_have)
    return plan


def skip_turn(plan: Sequence[Turn], member: str) -> LedgerEntry:
    """The ledger entry for ``member`` passing on their next turn in ``plan`` (a ValueError if they have none)."""
    for turn in plan:
        if turn.host == member:
            return LedgerEntry(turn.session_date, member, TurnKind.SKIPPED)
    raise ValueError(f"{member} has no upcoming turn to skip")


def apply_swap(plan: Sequence[Turn], requester: str, other: str, *, accepted: bool) -> SwapOutcome:
    """Exchange ``requester``'s next turn with ``other``'s, only if ``other`` accepted.

    If ``other`` has a turn in ``plan`` they trade sessions (both keep one turn, so fairness is untouched).
    If not, ``other`` takes the requester's session and the requester is recorded as having skipped it, which
    keeps the requester first in line. A declined or unanswered swap changes nothing.
    """
    if not accepted or requester == other:
        return SwapOutcome(plan=list(plan), entries=[])
    mine = next((i for i, t in enumerate(plan) if t.host == requester), None)
    if mine is None:
        raise ValueError(f"{requester} has no upcoming turn to swap")
    theirs = next((i for i, t in enumerate(plan) if t.host == other), None)
    new_plan = list(plan)
    my_date = plan[mine].session_date
    if theirs is None:
        new_plan[mine] = Turn(my_date, other, plan[mine].co_host if plan[mine].co_host != other else None)
        entries = [LedgerEntry(my_date, other, TurnKind.HOSTED), LedgerEntry(my_date, requester, TurnKind.SKIPPED)]
        return SwapOutcome(plan=new_plan, entries=entries)
    their_date = plan[theirs].session_date
    new_plan[mine] = Turn(my_date, other, plan[mine].co_host)
    new_plan[theirs] = Turn(their_date, requester, plan[theirs].co_host)
    entries = [
        LedgerEntry(my_date, other, TurnKind.HOSTED),
        LedgerEntry(my_date, requester, TurnKind.SWAPPED_OUT),
        LedgerEntry(their_date, requester, TurnKind.HOSTED),
        LedgerEntry(their_date, other, TurnKind.SWAPPED_OUT),
    ]
    return SwapOutcome(plan=new_plan, entries=entries)
