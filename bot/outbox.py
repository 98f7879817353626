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
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlmodel import Session

from bot import metrics
from bot.actions import Action, action_from_dict, action_to_dict
from bot.adapter import Adapter, DeliveryRefused
from bot.clock import Clock
from bot.dm_policy import DirectMessagePolicy, Shaped
from bot.ritual import Planned
from storage import queries, replicas
from storage.db import Database
from storage.models import Delivery

log = logging.getLogger("copbot.outbox")

MAX_ATTEMPTS = 5
CLAIM_BATCH = 50
"""Rows claimed per transaction. Not all at once: a claimed row not yet sent is ``sending``, and each such
row costs a platform look-up if the process dies, so a batch is kept to a couple of seconds of sending."""


def delivery_id(ritual: str, key: str, seq: int | str) -> str:
    """Stable id: the same plan (same ritual, same slot or event, same position) gives the same id."""
    return f"{ritual}:{key}:{seq}"


def write_plan(
    tx: Session,
    community: str,
    ritual: str,
    key: str,
    planned: Sequence[Planned],
    now: datetime,
    *,
    policy: DirectMessagePolicy | None = None,
    present: str | None = None,
) -> int:
    """Write a plan's deliveries in the caller's transaction; returns how many rows are new.

    ``policy`` decides when each DM may go and whether an optional one is withheld (bot/dm_policy.py);
    ``present`` is the member whose click or command this plan answers.
    """
    shaped = policy.shape(tx, planned, now, present) if policy else [Shaped(s, p) for s, p in enumerate(planned)]
    rows = [
        Delivery(
            id=delivery_id(ritual, key, row.seq if row.part is None else f"{row.seq}.{row.part}"),
            community=community,
            ritual=ritual,
            subject=row.planned.subject,
            action=json.dumps(action_to_dict(row.planned.action), sort_keys=True),
            seq=row.seq,
            created_at=now,
            not_before=row.not_before,
            status="withheld" if row.withheld else "pending",
            error=row.withheld,
            timing=row.timing,
        )
        for row in shaped
    ]
    return queries.add_deliveries(tx, rows)


SentHook = Callable[[Session, Delivery, str | None], None]


class Outbox:
    """Sends unsent deliveries through one adapter, in order, once each, beside any number of replicas.

    Each outbox is one sender with its own id: it claims rows under that id and keeps a heartbeat, so
    other replicas leave its in-flight rows alone while it lives (storage/replicas.py); ``sender_ttl``
    is how long a silent sender is still taken to be alive.
    """

    def __init__(
        self,
        db: Database,
        community: str,
        adapter: Adapter,
        clock: Clock,
        on_sent: SentHook,
        *,
        sender_ttl: timedelta = replicas.DEFAULT_TTL,
        dm_policy: DirectMessagePolicy | None = None,
    ) -> None:
        self.db = db
        self.dm_policy = dm_policy or DirectMessagePolicy(None, paced=adapter.paced)
        """community.yaml's DM policy, the one place it is applied: it shapes each plan (:func:`write_plan`), holds
        a row whose members' daytime is over just before sending, and the adapter awaits it before each DM. An
        outbox made without a community's settings (a benchmark, a test's sender) refuses, paces and times nothing."""
        self.community = community
        self.adapter = adapter
        self.clock = clock
        self.on_sent = on_sent
        self.sent = 0
        self.retried = 0
        self.failed = 0
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self.sender_id = replicas.new_replica_id()
        self.sender_ttl = sender_ttl
        self._beaten_at: datetime | None = None

    def wake(self) -> None:
        """Something was planned: the background sender should look now."""
        self._wake.set()

    def _beat(self, *, force: bool = False) -> None:
        """Refresh this sender's heartbeat, at most a few times per TTL (and at once when ``force``)."""
        now = self.clock.now()
        if not force and self._beaten_at is not None and now - self._beaten_at < self.sender_ttl / 4:
            return
        with self.db.session() as tx:
            replicas.beat(tx, self.sender_id, self.community, now)
            tx.commit()
        self._beaten_at = now

    def forget(self) -> None:
        """Clean stop: drop the heartbeat so other replicas may look up this sender's leftovers at once."""
        if self._beaten_at is None:
            return
        try:
            with self.db.session() as tx:
                replicas.forget(tx, self.sender_id)
                tx.commit()
        except Exception:  # the database may be gone at shutdown; the TTL then does the same, later
            log.warning("could not remove sender %s's heartbeat at shutdown", self.sender_id)
        self._beaten_at = None

    async def run_forever(self, idle_seconds: float = 1.0) -> None:
        """Background loop: drain, then sleep until woken (or a short idle timeout, to retry)."""
        try:
            await self._run_forever(idle_seconds)
        finally:
            self.forget()

    async def _run_forever(self, idle_seconds: float) -> None:
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
        """Send everything unsent now, a batch at a time; returns how many were sent."""
        async with self._lock:
            count = 0
            while True:
                self._beat()
                with self.db.session() as tx:
                    rows = list(
                        replicas.deliverable(
                            tx, self.community, self.sender_id, self.clock.now(), ttl=self.sender_ttl,
                            limit=CLAIM_BATCH,
                        )
                    )  # fmt: skip
                if not rows:
                    return count
                sent, taken_by_others = await self._deliver_batch(rows)
                count += sent
                if not sent and not taken_by_others:
                    return count  # nothing moved (every row failed): the next drain retries

    async def _deliver_batch(self, rows: Sequence[Delivery]) -> tuple[int, int]:
        """Look up the in-doubt rows, claim the rest in one transaction, send in order, mark sent together.

        Why batches: one transaction to claim and one to mark sent per batch, instead of two per message,
        was most of the bot's CPU in a 1,000-DM fan-out. The sent-marks are written when the batch ends
        (or fails, or is cancelled); a crash before that leaves them ``sending``, which the next drain
        looks up on the platform before sending again, exactly as for a crash mid-send.
        Returns (sent, rows another replica claimed first or held for their members' window).
        """
        done: list[tuple[Delivery, str | None]] = []
        due: list[Delivery] = []
        for row in rows:
            if row.status == "sending":
                # It may have gone out before a crash: look before sending again.
                try:
                    found = await self.adapter.find_delivery(_action(row), row.id)
                except TypeError:
                    raise
                except Exception as exc:  # can't tell: neither resend (it may be out) nor block the rows behind
                    log.warning("delivery %s: could not check whether it went out (%s); will look again", row.id, exc,
                                extra={"delivery": row.id, "ritual": row.ritual})
                    continue
                if found is not None:
                    done.append((row, found))
                    continue
            due.append(row)
        with self.db.session() as tx:
            later = self.dm_policy.recheck(tx, due, self.clock.now())
            if later:  # their member's daytime is over (a backlog, or a zone learnt since): hold, don't send
                queries.hold_deliveries(tx, later)
                due = [row for row in due if row.id not in later]
            claimed = queries.claim_deliveries(tx, due, self.sender_id)  # the rest: another replica won them
            tx.commit()
        try:
            for row in claimed:
                self._beat()  # a long batch (rate limits) must not look like a dead sender
                ok, ref = await self._send(row)
                if ok:
                    done.append((row, ref))
        finally:
            self._finish(done)
        return len(done), len(due) - len(claimed) + len(later)

    async def _send(self, row: Delivery) -> tuple[bool, str | None]:
        """Perform one claimed row: (True, platform reference), or (False, None) with the failure recorded
        on the row (pending again to retry, or failed once MAX_ATTEMPTS is reached)."""
        try:
            return True, await self.adapter.perform(_action(row), row.id)
        except TypeError:
            raise
        except Exception as exc:  # the adapter already retried rate limits; this is a real failure
            final = row.attempts + 1 >= MAX_ATTEMPTS or isinstance(exc, DeliveryRefused)  # a refusal stays one
            with self.db.session() as tx:
                queries.mark_failed(tx, row.id, f"{type(exc).__name__}: {exc}", final=final)
                tx.commit()
            self.retried += 0 if final else 1
            self.failed += 1 if final else 0
            metrics.delivery("failed" if final else "retried")
            log.warning("delivery %s failed (attempt %d): %s", row.id, row.attempts + 1, exc,
                        extra={"delivery": row.id, "ritual": row.ritual})
            return False, None

    def _finish(self, done: Sequence[tuple[Delivery, str | None]]) -> None:
        """Mark a batch sent, with each ritual's on-sent hook, in one transaction."""
        if not done:
            return
        with self.db.session() as tx:
            queries.mark_sent_many(tx, [(row.id, ref) for row, ref in done], self.clock.now())
            for row, ref in done:
                self.on_sent(tx, row, ref)
            tx.commit()
        self.sent += len(done)
        for _ in done:
            metrics.delivery("sent")
        if not log.isEnabledFor(logging.INFO):
            return
        if log.isEnabledFor(logging.DEBUG):
            for row, ref in done:
                log.debug("delivery %s sent (%s)", row.id, ref, extra={"delivery": row.id, "ritual": row.ritual})
        by_ritual = Counter(row.ritual for row, _ in done)
        log.info("sent %d deliver%s (%s)", len(done), "y" if len(done) == 1 else "ies",
                 ", ".join(f"{ritual} {n}" for ritual, n in sorted(by_ritual.items())),
                 extra={"ritual": next(iter(by_ritual))} if len(by_ritual) == 1 else None)


def _action(row: Delivery) -> Action:
    return action_from_dict(json.loads(row.action))
