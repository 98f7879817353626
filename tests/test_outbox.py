"""The outbox: a crash before, during or after a send neither loses nor doubles a message."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.actions import Action, DirectMessage, Post
from bot.adapter import EventSink, HandlerTable, performs
from bot.clock import ManualClock
from bot.outbox import Outbox, write_plan
from bot.ritual import Planned
from storage import queries
from storage.db import Database


class Crash(BaseException):
    """Stands for the process dying mid-send (not an Exception: nothing may catch it)."""


class PlatformRecord(HandlerTable):
    """A fake platform that remembers what it received, keyed by our delivery id like Slack metadata."""

    platform = "fake"

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []  # (delivery_id, text)
        self.crash_after_send_of: str | None = None
        self.crash_before_send_of: str | None = None

    async def start(self, sink: EventSink) -> None: ...

    async def stop(self) -> None: ...

    async def find_delivery(self, action: Action, delivery_id: str) -> str | None:
        return next((f"ref-{d}" for d, _ in self.received if d == delivery_id), None)

    async def _send(self, action: Action, delivery_id: str) -> str:
        if delivery_id == self.crash_before_send_of:
            raise Crash
        self.received.append((delivery_id, action.text))
        if delivery_id == self.crash_after_send_of:
            raise Crash
        return f"ref-{delivery_id}"

    @performs(Post)
    async def post(self, action: Post, delivery_id: str) -> str | None:
        return await self._send(action, delivery_id)

    @performs(DirectMessage)
    async def dm(self, action: DirectMessage, delivery_id: str) -> str | None:
        return await self._send(action, delivery_id)


def _plan(db: Database, clock: ManualClock, count: int) -> list[str]:
    planned = [Planned(DirectMessage(text=f"welcome {n}", member=f"fake:{n}")) for n in range(count)]
    with db.session() as tx:
        write_plan(tx, "test-guild", "onboarding", "slot-1", planned, clock.now())
        tx.commit()
    return [f"onboarding:slot-1:{n}" for n in range(count)]


def _outbox(db: Database, platform: PlatformRecord, clock: ManualClock) -> Outbox:
    return Outbox(db, "test-guild", platform, clock, on_sent=lambda tx, row, ref: None)


async def test_unsent_deliveries_resume_after_a_crash_before_sending(db: Database, clock: ManualClock) -> None:
    platform = PlatformRecord()
    ids = _plan(db, clock, 5)
    platform.crash_before_send_of = ids[2]
    with pytest.raises(Crash):
        await _outbox(db, platform, clock).drain()
    assert [d for d, _ in platform.received] == ids[:2]
    platform.crash_before_send_of = None
    clock.advance(timedelta(minutes=1))
    await _outbox(db, platform, clock).drain()  # "after the restart": a new outbox on the same database
    assert [d for d, _ in platform.received] == ids  # all five, once each, in order


async def test_a_delivery_that_may_have_gone_out_is_looked_up_not_resent(db: Database, clock: ManualClock) -> None:
    platform = PlatformRecord()
    ids = _plan(db, clock, 3)
    platform.crash_after_send_of = ids[1]  # sent, but we died before marking it sent
    with pytest.raises(Crash):
        await _outbox(db, platform, clock).drain()
    with db.session() as tx:
        assert queries.delivery(tx, ids[1]).status == "sending"  # type: ignore[union-attr]
    platform.crash_after_send_of = None
    await _outbox(db, platform, clock).drain()
    assert [d for d, _ in platform.received] == ids  # the middle one exactly once
    with db.session() as tx:
        rows = {d.id: d for d in queries.deliveries(tx, "test-guild")}
    assert all(rows[i].status == "sent" for i in ids)
    assert rows[ids[1]].platform_ref == f"ref-{ids[1]}"


async def test_replaying_the_same_plan_writes_no_second_delivery(db: Database, clock: ManualClock) -> None:
    first = _plan(db, clock, 2)
    again = _plan(db, clock, 2)
    assert first == again
    with db.session() as tx:
        assert len(queries.deliveries(tx, "test-guild")) == 2


async def test_two_senders_on_one_database_send_each_delivery_once(db: Database, clock: ManualClock) -> None:
    import asyncio

    platform = PlatformRecord()
    ids = _plan(db, clock, 20)
    await asyncio.gather(_outbox(db, platform, clock).drain(), _outbox(db, platform, clock).drain())
    assert sorted(d for d, _ in platform.received) == sorted(ids)


async def test_an_action_the_adapter_cannot_perform_is_a_loud_error(db: Database, clock: ManualClock) -> None:
    platform = PlatformRecord()
    with pytest.raises(TypeError, match="cannot perform Reply"):
        from bot.actions import Reply

        await platform.perform(Reply(text="x", channel="c", thread_ref="t"), "d1")


async def test_a_failed_look_up_neither_resends_nor_blocks_the_rest(db: Database, clock: ManualClock) -> None:
    """The platform could not be asked whether in-doubt deliveries went out: they stay in doubt (a resend
    could double them), and deliveries planned after them still go out."""
    platform = PlatformRecord()
    in_doubt = _plan(db, clock, 3)  # one batch: all three claimed, the first sent, then the crash
    platform.crash_after_send_of = in_doubt[0]
    with pytest.raises(Crash):
        await _outbox(db, platform, clock).drain()
    platform.crash_after_send_of = None
    clock.advance(timedelta(minutes=1))
    later = [Planned(DirectMessage(text=f"reminder {n}", member=f"fake:{n}")) for n in range(2)]
    with db.session() as tx:
        write_plan(tx, "test-guild", "rota", "slot-2", later, clock.now())
        tx.commit()

    async def unreachable(action: Action, delivery_id: str) -> str | None:
        raise ConnectionError("platform unreachable")

    platform.find_delivery = unreachable  # type: ignore[method-assign]
    await _outbox(db, platform, clock).drain()
    assert [d for d, _ in platform.received] == [in_doubt[0], "rota:slot-2:0", "rota:slot-2:1"]
    with db.session() as tx:
        assert {queries.delivery(tx, i).status for i in in_doubt} == {"sending"}  # type: ignore[union-attr]
