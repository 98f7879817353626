"""The runtime: config, storage, clock, adapter and rituals wired together.

It knows no platform by name. Inbound neutral events are de-duplicated and routed to rituals;
``/cop`` commands are parsed, role-checked and answered; due ritual slots are claimed in storage
(so a slot runs once across retries, restarts and replicas) and their plans go through the outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot import metrics
from bot.actions import DirectMessage, Ephemeral
from bot.adapter import Adapter
from bot.clock import Clock
from bot.commands import CommandError, CommandRouter, refusal
from bot.dm_policy import DirectMessagePolicy
from bot.events import (
    ButtonClicked,
    CommandInvoked,
    Event,
    MemberJoined,
    MemberLeft,
    ReactionAdded,
    ReplyPosted,
)
from bot.member_commands import member_commands
from bot.outbox import Outbox, write_plan
from bot.people import PeopleBook
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Ritual, RitualContext, Role, ScheduleSpec
from bot.slots import next_slots, plan_catch_up, slots_between
from bot.text import split_text
from config.models import CommunityConfig
from storage import activity as activity_store
from storage import queries
from storage.db import Database
from storage.errors import database_unavailable, first_line
from storage.ingest import ParticipationWriter
from storage.models import Delivery
from storage.times import utc

log = logging.getLogger("copbot.runtime")

ACTING_EVENTS = (MemberJoined, MemberLeft, ButtonClicked)


DATABASE_UNAVAILABLE = "I cannot use my database right now, so nothing was done; try again in a few minutes."
"""The answer to a command while the database is full, read-only or unreachable."""

ANSWER_LIMIT = 600
"""The longest refusal of a malformed command (a ritual's message that repeats too much is cut)."""

IDLE_HINT_CAP = timedelta(hours=6)
"""The longest a check trusts a ritual's "nothing to do before" hint (see Ritual.idle_until)."""


@dataclass(frozen=True)
class SlotOutcome:
    """What one scheduler tick did for one schedule (for logs, ``copbot simulate`` and tests)."""

    schedule: str
    ran: datetime | None
    coalesced: int
    skipped: int


RitualFactory = Callable[[RitualContext], Ritual]


def _short(text: str) -> str:
    return text if len(text) <= ANSWER_LIMIT else text[: ANSWER_LIMIT - 1] + "…"


class Runtime:
    """One community on one adapter."""

    def __init__(
        self,
        config: CommunityConfig,
        db: Database,
        adapter: Adapter,
        clock: Clock,
        ritual_factories: Sequence[RitualFactory],
        *,
        writer: ParticipationWriter | None = None,
    ) -> None:
        self.source_config = config  # as written: people named by reference (config/people.py)
        self.people = PeopleBook(adapter.platform, adapter.resolve_people)
        self.config = self.people.resolved(config)  # what the rituals run on: member keys in place
        self.db = db
        self.adapter = adapter
        adapter.people_changed = self.people_changed
        self.clock = clock
        self.writer = writer or ParticipationWriter(
            db, on_written=metrics.participation_written, on_overflow=metrics.participation_overflowed
        )
        self.ctx = RitualContext(self)
        # community.yaml's DM policy: members' daytime, "not now" for optional DMs, the switch and the pace
        self.dm_policy = DirectMessagePolicy(lambda: self.config, paced=adapter.paced)
        self.rituals: list[Ritual] = [factory(self.ctx) for factory in ritual_factories]
        self.router = CommandRouter(self._core_commands())
        self._command_owner: dict[tuple[str, ...], str] = {}
        for ritual in self.rituals:
            for spec in ritual.commands():
                self.router.add(spec)
                self._command_owner[spec.path] = ritual.name
        self.outbox = Outbox(db, config.community.id, adapter, clock, self._on_sent,
                             dm_policy=self.dm_policy)
        adapter.dm_gate = self.dm_policy.before_dm
        adapter.apply_config(self.config)
        self.config_listeners: list[Callable[[CommunityConfig], None]] = []
        self.reload_hook: Callable[[], str] | None = None
        self.last_tick: datetime | None = None  # for /healthz: a bot whose ticks stopped is not healthy
        self.scheduler_running: Callable[[], bool] | None = None  # set by whoever runs a scheduler (copbot/live.py)
        self.waiting_for: str | None = None
        """Set while start-up waits for an unreachable dependency, in words (copbot/live.py); for /healthz."""
        self._tasks: list[asyncio.Task[Any]] = []
        self._fanning_out: dict[tuple[str, ...], tuple[asyncio.Task[None], str]] = {}  # path -> (work, who)
        self._next_due: dict[tuple[str, str, str], datetime] = {}  # (schedule, cron, zone) -> first slot not yet due
        self._people_refresh: asyncio.Task[None] | None = None
        self._people_again = False

    # --- lifecycle ---------------------------------------------------------------------------------

    @property
    def community(self) -> str:
        return self.config.community.id

    def install(self) -> datetime:
        """Remember when the bot first ran here: slots before that are never caught up."""
        with self.db.session() as tx:
            installed = queries.get_state(tx, self.community, "installed_at")
            if installed is None:
                now = self.clock.now()
                queries.set_state(tx, self.community, "installed_at", now.isoformat())
                tx.commit()
                return now
        return datetime.fromisoformat(installed)

    async def start(self, *, background: bool = True) -> None:
        """Install, start the writer and the adapter, catch up missed slots, resume the outbox.

        If the adapter cannot start (its platform is unreachable), calling this again later is safe.
        """
        self.install()
        if not self.writer.alive:
            self.writer.start()
        await self.adapter.start(self.handle_event)
        await self.refresh_people()
        self.tick()
        if background:
            self._tasks.append(asyncio.create_task(self.outbox.run_forever(), name="copbot-outbox"))
        else:
            await self.outbox.drain()

    async def stop(self) -> None:
        await self.commands_done()  # a thread cannot be cancelled: let a running /cop pair now finish
        if self._people_refresh is not None:
            self._tasks.append(self._people_refresh)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        self.outbox.forget()  # other replicas may take over this one's leftovers at once, not after the TTL
        await self.writer.stop()
        await self.adapter.stop()

    async def settle(self) -> None:
        """Finish running commands, send what is planned and store what was recorded (tests, simulation, console)."""
        await self.commands_done()
        await self.outbox.drain()
        await self.writer.flush()

    def enabled_rituals(self) -> list[Ritual]:
        return [r for r in self.rituals if r.enabled()]

    def apply_config(self, config: CommunityConfig) -> None:
        """Hot reload: a validated config replaces the current one; schedules follow on the next tick.

        The people it names are resolved from what is known at once, and looked up again in the background
        (members may have changed since), after which the config is applied once more.
        """
        if config.community.id != self.community:
            raise ValueError("community.id cannot change while the bot runs; restart to move to another community")
        self.source_config = config
        self.people.forget_warnings()
        self._use(self.people.resolved(config))
        metrics.config_reload("applied")
        log.info("config applied")
        self.people_changed()

    def _use(self, config: CommunityConfig) -> None:
        self.config = config
        self.forget_idle_hints()
        self.adapter.apply_config(config)
        for listener in self.config_listeners:
            listener(config)

    async def refresh_people(self) -> None:
        """Resolve every person community.yaml names through the adapter, and run on the result.

        A reference that finds nobody (or several) is a warning at its line, once; the bot runs on without it.
        """
        try:
            problems = await self.people.refresh(self.source_config)
        except Exception:  # the platform did not answer: keep what is known, try again on the next change
            log.exception("could not look up the people community.yaml names; keeping the last known")
            return
        for problem in problems:
            log.warning("%s", problem)
        resolved = self.people.resolved(self.source_config)
        if resolved != self.config:
            self._use(resolved)

    def people_changed(self) -> None:
        """The platform's people changed (or a new config names new ones): look them up again, in the background.

        Calls that come while a look-up runs are folded into one more look-up after it.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # not serving (a script building a runtime): the next start resolves everything
        if self._people_refresh is not None and not self._people_refresh.done():
            self._people_again = True
            return

        async def refresh() -> None:
            self._people_again = True
            while self._people_again:
                self._people_again = False
                await self.refresh_people()

        self._people_refresh = asyncio.create_task(refresh(), name="copbot-people")

    # --- schedules ---------------------------------------------------------------------------------

    def schedules(self) -> list[tuple[Ritual, ScheduleSpec]]:
        return [(r, spec) for r in self.enabled_rituals() for spec in r.schedules()]

    def tick(self, only: str | None = None) -> list[SlotOutcome]:
        """Claim and run every due slot (or those of schedule ``only``); safe to call any time, from any replica."""
        outcomes = []
        self.last_tick = self.clock.now()
        hints: dict[str, datetime] | None = None  # read once per tick, and only if some schedule is due
        for ritual, spec in self.schedules():
            if only is None or spec.name == only:
                if hints is None and self._maybe_due(spec):
                    with self.db.session() as tx:
                        hints = queries.idle_hints(tx, self.community)
                outcome = self._run_schedule(ritual, spec, (hints or {}).get(spec.name))
                metrics.slots(claimed=outcome.ran is not None, skipped=outcome.skipped, coalesced=outcome.coalesced)
                outcomes.append(outcome)
        if any(o.ran for o in outcomes):
            self.outbox.wake()
        return outcomes

    def _maybe_due(self, spec: ScheduleSpec) -> bool:
        next_due = self._next_due.get((spec.name, spec.cron, self.config.community.timezone))
        return next_due is None or self.clock.now() >= next_due

    def _run_schedule(self, ritual: Ritual, spec: ScheduleSpec, asleep_until: datetime | None) -> SlotOutcome:
        """Claim and run ``spec``'s newest due slot; slots before ``asleep_until`` (its idle hint) need nothing."""
        now = self.clock.now()
        zone = self.config.community.timezone
        key = (spec.name, spec.cron, zone)
        if not self._maybe_due(spec):
            return SlotOutcome(spec.name, None, 0, 0)  # nothing can be due yet: no query, no calendar walk
        next_due = self._next_due.get(key)
        if asleep_until is not None and asleep_until > now and next_due is not None:
            self._next_due[key] = next_slots(spec.cron, zone, now, 1)[0]
            return SlotOutcome(spec.name, None, 0, 0)  # asleep: every slot up to now has nothing to do
        with self.db.session() as tx:
            if next_due is None:
                since = queries.last_slot(tx, self.community, spec.name)
                installed = queries.get_state(tx, self.community, "installed_at")
                start = since or (datetime.fromisoformat(installed) if installed else now)
            else:
                start = next_due - timedelta(microseconds=1)
            due = slots_between(spec.cron, zone, start, now)
            if asleep_until is not None:
                due = [slot for slot in due if slot >= asleep_until]  # slots with nothing to do: no rows at all
            plan = plan_catch_up(due, now, spec.grace)
            ran = None
            queries.record_slots(tx, self.community, spec.name, plan.skipped, "skipped", now)
            queries.record_slots(tx, self.community, spec.name, plan.coalesced, "coalesced", now)
            if plan.run is not None and queries.claim_slot(tx, self.community, spec.name, plan.run, "done", now):
                planned = ritual.run_slot(tx, spec.name, plan.run)
                write_plan(tx, self.community, ritual.name, f"{spec.name}@{plan.run.isoformat()}", planned, now,
                           policy=self.dm_policy)
                self._remember_idle(tx, ritual, spec, plan.run)
                ran = plan.run
                # A frequent check that found nothing to do is not news for an operator: DEBUG.
                log.log(logging.INFO if planned else logging.DEBUG, "%s: slot %s ran (%d deliver%s)", spec.name,
                        plan.run.isoformat(), len(planned), "y" if len(planned) == 1 else "ies",
                        extra={"ritual": ritual.name, "slot": plan.run.isoformat()})
            tx.commit()
        # Slots only move forward: whatever this replica or another claimed, the next one is after ``now``.
        # A slot another replica holds is found taken by its unique row, so the memo can never run it twice.
        upcoming = next_slots(spec.cron, zone, now, 1)
        if upcoming:
            self._next_due[key] = upcoming[0]
        if plan.skipped:
            log.warning("%s: %d slot(s) older than the grace window were skipped", spec.name, len(plan.skipped),
                        extra={"ritual": ritual.name})
        return SlotOutcome(spec.name, ran, len(plan.coalesced), len(plan.skipped))

    def _remember_idle(self, tx: Session, ritual: Ritual, spec: ScheduleSpec, slot: datetime) -> None:
        """Store ``spec``'s new hint; a run may give the ritual's other schedules work (a new pairing cycle
        brings its "did you meet?" forward), so their hints go."""
        if type(ritual).idle_until is Ritual.idle_until:
            return  # this ritual gives no hints: nothing to store, nothing to reset
        for other in ritual.schedules():
            if other.name != spec.name:
                queries.set_state(tx, self.community, queries.IDLE_HINT_PREFIX + other.name, slot.isoformat())
        key = queries.IDLE_HINT_PREFIX + spec.name
        until = ritual.idle_until(tx, spec.name, slot)
        if until is None or until <= slot:
            queries.set_state(tx, self.community, key, slot.isoformat())  # no hint: the next slot runs
            return
        queries.set_state(tx, self.community, key, min(utc(until), slot + IDLE_HINT_CAP).isoformat())

    def next_wake(self) -> datetime | None:
        """The earliest time a tick could do anything (None: unknown, tick now).

        For ``copbot simulate``, which jumps over hours in which every schedule is either not due or
        asleep on its idle hint; a live bot just ticks. Only valid after a tick (the due-slot memo).
        """
        zone = self.config.community.timezone
        with self.db.session() as tx:
            hints = queries.idle_hints(tx, self.community)
            wake: datetime | None = queries.next_held(tx, self.community, self.clock.now())  # a DM's window opens
        for _, spec in self.schedules():
            due = self._next_due.get((spec.name, spec.cron, zone))
            if due is None:
                return None
            hint = hints.get(spec.name)
            if hint is not None and due < hint:
                after_hint = next_slots(spec.cron, zone, hint - timedelta(microseconds=1), 1)
                due = after_hint[0] if after_hint else due
            wake = due if wake is None else min(wake, due)
        return wake

    def forget_idle_hints(self) -> None:
        """A new config may change what is due (new steps, other session times): every check looks again."""
        with self.db.session() as tx:
            queries.forget_idle_hints(tx, self.community, self.clock.now())
            tx.commit()

    # --- inbound -----------------------------------------------------------------------------------

    async def handle_event(self, event: Event) -> str | None:
        """The adapters' event sink. Returns the invoker's answer for a command, else None."""
        metrics.event_received(type(event).__name__)
        if isinstance(event, CommandInvoked):
            return self._command(event)
        now = self.clock.now()
        with self.db.session() as tx:
            if isinstance(event, ACTING_EVENTS) and not queries.claim_event(
                tx, self.community, event.platform, event.event_id, type(event).__name__, now
            ):
                metrics.duplicate_dropped("dispatch")
                return None  # a retry or a replay: already acted on
            if isinstance(event, ACTING_EVENTS):
                queries.forget_idle_hints(tx, self.community, now)  # a join, a leave or a click may bring work forward
            if isinstance(event, MemberJoined):
                installed = queries.get_state(tx, self.community, "installed_at")
                queries.upsert_member(
                    tx,
                    community=self.community,
                    key=event.member,
                    platform=event.platform,
                    name=event.name,
                    tz=event.tz,
                    joined_at=utc(event.at),
                    interests=event.interests,
                    welcomed=installed is not None,
                    team=event.team,
                )
            elif isinstance(event, MemberLeft):
                queries.mark_left(tx, self.community, event.member, utc(event.at))
            elif (
                isinstance(event, ReactionAdded | ReplyPosted)
                and log.isEnabledFor(logging.DEBUG)  # a lookup per reaction only to log it: only when asked to
                and queries.member(tx, self.community, event.member) is None
            ):
                log.debug("participation from a member not seen joining: %s", event.member)
            present = event.member if isinstance(event, ButtonClicked) else None  # a click's answer goes at once
            for ritual in self.enabled_rituals():
                planned = ritual.on_event(tx, event)
                if planned:
                    write_plan(tx, self.community, ritual.name, f"ev:{event.platform}:{event.event_id}", planned, now,
                               policy=self.dm_policy, present=present)
            self.ctx.record_act(event)
            tx.commit()
        self.outbox.wake()
        return None

    def role_of(self, member: str) -> Role:
        roles = self.config.roles
        if member in roles.admins:
            return Role.ADMIN
        if member in roles.facilitators:
            return Role.FACILITATOR
        return Role.MEMBER

    def _command(self, event: CommandInvoked) -> str:
        """Most commands are answered here and now; one that fans out is acknowledged and run off the loop."""
        try:
            routed = self.router.route(event.text)
        except CommandError as exc:
            return _short(str(exc))
        spec = routed.spec
        if not spec.fans_out:
            return self.handle_command(event)
        if self.role_of(event.member) < spec.role:
            return refusal(spec)
        command = f"`/cop {' '.join(spec.path)}`"
        running = self._fanning_out.get(spec.path)
        if running is not None:
            log.info("%s is already running (started by %s): joined, not started again", command, running[1])
            return f"Already on it: {command} is running, and it runs once. Whoever started it gets its answer."
        work = asyncio.get_running_loop().create_task(self._fan_out(event), name=f"copbot-{'-'.join(spec.path)}")
        self._fanning_out[spec.path] = (work, event.member)

        def finished(done: asyncio.Task[None], path: tuple[str, ...] = spec.path) -> None:
            if self._fanning_out.get(path, (None, ""))[0] is done:
                del self._fanning_out[path]

        work.add_done_callback(finished)
        return f"On it: {command} is running now. I will tell you here when it is done."

    async def _fan_out(self, event: CommandInvoked) -> None:
        """Run the command in a worker thread (the loop keeps serving); its answer goes out through the outbox."""
        try:
            await asyncio.to_thread(self.handle_command, event, reply_later=True)
        except Exception:
            log.exception("command %r failed", event.text[:200])
        self.outbox.wake()

    async def commands_done(self) -> None:
        """Return once no command runs off the loop (tests, benches, a clean stop)."""
        while self._fanning_out:
            await asyncio.gather(*(work for work, _ in list(self._fanning_out.values())), return_exceptions=True)

    def _reply_later(self, event: CommandInvoked, text: str, now: datetime) -> None:
        """The answer of a command run off the loop, sent on its own (its own transaction failed or was a refusal)."""
        try:
            with self.db.session() as tx:
                write_plan(tx, self.community, "core", f"reply:{event.platform}:{event.event_id}",
                           [Planned(Ephemeral(member=event.member, channel=event.channel, text=text),
                                    subject="command.reply")], now)  # fmt: skip
                tx.commit()
        except Exception as exc:  # the database is gone: the log is all that is left
            log.error("could not send %s the answer to %r (%s): %s", event.member, event.text[:200],
                      first_line(exc), text[:200])

    def handle_command(self, event: CommandInvoked, *, reply_later: bool = False) -> str:
        """Route, check the role, run in one transaction; every failure is a short answer, never a crash.

        ``reply_later``: called from a worker thread for a command that fans out; the answer is also written
        as an ephemeral delivery (in the command's own transaction when it succeeds), since the member was
        answered "on it" already.
        """
        answer = self._handle_command(event, reply_later)
        if reply_later and answer is not None:
            self._reply_later(event, answer, self.clock.now())
        return answer or ""

    def _handle_command(self, event: CommandInvoked, reply_later: bool) -> str | None:
        """:meth:`handle_command`; None when the answer already went into the command's transaction."""
        try:
            routed = self.router.route(event.text)
        except CommandError as exc:
            return _short(str(exc))
        role = self.role_of(event.member)
        if role < routed.spec.role:
            return refusal(routed.spec)
        now = self.clock.now()
        try:
            with self.db.session() as tx:
                # A command run off the loop decides before it claims: its reads and its work come before the
                # transaction's first write, so on SQLite the rest of the bot can write meanwhile.
                result = routed.spec.handler(CommandCall(event, routed.args, tx, now, role)) if reply_later else None
                if not queries.claim_event(tx, self.community, event.platform, event.event_id, "command", now):
                    metrics.duplicate_dropped("dispatch")
                    return "Already done."  # the transaction rolls back whatever the handler wrote
                queries.forget_idle_hints(tx, self.community, now)  # a command may change what a check has to do
                if result is None:
                    result = routed.spec.handler(CommandCall(event, routed.args, tx, now, role))
                ritual = self._command_owner.get(routed.spec.path, "core")
                if self.adapter.answer_limit is not None and len(result.reply) > self.adapter.answer_limit:
                    result = self._long_answer(event, result, self.adapter.answer_limit)
                planned = list(result.planned)
                if reply_later and result.reply:
                    planned.append(Planned(Ephemeral(member=event.member, channel=event.channel, text=result.reply),
                                           subject="command.reply"))  # fmt: skip
                write_plan(tx, self.community, ritual, f"cmd:{event.platform}:{event.event_id}", planned, now,
                           policy=self.dm_policy, present=event.member)
                tx.commit()
        except CommandError as exc:
            return _short(str(exc))  # a refusal is short, whatever a ritual put in it
        except Exception as exc:
            if database_unavailable(exc):  # full, read-only or gone: say so; the log has the driver's words
                log.error("command %r: the database cannot be used (%s)", event.text[:200], first_line(exc))
                return DATABASE_UNAVAILABLE
            log.exception("command %r failed", event.text[:200])
            return "Something went wrong on my side; the facilitators can find the details in the bot's log."
        if reply_later:
            return None  # planned with the command's own deliveries; the loop wakes the outbox
        self.outbox.wake()
        return result.reply

    def _long_answer(self, event: CommandInvoked, result: CommandResult, limit: int) -> CommandResult:
        """An answer longer than the platform shows in one reply (a 1,000-pair status) goes to the invoker by DM:
        through the outbox, so it arrives whole, in parts the adapter cuts to the platform's limits, exactly once."""
        if not self.config.delivery.direct_messages.enabled:
            head = split_text(result.reply, max(1, limit - 160))[0]
            return CommandResult(head + "\n… (the rest is too long for one answer, and direct messages, which would "
                                 "carry it, are switched off in community.yaml)", result.planned)
        dm = Planned(DirectMessage(member=event.member, text=result.reply), subject="answer")
        return CommandResult(f"That answer is long ({len(result.reply):,} characters), so I sent it to you as a "
                             "direct message.", [*result.planned, dm])

    # --- outbound ----------------------------------------------------------------------------------

    def _on_sent(self, tx: Session, row: Delivery, ref: str | None) -> None:
        for ritual in self.rituals:
            if ritual.name == row.ritual:
                ritual.on_sent(tx, row.subject, ref)

    # --- core commands -----------------------------------------------------------------------------

    def _core_commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("help",), Role.MEMBER, "what you can ask me; /cop help <command> for one command's details",
                        self._help, usage="[command]", max_args=3),
            CommandSpec(("stats",), Role.MEMBER, "a short summary of the community's participation", self._stats),
            CommandSpec(("reload",), Role.ADMIN, "re-read community.yaml now", self._reload),
            *member_commands(lambda: self.config),
        ]

    def _help(self, call: CommandCall) -> CommandResult:
        if call.args:
            return CommandResult(self.router.command_help(call.args, call.role))
        titles = {r.name: r.help_topic or r.name.replace("_", " ").capitalize() for r in self.rituals}

        def topic(spec: CommandSpec) -> str:
            return titles.get(self._command_owner.get(spec.path, ""), "General")

        order = ["General", *dict.fromkeys(titles.values())]
        return CommandResult(self.router.help_text(call.role, topic, order))

    def _stats(self, call: CommandCall) -> CommandResult:
        week_ago = call.now - timedelta(days=7)
        events = activity_store.activity(call.tx, self.community)
        recent = [e for e in events if utc(e.at) >= week_ago]
        active = {e.member for e in recent}
        mine = [e for e in events if e.member == call.event.member]
        members = queries.members(call.tx, self.community)
        by_kind: dict[str, int] = {}
        for e in recent:
            by_kind[e.kind] = by_kind.get(e.kind, 0) + 1
        kinds = ", ".join(f"{n} {k}{'s' if n != 1 else ''}" for k, n in sorted(by_kind.items())) or "nothing yet"
        notes = [r.member_summary(call.tx, call.event.member) for r in self.enabled_rituals()]
        kudos = "".join(f", {note}" for note in notes if note)
        return CommandResult(
            f"*{self.config.community.name}*: {len(members)} members, {len(active)} active in the last 7 days "
            f"({kinds}). You: {len(mine)} contribution{'s' if len(mine) != 1 else ''} in all{kudos}. Thank you!"
        )

    def _reload(self, call: CommandCall) -> CommandResult:
        if self.reload_hook is None:
            return CommandResult("This bot was started without a config file to reload.")
        return CommandResult(self.reload_hook())
