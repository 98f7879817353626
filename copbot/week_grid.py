"""The member × week grid people can take away: posts, replies, reactions, meetings and kudos per member per week.

Why its own module: a spreadsheet wants one row per member and week with every column filled (zeros included),
which is a different shape from the report's totals; ``copbot report --by-week --format csv`` and the dashboard's
download both use this one. Weeks are ISO weeks in the community's time zone; kudos are kudos received.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from storage import kudos as kudos_store
from storage import queries
from storage.db import Database
from storage.times import utc

COLUMNS = ("posts", "replies", "reactions", "meetings", "kudos")
KIND_COLUMN = {"post": "posts", "reply": "replies", "reaction": "reactions", "met": "meetings"}


@dataclass(frozen=True)
class WeekGrid:
    """Every member (rows) × every week from the first to the last with anything (columns), zeros included."""

    weeks: list[date]  # Mondays
    members: list[tuple[str, str]]  # key, name
    cells: dict[tuple[str, date], Counter[str]]

    def rows(self) -> list[dict[str, object]]:
        out: list[dict[str, object]] = []
        for key, name in self.members:
            for week in self.weeks:
                counts = self.cells.get((key, week), Counter())
                iso = week.isocalendar()
                out.append({"member": key, "name": name, "week": f"{iso.year}-W{iso.week:02d}",
                            "week_start": week.isoformat(), **{c: counts[c] for c in COLUMNS}})  # fmt: skip
        return out


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_grid(db: Database, community: str, tz: str, now: datetime, since_days: int | None = None) -> WeekGrid:
    """Count each member's posts, replies, reactions, meetings and kudos received in each week."""
    zone = ZoneInfo(tz)
    since = now - timedelta(days=since_days) if since_days is not None else None
    cells: dict[tuple[str, date], Counter[str]] = {}
    with db.session() as tx:
        people = queries.members(tx, community, active_only=False)
        events = queries.participation(tx, community, since)
        kudos = kudos_store.between(tx, community, since, now)
    for event in events:
        column = KIND_COLUMN.get(event.kind)
        if column:
            week = _monday(utc(event.at).astimezone(zone).date())
            cells.setdefault((event.member, week), Counter())[column] += 1
    for row in kudos:
        week = _monday(utc(row.given_at).astimezone(zone).date())
        cells.setdefault((row.receiver, week), Counter())["kudos"] += 1
    seen = sorted({week for _, week in cells})
    weeks = []
    if seen:
        first = _monday(utc(since).astimezone(zone).date()) if since is not None else seen[0]
        week = first
        while week <= max(seen[-1], _monday(now.astimezone(zone).date())):
            weeks.append(week)
            week += timedelta(weeks=1)
    members = sorted(((m.key, m.name) for m in people), key=lambda kv: (kv[1].lower(), kv[0]))
    return WeekGrid(weeks, members, cells)


def grid_csv(grid: WeekGrid) -> str:
    """The grid as CSV: member, name, week, week_start, then one column per kind."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["member", "name", "week", "week_start", *COLUMNS], lineterminator="\n")
    writer.writeheader()
    for row in grid.rows():
        writer.writerow({k: _safe(v) for k, v in row.items()})
    return out.getvalue()


def _safe(value: object) -> object:
    """A name starting with = + - @ would be a formula in a spreadsheet: quote it as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def grid_chart(grid: WeekGrid, path: Path, title: str, most: int = 40) -> Path:
    """A heat map: the ``most`` active members (rows) by week (columns), each cell their contributions."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    totals: Counter[str] = Counter()
    for (key, _), counts in grid.cells.items():
        totals[key] += sum(counts.values())
    shown = sorted((m for m in grid.members if totals[m[0]]), key=lambda m: (-totals[m[0]], m[1]))[:most]
    values = [[sum(grid.cells.get((key, week), Counter()).values()) for week in grid.weeks] for key, _ in shown]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.35 * len(grid.weeks) + 3), max(3.0, 0.25 * len(shown) + 1.5)), dpi=110)
    if shown and grid.weeks:
        image = ax.imshow(values, aspect="auto", cmap="Greens")
        ax.set_yticks(range(len(shown)), [name for _, name in shown])
        labels = [f"W{w.isocalendar().week:02d}" for w in grid.weeks]
        ax.set_xticks(range(len(labels)), labels, rotation=90)
        fig.colorbar(image, ax=ax, label="contributions")
    else:
        ax.text(0.5, 0.5, "No participation stored yet", ha="center", va="center", transform=ax.transAxes)
    ax.set_title(f"{title}: who took part, week by week")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
