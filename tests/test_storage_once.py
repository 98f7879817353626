"""insert_once: the unique constraint decides who claimed a thing, and the loser's transaction goes on."""

from __future__ import annotations

from sqlmodel import select

from storage.db import Database
from storage.models import HandledEvent
from storage.once import insert_once
from tests.conftest import START


def _event(event_id: str) -> HandledEvent:
    return HandledEvent(community="test-guild", platform="slack", event_id=event_id, kind="join", at=START)


def test_the_second_insert_of_the_same_row_loses_and_the_transaction_still_commits(db: Database) -> None:
    with db.session() as tx:
        assert insert_once(tx, _event("Ev1")) is True
        assert insert_once(tx, _event("Ev1")) is False  # the same (platform, event_id)
        assert insert_once(tx, _event("Ev2")) is True  # the savepoint kept the transaction usable
        tx.commit()
    with db.session() as tx:
        assert insert_once(tx, _event("Ev2")) is False  # committed: another session sees it taken
        ids = sorted(row.event_id for row in tx.exec(select(HandledEvent)).all())
    assert ids == ["Ev1", "Ev2"]
