"""Who meets whom this pairing cycle: peer groups and who is eligible, as pure functions (mentor matches:
:mod:`rituals.matching`, shared with the lasting mentorships).

Nothing here touches a clock, a database or a platform: the pairing ritual reads members, preferences and the
past cycles from storage, calls these functions, and stores and announces what they return. Same inputs (and
the same ``seed``) give the same groups, so a cycle can be re-derived and explained afterwards.

Hard rules (never broken; someone is left out with a reason instead): no pair repeats within the last
``avoid_repeat_cycles`` cycles, never-pair lists, and optionally no two members of the same team. Soft
preference: time-zone overlap and shared interests, measured by :func:`pair_weight`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from rituals.matching import (
    MAX_SHARED_COUNTED,
    UNKNOWN_TZ_OVERLAP,
    WORKDAY_HOURS,
    FloatArray,
    History,
    interest_score,
    tz_overlap,
)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Candidate:
    """A member in this cycle's peer pool, with what the pairing may take into account."""

    key: str
    tz_offset_hours: float | None = None
    interests: frozenset[str] = frozenset()
    team: str | None = None


@dataclass(frozen=True)
class PairingResult:
    """This cycle's groups (keys sorted within and across groups) and who was left out, with why."""

    groups: list[tuple[str, ...]]
    left_out: dict[str, str] = field(default_factory=dict)


def pair_weight(a: Candidate, b: Candidate) -> float:
    """How good a pair ``a``-``b`` is (0..2): time-zone overlap plus shared interests.

    Public so the benchmark can build exactly the graph we optimise over for ``networkx.max_weight_matching``.
    """
    return tz_overlap(a.tz_offset_hours, b.tz_offset_hours) + interest_score(a.interests, b.interests)


def recent_pairs(history: History, cycles: int) -> set[frozenset[str]]:
    """Every pair of members who shared a group in the last ``cycles`` cycles of ``history``."""
    pairs: set[frozenset[str]] = set()
    if cycles <= 0:
        return pairs
    for cycle in list(history)[-cycles:]:
        for group in cycle:
            members = sorted(set(group))
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    pairs.add(frozenset((a, b)))
    return pairs


# --- the peer pool as arrays, so that scoring many candidate edges costs one numpy pass ----------------------


class _Pool:
    """The candidates indexed 0..n-1 (sorted by key), with the rules and the weight in vectorised form."""

    def __init__(
        self,
        candidates: Sequence[Candidate],
        forbidden_groups: Iterable[Collection[str]],
        exclude_same_team: bool,
    ) -> None:
        """``forbidden_groups``: groups none of whose members may meet (recent cycles' groups, never-pair pairs)."""
        self.members = sorted({c.key: c for c in candidates}.values(), key=lambda c: c.key)
        self.n = n = len(self.members)
        self.index = {c.key: i for i, c in enumerate(self.members)}
        self.tz = np.array(
            [np.nan if c.tz_offset_hours is None else float(c.tz_offset_hours) for c in self.members], dtype=np.float64
        )
        vocab = sorted({tag for c in self.members for tag in c.interests})
        tag_index = {tag: i for i, tag in enumerate(vocab)}
        words = max(1, (len(vocab) + 63) // 64)
        self.tags = [sorted(tag_index[tag] for tag in c.interests) for c in self.members]
        bits = np.zeros((n, words * 64), dtype=np.bool_)
        for i, tags in enumerate(self.tags):
            bits[i, tags] = True
        self.masks = np.packbits(bits, axis=1, bitorder="little").view(np.uint64).reshape(n, words)
        teams = {t: i for i, t in enumerate(sorted({c.team for c in self.members if c.team is not None}))}
        self.team = np.array([-1 if c.team is None else teams[c.team] for c in self.members], dtype=np.int64)
        self.exclude_same_team = exclude_same_team
        lo: list[int] = []
        hi: list[int] = []
        get = self.index.get
        for group in forbidden_groups:
            inside = [i for i in map(get, group) if i is not None]
            for x, i in enumerate(inside):  # nearly always one pair: a loop, not itertools, is cheapest
                for j in inside[x + 1 :]:
                    lo.append(i)
                    hi.append(j)
        a, b = np.array(lo, dtype=np.int64), np.array(hi, dtype=np.int64)
        codes = np.unique(np.minimum(a, b) * n + np.maximum(a, b))
        self.forbidden_array = codes[codes // n != codes % n]
        self.forbidden_codes = set(self.forbidden_array.tolist())

    def allowed(self, i: int, j: int) -> bool:
        """May ``i`` and ``j`` share a group under the hard rules?"""
        if i == j:
            return False
        if self.exclude_same_team and self.team[i] >= 0 and self.team[i] == self.team[j]:
            return False
        lo, hi = (i, j) if i < j else (j, i)
        return lo * self.n + hi not in self.forbidden_codes

    def weight(self, i: int, j: int) -> float:
        return pair_weight(self.members[i], self.members[j])

    def weights(self, u: IntArray, v: IntArray) -> FloatArray:
        """:func:`pair_weight` for many pairs at once (same arithmetic, so the same numbers)."""
        ta, tb = self.tz[u], self.tz[v]
        diff = np.abs(ta - tb) % 24.0
        diff = np.minimum(diff, 24.0 - diff)
        overlap = np.maximum(0.0, WORKDAY_HOURS - diff) / WORKDAY_HOURS
        overlap = np.where(np.isnan(ta) | np.isnan(tb), UNKNOWN_TZ_OVERLAP, overlap)
        if self.masks.shape[1] == 1:
            flat = self.masks[:, 0]
            shared = np.bitwise_count(flat[u] & flat[v])
        else:
            shared = np.bitwise_count(self.masks[u] & self.masks[v]).sum(axis=1)
        interests = np.minimum(shared, MAX_SHARED_COUNTED) / MAX_SHARED_COUNTED
        return np.asarray(overlap + interests, dtype=np.float64)

    def allowed_mask(self, u: IntArray, v: IntArray) -> npt.NDArray[np.bool_]:
        """:meth:`allowed` for many pairs at once."""
        ok = u != v
        if self.exclude_same_team:
            ok &= ~((self.team[u] >= 0) & (self.team[u] == self.team[v]))
        if len(self.forbidden_array):
            lo, hi = np.minimum(u, v), np.maximum(u, v)
            codes = lo * self.n + hi
            at = np.minimum(np.searchsorted(self.forbidden_array, codes), len(self.forbidden_array) - 1)
            ok &= self.forbidden_array[at] != codes
        return np.asarray(ok, dtype=np.bool_)


WINDOW = 6
"""Groups of three or more: each member considers this many neighbours on each side in every ordering."""

INTEREST_ORDERINGS = 3
"""Orderings by (one of the member's interests, time zone), besides the one by time zone alone."""

def _candidate_edges(pool: _Pool, rng: np.random.Generator) -> tuple[IntArray, IntArray, FloatArray]:
    """A sparse set of promising, allowed edges: neighbours in orderings by time zone and by shared interest.

    Why: the full graph has n²/2 edges (50 million at 10k); the best partners of a member are close to them in
    time zone and share an interest, so sorting the pool those ways and looking a few places either side finds
    them in O(n log n).
    """
    n = pool.n
    tiebreak = rng.random(n)
    tz_key = np.where(np.isnan(pool.tz), 100.0, pool.tz)
    orderings = [np.lexsort((tiebreak, tz_key))]
    tags = pool.tags
    starts = rng.integers(0, 1 << 30, size=n)
    for j in range(INTEREST_ORDERINGS):
        tag_key = np.array([t[(j + int(s)) % len(t)] if t else -1 for t, s in zip(tags, starts, strict=True)])
        orderings.append(np.lexsort((tiebreak, tz_key, tag_key)))
    us: list[IntArray] = []
    vs: list[IntArray] = []
    for order in orderings:
        for d in range(1, min(WINDOW, n - 1) + 1):
            us.append(order[:-d])
            vs.append(order[d:])
    u = np.concatenate(us).astype(np.int64)
    v = np.concatenate(vs).astype(np.int64)
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    codes = np.sort(lo * n + hi)
    codes = codes[np.concatenate(([True], codes[1:] != codes[:-1]))]
    lo, hi = codes // n, codes % n
    keep = pool.allowed_mask(lo, hi)
    lo, hi = lo[keep], hi[keep]
    return lo, hi, pool.weights(lo, hi)


BLOCK_SIZE = 160
"""Members solved together exactly in one block. Why 128: the assignment solver is cubic in the block, so twice
the block costs about four times the time per member, and at 128 the weight is within ~2% of the exact optimum
(``bench/pairing.py`` measures it); smaller blocks lose quality, larger ones lose speed."""

BLOCK_PASSES = 4
"""Passes over the pool, each in a different ordering (time zone, then one of each member's interests) and with
block boundaries shifted by half a block, so that good partners cut apart by one pass meet in the next."""


class _BlockScorer:
    """Dense score and allowed matrices for a block of members (rows and columns in the block's order)."""

    def __init__(self, pool: _Pool) -> None:
        self.pool = pool
        n = pool.n
        codes = pool.forbidden_array
        lo, hi = codes // n, codes % n
        owner = np.concatenate([lo, hi])
        other = np.concatenate([hi, lo])
        order = np.argsort(owner, kind="stable")
        # CSR layout: the forbidden partners of member i are partners[start[i]:start[i + 1]]
        self.partners = other[order]
        self.start = np.searchsorted(owner[order], np.arange(n + 1))
        self.position = np.full(n, -1, dtype=np.int64)
        # Time-zone overlap and interest score as lookup tables: a community has a few dozen distinct offsets,
        # so a block's overlap is one gather from a small table instead of eight passes of float arithmetic.
        zones, self.zone_code = np.unique(np.nan_to_num(pool.tz, nan=np.inf), return_inverse=True)
        zone_list = [None if np.isinf(z) else float(z) for z in zones.tolist()]
        self.overlap_table = np.array([[tz_overlap(a, b) for b in zone_list] for a in zone_list], dtype=np.float64)
        most = pool.masks.shape[1] * 64
        self.interest_table = np.minimum(np.arange(most + 1), MAX_SHARED_COUNTED) / MAX_SHARED_COUNTED

    def weights(self, idx: IntArray) -> FloatArray:
        """:func:`pair_weight` between every two members of the block (the same numbers, from the tables)."""
        code = self.zone_code[idx]
        overlap = self.overlap_table[code[:, None], code[None, :]]
        masks = self.pool.masks[idx]
        if masks.shape[1] == 1:
            shared = np.bitwise_count(masks[:, 0][:, None] & masks[:, 0][None, :])
        else:
            shared = np.bitwise_count(masks[:, None, :] & masks[None, :, :]).sum(axis=2)
        return np.asarray(overlap + self.interest_table[shared], dtype=np.float64)

    def allowed(self, idx: IntArray) -> npt.NDArray[np.bool_]:
        """:meth:`_Pool.allowed` between every two members of the block."""
        pool = self.pool
        m = len(idx)
        ok = ~np.eye(m, dtype=np.bool_)
        if pool.exclude_same_team:
            team = pool.team[idx]
            ok &= ~((team[:, None] == team[None, :]) & (team[:, None] >= 0))
        begin, end = self.start[idx], self.start[idx + 1]
        counts = end - begin
        if counts.any():
            rows = np.repeat(np.arange(m), counts)
            offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
            partners = self.partners[np.repeat(begin, counts) + offsets]
            self.position[idx] = np.arange(m)
            cols = self.position[partners]
            self.position[idx] = -1
            inside = cols >= 0
            ok[rows[inside], cols[inside]] = False
        return ok


def _round_to_pairs(score: FloatArray, successor: IntArray) -> list[tuple[int, int]]:
    """Pairs from an optimal assignment of the block onto itself (``successor[i]`` is row i's column).

    Why: on a symmetric score matrix the assignment problem is the matching problem without the "odd cycles"
    constraint, and solving it is fast and exact. Its answer is a permutation: fixed points stay alone, 2-cycles
    are pairs, and a longer cycle is cut into the heavier of its alternating halves (an odd cycle drops the one
    member whose absence costs least; later passes and :func:`_pair_the_rest` place them).
    """
    s = np.asarray(successor)
    x = np.arange(len(s))
    two = np.flatnonzero((s[s] == x) & (s > x))
    pairs: list[tuple[int, int]] = list(zip(two.tolist(), s[two].tolist(), strict=True))
    seen = ((s[s] == x) | (s == x)).tolist()  # 2-cycles (done) and fixed points (alone)
    for first in np.flatnonzero(~((s[s] == x) | (s == x))).tolist():
        cycle: list[int] = []
        at = first
        while not seen[at]:
            seen[at] = True
            cycle.append(at)
            at = int(s[at])
        k = len(cycle)
        if k < 2:
            continue
        edges: list[float] = score[cycle, cycle[1:] + cycle[:1]].tolist()  # edges[i] joins cycle[i], cycle[i+1]
        if k % 2 == 0:
            begin = 0 if sum(edges[0::2]) >= sum(edges[1::2]) else 1
        else:
            # dropping cycle[d] keeps edges d+1, d+3, ..., d+k-2 (mod k); every-other-edge prefix sums make each
            # choice O(1): step[j] = twice[j-2] + twice[j-4] + ..., so the kept sum is step[d+k] - step[d+1]
            twice = edges + edges
            step = [0.0, 0.0]
            for i, e in enumerate(twice):
                step.append(step[i] + e)
            begin = 1 + max(range(k), key=lambda d: (step[d + k] - step[d + 1], -d))
        pairs.extend((cycle[(begin + 2 * j) % k], cycle[(begin + 2 * j + 1) % k]) for j in range(k // 2))
    return pairs


def _improve_in_blocks(scorer: _BlockScorer, mate: list[int], order: list[int], offset: int) -> None:
    """Cut ``order`` into blocks (current pairs stay in one block), re-match each block exactly, keep gains.

    A pair adds a bonus larger than any block's total weight, so a block is matched with as many pairs as
    possible first and only then by weight: the re-match never leaves more members unpaired to gain weight.
    """
    taken = [False] * len(mate)
    blocks: list[list[int]] = []
    current: list[int] = []
    for i in order[offset:] + order[:offset]:
        if taken[i]:
            continue
        current.append(i)
        taken[i] = True
        partner = mate[i]
        if partner >= 0 and not taken[partner]:
            current.append(partner)
            taken[partner] = True
        if len(current) >= BLOCK_SIZE:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    for block in blocks:
        idx = np.array(block, dtype=np.int64)
        bonus = 2.0 * len(block) + 1.0
        score = scorer.weights(idx) + bonus
        cost = np.where(scorer.allowed(idx), -score, np.inf)
        np.fill_diagonal(cost, 0.0)
        _, successor = linear_sum_assignment(cost)
        pairs = _round_to_pairs(score, successor)
        scorer.position[idx] = np.arange(len(block))
        mates = np.array([mate[i] for i in block], dtype=np.int64)
        local_mate = np.where(mates >= 0, scorer.position[mates], -1)
        scorer.position[idx] = -1
        before = float(score[np.arange(len(block)), local_mate][local_mate >= 0].sum()) / 2
        after = float(sum(score[a, b] for a, b in pairs))
        if after > before + 1e-9:
            for i in block:
                mate[i] = -1
            for a, b in pairs:
                mate[block[a]], mate[block[b]] = block[b], block[a]


def _match_pairs(pool: _Pool, rng: np.random.Generator) -> list[int]:
    """A heavy matching of the allowed pairs; ``mate[i]`` is ``i``'s partner or -1.

    Why blocks: the exact maximum-weight matching (Edmonds' blossoms) takes minutes at a few thousand members in
    Python, and greedy-plus-swaps stayed near 95% of it. Members sorted by time zone and a shared interest sit
    next to their best partners, so matching consecutive blocks exactly, over a few orderings, gets within ~2%
    of the optimum in time linear in the pool.
    """
    scorer = _BlockScorer(pool)
    mate = [-1] * pool.n
    tz_key = np.where(np.isnan(pool.tz), 100.0, pool.tz)
    tiebreak = rng.random(pool.n)
    starts = rng.integers(0, 1 << 30, size=pool.n)
    for p in range(BLOCK_PASSES):
        tag_key = np.array([t[(p + int(s)) % len(t)] if t else -1 for t, s in zip(pool.tags, starts, strict=True)])
        order = np.lexsort((tiebreak, tag_key, tz_key)).tolist()
        _improve_in_blocks(scorer, mate, order, (BLOCK_SIZE // 2) * (p % 2))
    return mate


def _allowed_rows(pool: _Pool, rows: IntArray) -> npt.NDArray[np.bool_]:
    """``out[r, j]``: may ``rows[r]`` share a group with member ``j``? One dense row per member asked about.

    Why: the members left over after matching can be many (a team holding most of the pool, with same-team
    exclusion on), and asking :meth:`_Pool.allowed` pair by pair for each of them was quadratic in Python.
    """
    out = np.ones((len(rows), pool.n), dtype=np.bool_)
    out[np.arange(len(rows)), rows] = False
    if pool.exclude_same_team:
        team = pool.team[rows][:, None]
        out &= ~((team == pool.team[None, :]) & (team >= 0))
    position = np.full(pool.n, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows))
    codes = pool.forbidden_array
    lo, hi = codes // max(pool.n, 1), codes % max(pool.n, 1)
    for a, b in ((lo, hi), (hi, lo)):
        mine = position[a] >= 0
        out[position[a[mine]], b[mine]] = False
    return out


def _pair_the_rest(pool: _Pool, mate: list[int]) -> None:
    """Pair members the blocks left alone: with each other, or by re-routing an existing pair.

    Why: "at most one member unpaired" is a promise to members, not a statistic; the blocks are a heuristic,
    so the leftovers get an exhaustive look, in numpy so that many leftovers (who may simply be unpairable)
    cost one pass each rather than a Python loop over every member.
    """
    free = np.array([i for i in range(pool.n) if mate[i] < 0], dtype=np.int64)
    if len(free) < 2:
        return
    may = _allowed_rows(pool, free)  # leftovers x everyone
    # 1. leftovers with each other, best weight first
    ra, rb = np.nonzero(np.triu(may[:, free], k=1))
    a, b = free[ra], free[rb]
    order = np.lexsort((b, a, -pool.weights(a, b)))
    for ai, bi in zip(a[order].tolist(), b[order].tolist(), strict=True):
        if mate[ai] < 0 and mate[bi] < 0:
            mate[ai], mate[bi] = bi, ai
    # 2. augmenting paths of length 3: free x - c = d - free y  becomes  x = c, d = y
    while True:
        mates = np.array(mate, dtype=np.int64)
        alive = np.flatnonzero(mates[free] < 0)
        if len(alive) < 2:
            return
        rows = may[alive]
        counts = rows.sum(axis=0)
        partner = np.maximum(mates, 0)
        only = np.where(counts == 1, rows.argmax(axis=0), -1)  # the single leftover who may join, if one
        useful = (mates >= 0) & (counts >= 1) & (counts[partner] >= 1)
        useful &= ~((counts == 1) & (counts[partner] == 1) & (only == only[partner]))
        found = np.flatnonzero(useful)
        if not len(found):
            return
        c = int(found[0])
        d = mate[c]
        xs = free[alive[rows[:, c]]].tolist()
        ys = free[alive[rows[:, d]]]
        ys = ys[np.lexsort((ys, -pool.weights(np.full(len(ys), d), ys)))].tolist()
        x, y = next((x, y) for y in ys for x in xs if x != y)
        mate[x], mate[c] = c, x
        mate[d], mate[y] = y, d


def _place_leftovers(pool: _Pool, groups: list[list[int]], leftovers: list[int]) -> tuple[list[int], list[bool]]:
    """Put each leftover into the best group of regular size they may join.

    Returns who could not be placed, and for each of them whether anyone at all may meet them (for the reason).
    """
    if not leftovers:
        return [], []
    size = min((len(g) for g in groups), default=0)
    may = _allowed_rows(pool, np.array(leftovers, dtype=np.int64))
    regular = [gi for gi, g in enumerate(groups) if len(g) == size]
    members = np.array([groups[gi] for gi in regular], dtype=np.int64).reshape(len(regular), size)
    open_group = np.ones(len(regular), dtype=np.bool_)
    unplaced: list[int] = []
    anyone: list[bool] = []
    for r, x in enumerate(leftovers):
        fits = np.flatnonzero(open_group & may[r][members].all(axis=1))
        if not len(fits):
            unplaced.append(x)
            anyone.append(bool(may[r].any()))
            continue
        inside = members[fits]
        score = pool.weights(np.full(inside.size, x), inside.ravel()).reshape(inside.shape).sum(axis=1)
        best = int(fits[int(np.argmax(score))])  # the first of the best, as before
        groups[regular[best]].append(x)
        open_group[best] = False
    return unplaced, anyone


def _left_out_reason(pool: _Pool, anyone_allowed: bool, avoid_repeat_cycles: int) -> str:
    if pool.n < 2:
        return "nobody else is in the pairing pool this cycle"
    if not anyone_allowed:
        return (
            f"every other member was in a group with them in the last {avoid_repeat_cycles} cycles, "
            "is on a never-pair list with them, or is on their team"
        )
    return (
        "everyone they may still meet was already grouped, and adding them anywhere would repeat a recent "
        "pairing or break a never-pair/team rule"
    )


def _group_larger(pool: _Pool, size: int, u: IntArray, v: IntArray, w: FloatArray) -> tuple[list[list[int]], list[int]]:
    """Groups of ``size`` >= 3: grow each group from a seed by the best allowed neighbour of its members."""
    adjacency: list[list[tuple[float, int]]] = [[] for _ in range(pool.n)]
    for a, b, wt in zip(u.tolist(), v.tolist(), w.tolist(), strict=True):
        adjacency[a].append((wt, b))
        adjacency[b].append((wt, a))
    for adj in adjacency:
        adj.sort(key=lambda e: (-e[0], e[1]))
    tz_key = np.where(np.isnan(pool.tz), 100.0, pool.tz)
    order = np.lexsort((np.arange(pool.n), tz_key)).tolist()
    assigned = [False] * pool.n
    groups: list[list[int]] = []
    spare: list[int] = []
    for seed in order:
        if assigned[seed]:
            continue
        group = [seed]
        assigned[seed] = True
        while len(group) < size:
            options = {j for m in group for _, j in adjacency[m] if not assigned[j]}
            fits = [j for j in options if all(pool.allowed(j, m) for m in group)]
            if not fits:
                fits = [j for j in order if not assigned[j] and all(pool.allowed(j, m) for m in group)][:1]
            if not fits:
                break
            best = max(fits, key=lambda j: (sum(pool.weight(j, m) for m in group), -j))
            group.append(best)
            assigned[best] = True
        if len(group) == size:
            groups.append(group)
        else:
            spare.extend(group)
    return groups, spare


def make_peer_groups(
    candidates: Sequence[Candidate],
    history: History = (),
    *,
    group_size: int = 2,
    avoid_repeat_cycles: int = 6,
    never_pair: Collection[frozenset[str]] = frozenset(),
    exclude_same_team: bool = False,
    seed: int = 0,
) -> PairingResult:
    """Split the pool into groups of ``group_size``, the leftover member(s) joining a group (an odd pool of pairs
    gives exactly one trio), maximising :func:`pair_weight` within groups under the hard rules.

    A member who cannot be placed without breaking a hard rule is left out with the reason, never paired
    against the rules: a repeat within ``avoid_repeat_cycles`` cycles is the thing members complain about most.
    """
    if group_size < 2:
        raise ValueError("group_size must be at least 2")
    recent = [g for cycle in list(history)[-avoid_repeat_cycles:] for g in cycle] if avoid_repeat_cycles > 0 else []
    pool = _Pool(candidates, [*recent, *(p for p in never_pair if len(p) == 2)], exclude_same_team)
    rng = np.random.default_rng(seed)
    if pool.n == 0:
        return PairingResult(groups=[], left_out={})
    if group_size == 2:
        mate = _match_pairs(pool, rng)
        _pair_the_rest(pool, mate)
        groups = [[i, mate[i]] for i in range(pool.n) if mate[i] > i]
        spare = [i for i in range(pool.n) if mate[i] < 0]
    else:
        u, v, w = _candidate_edges(pool, rng) if pool.n > 1 else (np.zeros(0, np.int64),) * 2 + (np.zeros(0),)
        groups, spare = _group_larger(pool, group_size, u, v, w)
    unplaced, anyone = _place_leftovers(pool, groups, spare)
    keys = [c.key for c in pool.members]
    out = sorted(tuple(sorted(keys[i] for i in g)) for g in groups)
    reasons = {i: _left_out_reason(pool, ok, avoid_repeat_cycles) for i, ok in zip(unplaced, anyone, strict=True)}
    left_out = {keys[i]: reasons[i] for i in sorted(reasons)}
    return PairingResult(groups=out, left_out=left_out)


def groups_weight(candidates: Sequence[Candidate], groups: Iterable[Sequence[str]]) -> float:
    """Total :func:`pair_weight` over every pair inside every group (what the pairing maximises)."""
    by_key = {c.key: c for c in candidates}
    total = 0.0
    for group in groups:
        for x, a in enumerate(group):
            for b in group[x + 1 :]:
                total += pair_weight(by_key[a], by_key[b])
    return total


# --- eligibility --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolMember:
    """What eligibility needs to know about a member."""

    key: str
    left: bool = False
    acknowledged_ground_rules: bool = False


@dataclass(frozen=True)
class PairingPrefs:
    """A member's own pairing choices; ``opted_in=None`` means they never said (the admin's default applies)."""

    key: str
    opted_in: bool | None = None
    paused_until: date | None = None


def pairing_ineligibility(
    member: PoolMember,
    prefs: PairingPrefs | None,
    today: date,
    *,
    default_opted_in: bool = True,
    require_ground_rules: bool = False,
) -> str | None:
    """Why ``member`` is not in today's pool, or ``None`` if they are. Shown by ``/cop pairing status``."""
    if member.left:
        return "has left the community"
    opted_in = prefs.opted_in if prefs is not None and prefs.opted_in is not None else default_opted_in
    if not opted_in:
        return "opted out of pairing"
    if prefs is not None and prefs.paused_until is not None and today < prefs.paused_until:
        return f"paused until {prefs.paused_until.isoformat()}"
    if require_ground_rules and not member.acknowledged_ground_rules:
        return "has not yet acknowledged the ground rules"
    return None


def eligible_for_pairing(
    members: Iterable[PoolMember],
    prefs: Mapping[str, PairingPrefs],
    today: date,
    *,
    default_opted_in: bool = True,
    require_ground_rules: bool = False,
) -> list[str]:
    """Keys (sorted) of members in this cycle's pool. A pause ends by itself on its date: no command needed."""
    return sorted(
        m.key
        for m in members
        if pairing_ineligibility(
            m, prefs.get(m.key), today, default_opted_in=default_opted_in, require_ground_rules=require_ground_rules
        )
        is None
    )
