"""resource library (harvested threads) tables

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 23:20:00

The kept text of recent threads (so one can still be harvested), the library of harvested threads, and its
full-text index: an FTS5 table on SQLite, a GIN index over the same weighted ``to_tsvector`` the search query
uses on PostgreSQL (see storage/resources.py). Neither index is a SQLModel table; Alembic's comparison skips them.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept literally here (not imported) so this revision stays what it was when later code changes.
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE resources_fts USING fts5("
    "title, tags, summary, body, content='resources', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
)
POSTGRES_GIN = (
    "CREATE INDEX resources_fts_gin ON resources USING gin (("
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple', replace(coalesce(tags, ''), ',', ' ')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(summary, '')), 'C') || "
    "setweight(to_tsvector('simple', coalesce(body, '')), 'D')))"
)


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "resources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("link", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("thread_ref", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("contributors", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("tags", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("prompt_id", sa.Integer(), nullable=True),
        sa.Column("harvested_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("via", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("harvested_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community", "thread_ref", name="uq_resource_thread"),
    )
    op.create_index(op.f("ix_resources_community"), "resources", ["community"], unique=False)
    op.create_table(
        "thread_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("community", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("thread_ref", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("message_ref", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("member", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("link", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("community", "message_ref", name="uq_thread_message"),
    )
    op.create_index(op.f("ix_thread_messages_at"), "thread_messages", ["at"], unique=False)
    op.create_index("ix_thread_messages_thread", "thread_messages", ["community", "thread_ref"], unique=False)
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(SQLITE_FTS)
    elif dialect == "postgresql":
        op.execute(POSTGRES_GIN)


def downgrade() -> None:
    """Downgrade schema."""
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TABLE IF EXISTS resources_fts")
    elif dialect == "postgresql":
        op.execute("DROP INDEX IF EXISTS resources_fts_gin")
    op.drop_index("ix_thread_messages_thread", table_name="thread_messages")
    op.drop_index(op.f("ix_thread_messages_at"), table_name="thread_messages")
    op.drop_table("thread_messages")
    op.drop_index(op.f("ix_resources_community"), table_name="resources")
    op.drop_table("resources")
