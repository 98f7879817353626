"""Benchmark of the pairing decisions: speed at 1k/10k, quality against exact optima, mentorship.

Run ``python bench/pairing.py`` (add ``--json`` for a machine-readable summary). It prints each figure with
its goal beside it (PASS/MISS) and never asserts: the numbers are for people deciding whether the heuristic is
good enough, on whatever machine they have. The exact peer optimum comes from ``networkx.max_weight_matching``
on the full graph of allowed pairs (every pair not ruled out, weighted by ``pair_weight``), which is slow:
minutes at 2k members.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import networkx as nx
import numpy as np
from scipy.optimize import linear_sum_assignment

from rituals.pairing_decisions import (
    Candidate,
    Mentee,
    Mentor,
    groups_weight,
    make_peer_groups,
    match_mentors,
    mentor_fit,
    pair_weight,
    recent_pairs,
)

TZ_OFFSETS = [-8.0, -7.0, -6.0, -5.0, -4.0, -3.0, 0.0, 1.0, 2.0, 3.0, 5.5, 8.0, 9.0, 10.0]
TZ_WEIGHTS = [8, 3, 6, 10, 2, 3, 8, 12, 6, 2, 6, 4, 3, 2]
VOCAB = [f"topic-{i:02d}" for i in range(40)]
TOPIC_WEIGHTS = [1.0 / (i + 1) ** 0.8 for i in range(len(VOCAB))]  # a few popular topics, a long tail
HISTORY_CYCLES = 6


def make_pool(n: int, seed: int) -> list[Candidate]:
    """A plausible community: clustered time zones, Zipf-ish interests, 5% with no time zone, ~25-person teams."""
    rng = random.Random(seed)
    pool = []
    for i in range(n):
        tz = rng.choices(TZ_OFFSETS, TZ_WEIGHTS)[0] if rng.random() > 0.05 else None
        interests = frozenset(rng.choices(VOCAB, TOPIC_WEIGHTS, k=rng.randint(1, 4)))
        pool.append(Candidate(f"m{i:05d}", tz, interests, f"team-{rng.randrange(max(1, n // 25))}"))
    return pool


def make_history(pool: list[Candidate], cycles: int) -> list[list[tuple[str, ...]]]:
    """Past cycles as our own pairing produced them, so the best pairs are the ones now forbidden."""
    history: list[list[tuple[str, ...]]] = []
    for cycle in range(cycles):
        result = make_peer_groups(pool, history, avoid_repeat_cycles=HISTORY_CYCLES, exclude_same_team=True, seed=cycle)
        history.append(result.groups)
    return history


def timed_pairing(pool: list[Candidate], history: list[list[tuple[str, ...]]], repeats: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = make_peer_groups(
            pool, history, avoid_repeat_cycles=HISTORY_CYCLES, exclude_same_team=True, seed=HISTORY_CYCLES
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def exact_peer_optimum(pool: list[Candidate], history: list[list[tuple[str, ...]]]) -> float:
    """Max total weight over all matchings of the allowed graph (zero-weight edges cannot change the optimum)."""
    forbidden = recent_pairs(history, HISTORY_CYCLES)
    graph = nx.Graph()
    for i, a in enumerate(pool):
        for b in pool[i + 1 :]:
            if a.team is not None and a.team == b.team:
                continue
            if frozenset((a.key, b.key)) in forbidden:
                continue
            weight = pair_weight(a, b)
            if weight > 0:
                graph.add_edge(a.key, b.key, weight=weight)
    matching = nx.max_weight_matching(graph)
    return sum(graph[a][b]["weight"] for a, b in matching)


def repeats_in(groups: list[tuple[str, ...]], history: list[list[tuple[str, ...]]]) -> int:
    forbidden = recent_pairs(history, HISTORY_CYCLES)
    return sum(1 for pair in recent_pairs([groups], 1) if pair in forbidden)


def mentorship_figures(seed: int) -> dict[str, Any]:
    rng = random.Random(seed)

    def tz() -> float | None:
        return rng.choices(TZ_OFFSETS, TZ_WEIGHTS)[0] if rng.random() > 0.05 else None

    mentees = [
        Mentee(f"e{i:04d}", tz(), frozenset(rng.choices(VOCAB, TOPIC_WEIGHTS, k=rng.randint(1, 3))))
        for i in range(1000)
    ]
    mentors = [
        Mentor(f"r{i:04d}", tz(), frozenset(rng.choices(VOCAB, TOPIC_WEIGHTS, k=rng.randint(2, 6))), 2)
        for i in range(500)
    ]
    # one past cycle: a random earlier assignment, so some pairs are forbidden
    history = [[(e.key, rng.choice(mentors).key) for e in mentees]]
    times = []
    result = match_mentors(mentees, mentors, history, avoid_repeat_cycles=3)
    for _ in range(3):
        start = time.perf_counter()
        result = match_mentors(mentees, mentors, history, avoid_repeat_cycles=3)
        times.append(time.perf_counter() - start)
    ours = sum(mentor_fit(e, m) for e in mentees for m in mentors if result.assignments.get(e.key) == m.key)
    # the optimum, built independently in plain Python from mentor_fit: allowed pairs only, one column per slot
    forbidden = recent_pairs(history, 3)
    big = 1e6
    cost = np.array(
        [[big if frozenset((e.key, m.key)) in forbidden else -mentor_fit(e, m) for m in mentors] for e in mentees]
    )
    slots = np.repeat(np.arange(len(mentors)), [m.capacity for m in mentors])
    rows, cols = linear_sum_assignment(cost[:, slots])
    optimum = float(sum(-cost[r, slots[c]] for r, c in zip(rows, cols, strict=True) if cost[r, slots[c]] < big))
    load: dict[str, int] = {}
    for mentor in result.assignments.values():
        load[mentor] = load.get(mentor, 0) + 1
    return {
        "time_s": statistics.median(times),
        "weight_ratio": ours / optimum if optimum else 1.0,
        "assigned": len(result.assignments),
        "unmatched": len(result.unmatched),
        "capacity_exceeded": sum(1 for m in mentors if load.get(m.key, 0) > m.capacity),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print a JSON summary instead of the table")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--exact-sizes", default="1000,2000", help="pool sizes compared with networkx's optimum")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    figures: dict[str, Any] = {"timing": {}, "quality": {}, "mentorship": {}}
    for n in (1000, 10000):
        log(f"timing {n} members ...")
        pool = make_pool(n, args.seed)
        history = make_history(pool, HISTORY_CYCLES)
        seconds, result = timed_pairing(pool, history, repeats=5)
        figures["timing"][n] = {
            "time_s": seconds,
            "repeats": repeats_in(result.groups, history),
            "unpaired": len(result.left_out),
            "trios": sum(1 for g in result.groups if len(g) == 3),
        }
    for n in [int(x) for x in args.exact_sizes.split(",") if x]:
        log(f"exact optimum at {n} members (networkx, slow) ...")
        pool = make_pool(n, args.seed + n)
        history = make_history(pool, HISTORY_CYCLES)
        _, result = timed_pairing(pool, history, repeats=1)
        ours = groups_weight(pool, result.groups)
        optimum = exact_peer_optimum(pool, history)
        figures["quality"][n] = {
            "ours": ours,
            "optimum": optimum,
            "ratio": ours / optimum if optimum else 1.0,
            "repeats": repeats_in(result.groups, history),
            "unpaired": len(result.left_out),
        }
        log(f"  {n}: ours {ours:.1f} / optimum {optimum:.1f} = {ours / optimum if optimum else 1.0:.4f}")
    log("mentorship 1000 x 500 ...")
    figures["mentorship"] = mentorship_figures(args.seed)

    t1k, t10k = figures["timing"][1000]["time_s"], figures["timing"][10000]["time_s"]
    rows: list[tuple[str, str, str, bool]] = [
        ("peer pairing, 1k members", f"{t1k:.3f} s", "-", True),
        ("peer pairing, 10k members", f"{t10k:.3f} s", "<= 1 s", t10k <= 1.0),
        ("time(10k) / time(1k)", f"{t10k / t1k:.1f}", "<= 15", t10k / t1k <= 15),
    ]
    for n, fig in figures["timing"].items():
        rows.append((f"repeats / unpaired at {n}", f"{fig['repeats']} / {fig['unpaired']}", "0 / <= 1",
                     fig["repeats"] == 0 and fig["unpaired"] <= 1))
    for n, fig in figures["quality"].items():
        rows.append((f"weight / exact optimum at {n}", f"{fig['ratio']:.4f} ({fig['ours']:.1f}/{fig['optimum']:.1f})",
                     ">= 0.95", fig["ratio"] >= 0.95))
        rows.append((f"repeats / unpaired at {n}", f"{fig['repeats']} / {fig['unpaired']}", "0 / <= 1",
                     fig["repeats"] == 0 and fig["unpaired"] <= 1))
    mentorship = figures["mentorship"]
    rows += [
        ("mentorship 1000 x 500 (cap 2), time", f"{mentorship['time_s']:.3f} s", "<= 0.25 s",
         mentorship["time_s"] <= 0.25),
        ("mentorship weight / optimum", f"{mentorship['weight_ratio']:.4f}", ">= 0.99",
         mentorship["weight_ratio"] >= 0.99),
        ("mentor capacity exceeded", str(mentorship["capacity_exceeded"]), "0", mentorship["capacity_exceeded"] == 0),
    ]
    if args.json:
        figures["checks"] = [{"figure": r[0], "value": r[1], "goal": r[2], "pass": r[3]} for r in rows]
        print(json.dumps(figures, indent=2, default=str))
    else:
        width = max(len(r[0]) for r in rows)
        for name, value, goal, ok in rows:
            print(f"{name:<{width}}  {value:<28} goal {goal:<10} {'PASS' if ok else 'MISS'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
