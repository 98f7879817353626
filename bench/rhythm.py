"""``copbot simulate --weeks 26 --members 1000`` with every rhythm feature on (DMs in members' daytime, "not now",
nudges, lasting mentorships, the expertise directory, the digest), against the same simulation without them,
measured in the same process. Issue "Every member's own rhythm": within 1.3x.

Prints both times, the ratio, and the figures the issue asks for: the share of DMs that reached a member outside
their local window (0 with the window on), nudged members' return rate and the mentorship completion rate.
Printed, never asserted.

    python bench/rhythm.py [--weeks 26] [--members 1000] [--seed 1]
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from config.loader import load_config
from config.local_window import LocalWindow
from config.models import CommunityConfig
from copbot.simulate import run_simulation

ROOT = Path(__file__).resolve().parent.parent
RHYTHM_RITUALS = ("nudges", "mentorship", "expertise", "digest")


def without_rhythm(config: CommunityConfig) -> CommunityConfig:
    """The shipped config with this issue's rituals left out and DMs sent at once (no local window)."""
    rituals = config.rituals.model_copy(update=dict.fromkeys(RHYTHM_RITUALS))
    dms = config.delivery.direct_messages.model_copy(update={"local_window": None})
    delivery = config.delivery.model_copy(update={"direct_messages": dms})
    return config.model_copy(update={"rituals": rituals, "delivery": delivery})


def everything_on(config: CommunityConfig) -> CommunityConfig:
    """The shipped config with DMs kept to members' daytime: community.yaml leaves ``local_window`` out (DMs go
    at once), so the run switches it on with its defaults (09:00-18:00 local, Monday to Friday)."""
    if config.delivery.direct_messages.local_window is not None:
        return config
    dms = config.delivery.direct_messages.model_copy(update={"local_window": LocalWindow()})
    return config.model_copy(update={"delivery": config.delivery.model_copy(update={"direct_messages": dms})})


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(config: CommunityConfig, weeks: int, members: int, seed: int) -> tuple[float, float, dict[str, Any]]:
    wall, cpu = time.perf_counter(), _cpu()
    summary = run_simulation(config, weeks=weeks, members=members, seed=seed, console=None, progress=False)
    return time.perf_counter() - wall, _cpu() - cpu, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    shipped = everything_on(load_config(ROOT / "community.yaml"))
    missing = [name for name in RHYTHM_RITUALS if getattr(shipped.rituals, name) is None]
    if missing:
        raise SystemExit(f"community.yaml must switch every rhythm ritual on; missing: {missing}")
    window = shipped.delivery.direct_messages.local_window
    assert window is not None
    _timed(shipped, 1, 20, args.seed)  # warm up: imports, matplotlib's font cache
    wall, cpu, ours = _timed(shipped, args.weeks, args.members, args.seed)
    base_wall, base_cpu, plain = _timed(without_rhythm(shipped), args.weeks, args.members, args.seed)
    dms, plain_dms = ours["direct_messages"], plain["direct_messages"]
    print(f"copbot simulate --weeks {args.weeks} --members {args.members} --seed {args.seed}; "
          f"local_window {window.hours} {','.join(window.days)}")
    print(f"  everything on:          {wall:7.2f} s wall, {cpu:7.2f} s CPU; {dms['sent']} DMs")
    print(f"  without these rituals:  {base_wall:7.2f} s wall, {base_cpu:7.2f} s CPU; {plain_dms['sent']} DMs")
    print(f"  on / without: {cpu / base_cpu:.2f} (CPU), {wall / base_wall:.2f} (wall); goal: within 1.3")
    print(f"  DMs outside members' local window: {dms['outside_local_window']} of {dms['sent']} "
          f"({dms['share_outside_local_window']:.2%}); without the window: {plain_dms['outside_local_window']} "
          f"of {plain_dms['sent']} ({plain_dms['share_outside_local_window']:.2%})")
    print(f"  answers to members' own clicks or commands, sent at once by design: {dms['answers_at_once']} "
          f"({dms['answers_outside_local_window']} of them outside the window: the member clicked then)")
    nudges, mentorships = ours.get("nudges", {}), ours.get("mentorships", {})
    rate = nudges.get("return_rate")
    print(f"  nudges: {nudges.get('sent', 0)} sent, {nudges.get('came_back', 0)} of {nudges.get('settled', 0)} "
          f"settled came back ({rate:.0%})" if rate is not None else "  nudges: none settled")
    done = mentorships.get("completion_rate")
    print(f"  mentorships: {mentorships.get('active', 0)} active, {mentorships.get('completed', 0)} of "
          f"{mentorships.get('ended', 0)} ended completed ({done:.0%})" if done is not None else
          "  mentorships: none ended")


if __name__ == "__main__":
    main()
