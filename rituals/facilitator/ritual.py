"""Facilitator rota: who hosts each community session, announced in the channel and reminded by DM.

Who hosts is decided by :func:`rituals.facilitator.decisions.next_hosts`, a pure function of the pool and the
ledger of turns; this module only reads and writes those, and says things.

Scheduling. Slots are cron-based, and "two days before Thursday 16:00" is not always a cron line (``36h``
before a monthly session is not). So the rota has one frequent schedule, ``facilitator`` (every 15 minutes),
whose slot looks at the session calendar (``rituals.facilitator.sessions``) and does what is due:

- a session whose start has passed is *held*: its host (and co-host) go in the ledger as ``hosted`` /
  ``co_host``, and the host's participation is recorded (kind ``facilitated``);
- a session within ``announce_before`` is announced in the channel, and its host is pinned in the ledger
  (so a newcomer volunteering after the announcement does not silently change who was announced);
- a session within ``remind_before`` gets its reminder DM to the host;
- swap requests older than ``swap_timeout`` lapse, and both members are told nothing changed.

Each of those is claimed by a unique (session, kind) row in ``rota_notices``, so it happens once however
often the schedule runs, across restarts and replicas; after downtime the next slot catches up (one
slot runs, and it sees every session that passed, up to four weeks back).

When a skip, swap, assignment, away date or retirement changes the host of a session that was already
announced, the channel gets a short "change of plan" and the new host a reminder if one had gone out.
The founding pool from the config counts as experienced from the day the bot was installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.actions import Button, DirectMessage, Post
from bot.commands import CommandError
from bot.configured_ritual import ConfiguredRitual
from bot.events import ButtonClicked, Event, MemberLeft
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec, Upcoming
from bot.slots import next_slots, slots_between
from bot.text import echo, mention, strip_markers
from config.durations import format_duration
from config.facilitator import FacilitatorConfig
from rituals.facilitator.decisions import LedgerEntry, Turn, TurnKind, Volunteer, apply_swap, is_available, next_hosts
from rituals.facilitator.decisions import skip_turn as decide_skip
from storage import facilitator as store
from storage import queries
from storage.times import utc

CHECK_CRON = "*/15 * * * *"
CHECK_GRACE = timedelta(days=2)  # missed checks coalesce into the next one, which catches up
CATCH_UP = timedelta(weeks=4)  # sessions older than this when the bot comes back are not recorded
MAX_HELD_PER_SLOT = 4
ACCEPT = "facilitator.swap.accept"
DECLINE = "facilitator.swap.decline"
SHOWN = 4  # sessions shown by /cop facilitator next


def parse_day(text: str) -> date:
    """A ``YYYY-MM-DD`` date typed in a command, or a CommandError that says how to write it."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(f"I could not read {echo(text)} as a date; write it like 2027-01-15.") from None


class FacilitatorRitual(ConfiguredRitual[FacilitatorConfig]):
    """Keeps the facilitator rota: announcements, reminders, the ledger, and the members' commands."""

    name = "facilitator"
    help_topic = "Sessions"
    section = "facilitator"
    title = "The facilitator rota"

    def schedules(self) -> list[ScheduleSpec]:
        return [ScheduleSpec("facilitator", CHECK_CRON, CHECK_GRACE)]

    # --- time and calendar -------------------------------------------------------------------------

    @property
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.ctx.config.community.timezone)

    def _day(self, at: datetime) -> date:
        return utc(at).astimezone(self._zone).date()

    def _when(self, session: datetime) -> str:
        local = utc(session).astimezone(self._zone)
        return f"{local:%A} {local.day} {local:%B}, {local:%H:%M}"

    def upcoming(self, now: datetime, count: int = 3) -> list[Upcoming]:
        """The sessions themselves, not the 15-minute check that serves them: that is what an admin plans."""
        settings = self._on()
        note = (
            f"host announced {format_duration(settings.announce_before)} before, "
            f"reminded by DM {format_duration(settings.remind_before)} before"
        )
        return [Upcoming("facilitator sessions", tuple(self._sessions(now, count)), note)]

    def _sessions(self, after: datetime, count: int) -> list[datetime]:
        settings = self._on()
        return next_slots(settings.sessions.cron, self.ctx.config.community.timezone, after, count)

    # --- reading the rota --------------------------------------------------------------------------

    def _pool(self, tx: Session) -> list[Volunteer]:
        settings = self._on()
        community = self.ctx.community
        if settings.pool:
            installed = queries.get_state(tx, community, "installed_at")
            since = self._day(datetime.fromisoformat(installed)) if installed else self._day(self.ctx.now())
            founding = since - timedelta(days=settings.cohost_for_newer_than_days or 0)
            store.seed_pool(tx, community, settings.pool, founding, self.ctx.now())
        gone = queries.left_member_keys(tx, community)
        return [
            Volunteer(row.member, row.volunteered_on, row.away_until, row.retired or row.member in gone)
            for row in store.volunteers(tx, community)
        ]

    def _ledger(self, tx: Session) -> list[LedgerEntry]:
        return [LedgerEntry(e.session_date, e.member, TurnKind(e.kind)) for e in store.ledger(tx, self.ctx.community)]

    def _plan(self, tx: Session, sessions: Sequence[datetime]) -> list[Turn]:
        return next_hosts(
            self._pool(tx),
            self._ledger(tx),
            [self._day(s) for s in sessions],
            cohost_for_newer_than_days=self._on().cohost_for_newer_than_days,
        )

    def _horizon(self, tx: Session, after: datetime) -> list[datetime]:
        """Enough upcoming sessions for everyone in the pool to have a turn in them."""
        return self._sessions(after, max(8, 2 * len(self._pool(tx)) + 2))

    def upcoming_turns(self, tx: Session, now: datetime, count: int) -> list[tuple[datetime, Turn]]:
        """The next ``count`` sessions after ``now`` with their hosts, derived exactly as ``/cop facilitator next``.

        Public for read-only views (the web dashboard); it writes nothing the caller has to commit.
        """
        horizon = self._horizon(tx, now)
        if len(horizon) < count:
            horizon = self._sessions(now, count)
        plan = self._plan(tx, horizon)
        return list(zip(horizon[:count], plan[:count], strict=True))

    def _session_on(self, sessions: Iterable[datetime], day: date) -> datetime | None:
        return next((s for s in sessions if self._day(s) == day), None)

    def _name(self, tx: Session, key: str) -> str:
        row = queries.member(tx, self.ctx.community, key)
        return strip_markers(row.name) if row and row.name else key.split(":")[-1]

    def _active_volunteer(self, tx: Session, key: str) -> store.RotaVolunteer | None:
        self._pool(tx)  # seeds the founding pool on first use
        row = store.volunteer(tx, self.ctx.community, key)
        return row if row is not None and not row.retired else None

    # --- schedule ----------------------------------------------------------------------------------

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        if not self.enabled():
            return []
        planned = self._lapse_swaps(tx, slot)
        planned += self._record_held(tx, slot)
        planned += self._announce_and_remind(tx, slot)
        return planned

    def idle_until(self, tx: Session, schedule: str, after: datetime) -> datetime | None:
        """The next moment the rota has work: a session starting (recorded as held), a notice or a reminder
        falling due, or a swap request lapsing. Skips, swaps and volunteers arrive as commands or clicks,
        after which the runtime forgets this hint."""
        settings = self.settings
        if settings is None or not settings.enabled:
            return None
        lead = max(settings.announce_before, settings.remind_before)
        moments = [utc(row.expires_at) for row in store.pending_swaps(tx, self.ctx.community)]
        best = min((m for m in moments if m > after), default=None)
        for session in self._sessions(after, 10):
            if best is not None and session - lead > best:
                return best  # this session's and every later one's moments fall after what we have
            for moment in (session - settings.announce_before, session - settings.remind_before, session):
                if moment > after and (best is None or moment < best):
                    best = moment
        return None  # sessions so close together that ten of them fit in the notice lead: check every slot

    def _record_held(self, tx: Session, now: datetime) -> list[Planned]:
        settings = self._on()
        community = self.ctx.community
        installed = queries.get_state(tx, community, "installed_at")
        since = max(
            [t for t in (store.last_held(tx, community), datetime.fromisoformat(installed) if installed else None)
             if t is not None] + [now - CATCH_UP]
        )
        held = slots_between(settings.sessions.cron, self.ctx.config.community.timezone, since, now)
        for session in held[-MAX_HELD_PER_SLOT:]:
            turn = self._plan(tx, [session])[0]
            if not store.claim_notice(tx, community, session, "held", turn.host, now):
                continue
            day = self._day(session)
            if turn.host is not None:
                store.add_entry(tx, community, day, turn.host, TurnKind.HOSTED.value, now)
                self.ctx.record_fact(member=turn.host, kind="facilitated", ritual=self.name,
                                     subject=f"session:{day.isoformat()}", key=day.isoformat(), at=session)
            if turn.co_host is not None:
                store.add_entry(tx, community, day, turn.co_host, TurnKind.CO_HOST.value, now)
                self.ctx.record_fact(member=turn.co_host, kind="co_hosted", ritual=self.name,
                                     subject=f"session:{day.isoformat()}", key=day.isoformat(), at=session)
        return []

    def _announce_and_remind(self, tx: Session, now: datetime) -> list[Planned]:
        settings = self._on()
        community = self.ctx.community
        lead = max(settings.announce_before, settings.remind_before)
        first = self._sessions(now, 1)
        if not first or first[0] - lead > now:
            return []  # the next session is further off than any notice: most 15-minute checks end here
        upcoming = self._horizon(tx, now)
        planned: list[Planned] = []
        for session in [s for s in upcoming if s - lead <= now]:
            if session - settings.announce_before <= now and store.notice(tx, community, session, "announce") is None:
                turn = self._pin(tx, upcoming, session, now)
                store.claim_notice(tx, community, session, "announce", turn.host, now)
                if not self._sessions_announce():
                    planned.append(self._announcement(session, turn))
            if session - settings.remind_before <= now and store.notice(tx, community, session, "remind") is None:
                turn = self._pin(tx, upcoming, session, now)
                store.claim_notice(tx, community, session, "remind", turn.host, now)
                planned.extend(self._reminders(session, turn))
        return planned

    def _sessions_announce(self) -> bool:
        """With ``rituals.sessions.from_rota`` the community sessions ritual announces the rota's sessions (with
        RSVPs and an invite) from the host pinned here; the rota's own plain post would say it twice."""
        sessions = self.ctx.config.rituals.sessions
        return sessions is not None and sessions.enabled and sessions.from_rota

    def _pin(self, tx: Session, upcoming: list[datetime], session: datetime, now: datetime) -> Turn:
        """The session's host as the rota has it now, written down so later changes to the pool keep it."""
        index = upcoming.index(session)
        turn = self._plan(tx, upcoming)[index]
        day = self._day(session)
        if turn.host is not None:
            store.add_entry(tx, self.ctx.community, day, turn.host, TurnKind.HOSTED.value, now)
        if turn.co_host is not None:
            store.add_entry(tx, self.ctx.community, day, turn.co_host, TurnKind.CO_HOST.value, now)
        return turn

    def _announcement(self, session: datetime, turn: Turn) -> Planned:
        settings = self._on()
        channel = self.ctx.config.channel(settings.channel)
        when = self._when(session)
        if turn.host is None:
            text = (f"*Community session, {when}*\nNobody is on the rota for this one yet. "
                    "Fancy hosting? `/cop facilitator volunteer` puts you in the pool.")
        else:
            co = f", with {mention(turn.co_host)} co-hosting" if turn.co_host else ""
            text = (f"*Community session, {when}*\n{mention(turn.host)} is hosting{co}. "
                    "Bring a question, a story or something you're stuck on.")
        return Planned(Post(text=text, channel=channel), subject=f"session:{self._day(session).isoformat()}")

    def _reminders(self, session: datetime, turn: Turn) -> list[Planned]:
        when = self._when(session)
        subject = f"session:{self._day(session).isoformat()}"
        out = []
        if turn.host is not None:
            out.append(Planned(DirectMessage(member=turn.host, text=(
                f"A friendly reminder: you're hosting the community session on {when}. Thank you! "
                "If something came up, `/cop facilitator skip` passes it on, "
                "or `/cop facilitator swap @name` asks someone to trade.")), subject=subject))
        if turn.co_host is not None:
            out.append(Planned(DirectMessage(member=turn.co_host, text=(
                f"A friendly reminder: you're co-hosting the community session on {when}, "
                f"beside {mention(turn.host) if turn.host else 'the host'}. Thank you!")), subject=subject))
        return out

    def _after_change(self, tx: Session, now: datetime, days: Iterable[date]) -> list[Planned]:
        """Sessions whose host may have changed: re-pin those already announced and tell the channel."""
        community = self.ctx.community
        upcoming = self._horizon(tx, now)
        planned: list[Planned] = []
        for day in sorted(set(days)):
            session = self._session_on(upcoming, day)
            if session is None:
                continue
            announced = store.notice(tx, community, session, "announce")
            if announced is None:
                continue
            turn = self._pin(tx, upcoming, session, now)
            if turn.host == announced.member:
                continue
            announced.member = turn.host
            tx.add(announced)
            who = f"{mention(turn.host)} is hosting now" if turn.host else "nobody is on the rota for it yet"
            planned.append(Planned(Post(text=f"Change of plan for the session on {self._when(session)}: {who}.",
                                        channel=self.ctx.config.channel(self._on().channel)),
                                   subject=f"session:{day.isoformat()}"))
            reminded = store.notice(tx, community, session, "remind")
            if reminded is not None:
                reminded.member = turn.host
                tx.add(reminded)
                planned.extend(self._reminders(session, turn))
        return planned

    # --- swaps -------------------------------------------------------------------------------------

    def _lapse_swaps(self, tx: Session, now: datetime) -> list[Planned]:
        planned: list[Planned] = []
        for row in store.pending_swaps(tx, self.ctx.community):
            if utc(row.expires_at) <= now:
                store.decide_swap(tx, row, "expired", now)
                planned.extend(self._tell_both(tx, row, (
                    f"The swap between {self._name(tx, row.requester)} and {self._name(tx, row.other)} "
                    "got no answer in time, so it has lapsed. Nothing changed on the rota.")))
        return planned

    def _tell_both(self, tx: Session, row: store.RotaSwap, text: str) -> list[Planned]:
        subject = f"swap:{row.id}"
        return [Planned(DirectMessage(member=m, text=text), subject=subject) for m in (row.requester, row.other)]

    def on_event(self, tx: Session, event: Event) -> list[Planned]:
        if isinstance(event, ButtonClicked) and event.action_id in (ACCEPT, DECLINE):
            return self._answer_swap(tx, event)
        if isinstance(event, MemberLeft):
            row = store.volunteer(tx, self.ctx.community, event.member)
            if row is not None and not row.retired:
                return self._step_down(tx, row, utc(event.at))
        return []

    def _answer_swap(self, tx: Session, event: ButtonClicked) -> list[Planned]:
        now = self.ctx.now()
        reply = DirectMessage
        try:
            row = store.swap(tx, int(event.value))
        except ValueError:
            row = None
        if row is None or row.community != self.ctx.community:
            return [Planned(reply(member=event.member, text="I could not find that swap request."))]
        if event.member != row.other:
            return [Planned(reply(member=event.member, text="Only the member who was asked can answer this swap."))]
        if row.status != "pending":
            return [Planned(reply(member=event.member, text=f"That swap was already settled ({row.status})."))]
        requester, other = self._name(tx, row.requester), self._name(tx, row.other)
        if utc(row.expires_at) <= now:
            store.decide_swap(tx, row, "expired", now)
            return self._tell_both(tx, row, (
                f"The swap between {requester} and {other} had already lapsed. Nothing changed on the rota."))
        if event.action_id == DECLINE:
            store.decide_swap(tx, row, "declined", now)
            return self._tell_both(tx, row, (
                f"{other} can't swap this time, and that's fine. Nothing changed: "
                f"{requester} still hosts on {row.session_date:%A} {row.session_date.day} {row.session_date:%B}."))
        upcoming = self._horizon(tx, now)
        plan = self._plan(tx, upcoming)
        mine = next((t for t in plan if t.host == row.requester), None)
        if mine is None or mine.session_date != row.session_date:
            store.decide_swap(tx, row, "stale", now)
            return self._tell_both(tx, row, (
                f"The rota changed since {requester} asked, so this swap no longer fits. Nothing changed; "
                "ask again with `/cop facilitator swap` if you still want to trade."))
        outcome = apply_swap(plan, row.requester, row.other, accepted=True)
        for entry in outcome.entries:
            if entry.kind is TurnKind.HOSTED:
                store.remove_entries(tx, self.ctx.community, entry.member, kinds=("skipped", "swapped_out"),
                                     on=entry.session_date)
            store.add_entry(tx, self.ctx.community, entry.session_date, entry.member, entry.kind.value, now)
        store.decide_swap(tx, row, "accepted", now)
        # Name the turns as the rota now stands, re-derived from the ledger just written: that is what
        # /cop facilitator next, the announcement and the reminder will say.
        host_on = {t.session_date: t.host for t in self._plan(tx, upcoming)}
        parts = [
            f"{self._name(tx, host)} hosts {self._day_text(e.session_date)}"
            for e in outcome.entries
            if e.kind is TurnKind.HOSTED and (host := host_on.get(e.session_date)) is not None
        ]
        if not any(e.member == row.requester and e.kind is TurnKind.HOSTED for e in outcome.entries):
            parts.append(f"{requester} stays first in line for the next one")
        planned = self._tell_both(tx, row, f"Swap agreed, thank you both: {' and '.join(parts)}.")
        planned += self._after_change(tx, now, [e.session_date for e in outcome.entries])
        return planned

    def _day_text(self, day: date) -> str:
        return f"{day:%A} {day.day} {day:%B}"

    # --- commands ----------------------------------------------------------------------------------

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("facilitator", "volunteer"), Role.MEMBER, "join the facilitator rota", self._volunteer),
            CommandSpec(("facilitator", "retire"), Role.MEMBER, "leave the facilitator rota", self._retire),
            CommandSpec(("facilitator", "next"), Role.MEMBER, "who hosts the next four sessions", self._next),
            CommandSpec(("facilitator", "away"), Role.MEMBER, "take me off the rota until a date", self._away,
                        usage="YYYY-MM-DD", min_args=1, max_args=1),
            # Any volunteer may pass their own turn on: the reminder tells every host they can (the pool check
            # inside refuses those who have no turn).
            CommandSpec(("facilitator", "skip"), Role.MEMBER, "pass my next turn on (I stay first in line)",
                        self._skip),
            CommandSpec(("facilitator", "swap"), Role.MEMBER, "ask a member to trade turns with me", self._swap,
                        usage="@member", min_args=1, max_args=1),
            CommandSpec(("facilitator", "assign"), Role.FACILITATOR, "set who hosts the next (or a given) session",
                        self._assign, usage="@member [YYYY-MM-DD]", min_args=1, max_args=2),
        ]

    def _next_turn_text(self, tx: Session, member: str, now: datetime) -> str:
        upcoming = self._horizon(tx, now)
        for session, turn in zip(upcoming, self._plan(tx, upcoming), strict=True):
            if turn.host == member:
                return f" Your next turn: {self._when(session)}."
        return ""

    def _volunteer(self, call: CommandCall) -> CommandResult:
        self._on()
        me = call.event.member
        row = self._active_volunteer(call.tx, me)
        if row is not None:
            return CommandResult("You're already in the facilitator pool. Thank you!" +
                                 self._next_turn_text(call.tx, me, call.now))
        existing = store.volunteer(call.tx, self.ctx.community, me)
        row = existing or store.RotaVolunteer(community=self.ctx.community, member=me,
                                              volunteered_on=self._day(call.now), updated_at=call.now)
        row.retired, row.away_until, row.volunteered_on, row.updated_at = False, None, self._day(call.now), call.now
        store.save_volunteer(call.tx, row)
        welcome = "Welcome to the facilitator pool, thank you!"
        return CommandResult(welcome + self._next_turn_text(call.tx, me, call.now))

    def _step_down(self, tx: Session, row: store.RotaVolunteer, now: datetime) -> list[Planned]:
        row.retired, row.updated_at = True, now
        store.save_volunteer(tx, row)
        days = store.remove_entries(tx, self.ctx.community, row.member, kinds=store.PINNED_KINDS,
                                    from_date=self._day(now))
        planned: list[Planned] = []
        for swap in store.pending_swaps(tx, self.ctx.community):
            if row.member in (swap.requester, swap.other):
                store.decide_swap(tx, swap, "stale", now)
                planned.extend(self._tell_both(tx, swap, "This swap request was withdrawn: "
                                               f"{self._name(tx, row.member)} left the rota. Nothing changed."))
        return planned + self._after_change(tx, now, days)

    def _retire(self, call: CommandCall) -> CommandResult:
        self._on()
        row = self._active_volunteer(call.tx, call.event.member)
        if row is None:
            return CommandResult("You're not in the facilitator pool, so there's nothing to step back from.")
        planned = self._step_down(call.tx, row, call.now)
        return CommandResult("You're off the rota. Thank you for every session you hosted! "
                             "`/cop facilitator volunteer` brings you back any time.", planned)

    def _next(self, call: CommandCall) -> CommandResult:
        self._on()
        sessions = self._sessions(call.now, SHOWN)
        horizon = self._horizon(call.tx, call.now)
        plan = self._plan(call.tx, horizon)[:SHOWN]
        lines = ["*The next sessions*"]
        for session, turn in zip(sessions, plan, strict=True):
            if turn.host is None:
                who = "nobody yet (`/cop facilitator volunteer`)"
            else:
                who = self._name(call.tx, turn.host)
                if turn.co_host:
                    who += f", co-host {self._name(call.tx, turn.co_host)}"
            lines.append(f"• {self._when(session)}: {who}")
        return CommandResult("\n".join(lines))

    def _away(self, call: CommandCall) -> CommandResult:
        self._on()
        until = parse_day(call.args[0])
        today = self._day(call.now)
        if until <= today:
            raise CommandError(f"{until.isoformat()} is not in the future; give the date you're back, "
                               "e.g. `/cop facilitator away 2027-01-15`.")
        row = self._active_volunteer(call.tx, call.event.member)
        if row is None:
            return CommandResult("You're not in the facilitator pool, so you're free anyway. "
                                 "Join with `/cop facilitator volunteer` when you like.")
        row.away_until, row.updated_at = until, call.now
        store.save_volunteer(call.tx, row)
        days = store.remove_entries(call.tx, self.ctx.community, row.member, kinds=store.PINNED_KINDS,
                                    from_date=today, before=until)
        planned = self._after_change(call.tx, call.now, days)
        return CommandResult(f"Got it: no turns for you before {self._day_text(until)}. "
                             "Enjoy the time off!" + self._next_turn_text(call.tx, row.member, call.now), planned)

    def _skip(self, call: CommandCall) -> CommandResult:
        self._on()
        me = call.event.member
        if self._active_volunteer(call.tx, me) is None:
            return CommandResult("You're not in the facilitator pool, so you have no turn to skip.")
        upcoming = self._horizon(call.tx, call.now)
        try:
            entry = decide_skip(self._plan(call.tx, upcoming), me)
        except ValueError:
            return CommandResult(f"You have no turn in the next {len(upcoming)} sessions, so there's nothing to skip.")
        store.remove_entries(call.tx, self.ctx.community, me, kinds=store.PINNED_KINDS, on=entry.session_date)
        store.add_entry(call.tx, self.ctx.community, entry.session_date, me, entry.kind.value, call.now)
        planned = self._after_change(call.tx, call.now, [entry.session_date])
        new_host = next(t.host for t in self._plan(call.tx, upcoming) if t.session_date == entry.session_date)
        instead = f"{self._name(call.tx, new_host)} hosts" if new_host else "nobody else is free for"
        return CommandResult(f"Done: {instead} {self._day_text(entry.session_date)} instead. "
                             "You stay first in line for the next one.", planned)

    def _resolve(self, tx: Session, who: str) -> str:
        found = queries.find_member_by_name(tx, self.ctx.community, strip_markers(who))
        if found is None or found.left_at is not None:
            raise CommandError(f"I don't know a member called {echo(who)}. "
                               "Write their name as it shows here, e.g. `@ana`.")
        return found.key

    def _swap(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        tx, me, now = call.tx, call.event.member, call.now
        other = self._resolve(tx, call.args[0])
        if other == me:
            raise CommandError("That's you! Name the member you'd like to trade with, "
                               "e.g. `/cop facilitator swap @ben`.")
        if self._active_volunteer(tx, other) is None:
            raise CommandError(f"{self._name(tx, other)} isn't in the facilitator pool; "
                               "they can join with `/cop facilitator volunteer`.")
        upcoming = self._horizon(tx, now)
        plan = self._plan(tx, upcoming)
        mine = next((t for t in plan if t.host == me), None)
        if mine is None:
            return CommandResult(f"You have no turn in the next {len(upcoming)} sessions, so there's nothing to swap.")
        pool = {v.key: v for v in self._pool(tx)}
        if not is_available(pool[other], mine.session_date):
            return CommandResult(f"{self._name(tx, other)} is away on {self._day_text(mine.session_date)}; "
                                 "try someone else.")
        for pending in store.pending_swaps(tx, self.ctx.community):
            if pending.requester == me and pending.other == other:
                return CommandResult(f"You've already asked {self._name(tx, other)}; they have until "
                                     f"{self._when(pending.expires_at)} to answer.")
        row = store.add_swap(tx, store.RotaSwap(community=self.ctx.community, requester=me, other=other,
                                                session_date=mine.session_date, created_at=now,
                                                expires_at=now + settings.swap_timeout))
        theirs = next((t for t in plan if t.host == other), None)
        ask = (f"you'd host {self._day_text(mine.session_date)} and they'd take your turn on "
               f"{self._day_text(theirs.session_date)}" if theirs else
               f"you'd host {self._day_text(mine.session_date)} in their place")
        text = (f"{mention(me)} asks whether you'd swap facilitator turns: {ask}. "
                f"No pressure; if you don't answer by {self._when(row.expires_at)} nothing changes.")
        buttons = (Button("Accept", ACCEPT, str(row.id)), Button("Decline", DECLINE, str(row.id)))
        planned = [Planned(DirectMessage(member=other, text=text, buttons=buttons), subject=f"swap:{row.id}")]
        return CommandResult(f"I've asked {self._name(tx, other)}. I'll let you know what they say.", planned)

    def _assign(self, call: CommandCall) -> CommandResult:
        self._on()
        tx, now = call.tx, call.now
        member = self._resolve(tx, call.args[0])
        upcoming = self._sessions(now, 60)
        if len(call.args) > 1:
            day = parse_day(call.args[1])
            session = self._session_on(upcoming, day)
            if session is None:
                soon = ", ".join(self._day(s).isoformat() for s in upcoming[:3])
                raise CommandError(f"There's no session on {day.isoformat()}. The next ones are on {soon}.")
        else:
            session = upcoming[0]
            day = self._day(session)
        store.remove_entries(tx, self.ctx.community, member, kinds=("skipped", "swapped_out"), on=day)
        store.add_entry(tx, self.ctx.community, day, member, TurnKind.HOSTED.value, now)
        planned = self._after_change(tx, now, [day])
        if member != call.event.member:
            planned.append(Planned(DirectMessage(member=member, text=(
                f"{mention(call.event.member)} has put you down to host the community session on "
                f"{self._when(session)}. Thank you! If it doesn't suit, `/cop facilitator swap @name` "
                "asks someone to trade.")), subject=f"session:{day.isoformat()}"))
        note = "" if self._active_volunteer(tx, member) else " (They're not in the pool, so this is a one-off.)"
        return CommandResult(f"Done: {self._name(tx, member)} hosts {self._when(session)}.{note}", planned)
