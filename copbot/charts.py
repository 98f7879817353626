"""The participation chart as a PNG file (matplotlib, headless), for ``copbot report --png`` and the dashboard."""

from __future__ import annotations

from pathlib import Path

from copbot.report import Report, kind_label


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
