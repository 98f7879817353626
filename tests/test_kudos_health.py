"""Kudos in the health report: counted per period from what is stored, and shown in the report's text."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import ManualClock
from config.loader import parse_config
from rituals.health.decisions import HealthHistory, StageRule, build_snapshot
from rituals.health.ritual import health_snapshot
from rituals.health.texts import report_text
from storage import kudos as store
from storage.db import Database
from tests.conftest import COMMUNITY_YAML, START


def test_kudos_are_counted_in_this_period_and_the_one_before() -> None:
    now = START + timedelta(days=60)
    given = (now - timedelta(days=1), now - timedelta(days=29), now - timedelta(days=31), now - timedelta(days=70))
    history = HealthHistory(members=(), activity=(), kudos=given)
    snapshot = build_snapshot(history, now, timedelta(days=30), StageRule())
    assert (snapshot.kudos_this, snapshot.kudos_last) == (2, 1)
    assert "*Kudos:* 2 thank-yous between members this period (1 the period before)" in report_text(snapshot, "G")


def test_health_snapshot_reads_the_stored_kudos(db: Database, clock: ManualClock) -> None:
    with db.session() as tx:
        for day in (1, 2, 40):
            store.add(tx, store.Kudos(community="test-guild", giver="console:ana", receiver="console:ben",
                                      reason="help", given_at=START - timedelta(days=day)))
        tx.commit()
    snapshot = health_snapshot(db, parse_config(COMMUNITY_YAML, "community.yaml"), START)
    assert (snapshot.kudos_this, snapshot.kudos_last) == (2, 1)
