"""Community sessions: workshops, webinars, guest speakers and the rota's regular session, with RSVPs, a calendar
invite, a reminder, and attendance that counts.

Why: the facilitator rota picks who hosts, but a session is more than an announcement: members want to say
they're coming and see who else is, get it into their calendar, be reminded, and have turning up count.

- ``/cop session add`` (facilitators) makes a session with a title, a host from the members or a named guest,
  a time in the community's zone, a duration and a link; with ``from_rota`` the facilitator rota's sessions
  become community sessions too, announced here (with the host the rota pinned) instead of the rota's plain post.
- The announcement carries RSVP buttons (going / maybe / can't); each answer shows who is going. A calendar
  invite goes with it (:class:`bot.actions.CalendarEvent`: a Guild Scheduled Event on Discord, an ``.ics`` on
  Slack and the console), moved or cancelled with the session.
- ``remind_before`` the start, those going get a DM; after the end, the hosts are thanked and an "I was there"
  button counts attendance (kind ``attended``) for ``attendance_for``. A member host of a session that is not
  the rota's is credited ``facilitated`` (the ladder counts sessions hosted; the rota credits its own hosts).
- A host who can't make it passes the session back (``/cop session skip``) or hands it to someone
  (``/cop session swap @member ID``, who accepts with a button), as rota members skip and swap.

One check (``sessions``, hourly, asleep until the next reminder or end) does the timed steps; each is a
column on the session written in the slot's transaction, so it happens once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.actions import Button, CalendarEvent, DirectMessage, Ephemeral, Post
from bot.commands import CommandError
from bot.configured_ritual import ConfiguredRitual
from bot.events import ButtonClicked, Event
from bot.member_lookup import resolve
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec, Upcoming
from bot.slots import next_slots
from bot.text import mention, strip_markers
from config.durations import format_duration
from config.sessions import SessionsConfig
from config.texts import fill
from rituals.sessions.decisions import (
    ANSWER_WORDS,
    Refused,
    SessionRequest,
    Timeline,
    answers_line,
    due_steps,
    duration_words,
    next_moment,
    parse_request,
)
from storage import facilitator as rota_store
from storage import queries
from storage import sessions as store
from storage.times import utc

CHECK_CRON = "0 * * * *"
CHECK_EVERY = timedelta(hours=1)
"""Hourly: a reminder goes at the last check before it is due (at most an hour early), so a 15-minute check,
four times the slots for every other ritual's events to wake, buys nothing members would notice."""
RSVP = "sessions.rsvp"
THERE = "sessions.attended"
TAKE = "sessions.take"
SHOWN = 5


class SessionsRitual(ConfiguredRitual[SessionsConfig]):
    """Announces sessions with RSVPs and invites, reminds those going, and counts who was there."""

    name = "sessions"
    help_topic = "Sessions"
    section = "sessions"
    title = "Community sessions"
    plural = True

    def schedules(self) -> list[ScheduleSpec]:
        return [ScheduleSpec("sessions", CHECK_CRON, timedelta(days=2))]

    @property
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.ctx.config.community.timezone)

    def _when(self, at: datetime) -> str:
        local = utc(at).astimezone(self._zone)
        return f"{local:%A} {local.day} {local:%B}, {local:%H:%M}"

    def _timeline(self, row: store.CommunitySession) -> Timeline:
        starts = utc(row.starts_at)
        remind = starts - self._on().remind_before - CHECK_EVERY + timedelta(seconds=1)  # the last check before it
        return Timeline(starts, remind, starts, starts + timedelta(minutes=row.minutes))

    def _rota_on(self) -> bool:
        rota = self.ctx.config.rituals.facilitator
        return self._on().from_rota and rota is not None and rota.enabled

    def upcoming(self, now: datetime, count: int = 3) -> list[Upcoming]:
        settings = self._on()
        rota = self.ctx.config.rituals.facilitator
        note = f"RSVPs and a calendar invite; those going reminded {format_duration(settings.remind_before)} before"
        if self._rota_on() and rota is not None:
            times = tuple(next_slots(rota.sessions.cron, self.ctx.config.community.timezone, now, count))
            return [Upcoming("community sessions (from the rota)", times, note)]
        return [Upcoming("community sessions", (), "added with /cop session add; " + note)]

    # --- the check ---------------------------------------------------------------------------------

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        settings = self.settings
        if settings is None or not settings.enabled:
            return []
        planned = self._from_rota(tx, slot) if self._rota_on() else []
        for row in store.pending(tx, self.ctx.community):
            timeline = self._timeline(row)
            for step in due_steps(timeline, slot, announced=row.announced_at is not None,
                                  reminded=row.reminded_at is not None, thanked=row.thanked_at is not None):
                planned += {"announce": self._announce, "remind": self._remind, "thank": self._thank}[step](
                    tx, row, slot)
        return planned

    def idle_until(self, tx: Session, schedule: str, after: datetime) -> datetime | None:
        """The next reminder or end of a session, or the next rota session's announcement (a skip or swap of its
        host is a command, after which the runtime forgets this hint)."""
        moments = []
        rota = self.ctx.config.rituals.facilitator
        if self._rota_on() and rota is not None:
            for starts in next_slots(rota.sessions.cron, self.ctx.config.community.timezone, after, 2):
                if store.by_key(tx, self.ctx.community, f"rota:{utc(starts).isoformat()}") is None:
                    moments.append(max(starts - rota.announce_before, after + CHECK_EVERY))
                    break
        for row in store.pending(tx, self.ctx.community):
            moment = next_moment(self._timeline(row), after, announced=row.announced_at is not None,
                                 reminded=row.reminded_at is not None, thanked=row.thanked_at is not None)
            if moment is not None:
                moments.append(moment)
        return min(moments) if moments else after + timedelta(days=365)

    def _from_rota(self, tx: Session, now: datetime) -> list[Planned]:
        """Rota sessions the rota has announced (pinned a host for) become community sessions; a host the
        rota changed since (a skip or swap) is followed."""
        rota = self.ctx.config.rituals.facilitator
        assert rota is not None
        settings = self._on()
        planned: list[Planned] = []
        horizon = next_slots(rota.sessions.cron, self.ctx.config.community.timezone, now - settings.duration, 3)
        for starts in horizon:
            if starts - rota.announce_before > now:
                break
            notice = rota_store.notice(tx, self.ctx.community, starts, "announce")
            if notice is None:
                continue
            day = utc(starts).astimezone(self._zone).date()
            host = rota_store.host_of(tx, self.ctx.community, day) or notice.member or ""
            row = store.by_key(tx, self.ctx.community, f"rota:{utc(starts).isoformat()}")
            if row is None:
                row = store.CommunitySession(community=self.ctx.community, key=f"rota:{utc(starts).isoformat()}",
                                             title=settings.rota_title, host=host, starts_at=utc(starts),
                                             minutes=int(settings.duration.total_seconds() // 60), link=settings.link,
                                             source="rota")
                if store.add(tx, row):
                    planned += self._announce(tx, row, now)
            elif row.host != host and now < utc(row.starts_at):
                row.host = host
                store.save(tx, row)
        return planned

    def _hosts(self, row: store.CommunitySession) -> str:
        if row.guest:
            return strip_markers(row.guest)
        return mention(row.host) if row.host else "(host to be confirmed)"

    def _calendar(self, row: store.CommunitySession, *, cancelled: bool = False) -> Planned:
        settings = self._on()
        timeline = self._timeline(row)
        host = strip_markers(row.guest) if row.guest else (self._plain_name(row.host) if row.host else "")
        return Planned(CalendarEvent(
            uid=f"{self.ctx.community}-session-{row.id}@copbot", title=row.title,
            starts_at=timeline.starts.isoformat(), ends_at=timeline.ends.isoformat(), location=row.link,
            channel=self.ctx.config.channel(settings.channel), event_ref=row.calendar_ref or "",
            sequence=row.sequence, cancelled=cancelled,
            text=f"{self.ctx.config.community.name}" + (f", hosted by {host}" if host else "")),
            subject=f"session.calendar:{row.id}")

    def _plain_name(self, key: str) -> str:
        return key.rsplit(":", 1)[-1]

    def _announce(self, tx: Session, row: store.CommunitySession, now: datetime) -> list[Planned]:
        settings = self._on()
        row.announced_at = now
        store.save(tx, row)
        text = fill(settings.texts.announce, ("title", "when", "host", "link", "duration"), title=row.title,
                    when=self._when(row.starts_at), host=self._hosts(row), link=row.link or "(link to follow)",
                    duration=duration_words(row.minutes))
        buttons = tuple(Button(label, RSVP, f"{row.id}:{value}")
                        for label, value in (("Going", "going"), ("Maybe", "maybe"), ("Can't make it", "cant")))
        channel = self.ctx.config.channel(settings.channel)
        return [Planned(Post(channel=channel, text=text, buttons=buttons, opens_thread=True),
                        subject=f"session.announce:{row.id}"), self._calendar(row)]

    def on_sent(self, tx: Session, subject: str, platform_ref: str | None) -> None:
        kind, _, rest = subject.partition(":")
        if kind in ("session.announce", "session.calendar") and rest.isdigit() and platform_ref:
            row = store.session(tx, self.ctx.community, int(rest))
            if row is not None:
                if kind == "session.announce":
                    row.announcement_ref = platform_ref
                else:
                    row.calendar_ref = platform_ref
                tx.add(row)

    def _remind(self, tx: Session, row: store.CommunitySession, now: datetime) -> list[Planned]:
        settings = self._on()
        assert row.id is not None
        row.reminded_at = now
        store.save(tx, row)
        text = fill(settings.texts.reminder, ("title", "when", "link"), title=row.title,
                    when=self._when(row.starts_at), link=row.link or "(see the announcement)")
        return [Planned(DirectMessage(member=m, text=text), subject=f"session.remind:{row.id}")
                for m in store.rsvps(tx, row.id)["going"]]

    def _thank(self, tx: Session, row: store.CommunitySession, now: datetime) -> list[Planned]:
        settings = self._on()
        row.thanked_at = now
        store.save(tx, row)
        if row.host and row.source != "rota":  # the rota credits its own hosts when the session is held
            self.ctx.record_fact(member=row.host, kind="facilitated", ritual=self.name, subject=f"session:{row.id}",
                                 key=f"{row.id}:{row.host}", at=self._timeline(row).starts)
        text = fill(settings.texts.thanks, ("title", "hosts"), title=row.title, hosts=self._hosts(row))
        channel = self.ctx.config.channel(settings.channel)
        return [Planned(Post(channel=channel, text=text, buttons=(Button("I was there", THERE, str(row.id)),)),
                        subject=f"session.thanks:{row.id}")]

    # --- buttons -----------------------------------------------------------------------------------

    def on_event(self, tx: Session, event: Event) -> list[Planned]:
        if not isinstance(event, ButtonClicked) or event.action_id not in (RSVP, THERE, TAKE):
            return []
        try:
            handler = {RSVP: self._rsvp, THERE: self._there, TAKE: self._take}[event.action_id]
            text = handler(tx, event)
        except CommandError as exc:
            text = str(exc)
        return [Planned(Ephemeral(member=event.member, text=text), subject="session.answer")]

    def _row(self, tx: Session, text: str) -> store.CommunitySession:
        row = store.session(tx, self.ctx.community, int(text)) if text.strip().isdigit() else None
        if row is None:
            raise CommandError(f"There is no session {strip_markers(text)!r}; `/cop sessions` lists them with their "
                               "numbers.")
        return row

    def _names(self, tx: Session, keys: list[str]) -> list[str]:
        """The names of just these members (by key; an RSVP is answered on every press, so not the whole list)."""
        rows = {k: queries.member(tx, self.ctx.community, k) for k in set(keys)}
        return [strip_markers(row.name) if (row := rows[k]) is not None else self._plain_name(k) for k in keys]

    def _rsvp(self, tx: Session, event: ButtonClicked) -> str:
        number, _, value = event.value.partition(":")
        row = self._row(tx, number)
        assert row.id is not None
        if row.status != store.SCHEDULED or event.at >= self._timeline(row).ends or value not in ANSWER_WORDS:
            raise CommandError("That session is over or cancelled.")
        store.answer(tx, row.id, event.member, value, event.at)
        answers = store.rsvps(tx, row.id)
        line = answers_line(self._names(tx, answers["going"]), self._names(tx, answers["maybe"]))
        return f"Noted: {ANSWER_WORDS[value]} to *{row.title}* ({self._when(row.starts_at)}). {line}"

    def _there(self, tx: Session, event: ButtonClicked) -> str:
        settings = self._on()
        row = self._row(tx, event.value)
        timeline = self._timeline(row)
        if event.at < timeline.starts or event.at > timeline.ends + settings.attendance_for:
            raise CommandError("Attendance for that session can't be noted any more.")
        self.ctx.record_fact(member=event.member, kind="attended", ritual=self.name, subject=f"session:{row.id}",
                             key=f"{row.id}:{event.member}", at=event.at)
        return f"Thanks for coming to *{row.title}*!"

    def _take(self, tx: Session, event: ButtonClicked) -> str:
        number, _, giver = event.value.partition(":")
        row = self._row(tx, number)
        if row.host != giver or row.status != store.SCHEDULED or event.at >= utc(row.starts_at):
            raise CommandError("That handover no longer applies: the session changed meanwhile.")
        row.host, row.guest = event.member, ""
        store.save(tx, row)
        return f"Thank you! You're hosting *{row.title}* on {self._when(row.starts_at)}."

    # --- commands ----------------------------------------------------------------------------------

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("sessions",), Role.MEMBER, "the next community sessions and who is going", self._list),
            CommandSpec(("session", "add"), Role.FACILITATOR, "add a session (workshop, webinar, guest talk)",
                        self._add, usage='"title" --at YYYY-MM-DDTHH:MM [--duration 90m] [--host @name | --guest '
                        '"Name"] [--link URL]', min_args=1, max_args=None),
            CommandSpec(("session", "move"), Role.FACILITATOR, "move a session (the invites follow)", self._move,
                        usage="NUMBER --at YYYY-MM-DDTHH:MM [--duration 90m] [--link URL]", min_args=3,
                        max_args=None),
            CommandSpec(("session", "cancel"), Role.FACILITATOR, "cancel a session (the invites follow)",
                        self._cancel, usage="NUMBER", min_args=1, max_args=1),
            CommandSpec(("session", "skip"), Role.MEMBER, "as its host: pass a session back to the facilitators",
                        self._skip, usage="NUMBER", min_args=1, max_args=1),
            CommandSpec(("session", "swap"), Role.MEMBER, "as its host: ask a member to host it instead",
                        self._swap, usage="@member NUMBER", min_args=2, max_args=2),
        ]

    def _list(self, call: CommandCall) -> CommandResult:
        self._on()
        rows = [r for r in store.sessions(call.tx, self.ctx.community) if self._timeline(r).ends > call.now][:SHOWN]
        if not rows:
            return CommandResult("No sessions coming up. Facilitators add one with `/cop session add`.")
        lines = ["*Coming up*"]
        for row in rows:
            assert row.id is not None
            answers = store.rsvps(call.tx, row.id)
            who = answers_line(self._names(call.tx, answers["going"]), self._names(call.tx, answers["maybe"]))
            host = strip_markers(row.guest) if row.guest else (self._names(call.tx, [row.host])[0] if row.host else
                                                               "host to be confirmed")
            lines.append(f"#{row.id} *{row.title}*, {self._when(row.starts_at)} with {host}. {who}")
        return CommandResult("\n".join(lines))

    def _request(self, call: CommandCall, args: list[str], *, need_title: bool = True) -> SessionRequest:
        try:
            return parse_request([strip_markers(a) for a in args], self.ctx.config.community.timezone,
                                 need_title=need_title)
        except Refused as exc:
            raise CommandError(str(exc)) from None

    def _add(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        request = self._request(call, call.args)
        assert request.at is not None
        if request.at <= call.now:
            raise CommandError(f"{self._when(request.at)} has passed; pick a time to come.")
        host = resolve(call.tx, self.ctx.community, request.host, "--host @ana").key if request.host else ""
        minutes = int((request.duration or settings.duration).total_seconds() // 60)
        row = store.CommunitySession(community=self.ctx.community, key=f"chat:{call.event.platform}:"
                                     f"{call.event.event_id}", title=request.title, host=host,
                                     guest=request.guest or "", starts_at=utc(request.at), minutes=minutes,
                                     link=request.link or settings.link, created_by=call.event.member)
        store.add(call.tx, row)
        planned = self._announce(call.tx, row, call.now)
        if host and host != call.event.member:
            planned.append(Planned(DirectMessage(member=host, text=(
                f"{mention(call.event.member)} has put you down to host *{row.title}* on "
                f"{self._when(row.starts_at)}. Thank you! If it doesn't suit, `/cop session skip {row.id}` "
                f"passes it back, or `/cop session swap @name {row.id}` asks someone to take it.")),
                subject=f"session.host:{row.id}"))
        return CommandResult(f"Session #{row.id} *{row.title}* is on for {self._when(row.starts_at)}; announced "
                             "with RSVP buttons and a calendar invite.", planned)

    def _open_row(self, call: CommandCall, text: str) -> store.CommunitySession:
        row = self._row(call.tx, text)
        if row.status != store.SCHEDULED or utc(row.starts_at) <= call.now:
            raise CommandError(f"Session #{row.id} has started, passed or was cancelled.")
        return row

    def _move(self, call: CommandCall) -> CommandResult:
        self._on()
        row = self._open_row(call, call.args[0])
        request = self._request(call, call.args[1:], need_title=False)
        if request.at is None and request.duration is None and request.link is None:
            raise CommandError("Say what changes: `--at`, `--duration` or `--link`.")
        if request.at is not None:
            if request.at <= call.now:
                raise CommandError(f"{self._when(request.at)} has passed; pick a time to come.")
            row.starts_at = utc(request.at)
            row.reminded_at = None
        if request.duration is not None:
            row.minutes = int(request.duration.total_seconds() // 60)
        row.link = request.link or row.link
        row.sequence += 1
        store.save(call.tx, row)
        assert row.id is not None
        text = (f"📅 *{row.title}* moved: now {self._when(row.starts_at)} ({duration_words(row.minutes)})."
                + (f" Join: {row.link}" if row.link else ""))
        channel = self.ctx.config.channel(self._on().channel)
        planned = [Planned(Post(channel=channel, text=text), subject=f"session.moved:{row.id}"), self._calendar(row)]
        planned += [Planned(DirectMessage(member=m, text=text), subject=f"session.moved:{row.id}")
                    for m in store.rsvps(call.tx, row.id)["going"]]
        return CommandResult(f"Moved session #{row.id}; the invite and those going were told.", planned)

    def _cancel(self, call: CommandCall) -> CommandResult:
        self._on()
        row = self._open_row(call, call.args[0])
        assert row.id is not None
        row.status = store.CANCELLED
        row.sequence += 1
        store.save(call.tx, row)
        text = f"*{row.title}* on {self._when(row.starts_at)} is cancelled. Sorry!"
        channel = self.ctx.config.channel(self._on().channel)
        planned = [Planned(Post(channel=channel, text=text), subject=f"session.cancelled:{row.id}"),
                   self._calendar(row, cancelled=True)]
        answered = store.rsvps(call.tx, row.id)
        planned += [Planned(DirectMessage(member=m, text=text), subject=f"session.cancelled:{row.id}")
                    for m in answered["going"] + answered["maybe"]]
        return CommandResult(f"Cancelled session #{row.id}; the invite is withdrawn and those coming were told.",
                             planned)

    def _my_session(self, call: CommandCall, number: str) -> store.CommunitySession:
        row = self._open_row(call, number)
        if row.host != call.event.member:
            raise CommandError(f"You're not hosting session #{row.id}, so there's nothing to pass on.")
        if row.source == "rota":
            raise CommandError("That's a rota session: `/cop facilitator skip` or `/cop facilitator swap @name` "
                               "passes it on.")
        return row

    def _skip(self, call: CommandCall) -> CommandResult:
        row = self._my_session(call, call.args[0])
        row.host = ""
        store.save(call.tx, row)
        people = sorted(set(self.ctx.config.roles.facilitators) | set(self.ctx.config.roles.admins))
        text = (f"{mention(call.event.member)} can't host *{row.title}* on {self._when(row.starts_at)} after all. "
                f"`/cop session swap @name {row.id}` is for hosts; a facilitator can re-add it with a new `--host`.")
        planned = [Planned(DirectMessage(member=p, text=text), subject=f"session.skip:{row.id}") for p in people]
        return CommandResult("Done: the facilitators know you can't host it. Thank you for saying so early!", planned)

    def _swap(self, call: CommandCall) -> CommandResult:
        """``swap @ben 3`` or ``swap 3 @ben``: Discord's member picker puts the member first, people type either."""
        number, typed = call.args if call.args[0].lstrip("#").isdigit() else reversed(call.args)
        row = self._my_session(call, number)
        other = resolve(call.tx, self.ctx.community, typed, "/cop session swap @ben 3").key
        if other == call.event.member:
            raise CommandError("That's you! Name the member you'd like to host it.")
        text = (f"{mention(call.event.member)} asks whether you'd host *{row.title}* on {self._when(row.starts_at)} "
                "instead of them. No pressure: if you don't click, nothing changes.")
        button = Button("I'll host it", TAKE, f"{row.id}:{call.event.member}")
        return CommandResult(f"I've asked {self._names(call.tx, [other])[0]}.",
                             [Planned(DirectMessage(member=other, text=text, buttons=(button,)),
                                      subject=f"session.swap:{row.id}")])
