"""The weekly prompts' tables and queries: each prompt as asked (and the thread it opened), and the queue of
questions facilitators added with ``/cop prompt add``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Field, Session, SQLModel, col, select

from storage.models import _utc_column


class Prompt(SQLModel, table=True):
    """A weekly prompt as asked: which question, when, and the message that opened its thread."""

    __tablename__ = "prompts"

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    question: str
    source: str  # bank | queued
    bank_index: int | None = None
    asked_at: datetime = Field(sa_column=_utc_column())
    delivery_id: str
    thread_ref: str | None = None


class QueuedQuestion(SQLModel, table=True):
    """A question a facilitator queued with ``/cop prompt add``; asked before the bank's next one."""

    __tablename__ = "queued_questions"

    id: int | None = Field(default=None, primary_key=True)
    community: str = Field(index=True)
    question: str
    added_by: str
    added_at: datetime = Field(sa_column=_utc_column())
    used_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


def asked_prompts(tx: Session, community: str) -> Sequence[Prompt]:
    return tx.exec(select(Prompt).where(Prompt.community == community).order_by(col(Prompt.id))).all()


def add_prompt(tx: Session, prompt: Prompt) -> Prompt:
    tx.add(prompt)
    tx.flush()
    return prompt


def prompt(tx: Session, prompt_id: int) -> Prompt | None:
    return tx.get(Prompt, prompt_id)


def prompt_by_thread(tx: Session, community: str, thread_ref: str) -> Prompt | None:
    return tx.exec(select(Prompt).where(Prompt.community == community, Prompt.thread_ref == thread_ref)).first()


def set_prompt_thread(tx: Session, prompt_id: int, thread_ref: str | None) -> None:
    row = tx.get(Prompt, prompt_id)
    if row is not None:
        row.thread_ref = thread_ref
        tx.add(row)


def queued_questions(tx: Session, community: str) -> Sequence[QueuedQuestion]:
    return tx.exec(
        select(QueuedQuestion)
        .where(QueuedQuestion.community == community, col(QueuedQuestion.used_at).is_(None))
        .order_by(col(QueuedQuestion.id))
    ).all()


def queue_question(tx: Session, community: str, question: str, added_by: str, now: datetime) -> QueuedQuestion:
    row = QueuedQuestion(community=community, question=question, added_by=added_by, added_at=now)
    tx.add(row)
    tx.flush()
    return row


def use_queued_question(tx: Session, question_id: int, now: datetime) -> None:
    row = tx.get(QueuedQuestion, question_id)
    if row is not None:
        row.used_at = now
        tx.add(row)


