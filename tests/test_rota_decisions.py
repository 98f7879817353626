"""The facilitator rota: everyone hosts before anyone hosts twice, through skips, away dates and swaps."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from rituals.facilitator.decisions import (
    LedgerEntry,
    Turn,
    TurnKind,
    Volunteer,
    apply_swap,
    is_available,
    next_hosts,
    skip_turn,
)

START = date(2026, 9, 7)  # a Monday
JOINED = date(2026, 1, 1)


def weekly(n: int, start: date = START) -> list[date]:
    return [start + timedelta(weeks=i) for i in range(n)]


def pool(*keys: str) -> list[Volunteer]:
    return [Volunteer(k, JOINED) for k in keys]


def test_everyone_hosts_once_before_anyone_hosts_twice() -> None:
    plan = next_hosts(pool("ana", "ben", "cy", "dee"), [], weekly(8))
    hosts = [t.host for t in plan]
    assert sorted(hosts[:4]) == ["ana", "ben", "cy", "dee"]
    assert hosts[4:] == hosts[:4]


def test_the_ledger_decides_who_is_next() -> None:
    ledger = [
        LedgerEntry(START - timedelta(weeks=2), "ana", TurnKind.HOSTED),
        LedgerEntry(START - timedelta(weeks=1), "ben", TurnKind.HOSTED),
    ]
    assert [t.host for t in next_hosts(pool("ana", "ben", "cy"), ledger, weekly(3))] == ["cy", "ana", "ben"]


def test_a_skip_passes_the_turn_on_and_keeps_me_first_in_line() -> None:
    volunteers = pool("ana", "ben", "cy")
    plan = next_hosts(volunteers, [], weekly(3))
    assert [t.host for t in plan] == ["ana", "ben", "cy"]
    skip = skip_turn(plan, "ana")
    replanned = next_hosts(volunteers, [skip], weekly(4))
    assert [t.host for t in replanned] == ["ben", "ana", "cy", "ben"]


def test_away_members_are_skipped_until_their_date_then_host_first() -> None:
    volunteers = [Volunteer("ana", JOINED, away_until=START + timedelta(weeks=2)), *pool("ben", "cy")]
    hosts = [t.host for t in next_hosts(volunteers, [], weekly(4))]
    assert hosts[:2] == ["ben", "cy"]
    assert hosts[2] == "ana"
    assert not is_available(volunteers[0], START + timedelta(weeks=1))


def test_a_newcomer_joins_the_current_round_instead_of_hosting_many_times_in_a_row() -> None:
    ledger = [
        LedgerEntry(START - timedelta(weeks=w), k, TurnKind.HOSTED)
        for w, k in zip(range(12, 0, -1), ["ana", "ben", "cy"] * 4, strict=True)
    ]
    volunteers = [*pool("ana", "ben", "cy"), Volunteer("new", START - timedelta(days=3))]
    hosts = [t.host for t in next_hosts(volunteers, ledger, weekly(8))]
    assert hosts.count("new") == 2
    assert sorted(hosts[:4]) == ["ana", "ben", "cy", "new"]


def test_newer_volunteers_co_host_beside_an_experienced_host() -> None:
    volunteers = [*pool("ana", "ben"), Volunteer("new", START - timedelta(days=3))]
    plan = next_hosts(volunteers, [], weekly(6), cohost_for_newer_than_days=28)
    assert [t.host for t in plan[:4]] == ["ana", "ben", "ana", "ben"]
    assert plan[0].co_host == "new"
    assert all(t.co_host != t.host for t in plan)
    assert "new" in {t.host for t in plan[4:]}  # 28 days on, they host


def test_a_swap_nobody_accepts_changes_nothing() -> None:
    volunteers = pool("ana", "ben", "cy", "dee")
    plan = next_hosts(volunteers, [], weekly(4))
    outcome = apply_swap(plan, "ana", "cy", accepted=False)
    assert outcome.plan == plan
    assert outcome.entries == []
    assert next_hosts(volunteers, outcome.entries, weekly(4)) == plan


def test_an_accepted_swap_exchanges_the_two_turns_and_sticks() -> None:
    volunteers = pool("ana", "ben", "cy", "dee")
    plan = next_hosts(volunteers, [], weekly(4))
    outcome = apply_swap(plan, "ana", "cy", accepted=True)
    assert [t.host for t in outcome.plan] == ["cy", "ben", "ana", "dee"]
    assert next_hosts(volunteers, outcome.entries, weekly(4)) == outcome.plan


def test_swapping_with_someone_without_a_turn_keeps_me_first_in_line() -> None:
    volunteers = pool("ana", "ben", "cy", "dee")
    plan = next_hosts(volunteers, [], weekly(2))
    outcome = apply_swap(plan, "ana", "dee", accepted=True)
    assert [t.host for t in outcome.plan] == ["dee", "ben"]
    assert [t.host for t in next_hosts(volunteers, outcome.entries, weekly(3))] == ["dee", "ana", "ben"]


# --- properties ----------------------------------------------------------------------------------------------

KEYS = ["ana", "ben", "cy", "dee", "eli", "fay"]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Volunteer], list[LedgerEntry], list[date]]:
    n = draw(st.integers(2, 6))
    sessions = weekly(draw(st.integers(1, 16)))
    volunteers = []
    for key in KEYS[:n]:
        joined = draw(st.sampled_from([JOINED, START + timedelta(weeks=draw(st.integers(0, 8)))]))
        away = draw(st.one_of(st.none(), st.sampled_from(sessions)))
        volunteers.append(Volunteer(key, joined, away_until=away))
    skips = draw(st.lists(st.tuples(st.sampled_from(sessions), st.sampled_from(KEYS[:n])), max_size=6))
    ledger = [LedgerEntry(d, k, TurnKind.SKIPPED) for d, k in skips]
    return volunteers, ledger, sessions


@settings(max_examples=200, deadline=None)
@given(scenario=scenarios())
def test_nobody_hosts_twice_while_someone_as_available_has_not_hosted_in_between(
    scenario: tuple[list[Volunteer], list[LedgerEntry], list[date]],
) -> None:
    volunteers, ledger, sessions = scenario
    plan = next_hosts(volunteers, ledger, sessions)
    skipped = {(e.session_date, e.member) for e in ledger}

    def free(v: Volunteer, d: date) -> bool:
        return is_available(v, d) and (d, v.key) not in skipped

    for i, turn in enumerate(plan):
        if turn.host is None:
            assert not any(free(v, turn.session_date) for v in volunteers)
            continue
        assert free(next(v for v in volunteers if v.key == turn.host), turn.session_date)
        later = next((j for j in range(i + 1, len(plan)) if plan[j].host == turn.host), None)
        if later is None:
            continue
        between = plan[i : later + 1]
        host = next(v for v in volunteers if v.key == turn.host)
        since_start = plan[: later + 1]
        if not all(free(host, t.session_date) for t in since_start):
            continue  # a host who skipped or was away may be catching up on turns
        for other in volunteers:
            if other.key == turn.host or not all(free(other, t.session_date) for t in since_start):
                continue
            assert other.key in {t.host for t in between[1:-1]}, (
                f"{turn.host} hosted {turn.session_date} and {plan[later].session_date} "
                f"while {other.key} was available throughout and did not host"
            )


@settings(max_examples=100, deadline=None)
@given(n=st.integers(2, 6), pair=st.tuples(st.integers(0, 5), st.integers(0, 5)), accepted=st.booleans())
def test_swaps_keep_everyone_once_per_round(n: int, pair: tuple[int, int], accepted: bool) -> None:
    volunteers = pool(*KEYS[:n])
    plan = next_hosts(volunteers, [], weekly(n))
    a, b = KEYS[pair[0] % n], KEYS[pair[1] % n]
    outcome = apply_swap(plan, a, b, accepted=accepted)
    if not accepted or a == b:
        assert outcome.plan == plan and outcome.entries == []
    assert sorted(t.host or "" for t in outcome.plan) == sorted(KEYS[:n])
    replanned = next_hosts(volunteers, outcome.entries, weekly(2 * n))
    assert replanned[:n] == outcome.plan
    assert sorted(t.host or "" for t in replanned[n:]) == sorted(KEYS[:n])


def test_turn_is_a_plain_value() -> None:
    assert Turn(START, "ana") == Turn(START, "ana", None)


@settings(max_examples=150, deadline=None)
@given(
    n=st.integers(2, 6),
    weeks=st.integers(1, 16),
    skips=st.lists(st.tuples(st.integers(0, 15), st.integers(0, 5)), max_size=8),
)
def test_with_skips_each_session_goes_to_someone_with_the_fewest_turns(
    n: int, weeks: int, skips: list[tuple[int, int]]
) -> None:
    volunteers = pool(*KEYS[:n])
    sessions = weekly(weeks)
    ledger = [LedgerEntry(sessions[w % weeks], KEYS[k % n], TurnKind.SKIPPED) for w, k in skips]
    skipped = {(e.session_date, e.member) for e in ledger}
    counts = dict.fromkeys(KEYS[:n], 0)
    for turn in next_hosts(volunteers, ledger, sessions):
        free = [k for k in KEYS[:n] if (turn.session_date, k) not in skipped]
        if not free:
            assert turn.host is None
            continue
        assert turn.host in free
        assert counts[turn.host] == min(counts[k] for k in free)
        counts[turn.host] += 1


def test_back_from_a_long_away_hosts_once_not_a_run_of_catch_up_turns() -> None:
    volunteers = [Volunteer("ana", JOINED, away_until=START + timedelta(weeks=6)), *pool("ben", "cy")]
    hosts = [t.host for t in next_hosts(volunteers, [], weekly(10))]
    assert hosts[6] == "ana"
    assert hosts[7:9].count("ana") == 0
