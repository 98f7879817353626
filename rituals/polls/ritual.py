"""Pulse polls: ``/cop poll`` from facilitators, a scheduled pulse survey, votes by buttons, results on close.

A poll is a channel message with one button per option. A click stores the member's vote in the one
response row they have for that poll (a second click replaces the first). An open question is answered
in the poll's thread or privately with ``/cop poll answer``. A frequent check closes polls whose time is
up and posts the results in the poll's thread: counts only, unless the poll is named. Closed polls feed
the health report (:func:`poll_results`).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.actions import Button, Ephemeral, Post, Reply
from bot.commands import CommandError
from bot.configured_ritual import ConfiguredRitual
from bot.events import ButtonClicked, Event, ReplyPosted
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec
from bot.text import echo, strip_markers
from config.polls import PollsConfig
from rituals.polls.decisions import (
    MAX_ANSWER,
    USAGE,
    PollRequest,
    PollResult,
    PollSyntaxError,
    Vote,
    parse_poll,
    results_text,
    tally,
)
from storage import polls as store
from storage import queries
from storage.times import utc

VOTE = "poll.vote."
"""Vote buttons are ``poll.vote.<option>`` (Slack wants action ids unique within a message); the value is
``<poll>:<option>``; a click without a value (the console's /click) finds the poll by its message."""
CLOSE_CRON = "*/15 * * * *"
CLOSE_GRACE = timedelta(days=2)


def poll_results(tx: Session, community: str, since: datetime) -> tuple[PollResult, ...]:
    """Results of the polls closed since ``since``, as the health report reads them."""
    names = {m.key: m.name for m in queries.members(tx, community, active_only=False)}
    out = []
    for row in store.closed_polls(tx, community, since):
        out.append(_tally(tx, row, names))
    return tuple(out)


def _tally(tx: Session, row: store.Poll, names: dict[str, str]) -> PollResult:
    assert row.id is not None
    votes = [Vote(r.member, r.choice, r.answer, names.get(r.member, "")) for r in store.responses(tx, row.id)]
    closed = utc(row.closed_at) if row.closed_at else utc(row.closes_at)
    return tally(row.id, row.question, row.labels(), votes, closed, open_question=row.open_question,
                 anonymous=row.anonymous)


class PollsRitual(ConfiguredRitual[PollsConfig]):
    """Runs facilitator polls and the pulse survey."""

    name = "polls"
    section = "polls"
    title = "Polls"
    plural = True

    def schedules(self) -> list[ScheduleSpec]:
        settings = self.settings
        if settings is None:
            return []
        specs = [ScheduleSpec("polls", CLOSE_CRON, CLOSE_GRACE)]
        if settings.pulse is not None:
            specs.append(ScheduleSpec("polls.pulse", settings.pulse.schedule.cron, settings.pulse.schedule.grace))
        return specs

    # --- opening ---------------------------------------------------------------------------------------

    def _open(self, tx: Session, request: PollRequest, *, source: str, by: str, channel: str | None,
              now: datetime) -> tuple[store.Poll, Planned]:
        settings = self._on()
        config = self.ctx.config
        row = store.add_poll(tx, store.Poll(
            community=self.ctx.community,
            question=request.question,
            options=json.dumps(list(request.options)),
            open_question=request.open_question,
            anonymous=settings.anonymous if request.anonymous is None else request.anonymous,
            source=source,
            created_by=by,
            channel=config.channel(channel or settings.channel),
            opened_at=now,
            closes_at=now + (request.open_for or settings.open_for),
        ))
        return row, Planned(self._poll_post(row), subject=f"poll:{row.id}")

    def _poll_post(self, row: store.Poll) -> Post:
        zone_now = utc(row.closes_at).astimezone(self._zone())
        lines = [f"*Poll:* {strip_markers(row.question)}",
                 f"Click your answer (clicking another one changes it). Open until {zone_now:%A %d %B, %H:%M}."]
        if row.open_question:
            lines.append(f"*And:* {strip_markers(row.open_question)} Answer in this thread, or privately with "
                         f'`/cop poll answer {row.id} "your answer"`.')
        lines.append("Answers are anonymous: results show counts only." if row.anonymous
                     else "Results will show who chose what.")
        buttons = tuple(Button(label=strip_markers(label), action_id=f"{VOTE}{i}", value=f"{row.id}:{i}")
                        for i, label in enumerate(row.labels()))
        return Post(channel=row.channel, text="\n".join(lines), buttons=buttons, opens_thread=True)

    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.ctx.config.community.timezone)

    # --- schedule --------------------------------------------------------------------------------------

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        if schedule == "polls.pulse":
            pulse = self._on().pulse
            if pulse is None:
                return []
            request = PollRequest(pulse.question, tuple(pulse.options), pulse.open_for, pulse.open_question)
            _, planned = self._open(tx, request, source="pulse", by="copbot", channel=pulse.channel, now=slot)
            return [planned]
        return self._close_due(tx, self.ctx.now())

    def idle_until(self, tx: Session, schedule: str, after: datetime) -> datetime | None:
        """The 15-minute closing check sleeps until the earliest open poll closes (a new poll, by command or
        by the pulse schedule, makes the runtime forget this)."""
        if schedule != "polls":
            return None
        closing = [utc(row.closes_at) for row in store.open_polls(tx, self.ctx.community)]
        return min(closing, default=after + timedelta(days=365))

    def _close_due(self, tx: Session, now: datetime) -> list[Planned]:
        planned: list[Planned] = []
        for row in store.due_to_close(tx, self.ctx.community, now):
            planned.extend(self._close(tx, row, now))
        return planned

    def _close(self, tx: Session, row: store.Poll, now: datetime) -> list[Planned]:
        if not store.close(tx, row, now):
            return []
        names = {m.key: m.name for m in queries.members(tx, self.ctx.community, active_only=False)}
        text = results_text(_tally(tx, row, names))
        subject = f"poll.results:{row.id}"
        if row.message_ref:
            return [Planned(Reply(channel=row.channel, thread_ref=row.message_ref, text=text), subject=subject)]
        return [Planned(Post(channel=row.channel, text=text), subject=subject)]

    def on_sent(self, tx: Session, subject: str, platform_ref: str | None) -> None:
        if subject.startswith("poll:") and platform_ref:
            row = store.poll(tx, self.ctx.community, int(subject.split(":", 1)[1]))
            if row is not None and row.message_ref is None:
                store.set_message(tx, row.id or 0, platform_ref)

    # --- votes and answers -----------------------------------------------------------------------------

    def on_event(self, tx: Session, event: Event) -> list[Planned]:
        if isinstance(event, ButtonClicked) and event.action_id.startswith(VOTE):
            return self._vote(tx, event)
        if isinstance(event, ReplyPosted):
            row = store.poll_by_message(tx, self.ctx.community, event.thread_ref)
            if row is not None and row.open_question and row.closed_at is None:
                store.respond(tx, row, event.member, utc(event.at), answer=strip_markers(event.text)[:MAX_ANSWER])
        return []

    def _vote(self, tx: Session, event: ButtonClicked) -> list[Planned]:
        def tell(text: str) -> list[Planned]:
            return [Planned(Ephemeral(member=event.member, text=text), subject="poll.vote")]

        try:
            index = int(event.action_id.removeprefix(VOTE))
            if event.value:
                row = store.poll(tx, self.ctx.community, int(event.value.split(":", 1)[0]))
            else:
                row = store.poll_by_message(tx, self.ctx.community, event.message_ref or "")
        except ValueError:
            return tell("I could not read that vote; please click the button again.")
        if row is None:
            return tell("I could not find that poll.")
        labels = row.labels()
        if not 0 <= index < len(labels):
            return tell("That option is not part of this poll.")
        if row.closed_at is not None or utc(row.closes_at) <= self.ctx.now():
            return tell("This poll has closed; the results are in its thread.")
        first = store.respond(tx, row, event.member, utc(event.at), choice=index)
        verb = "counted" if first else "changed"
        return tell(f"Your vote is {verb}: {strip_markers(labels[index])}. Click another option to change it.")

    # --- commands --------------------------------------------------------------------------------------

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("poll",), Role.FACILITATOR, "ask the community a question with buttons", self._poll,
                        usage=USAGE.removeprefix("/cop poll "), min_args=0, max_args=None),
            CommandSpec(("poll", "answer"), Role.MEMBER, "answer a poll's open question privately", self._answer,
                        usage='[poll number] "your answer"', min_args=1, max_args=2),
            CommandSpec(("poll", "close"), Role.FACILITATOR, "close a poll now and post its results", self._close_cmd,
                        usage="poll number", min_args=1, max_args=1),
            CommandSpec(("poll", "list"), Role.MEMBER, "the polls open now", self._list),
            CommandSpec(("poll", "results"), Role.FACILITATOR, "the counts so far, only to you", self._peek,
                        usage="poll number", min_args=1, max_args=1),
        ]

    def _poll(self, call: CommandCall) -> CommandResult:
        self._on()
        try:
            request = parse_poll([strip_markers(a) for a in call.args])
        except PollSyntaxError as exc:
            raise CommandError(str(exc)) from None
        row, planned = self._open(call.tx, request, source="command", by=call.event.member, channel=None,
                                  now=call.now)
        return CommandResult(
            f"Poll {row.id} is posted in #{row.channel} and closes in "
            f"{_human(utc(row.closes_at) - call.now)}; `/cop poll close {row.id}` closes it sooner.",
            [planned],
        )

    def _find(self, tx: Session, text: str) -> store.Poll:
        try:
            number = int(text.lstrip("#"))
        except ValueError:
            raise CommandError(f"{echo(text)} is not a poll number; `/cop poll list` shows them.") from None
        row = store.poll(tx, self.ctx.community, number)
        if row is None:
            raise CommandError(f"There is no poll {number}; `/cop poll list` shows the open ones.")
        return row

    def _answer(self, call: CommandCall) -> CommandResult:
        self._on()
        if len(call.args) == 2:
            row = self._find(call.tx, call.args[0])
            text = call.args[1]
        else:
            open_ones = [p for p in store.open_polls(call.tx, self.ctx.community) if p.open_question]
            if not open_ones:
                raise CommandError("No open poll asks a written question right now.")
            if len(open_ones) > 1:
                numbers = ", ".join(str(p.id) for p in open_ones)
                raise CommandError(f"Several polls are open ({numbers}); say which: "
                                   f'`/cop poll answer {open_ones[-1].id} "your answer"`.')
            row, text = open_ones[0], call.args[0]
        if not row.open_question:
            raise CommandError(f"Poll {row.id} has no written question; vote with its buttons instead.")
        if row.closed_at is not None or utc(row.closes_at) <= call.now:
            raise CommandError(f"Poll {row.id} has closed.")
        text = strip_markers(text).strip()
        if not text:
            raise CommandError('Write your answer in quotes, e.g. `/cop poll answer "More hands-on sessions"`.')
        first = store.respond(call.tx, row, call.event.member, call.now, answer=text[:MAX_ANSWER])
        self.ctx.record(call.event, kind="submission", ritual=self.name, subject=f"poll:{row.id}")
        anonymous = " Anonymous: the results show what you wrote, not who wrote it." if row.anonymous else ""
        return CommandResult(("Thank you, your answer is in." if first else "Your answer is updated.") + anonymous)

    def _close_cmd(self, call: CommandCall) -> CommandResult:
        self._on()
        row = self._find(call.tx, call.args[0])
        if row.closed_at is not None:
            raise CommandError(f"Poll {row.id} is already closed.")
        return CommandResult(f"Poll {row.id} is closed; the results are on their way.",
                             self._close(call.tx, row, call.now))

    def _peek(self, call: CommandCall) -> CommandResult:
        """Counts so far for the facilitator who asks; nobody else sees them before the poll closes."""
        self._on()
        row = self._find(call.tx, call.args[0])
        names = {m.key: m.name for m in queries.members(call.tx, self.ctx.community, active_only=False)}
        text = results_text(_tally(call.tx, row, names))
        if row.closed_at is None:
            text = text.replace("*Poll closed:", "*So far (still open):", 1)
        return CommandResult(text)

    def _list(self, call: CommandCall) -> CommandResult:
        self._on()
        open_ones = store.open_polls(call.tx, self.ctx.community)
        if not open_ones:
            return CommandResult("No poll is open right now.")
        lines = ["*Open polls*"]
        lines.extend(f"• {p.id}: {strip_markers(p.question)} (closes in {_human(utc(p.closes_at) - call.now)})"
                     for p in open_ones)
        return CommandResult("\n".join(lines))


def _human(delta: timedelta) -> str:
    """``2 days``, ``5 hours``, ``40 minutes``: how long until a poll closes."""
    minutes = max(0, int(delta.total_seconds() // 60))
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size:
            n = round(minutes / size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return "less than a minute"
