"""The participation report: counts per member and per week, as JSON and as a chart."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.clock import ManualClock
from copbot.charts import participation_chart
from copbot.report import build_report
from storage.db import Database
from storage.ingest import store_events
from tests.conftest import START


def _event(n: int, member: str, kind: str, at_days: float) -> dict[str, object]:
    return {"community": "test-guild", "platform": "console", "event_id": f"e{n}", "member": member, "kind": kind,
            "ritual": "prompts", "subject": "prompt:1", "at": START + timedelta(days=at_days)}


def test_report_counts_each_member_and_week_in_the_community_time_zone(db: Database, clock: ManualClock) -> None:
    store_events(db, [
        _event(1, "console:ana", "reaction", 0.1),
        _event(2, "console:ana", "reply", 0.2),
        _event(3, "console:ben", "reaction", 7.5),
        _event(4, "console:ana", "reaction", 7.6),
        _event(4, "console:ana", "reaction", 7.6),  # a duplicate: stored once
        # Sunday 23:30 UTC is already Monday 00:30 in Berlin: it belongs to the community's second week.
        {**_event(5, "console:ben", "reply", 0), "at": START + timedelta(days=6, hours=16, minutes=30)},
    ])
    report = build_report(db, "test-guild", "Europe/Berlin", START + timedelta(days=14))
    members = {row["member"]: row for row in report.members}
    assert (members["console:ana"]["reactions"], members["console:ana"]["replies"]) == (2, 1)
    assert (members["console:ben"]["reactions"], members["console:ben"]["replies"]) == (1, 1)
    assert [(w["week"], w["reactions"], w["replies"], w["active_members"]) for w in report.weeks] == [
        ("2027-W01", 1, 1, 1),
        ("2027-W02", 2, 1, 2),
    ]
    recent = build_report(db, "test-guild", "Europe/Berlin", START + timedelta(days=14), since_days=7)
    assert sum(row["total"] for row in recent.members) == 2


def test_report_png_is_a_real_png(db: Database, tmp_path: Path) -> None:
    store_events(db, [_event(1, "console:ana", "reaction", 0.1), _event(2, "console:ben", "reply", 8)])
    report = build_report(db, "test-guild", "Europe/Berlin", START + timedelta(days=14))
    out = participation_chart(report, tmp_path / "chart.png", "Test Guild")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
