"""Figures of the members' rhythm for ``copbot report``, the console's /report and ``copbot simulate``: how many
nudged members came back, how many mentorships completed their term.

Why apart from copbot/report.py: those figures come from the nudges and mentorship rituals' own tables, read
through their rituals' functions; the participation report stays a view of participation events only.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from config.models import CommunityConfig
from rituals.mentorship.ritual import mentorship_completion
from rituals.nudges.decisions import rate_text, return_rate
from rituals.nudges.ritual import nudge_outcomes
from storage.db import Database

LOOK_BACK = timedelta(weeks=52)


def rhythm_figures(db: Database, config: CommunityConfig, now: datetime) -> dict[str, Any]:
    """Only the rituals that are on; an empty dict when none is."""
    figures: dict[str, Any] = {}
    nudges = config.rituals.nudges
    if nudges is not None and nudges.enabled:
        with db.session() as tx:
            found = nudge_outcomes(tx, config.community.id, now, nudges, LOOK_BACK)
        came, settled = return_rate(found)
        figures["nudges"] = {
            "sent": len(found),
            "came_back": came,
            "settled": settled,
            "return_rate": round(came / settled, 4) if settled else None,
        }
    mentorship = config.rituals.mentorship
    if mentorship is not None and mentorship.enabled:
        with db.session() as tx:
            done, ended, active = mentorship_completion(tx, config.community.id)
        figures["mentorships"] = {
            "active": active,
            "ended": ended,
            "completed": done,
            "completion_rate": round(done / ended, 4) if ended else None,
        }
    return figures


def rhythm_text(figures: dict[str, Any]) -> str:
    """One line per figure, for a terminal or chat."""
    lines = []
    if "nudges" in figures:
        n = figures["nudges"]
        lines.append(f"Nudges (last 52 weeks): {n['sent']} sent; {rate_text(n['came_back'], n['settled'])}.")
    if "mentorships" in figures:
        m = figures["mentorships"]
        rate = (f"{m['completed']}/{m['ended']} completed ({m['completion_rate']:.0%})" if m["ended"]
                else "none ended yet")  # fmt: skip
        lines.append(f"Mentorships: {m['active']} active; of those that ended, {rate}.")
    return "\n".join(lines)
