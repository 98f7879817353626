"""kudos and member ladder tables

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 23:20:00

Kudos (thank-yous between members) and the milestones announced for them; the member ladder's confirmed
rungs and its suggestions (suggested → invited → accepted/declined/expired, or dismissed).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "kudos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("giver", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("receiver", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_kudos_given_at"), "kudos", ["given_at"], unique=False)
    op.create_index("ix_kudos_giver_at", "kudos", ["community", "giver", "given_at"], unique=False)
    op.create_index("ix_kudos_receiver", "kudos", ["community", "receiver"], unique=False)
    op.create_table(
        "kudos_milestones",
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("member", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("community", "member", "count"),
    )
    op.create_table(
        "ladder_steps",
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("member", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("rung", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("community", "member"),
    )
    op.create_table(
        "ladder_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("member", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("rung", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("suggested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ladder_member", "ladder_suggestions", ["community", "member"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("ix_ladder_member", table_name="ladder_suggestions")
    op.drop_table("ladder_suggestions")
    op.drop_table("ladder_steps")
    op.drop_table("kudos_milestones")
    op.drop_index("ix_kudos_receiver", table_name="kudos")
    op.drop_index("ix_kudos_giver_at", table_name="kudos")
    op.drop_index(op.f("ix_kudos_given_at"), table_name="kudos")
    op.drop_table("kudos")
