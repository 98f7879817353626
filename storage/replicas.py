"""Replicas sharing one PostgreSQL: who is alive, and which ``sending`` deliveries are really in doubt.

Why: a delivery moves pending → sending → sent. A row left in ``sending`` by a crash may or may not
have gone out, so the outbox looks it up on the platform before sending it again. But with several
replicas, a ``sending`` row is usually just *in flight* in another, live replica: looking it up finds
nothing yet, and sending it again would deliver it twice. So every claim records its sender, every
sender keeps a heartbeat row here, and a ``sending`` row is in doubt only when its sender is this one
(a batch this process abandoned), unknown, or silent for longer than the heartbeat TTL (dead).

On SQLite there is only ever one bot per database file (storage/bot_lock.py), so any other sender
is a process that has died: its rows are in doubt at once, with no wait for a TTL.

Heartbeat times come from the outbox's injected clock; the TTL (a minute by default) dwarfs the clock
skew between hosts, and also a send's rate-limit waits, since a sender beats between messages.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import Column, ColumnElement, DateTime, and_, delete, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import Delivery

DEFAULT_TTL = timedelta(seconds=60)
BEAT_EVERY_FRACTION = 4  # beat at least four times per TTL


class Replica(SQLModel, table=True):
    """A running sender (one per bot process), with its last sign of life."""

    __tablename__ = "replicas"

    id: str = Field(primary_key=True)
    community: str = Field(index=True)
    host: str
    pid: int
    started_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    heartbeat_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


def new_replica_id() -> str:
    """Unique per process start, readable in a log: ``host:pid:random``."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def beat(tx: Session, replica_id: str, community: str, now: datetime) -> None:
    """Insert or refresh this sender's heartbeat (an upsert on both dialects)."""
    values = {
        "id": replica_id,
        "community": community,
        "host": socket.gethostname(),
        "pid": os.getpid(),
        "started_at": now,
        "heartbeat_at": now,
    }
    table = Replica.__table__  # type: ignore[attr-defined]
    dialect = tx.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    tx.execute(insert.values(**values).on_conflict_do_update(index_elements=["id"], set_={"heartbeat_at": now}))


def forget(tx: Session, replica_id: str) -> None:
    """A clean stop: the others may look up this sender's leftover ``sending`` rows at once."""
    tx.execute(delete(Replica).where(col(Replica.id) == replica_id))


def live_replicas(tx: Session, community: str, now: datetime, ttl: timedelta = DEFAULT_TTL) -> list[str]:
    return list(
        tx.exec(
            select(Replica.id).where(Replica.community == community, col(Replica.heartbeat_at) >= now - ttl)
        ).all()
    )


def deliverable(
    tx: Session,
    community: str,
    me: str,
    now: datetime,
    *,
    ttl: timedelta = DEFAULT_TTL,
    limit: int = 200,
) -> Sequence[Delivery]:
    """Unsent rows this sender may act on: every ``pending`` row, and ``sending`` rows that are in doubt.

    In doubt: claimed by this sender (left over from an abandoned batch), by no one we know, or by a
    sender that is not alive. Rows in flight in another live replica are left to it.
    """
    actionable: ColumnElement[bool]
    if tx.get_bind().dialect.name == "sqlite":  # one bot per file: every other sender is gone
        actionable = col(Delivery.status).in_(("pending", "sending"))
    else:
        alive = select(Replica.id).where(
            Replica.community == community, Replica.id != me, col(Replica.heartbeat_at) >= now - ttl
        )
        in_doubt = col(Delivery.sender).is_(None) | col(Delivery.sender).not_in(alive)
        actionable = or_(col(Delivery.status) == "pending", and_(col(Delivery.status) == "sending", in_doubt))
    due = col(Delivery.not_before).is_(None) | (col(Delivery.not_before) <= now)  # held for a member's window
    return tx.exec(
        select(Delivery)
        .where(Delivery.community == community, actionable, due)
        # seq before id: ids end in the position as text, so "…:10" would otherwise go before "…:2".
        .order_by(col(Delivery.created_at), col(Delivery.seq), col(Delivery.id))
        .limit(limit)
    ).all()
