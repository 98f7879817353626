"""Participation charts as PNG files (matplotlib, headless), for ``copbot report --png`` and chat uploads."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.report import Report, kind_label

if TYPE_CHECKING:
    from rituals.health_decisions import HealthSnapshot


def participation_chart(report: Report, path: Path, title: str) -> Path:
    """Stacked bars of participation per kind per week, with active members as a line on a second axis.

    Why a chart: a community manager reads a trend at a glance; a table of numbers needs study.
    """
    import matplotlib

    matplotlib.use("Agg")  # no display on a server
    import matplotlib.pyplot as plt

    weeks = [row["week"] for row in report.weeks]
    fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * len(weeks) + 3), 4.2), dpi=110)
    bottom = [0] * len(weeks)
    for kind in report.kinds:
        values = [row.get(kind, 0) for row in report.weeks]
        if not any(values):
            continue
        ax.bar(weeks, values, bottom=bottom, label=kind_label(kind))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("contributions")
    ax.set_title(f"{title}: participation per week")
    if weeks:
        active = ax.twinx()
        active.plot(weeks, [row["active_members"] for row in report.weeks], color="black", marker="o",
                    label="active members")
        active.set_ylabel("active members")
        active.set_ylim(bottom=0)
        active.legend(loc="upper right")
    else:
        ax.text(0.5, 0.5, "No participation stored yet", ha="center", va="center", transform=ax.transAxes)
    if any(bottom):
        ax.legend(loc="upper left")
    ax.tick_params(axis="x", labelrotation=45)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def health_chart(snapshot: HealthSnapshot, path: Path, title: str) -> Path:
    """Two panels: active members and prompt reply rate per week; newcomer retention at 30/60/90 days.

    Why these two: the first shows whether the community is getting livelier week by week, the second
    whether the people who join stay; together they are most of what the health report argues from.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (weekly, curve) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=110, gridspec_kw={"width_ratios": [2, 1]})
    weeks = [w.week for w in snapshot.weekly_active]
    labels = [f"{d:%d %b}" for d in weeks]
    weekly.bar(labels, [w.active for w in snapshot.weekly_active], color="#4c72b0", label="active members")
    weekly.set_ylabel("active members")
    weekly.set_ylim(bottom=0)
    weekly.set_title(f"{title}: week by week")
    weekly.tick_params(axis="x", labelrotation=45)
    rates = {r.week: r.rate for r in snapshot.reply_rates if r.rate is not None}
    if rates:
        replies = weekly.twinx()
        points = [(labels[i], rates[w] * 100) for i, w in enumerate(weeks) if w in rates]
        replies.plot([p[0] for p in points], [p[1] for p in points], color="#dd8452", marker="o",
                     label="prompt reply rate")
        replies.set_ylabel("reply rate (%)")
        replies.set_ylim(0, 100)
        replies.legend(loc="upper right")
    weekly.legend(loc="upper left")
    known = [r for r in snapshot.retention if r.rate is not None]
    if known:
        days = [0, *[r.days for r in known]]
        values = [100.0, *[(r.rate or 0.0) * 100 for r in known]]
        curve.plot(days, values, color="#55a868", marker="o")
        for r in known:
            curve.annotate(f"{r.retained}/{r.cohort}", ((r.days), (r.rate or 0.0) * 100),
                           textcoords="offset points", xytext=(0, 6), ha="center", fontsize=8)
    else:
        curve.text(0.5, 0.5, "No newcomer has\nreached 30 days yet", ha="center", va="center",
                   transform=curve.transAxes)
    curve.set_xticks([0, 30, 60, 90])
    curve.set_xlabel("days after joining")
    curve.set_ylabel("still active (%)")
    curve.set_ylim(0, 105)
    curve.set_title("newcomer retention")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
