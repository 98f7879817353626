"""The delivery outbox: every message is a row before it is a platform call.

Why: a crash between "decide" and "send" must neither lose the message nor send it twice. A ritual's
plan is written as delivery rows (stable ids derived from the slot or the triggering event) in the same
transaction as its state. The sender then moves each row pending → sending → sent. A row found in
``sending`` after a restart may or may not have gone out, so the adapter is asked to look for it
(Slack message metadata, Discord nonce) before it is sent again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col

from bot import metrics
from bot.actions import Action, action_from_dict, action_to_dict
from bot.adapter import Adapter
from bot.clock import Clock
from bot.ritual import Planned
from storage import queries
from storage.db import Database
from storage.models import Delivery

log = logging.getLogger("copbot.outbox")

MAX_ATTEMPTS = 5


def delivery_id(ritual: str, key: str, seq: int) -> str:
    """Stable id: the same plan (same ritual, same slot or event, same position) gives the same id."""
    return f"{ritual}:{key}:{seq}"


def write_plan(tx: Session, community: str, ritual: str, key: str, planned: Sequence[Planned], now: datetime) -> int:
    """Write a plan's deliveries in the caller's transaction; returns how many rows are new."""
    new = 0
    for seq, item in enumerate(planned):
        new += queries.add_delivery(
            tx,
            community=community,
            delivery_id=delivery_id(ritual, key, seq),
            ritual=ritual,
            subject=item.subject,
            action=action_to_dict(item.action),
            seq=seq,
            now=now,
        )
    return new


SentHook = Callable[[Session, Delivery, str | None], None]


class Outbox:
    """Sends unsent deliveries through one adapter, in order, once each."""

    def __init__(self, db: Database, community: str, adapter: Adapter, clock: Clock, on_sent: SentHook) -> None:
        self.db = db
        self.community = community
        self.adapter = adapter
        self.clock = clock
        self.on_sent = on_sent
        self.sent = 0
        self.retried = 0
        self.failed = 0
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was planned: the background sender should look now."""
        self._wake.set()

    async def run_forever(self, idle_seconds: float = 1.0) -> None:
        """Background loop: drain, then sleep until woken (or a short idle timeout, to retry)."""
        while True:
            try:
                await self.drain()
            except Exception:  # never let one bad row stop the sender
                log.exception("outbox drain failed; retrying")
            self._wake.clear()
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for swallows a cancel that races with
            # wake(), and stop() then waits for this loop forever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(idle_seconds):
                    await self._wake.wait()

    async def drain(self) -> int:
        """Send everything unsent now; returns how many were sent."""
        async with self._lock:
            count = 0
            while True:
                with self.db.session() as tx:
                    rows = list(queries.unsent_deliveries(tx, self.community))
                if not rows:
                    return count
                progressed = False
                for row in rows:
                    if await self._deliver(row):
                        count += 1
                        progressed = True
                if not progressed:
                    return count

    async def _deliver(self, row: Delivery) -> bool:
        action: Action = action_from_dict(json.loads(row.action))
        if row.status == "sending":
            # It may have gone out before a crash: look before sending again.
            found = await self.adapter.find_delivery(action, row.id)
            if found is not None:
                self._finish(row, found)
                return True
        if not self._take(row):
            return False  # another sender (replica) has it
        try:
            ref = await self.adapter.perform(action, row.id)
        except TypeError:
            raise
        except Exception as exc:  # the adapter already retried rate limits; this is a real failure
            final = row.attempts + 1 >= MAX_ATTEMPTS
            with self.db.session() as tx:
                queries.mark_failed(tx, row.id, f"{type(exc).__name__}: {exc}", final=final)
                tx.commit()
            self.retried += 0 if final else 1
            self.failed += 1 if final else 0
            metrics.delivery("failed" if final else "retried")
            log.warning("delivery %s failed (attempt %d): %s", row.id, row.attempts + 1, exc)
            return False
        self._finish(row, ref)
        return True

    def _take(self, row: Delivery) -> bool:
        """Compare-and-set the row to ``sending`` so two senders never both send it."""
        with self.db.session() as tx:
            result = tx.exec(
                update(Delivery)
                .where(
                    col(Delivery.id) == row.id,
                    col(Delivery.status) == row.status,
                    col(Delivery.attempts) == row.attempts,
                )
                .values(status="sending", attempts=row.attempts + 1)
            )
            tx.commit()
            return bool(result.rowcount)

    def _finish(self, row: Delivery, ref: str | None) -> None:
        with self.db.session() as tx:
            queries.mark_sent(tx, row.id, ref, self.clock.now())
            self.on_sent(tx, row, ref)
            tx.commit()
        self.sent += 1
        metrics.delivery("sent")
