"""Writing a row that may only exist once: the unique constraint decides, not a read before the write.

Why one helper: slots, handled events, onboarding steps, rota notices and harvested threads are all claimed by
inserting a row that a unique constraint guards. Two replicas (or a retry) racing to claim the same thing must
see exactly one winner; reading first and inserting after leaves a window between the two. The insert runs in a
savepoint so the loser's failed insert does not spoil the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel


def insert_once(tx: Session, row: SQLModel) -> bool:
    """Add ``row`` unless a unique constraint says it is there already; True when this call added it.

    The row is flushed, so generated keys (``row.id``) are set when it returns True.
    """
    try:
        with tx.begin_nested():
            tx.add(row)
            tx.flush()
    except IntegrityError:
        return False
    return True
