"""The console's transcript: every line the console showed, kept so a restarted console carries on from it.

Why in the database: on a platform, a message that went out is on the platform, and the outbox asks the
platform before it sends a delivery again (Slack's message metadata, Discord's nonce). The console's platform is
the terminal, which remembers nothing: without this table, a console killed between showing a message and
marking its delivery sent showed it again on restart (every welcome DM of a batch). The transcript also keeps
message numbers (``m12``) and buttons meaningful across restarts. It lives beside the console's clock
(``community_state``), so a fresh ``COPBOT_DATABASE_URL`` starts a fresh transcript.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Text
from sqlmodel import Field, Session, SQLModel, col, select


class ConsoleLine(SQLModel, table=True):
    """One message of the console's transcript, as shown (the bot's, or one typed as a member)."""

    __tablename__ = "console_transcript"

    community: str = Field(primary_key=True)
    number: int = Field(primary_key=True)  # m<number>: the reference shown and typed in the console
    place: str  # "#channel", "DM @ana", "thread m3", ...
    author: str
    text: str = Field(sa_column=Column(Text, nullable=False))
    delivery_id: str | None = Field(default=None, index=True)  # the outbox row it delivered (bot messages)
    buttons: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON [{label, action_id, value}]
    thread_of: str | None = None
    attachments: str = Field(default="[]", sa_column=Column(Text, nullable=False))  # JSON ["title: path", ...]


def lines(tx: Session, community: str) -> Sequence[ConsoleLine]:
    query = select(ConsoleLine).where(ConsoleLine.community == community).order_by(col(ConsoleLine.number))
    return tx.exec(query).all()


def keep(tx: Session, line: ConsoleLine) -> None:
    tx.add(line)
