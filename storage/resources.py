"""Tables and queries of the resource library: kept thread text, harvested resources, and full-text search.

Thread text. To harvest a thread the bot needs its words, which only pass by once (in ``MessagePosted`` and
``ReplyPosted``). The resources ritual keeps them in ``thread_messages`` for a configurable time; a harvest copies
what it needs into the resource, and older unharvested text is pruned.

Search. On SQLite the library is indexed by an FTS5 table, ``resources_fts`` (an external-content index over
``resources``, kept in step by this module, the only writer); on PostgreSQL by ``to_tsvector`` over the same
columns, ranked by ``ts_rank``. The index is not a SQLModel table: :func:`is_search_index` tells Alembic's
comparison to leave it (and FTS5's shadow tables) alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, delete, text
from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import _utc_column
from storage.once import insert_once

FTS_TABLE = "resources_fts"
_WORD = re.compile(r"\w+", re.UNICODE)


class ThreadMessage(SQLModel, table=True):
    """A message or thread reply as it passed by; ``thread_ref`` is its thread's first message (itself for a root)."""

    __tablename__ = "thread_messages"
    __table_args__ = (
        UniqueConstraint("community", "message_ref", name="uq_thread_message"),
        Index("ix_thread_messages_thread", "community", "thread_ref"),
    )

    id: int | None = Field(default=None, primary_key=True)
    community: str
    channel: str
    thread_ref: str
    message_ref: str
    member: str
    text: str = Field(sa_column=Column(Text, nullable=False))
    link: str | None = None  # the platform's permalink, when the adapter gave one
    at: datetime = Field(sa_column=_utc_column(index=True))


class Resource(SQLModel, table=True):
    """A harvested thread in the community's library."""

    __tablename__ = "resources"
    __table_args__ = (UniqueConstraint("community", "thread_ref", name="uq_resource_thread"),)

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    title: str
    link: str | None = None
    channel: str
    thread_ref: str
    contributors: str = ""  # comma-separated member keys, in order of first contribution
    tags: str = ""  # comma-separated, lower-case
    summary: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))  # the whole thread's text, for search
    prompt_id: int | None = None
    harvested_by: str
    via: str  # reaction | command | nudge
    harvested_at: datetime = Field(sa_column=_utc_column())


def is_search_index(name: str) -> bool:
    """The FTS5 index and its shadow tables, which Alembic's model comparison must ignore."""
    return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")


# --- thread text -------------------------------------------------------------------------------------------


def keep_message(tx: Session, row: ThreadMessage) -> bool:
    """Store one message; a replayed event (same message) is ignored."""
    existing = tx.exec(
        select(ThreadMessage).where(ThreadMessage.community == row.community,
                                    ThreadMessage.message_ref == row.message_ref)
    ).first()
    if existing is not None:
        return False
    return insert_once(tx, row)


def thread(tx: Session, community: str, thread_ref: str) -> Sequence[ThreadMessage]:
    """The kept messages of one thread (root first, then replies in order)."""
    query = select(ThreadMessage).where(ThreadMessage.community == community, ThreadMessage.thread_ref == thread_ref)
    return tx.exec(query.order_by(col(ThreadMessage.at), col(ThreadMessage.id))).all()


def message(tx: Session, community: str, message_ref: str) -> ThreadMessage | None:
    query = select(ThreadMessage).where(ThreadMessage.community == community, ThreadMessage.message_ref == message_ref)
    return tx.exec(query).first()


def prune_messages(tx: Session, community: str, before: datetime) -> int:
    """Forget thread text older than ``before`` (what was harvested lives on in ``resources``)."""
    result = tx.exec(  # type: ignore[call-overload]
        delete(ThreadMessage).where(col(ThreadMessage.community) == community, col(ThreadMessage.at) < before)
    )
    return int(result.rowcount or 0)


# --- the library -------------------------------------------------------------------------------------------


def resource_for_thread(tx: Session, community: str, thread_ref: str) -> Resource | None:
    query = select(Resource).where(Resource.community == community, Resource.thread_ref == thread_ref)
    return tx.exec(query).first()


def resource(tx: Session, community: str, resource_id: int) -> Resource | None:
    row = tx.get(Resource, resource_id)
    return row if row is not None and row.community == community else None


def resources(tx: Session, community: str) -> Sequence[Resource]:
    return tx.exec(select(Resource).where(Resource.community == community).order_by(col(Resource.id))).all()


def _dialect(tx: Session) -> str:
    return tx.get_bind().dialect.name


def _index(tx: Session, row: Resource, *, remove: bool = False) -> None:
    """Keep the SQLite FTS5 index in step with ``row`` (PostgreSQL computes its vectors in the query)."""
    if _dialect(tx) != "sqlite":
        return
    values = {"id": row.id, "title": row.title, "tags": row.tags.replace(",", " "), "summary": row.summary,
              "body": row.body}
    if remove:
        tx.execute(text(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title, tags, summary, body) "
                        "VALUES ('delete', :id, :title, :tags, :summary, :body)"), values)
    else:
        tx.execute(text(f"INSERT INTO {FTS_TABLE}(rowid, title, tags, summary, body) "
                        "VALUES (:id, :title, :tags, :summary, :body)"), values)


def add_resource(tx: Session, row: Resource) -> Resource | None:
    """Add a harvested thread and index it; None when that thread is already in the library."""
    if not insert_once(tx, row):
        return None
    _index(tx, row)
    return row


def update_resource(tx: Session, row: Resource, *, title: str | None = None, tags: str | None = None,
                    body: str | None = None, contributors: str | None = None) -> Resource:
    """Change what a resource says (a later reply, new tags), re-indexing it."""
    _index(tx, row, remove=True)
    if title is not None:
        row.title = title
    if tags is not None:
        row.tags = tags
    if body is not None:
        row.body = body
    if contributors is not None:
        row.contributors = contributors
    tx.add(row)
    tx.flush()
    _index(tx, row)
    return row


def remove_resource(tx: Session, row: Resource) -> None:
    _index(tx, row, remove=True)
    tx.delete(row)
    tx.flush()


def search_terms(words: str) -> list[str]:
    """The words of a query, lower-cased, as plain tokens (no operator a member could inject)."""
    return [w.lower() for w in _WORD.findall(words)]


def search(tx: Session, community: str, words: str, limit: int) -> list[Resource]:
    """The best matches for ``words`` (every word must match, a prefix is enough), best first."""
    terms = search_terms(words)
    if not terms:
        return []
    if _dialect(tx) == "postgresql":
        ids = _search_postgres(tx, community, terms, limit)
    else:
        ids = _search_sqlite(tx, community, terms, limit)
    rows = {r.id: r for r in tx.exec(select(Resource).where(col(Resource.id).in_(ids))).all()} if ids else {}
    return [rows[i] for i in ids if i in rows]


def _search_sqlite(tx: Session, community: str, terms: list[str], limit: int) -> list[int]:
    # Each term quoted (so FTS5 syntax in member text is inert) and prefix-matched; bm25 weighs the title most.
    match = " ".join('"' + t.replace('"', '""') + '"*' for t in terms)
    query = text(
        f"SELECT r.id FROM {FTS_TABLE} f JOIN resources r ON r.id = f.rowid "
        f"WHERE {FTS_TABLE} MATCH :match AND r.community = :community "
        f"ORDER BY bm25({FTS_TABLE}, 10.0, 5.0, 2.0, 1.0), r.id DESC LIMIT :limit"
    )
    return [int(r[0]) for r in tx.execute(query, {"match": match, "community": community, "limit": limit})]


POSTGRES_VECTOR = (
    "setweight(to_tsvector('simple', coalesce(r.title, '')), 'A') || "
    "setweight(to_tsvector('simple', replace(coalesce(r.tags, ''), ',', ' ')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(r.summary, '')), 'C') || "
    "setweight(to_tsvector('simple', coalesce(r.body, '')), 'D')"
)


def _search_postgres(tx: Session, community: str, terms: list[str], limit: int) -> list[int]:
    # to_tsquery with each term as a quoted prefix lexeme; the 'simple' configuration keeps every language's words.
    tsquery = " & ".join("'" + t.replace("'", "''") + "':*" for t in terms)
    query = text(
        f"SELECT r.id FROM resources r WHERE r.community = :community "
        f"AND ({POSTGRES_VECTOR}) @@ to_tsquery('simple', :q) "
        f"ORDER BY ts_rank({POSTGRES_VECTOR}, to_tsquery('simple', :q)) DESC, r.id DESC LIMIT :limit"
    )
    return [int(r[0]) for r in tx.execute(query, {"community": community, "q": tsquery, "limit": limit})]


def create_search_index_sql() -> str:
    """The SQLite FTS5 index (migration 0005 creates it; tests may call it on a bare schema)."""
    return (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
        "title, tags, summary, body, content='resources', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Alembic's ``include_object`` hook: compare everything except the search index (see the module docstring)."""
    return not (type_ in ("table", "index") and name is not None and is_search_index(name))
