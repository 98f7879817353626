"""Peer pairing, mentorship and eligibility decisions, as a community manager would check them."""

from __future__ import annotations

import itertools
import random
from datetime import date

import networkx as nx
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rituals.matching import Mentee, Mentor, match_mentors, mentor_fit
from rituals.pairing.decisions import (
    Candidate,
    PairingPrefs,
    PoolMember,
    _BlockScorer,
    _pair_the_rest,
    _Pool,
    _round_to_pairs,
    eligible_for_pairing,
    groups_weight,
    make_peer_groups,
    pair_weight,
    pairing_ineligibility,
    recent_pairs,
)

TOPICS = ["python", "testing", "design", "data", "ops"]

candidates = st.builds(
    Candidate,
    key=st.just(""),
    tz_offset_hours=st.one_of(st.none(), st.sampled_from([-8.0, -5.0, 0.0, 1.0, 5.5, 9.0])),
    interests=st.frozensets(st.sampled_from(TOPICS), max_size=3),
    team=st.one_of(st.none(), st.sampled_from(["a", "b", "c"])),
)


def pool_of(members: list[Candidate]) -> list[Candidate]:
    return [Candidate(f"m{i:02d}", c.tz_offset_hours, c.interests, c.team) for i, c in enumerate(members)]


@settings(max_examples=60, deadline=None)
@given(
    members=st.lists(candidates, min_size=2, max_size=30),
    k=st.integers(1, 6),
    exclude_same_team=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_twenty_cycles_never_repeat_a_pair_within_k_cycles(
    members: list[Candidate], k: int, exclude_same_team: bool, seed: int
) -> None:
    pool = pool_of(members)
    never = {frozenset(("m00", "m01"))}
    teams = {c.key: c.team for c in pool}
    history: list[list[tuple[str, ...]]] = []
    for cycle in range(20):
        result = make_peer_groups(
            pool,
            history,
            avoid_repeat_cycles=k,
            never_pair=never,
            exclude_same_team=exclude_same_team,
            seed=seed + cycle,
        )
        forbidden = recent_pairs(history, k)
        placed = [key for group in result.groups for key in group]
        assert sorted(placed + list(result.left_out)) == sorted(c.key for c in pool), "everyone placed exactly once"
        for pair in recent_pairs([result.groups], 1):
            assert pair not in forbidden, f"cycle {cycle}: {sorted(pair)} repeats within {k} cycles"
            assert pair not in never
            a, b = sorted(pair)
            assert not (exclude_same_team and teams[a] is not None and teams[a] == teams[b])
        assert all(2 <= len(g) <= 3 for g in result.groups)
        assert all(reason for reason in result.left_out.values())
        history.append(result.groups)


@settings(max_examples=60, deadline=None)
@given(members=st.lists(candidates, min_size=3, max_size=41), seed=st.integers(0, 1000))
def test_an_odd_pool_gives_exactly_one_trio_and_an_even_one_none(members: list[Candidate], seed: int) -> None:
    pool = pool_of(members)
    result = make_peer_groups(pool, [], seed=seed)
    trios = [g for g in result.groups if len(g) == 3]
    assert result.left_out == {}
    assert len(trios) == len(pool) % 2
    assert all(len(g) in (2, 3) for g in result.groups)


def test_same_seed_same_groups_and_input_order_does_not_matter() -> None:
    pool = pool_of([Candidate("", float(i % 5), frozenset(TOPICS[i % 3 : i % 3 + 2])) for i in range(25)])
    first = make_peer_groups(pool, [], seed=3)
    assert make_peer_groups(list(reversed(pool)), [], seed=3) == first


def test_prefers_shared_time_zone_and_interests() -> None:
    ana = Candidate("ana", 1.0, frozenset({"python", "testing"}))
    ben = Candidate("ben", -8.0, frozenset({"design"}))
    chi = Candidate("chi", 1.0, frozenset({"python", "testing"}))
    dev = Candidate("dev", -8.0, frozenset({"design"}))
    result = make_peer_groups([ana, ben, chi, dev], [], seed=0)
    assert result.groups == [("ana", "chi"), ("ben", "dev")]
    assert pair_weight(ana, chi) > pair_weight(ana, ben)


def test_someone_is_left_out_with_a_reason_rather_than_meet_the_same_person_again() -> None:
    pool = [Candidate("ana"), Candidate("ben")]
    result = make_peer_groups(pool, [[("ana", "ben")]], avoid_repeat_cycles=3)
    assert result.groups == []
    assert set(result.left_out) == {"ana", "ben"}
    assert "last 3 cycles" in result.left_out["ana"]
    # after K cycles they may meet again
    assert make_peer_groups(pool, [[("ana", "ben")], [], [], []], avoid_repeat_cycles=3).groups == [("ana", "ben")]


def test_groups_of_four() -> None:
    pool = pool_of([Candidate("", float(i % 3)) for i in range(10)])
    result = make_peer_groups(pool, [], group_size=4)
    assert sorted(len(g) for g in result.groups) == [5, 5]
    assert result.left_out == {}


# --- eligibility ---------------------------------------------------------------------------------------------


def test_a_paused_member_is_left_out_until_their_date_and_then_back_by_themselves() -> None:
    members = [PoolMember("ana"), PoolMember("ben"), PoolMember("cy", left=True), PoolMember("dee")]
    prefs = {"ben": PairingPrefs("ben", paused_until=date(2026, 12, 31)), "dee": PairingPrefs("dee", opted_in=False)}
    assert eligible_for_pairing(members, prefs, date(2026, 12, 30)) == ["ana"]
    assert eligible_for_pairing(members, prefs, date(2026, 12, 31)) == ["ana", "ben"]
    assert pairing_ineligibility(members[1], prefs["ben"], date(2026, 12, 1)) == "paused until 2026-12-31"


@given(pause=st.dates(date(2026, 1, 1), date(2027, 12, 31)), today=st.dates(date(2026, 1, 1), date(2027, 12, 31)))
def test_pause_property(pause: date, today: date) -> None:
    eligible = eligible_for_pairing([PoolMember("ana")], {"ana": PairingPrefs("ana", True, pause)}, today)
    assert (eligible == ["ana"]) == (today >= pause)


def test_default_opt_in_and_ground_rules() -> None:
    members = [PoolMember("ana", acknowledged_ground_rules=True), PoolMember("ben")]
    today = date(2026, 5, 1)
    assert eligible_for_pairing(members, {}, today, default_opted_in=False) == []
    assert eligible_for_pairing(members, {"ben": PairingPrefs("ben", True)}, today, default_opted_in=False) == ["ben"]
    assert eligible_for_pairing(members, {}, today, require_ground_rules=True) == ["ana"]


# --- mentorship ----------------------------------------------------------------------------------------------

mentees_st = st.lists(st.frozensets(st.sampled_from(TOPICS), max_size=3), min_size=0, max_size=20)
mentors_st = st.lists(
    st.tuples(st.frozensets(st.sampled_from(TOPICS), max_size=4), st.integers(0, 3)), min_size=0, max_size=8
)


@settings(max_examples=80, deadline=None)
@given(goals=mentees_st, mentor_specs=mentors_st, data=st.data())
def test_mentor_capacity_is_never_exceeded_and_recent_repeats_are_reported_not_assigned(
    goals: list[frozenset[str]], mentor_specs: list[tuple[frozenset[str], int]], data: st.DataObject
) -> None:
    mentees = [Mentee(f"e{i}", float(i % 4), g) for i, g in enumerate(goals)]
    mentors = [Mentor(f"r{i}", float(i % 3), s, cap) for i, (s, cap) in enumerate(mentor_specs)]
    history = []
    if mentees and mentors:
        history = [[(e.key, data.draw(st.sampled_from(mentors)).key) for e in mentees]]
    result = match_mentors(mentees, mentors, history, avoid_repeat_cycles=2)
    load: dict[str, int] = {}
    for mentor in result.assignments.values():
        load[mentor] = load.get(mentor, 0) + 1
    for mentor in mentors:
        assert load.get(mentor.key, 0) <= mentor.capacity
    forbidden = recent_pairs(history, 2)
    for mentee, mentor in result.assignments.items():
        assert frozenset((mentee, mentor)) not in forbidden
    assert set(result.assignments) | set(result.unmatched) == {e.key for e in mentees}
    assert not set(result.assignments) & set(result.unmatched)
    assert len(result.assignments) <= sum(m.capacity for m in mentors)


@settings(max_examples=60, deadline=None)
@given(
    goals=st.lists(st.frozensets(st.sampled_from(TOPICS), max_size=3), min_size=1, max_size=5),
    mentor_specs=st.lists(
        st.tuples(st.frozensets(st.sampled_from(TOPICS), max_size=4), st.integers(1, 2)), min_size=1, max_size=3
    ),
)
def test_mentorship_total_fit_is_the_exact_optimum(
    goals: list[frozenset[str]], mentor_specs: list[tuple[frozenset[str], int]]
) -> None:
    mentees = [Mentee(f"e{i}", float(3 * i % 7), g) for i, g in enumerate(goals)]
    mentors = [Mentor(f"r{i}", float(2 * i), s, cap) for i, (s, cap) in enumerate(mentor_specs)]
    result = match_mentors(mentees, mentors, [])
    ours = sum(mentor_fit(e, m) for e in mentees for m in mentors if result.assignments.get(e.key) == m.key)
    best = 0.0
    for choice in itertools.product([None, *mentors], repeat=len(mentees)):
        if any(sum(1 for c in choice if c is m) > m.capacity for m in mentors):
            continue
        best = max(best, sum(mentor_fit(e, m) for e, m in zip(mentees, choice, strict=True) if m is not None))
    assert abs(ours - best) < 1e-9


# --- quality of the peer matching -----------------------------------------------------------------------------


def test_an_assignment_cycle_is_cut_into_its_heavier_pairs() -> None:
    score = np.array([[0, 5, 1, 1], [5, 0, 1, 1], [1, 1, 0, 9], [1, 1, 9, 0]], dtype=np.float64)
    # a 4-cycle 0 -> 1 -> 2 -> 3 -> 0: halves {0-1, 2-3} (14) and {1-2, 3-0} (2)
    assert sorted(tuple(sorted(p)) for p in _round_to_pairs(score, np.array([1, 2, 3, 0]))) == [(0, 1), (2, 3)]
    # a 3-cycle 0 -> 2 -> 3 -> 0 drops the member whose absence costs least (0), keeping 2-3; 1 stays alone
    assert [tuple(sorted(p)) for p in _round_to_pairs(score, np.array([2, 1, 3, 0]))] == [(2, 3)]
    # 2-cycles are pairs, fixed points stay alone
    assert [tuple(sorted(p)) for p in _round_to_pairs(score, np.array([1, 0, 2, 3]))] == [(0, 1)]


def test_peer_pairs_come_within_three_percent_of_the_exact_optimum() -> None:
    """Against Edmonds' exact maximum-weight matching (networkx) on every allowed pair, with history and teams."""
    rng = random.Random(11)
    zones = [-8.0, -5.0, 0.0, 1.0, 2.0, 5.5, 9.0, None]
    pool = [
        Candidate(f"m{i:03d}", rng.choice(zones), frozenset(rng.sample(TOPICS, rng.randint(1, 3))), f"t{i % 9}")
        for i in range(90)
    ]
    history: list[list[tuple[str, ...]]] = []
    for cycle in range(3):
        history.append(make_peer_groups(pool, history, exclude_same_team=True, seed=cycle).groups)
    result = make_peer_groups(pool, history, exclude_same_team=True, seed=3)
    forbidden = recent_pairs(history, 6)
    graph = nx.Graph()
    for a, b in itertools.combinations(pool, 2):
        if a.team != b.team and frozenset((a.key, b.key)) not in forbidden:
            graph.add_edge(a.key, b.key, weight=round(pair_weight(a, b) * 96))  # integers: exact arithmetic
    optimum = sum(graph[a][b]["weight"] for a, b in nx.max_weight_matching(graph)) / 96
    assert result.left_out == {}
    assert groups_weight(pool, result.groups) >= 0.97 * optimum


def test_the_block_weights_are_pair_weight_for_every_pair_with_unknown_zones_and_a_large_vocabulary() -> None:
    rng = random.Random(5)
    vocabulary = [f"topic-{i}" for i in range(150)]  # more than one 64-bit word of interests
    zones = [None, -9.5, -5.0, 0.0, 5.75, 13.0, 14.0]
    pool = [Candidate(f"m{i:02d}", rng.choice(zones), frozenset(rng.sample(vocabulary, rng.randint(0, 12))))
            for i in range(40)]
    rules = _Pool(pool, [], exclude_same_team=False)
    idx = np.array(rng.sample(range(40), 25), dtype=np.int64)
    got = _BlockScorer(rules).weights(idx)
    members = rules.members
    expected = np.array([[pair_weight(members[a], members[b]) for b in idx] for a in idx])
    assert np.allclose(got, expected, rtol=0, atol=1e-12)


def test_a_team_holding_most_of_the_pool_pairs_everyone_it_can_and_says_why_the_rest_wait() -> None:
    """180 of 300 members share a team and same-team pairs are excluded: each pair needs one of the other 120."""
    pool = [
        Candidate(f"m{i:03d}", float(i % 4), frozenset({TOPICS[i % 5]}), "platform" if i < 180 else f"t{i % 7}")
        for i in range(300)
    ]
    result = make_peer_groups(pool, [], exclude_same_team=True, seed=1)
    teams = {c.key: c.team for c in pool}
    assert len(result.groups) == 120  # the most there can be
    assert all(sorted(teams[k] == "platform" for k in g) == [False, True] for g in result.groups)
    assert len(result.left_out) == 60 and all(teams[k] == "platform" for k in result.left_out)
    assert all("already grouped" in reason for reason in result.left_out.values())


def test_two_leftovers_are_paired_by_rerouting_an_existing_pair() -> None:
    # ana may meet only ben, dev only chi; ben and chi were matched: ana-ben and chi-dev is the only full pairing
    never = [("ana", "chi"), ("ana", "dev"), ("dev", "ben")]
    rules = _Pool([Candidate(k) for k in ("ana", "ben", "chi", "dev")], never, exclude_same_team=False)
    mate = [-1, 2, 1, -1]  # ben = chi
    _pair_the_rest(rules, mate)
    assert mate == [1, 0, 3, 2]
