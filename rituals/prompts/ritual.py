"""Weekly prompts: a discussion question posted on a schedule, opening a thread that counts as participation.

The decision (which question is next) is :func:`next_question`, a pure function of the question bank,
what was asked before and what facilitators queued. Queued questions go first; the bank rotates in
its written order without repeats until every question has been asked, then starts a new round.
Questions are tracked by their text, so editing the bank (hot reload) never re-asks what was asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.actions import Post
from bot.configured_ritual import ConfiguredRitual
from bot.events import Event, ReactionAdded, ReplyPosted
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec
from bot.text import strip_markers
from config.prompts import PromptsConfig
from storage import prompts as store
from storage.prompts import Prompt

MAX_QUESTION_LENGTH = 500


@dataclass(frozen=True)
class Asked:
    """A question asked before, as the decision needs it."""

    question: str
    source: str  # bank | queued


@dataclass(frozen=True)
class Choice:
    """The next question and where it came from."""

    question: str
    source: str
    bank_index: int | None = None
    queued_id: int | None = None


def next_question(bank: Sequence[str], asked: Sequence[Asked], queued: Sequence[tuple[int, str]]) -> Choice | None:
    """Queued first (oldest first); otherwise the first bank question not asked in the current round."""
    if queued:
        queued_id, text = queued[0]
        return Choice(text, "queued", queued_id=queued_id)
    if not bank:
        return None
    wanted = set(bank)
    this_round: set[str] = set()
    for item in asked:
        if item.source != "bank" or item.question not in wanted:
            continue
        this_round.add(item.question)
        if this_round >= wanted:
            this_round = set()  # the bank was exhausted: a new round begins after this question
    for index, question in enumerate(bank):
        if question not in this_round:
            return Choice(question, "bank", bank_index=index)
    return Choice(bank[0], "bank", bank_index=0)  # unreachable: a full round resets above


def prompt_text(intro: str, question: str) -> str:
    return f"*{intro}*\n{question}\n\nReply in the thread, or react if it resonates."


class PromptsRitual(ConfiguredRitual[PromptsConfig]):
    """Posts the week's question and counts reactions and thread replies on it."""

    name = "prompts"
    section = "prompts"

    title = "Weekly prompts"
    plural = True

    def schedules(self) -> list[ScheduleSpec]:
        settings = self.settings
        assert settings is not None
        return [ScheduleSpec("prompts", settings.schedule.cron, settings.schedule.grace)]

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        return self._ask(tx, slot)

    def _ask(self, tx: Session, now: datetime) -> list[Planned]:
        settings = self.settings
        if settings is None:
            return []
        community = self.ctx.community
        asked = [Asked(p.question, p.source) for p in store.asked_prompts(tx, community)]
        queued = [(q.id or 0, q.question) for q in store.queued_questions(tx, community)]
        choice = next_question(settings.questions, asked, queued)
        if choice is None:
            return []
        if choice.queued_id is not None:
            store.use_queued_question(tx, choice.queued_id, now)
        row = store.add_prompt(
            tx,
            Prompt(
                community=community,
                question=choice.question,
                source=choice.source,
                bank_index=choice.bank_index,
                asked_at=now,
                delivery_id="",
            ),
        )
        channel = self.ctx.config.channel(settings.channel, fallback="prompts")
        return [
            Planned(
                Post(text=prompt_text(settings.intro, choice.question), channel=channel, opens_thread=True),
                subject=f"prompt:{row.id}",
            )
        ]

    def on_sent(self, tx: Session, subject: str, platform_ref: str | None) -> None:
        if subject.startswith("prompt:"):
            store.set_prompt_thread(tx, int(subject.split(":", 1)[1]), platform_ref)

    def on_event(self, tx: Session, event: Event) -> list[Planned]:
        if isinstance(event, ReactionAdded):
            found = store.prompt_by_thread(tx, self.ctx.community, event.message_ref)
            if found is not None:
                self.ctx.record(event, kind="reaction", ritual=self.name, subject=f"prompt:{found.id}")
        elif isinstance(event, ReplyPosted):
            found = store.prompt_by_thread(tx, self.ctx.community, event.thread_ref)
            if found is not None:
                self.ctx.record(event, kind="reply", ritual=self.name, subject=f"prompt:{found.id}")
        return []

    # --- commands ----------------------------------------------------------------------------------

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("prompt", "now"), Role.FACILITATOR, "post the next question now", self._now),
            CommandSpec(
                ("prompt", "add"),
                Role.FACILITATOR,
                "queue a question to be asked next",
                self._add,
                usage='"question"',
                min_args=1,
                max_args=None,
            ),
            CommandSpec(("prompt", "next"), Role.MEMBER, "see what will be asked next, and when", self._next),
        ]

    def _now(self, call: CommandCall) -> CommandResult:
        if not self.enabled():
            return CommandResult(self.off_message())
        planned = self._ask(call.tx, call.now)
        if not planned:
            return CommandResult("There is no question to ask: the bank is empty. Add one with `/cop prompt add`.")
        return CommandResult("Posting the next question now.", planned)

    def _add(self, call: CommandCall) -> CommandResult:
        question = strip_markers(" ".join(call.args)).strip()
        if not question:
            return CommandResult('Write the question after the command, e.g. `/cop prompt add "What broke this week?"`')
        if len(question) > MAX_QUESTION_LENGTH:
            return CommandResult(f"That question is {len(question)} characters; keep it under {MAX_QUESTION_LENGTH}.")
        row = store.queue_question(call.tx, self.ctx.community, question, call.event.member, call.now)
        self.ctx.record(call.event, kind="submission", ritual=self.name, subject=f"queued:{row.id}")
        waiting = len(store.queued_questions(call.tx, self.ctx.community))
        return CommandResult(f"Queued. It will be asked {'next' if waiting == 1 else f'after {waiting - 1} other(s)'}.")

    def _next(self, call: CommandCall) -> CommandResult:
        settings = self.settings
        if settings is None or not settings.enabled:
            return CommandResult(self.off_message())
        community = self.ctx.community
        asked = [Asked(p.question, p.source) for p in store.asked_prompts(call.tx, community)]
        queued = [(q.id or 0, q.question) for q in store.queued_questions(call.tx, community)]
        choice = next_question(settings.questions, asked, queued)
        return CommandResult(f"Next question: {choice.question if choice else '(none)'}")
