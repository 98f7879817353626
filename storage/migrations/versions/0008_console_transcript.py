"""console transcript

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 13:58:46.266772
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "console_transcript",
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("place", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("delivery_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("buttons", sa.Text(), nullable=False),
        sa.Column("thread_of", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("attachments", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("community", "number"),
    )
    with op.batch_alter_table("console_transcript", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_console_transcript_delivery_id"), ["delivery_id"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("console_transcript", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_console_transcript_delivery_id"))

    op.drop_table("console_transcript")
