"""How much work is waiting in the database, for /metrics: deliveries planned but not yet sent.

Why its own small module: it is read by the operations side only (copbot/ops_http.py), at every scrape,
and must stay a single indexed count (``ix_deliveries_status``), never a load of rows.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import Delivery

UNSENT = ("pending", "sending")


def unsent_deliveries(tx: Session, community: str) -> int:
    """Deliveries still to send (pending, or sending: in flight or waiting to be checked after a crash)."""
    query = select(func.count()).select_from(Delivery).where(
        Delivery.community == community, col(Delivery.status).in_(UNSENT)
    )
    return int(tx.exec(query).one())
