"""scale-out tables (replica leases, metrics)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 23:20:00

A placeholder in the linear chain, reserved so features built side by side each own one revision;
the scale-out work fills in its tables here (autogenerate into this file, never a new revision id).
"""

from __future__ import annotations

from collections.abc import Sequence

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""


def downgrade() -> None:
    """Downgrade schema."""
