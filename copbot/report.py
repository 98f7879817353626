"""Participation, per member and per ISO week: what ``copbot report`` and the console's /report show.

Computed from stored activity only (storage/activity.py: what members did, never what the bot sent them), so
the report says what the database knows. Members the welcome sequence reached who have done nothing yet are
listed beside it ("welcomed, not yet active"), never counted as active.
"""

from __future__ import annotations

import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from storage import activity as activity_store
from storage import kudos as kudos_store
from storage import queries
from storage.db import Database
from storage.times import utc


@dataclass(frozen=True)
class Report:
    """Rows ready for JSON or a table."""

    members: list[dict[str, Any]]
    weeks: list[dict[str, Any]]
    kinds: list[str]
    welcomed_not_active: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"members": self.members, "weeks": self.weeks, "welcomed_not_active": self.welcomed_not_active}


BASE_KINDS = ("reactions", "replies")
_PLURAL = {"reaction": "reactions", "reply": "replies", "kudos_given": "kudos_given"}


KIND_LABELS = {
    "reactions": "reactions",
    "replies": "replies",
    "posts": "posts",
    "buttons": "buttons pressed",
    "acknowledgements": "ground rules agreed",
    "mets": "meetings",
    "facilitateds": "sessions hosted",
    "co_hosteds": "sessions co-hosted",
    "kudos_given": "kudos given",
    "submissions": "submissions",
}
"""Readable names for the report's activity kinds (whose keys stay as stored, for --json): table headers, the
dashboard and the chart's legend."""


def kind_label(kind: str) -> str:
    """A column header for an activity kind as the report names it (``mets`` reads as ``meetings``)."""
    return KIND_LABELS.get(kind, kind.replace("_", " "))


def _plural(kind: str) -> str:
    return _PLURAL.get(kind, kind if kind.endswith("s") else kind + "s")


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def build_report(db: Database, community: str, tz: str, now: datetime, since_days: int | None = None) -> Report:
    """Count each member's activity by kind, and each week's totals, in the community's time zone."""
    since = now - timedelta(days=since_days) if since_days is not None else None
    zone = ZoneInfo(tz)
    with db.session() as tx:
        events = activity_store.activity(tx, community, since)
        people = {m.key: m.name for m in queries.members(tx, community, active_only=False)}
        kudos = kudos_store.received_counts(tx, community, since)  # thank-yous received, kept apart from the total
        waiting = [
            {"member": m.key, "name": m.name, "joined": utc(m.joined_at).astimezone(zone).date().isoformat()}
            for m in activity_store.welcomed_not_active(tx, community)
        ]
    per_member: dict[str, Counter[str]] = defaultdict(Counter)
    per_week: dict[date, Counter[str]] = defaultdict(Counter)
    active: dict[date, set[str]] = defaultdict(set)
    kinds: set[str] = set(BASE_KINDS)
    for event in events:
        kind = _plural(event.kind)
        kinds.add(kind)
        per_member[event.member][kind] += 1
        week = _week_start(utc(event.at).astimezone(zone).date())
        per_week[week][kind] += 1
        active[week].add(event.member)
    ordered = [*BASE_KINDS, *sorted(kinds - set(BASE_KINDS))]
    members = []
    for key in sorted(set(per_member) | set(kudos), key=lambda k: (-sum(per_member[k].values()), k)):
        counts = per_member[key]
        members.append(
            {
                "member": key,
                "name": people.get(key, key),
                **{k: counts[k] for k in ordered},
                "total": sum(counts.values()),
                "kudos": kudos.get(key, 0),
            }
        )
    weeks = []
    for week in sorted(per_week):
        counts = per_week[week]
        iso = week.isocalendar()
        weeks.append(
            {
                "week": f"{iso.year}-W{iso.week:02d}",
                "start": week.isoformat(),
                **{k: counts[k] for k in ordered},
                "active_members": len(active[week]),
                "total": sum(counts.values()),
            }
        )
    return Report(members, weeks, ordered, waiting)


def render_report(report: Report, title: str) -> Any:
    """A rich renderable: one table per member, one per week."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    by_member = Table(title=f"{title}: participation per member")
    by_member.add_column("member")
    for kind in report.kinds:
        by_member.add_column(kind_label(kind), justify="right")
    by_member.add_column("total", justify="right")
    by_member.add_column("kudos received", justify="right")
    for row in report.members:
        by_member.add_row(row["name"], *[str(row[k]) for k in report.kinds], str(row["total"]), str(row["kudos"]))
    by_week = Table(title="per week")
    by_week.add_column("week")
    for kind in report.kinds:
        by_week.add_column(kind_label(kind), justify="right")
    by_week.add_column("active members", justify="right")
    for row in report.weeks:
        by_week.add_row(
            f"{row['week']} ({row['start']})", *[str(row[k]) for k in report.kinds], str(row["active_members"])
        )
    if not report.members:
        by_member.caption = "No participation stored yet."
    if not report.welcomed_not_active:
        return Group(by_member, by_week)
    names = ", ".join(f"{row['name']} (joined {row['joined']})" for row in report.welcomed_not_active)
    waiting = Text(
        f"\nWelcomed, not yet active ({len(report.welcomed_not_active)}): {names}. The welcome messages went out; "
        "they have not taken part yet, so they are not counted above."
    )
    return Group(by_member, by_week, waiting)


def render_text(report: Report, title: str) -> str:
    """Plain text for chat or the console transcript."""
    from rich.console import Console

    console = Console(width=110, record=True, file=io.StringIO(), color_system=None)
    console.print(render_report(report, title))
    return console.export_text()
