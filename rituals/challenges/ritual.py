"""Challenges and hackathons: a facilitator starts one (or community.yaml plans it), members take part and
submit until the deadline, everyone votes for a while, and the results are posted with a leaderboard.

Why: a challenge gives a community a shared goal for a few weeks ("automate one piece of toil"), and the
vote and the results make the work visible. Submitters and winners are recognised the way the community
already recognises people: a kudos each (the ladder counts kudos received) and participation facts
(``submission`` and ``button``, which are activity, and ``won``, a recognition that is not) that the reports read.

One check (``challenges``, hourly, asleep until the next challenge moment) announces planned
challenges when they start, reminds those who joined and have no entry ``remind_before`` the deadline, opens
the vote at the deadline (one post with a button per entry) and closes it after ``voting_for``. Each step is
a column on the challenge written in the slot's transaction, so it happens once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.actions import Button, DirectMessage, Ephemeral, Post, React
from bot.commands import CommandError
from bot.configured_ritual import ConfiguredRitual
from bot.events import ButtonClicked, Event, ReplyPosted
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec, Upcoming
from bot.text import mention, strip_markers
from config.challenges import ChallengesConfig, ScheduledChallenge
from config.durations import format_duration
from config.texts import fill
from rituals.challenges.decisions import (
    MAX_ENTRY,
    Moments,
    Refused,
    close_of,
    due_steps,
    is_marked_submission,
    leaderboard,
    may_vote,
    next_moment,
    ordinal,
    parse_start,
    winners,
)
from storage import challenges as store
from storage import kudos as kudos_store
from storage.times import utc

CHECK_CRON = "0 * * * *"  # hourly: deadlines fall at midnight, and a challenge runs for days
JOIN = "challenges.join"
VOTE = "challenges.vote"
MAX_VOTE_BUTTONS = 25  # Discord: 5 rows of 5; Slack: 25 elements in an actions block
GIVER = "copbot"  # kudos the bot gives on the community's behalf


class ChallengesRitual(ConfiguredRitual[ChallengesConfig]):
    """Runs challenges from announcement to results."""

    name = "challenges"
    section = "challenges"
    title = "Challenges"
    plural = True

    def schedules(self) -> list[ScheduleSpec]:
        return [ScheduleSpec("challenges", CHECK_CRON, timedelta(days=2))]

    @property
    def _zone(self) -> ZoneInfo:
        return ZoneInfo(self.ctx.config.community.timezone)

    def _when(self, at: datetime) -> str:
        local = utc(at).astimezone(self._zone)
        return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"

    def _moments(self, row: store.Challenge) -> Moments:
        settings = self._on()
        return Moments(utc(row.starts_at), utc(row.deadline) - settings.remind_before, utc(row.deadline),
                       utc(row.voting_ends))

    def _planned_start(self, plan: ScheduledChallenge) -> datetime:
        start = plan.starts if plan.starts.tzinfo else plan.starts.replace(tzinfo=self._zone)
        return utc(start)

    def upcoming(self, now: datetime, count: int = 3) -> list[Upcoming]:
        """Planned challenges' starts and deadlines, not the 15-minute check."""
        settings = self._on()
        zone = self.ctx.config.community.timezone
        items = []
        for plan in settings.scheduled:
            deadline = close_of(plan.until, zone)
            if deadline > now:
                items.append(Upcoming(f"challenge {plan.title!r}", (self._planned_start(plan), deadline),
                                      "announced, then submissions close; "
                                      f"voting for {format_duration(settings.voting_for)}"))
        return items[:count] or [Upcoming("challenges", (), "none planned; /cop challenge start begins one")]

    # --- the check ---------------------------------------------------------------------------------

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        settings = self.settings
        if settings is None or not settings.enabled:
            return []
        planned = self._start_planned(tx, slot)
        for row in store.challenges(tx, self.ctx.community, (store.OPEN, store.VOTING)):
            for step in due_steps(row.status, row.reminded_at is not None, self._moments(row), slot):
                planned += {"remind": self._remind, "vote": self._open_vote, "close": self._close}[step](tx, row, slot)
        return planned

    def idle_until(self, tx: Session, schedule: str, after: datetime) -> datetime | None:
        settings = self.settings
        if settings is None or not settings.enabled:
            return None
        moments = [self._planned_start(p) for p in settings.scheduled if self._planned_start(p) > after]
        for row in store.challenges(tx, self.ctx.community, (store.OPEN, store.VOTING)):
            moment = next_moment(row.status, row.reminded_at is not None, self._moments(row), after)
            if moment is not None:
                moments.append(moment)
        return min(moments) if moments else after + timedelta(days=365)

    def _start_planned(self, tx: Session, now: datetime) -> list[Planned]:
        settings = self._on()
        planned: list[Planned] = []
        for plan in settings.scheduled:
            start = self._planned_start(plan)
            deadline = utc(close_of(plan.until, self.ctx.config.community.timezone))
            if start > now or deadline <= now:
                continue  # not yet, or over before the bot saw it: never announced late after its end
            row = store.Challenge(community=self.ctx.community, key=f"config:{plan.title}@{start.isoformat()}",
                                  title=plan.title, rules=plan.rules, teams=plan.teams, starts_at=start,
                                  deadline=deadline, voting_ends=deadline + settings.voting_for)
            if store.add(tx, row):
                planned.append(self._announce(row))
        return planned

    def _announce(self, row: store.Challenge) -> Planned:
        settings = self._on()
        how = ("Take part with the button (or `/cop challenge join TEAM` to enter as a team), then send your entry "
               "with `/cop challenge submit <link or text>`, or reply here starting with `submit:`."
               if row.teams else
               "Take part with the button, then send your entry with `/cop challenge submit <link or text>`, or reply "
               "here starting with `submit:`. You can update it until the deadline.")
        text = fill(settings.texts.announce, ("title", "rules", "deadline", "how"), title=row.title,
                    rules=row.rules or "", deadline=self._when(row.deadline), how=how)
        channel = self.ctx.config.channel(settings.channel)
        return Planned(Post(channel=channel, text=text.replace("\n\n\n", "\n\n"), opens_thread=True,
                            buttons=(Button("Take part", JOIN, str(row.id)),)), subject=f"challenge.announce:{row.id}")

    def on_sent(self, tx: Session, subject: str, platform_ref: str | None) -> None:
        kind, _, rest = subject.partition(":")
        if kind in ("challenge.announce", "challenge.voting") and rest.isdigit() and platform_ref:
            row = store.challenge(tx, self.ctx.community, int(rest))
            if row is not None:
                if kind == "challenge.announce":
                    row.announcement_ref = platform_ref
                else:
                    row.voting_ref = platform_ref
                tx.add(row)

    def _remind(self, tx: Session, row: store.Challenge, now: datetime) -> list[Planned]:
        settings = self._on()
        assert row.id is not None
        row.reminded_at = now
        store.save(tx, row)
        entered = {s.entry for s in store.submissions(tx, row.id)}
        text = fill(settings.texts.reminder, ("title", "deadline"), title=row.title, deadline=self._when(row.deadline))
        return [Planned(DirectMessage(member=e.member, text=text), subject=f"challenge.remind:{row.id}")
                for e in store.entrants(tx, row.id) if e.entry not in entered]

    def _open_vote(self, tx: Session, row: store.Challenge, now: datetime) -> list[Planned]:
        settings = self._on()
        assert row.id is not None
        row.status = store.VOTING
        store.save(tx, row)
        entries = list(store.submissions(tx, row.id))
        channel = self.ctx.config.channel(settings.channel)
        if not entries:
            row.status = store.CLOSED
            store.save(tx, row)
            return [Planned(Post(channel=channel, text=f"The *{row.title}* challenge closed without entries. "
                                 "Next time, then!"), subject=f"challenge.results:{row.id}")]
        lines = [fill(settings.texts.voting, ("title", "until"), title=row.title, until=self._when(row.voting_ends))]
        buttons = []
        for number, entry in enumerate(entries, start=1):
            lines.append(f"{number}. {self._entry_name(entry.entry)}: {strip_markers(entry.text)}")
            if number <= MAX_VOTE_BUTTONS:
                buttons.append(Button(f"Vote {number}", VOTE, f"{row.id}:{entry.id}"))
        return [Planned(Post(channel=channel, text="\n".join(lines), buttons=tuple(buttons)),
                        subject=f"challenge.voting:{row.id}")]

    def _entry_name(self, entry: str) -> str:
        return f"team {entry}" if ":" not in entry else mention(entry)

    def _standings(self, tx: Session, row: store.Challenge) -> list[tuple[int, str, int, store.ChallengeSubmission]]:
        assert row.id is not None
        entries = {s.id: s for s in store.submissions(tx, row.id) if s.id is not None}
        cast = [v.submission_id for v in store.votes(tx, row.id)]
        board = leaderboard([(i, s.entry) for i, s in entries.items()], cast)
        return [(s.place, s.entry, s.votes, entries[s.submission_id]) for s in board]

    def _close(self, tx: Session, row: store.Challenge, now: datetime) -> list[Planned]:
        settings = self._on()
        assert row.id is not None
        if row.status == store.OPEN:
            return []  # the vote opens first (the same check does both, in order)
        row.status = store.CLOSED
        store.save(tx, row)
        entries = {s.id: s for s in store.submissions(tx, row.id) if s.id is not None}
        votes = [v.submission_id for v in store.votes(tx, row.id)]
        board = leaderboard([(i, s.entry) for i, s in entries.items()], votes)
        won = {s.submission_id: s.place for s in winners(board, settings.winners)}
        lines = [fill(settings.texts.results, ("title",), title=row.title)]
        for s in board:
            medal = {1: "🥇", 2: "🥈", 3: "🥉"}.get(s.place, "•") if s.submission_id in won else "•"
            lines.append(f"{medal} {ordinal(s.place)} {self._entry_name(s.entry)}: {s.votes} vote"
                         f"{'s' if s.votes != 1 else ''}")
        lines.append(f"Thank you to everyone who took part ({len(entries)} entr{'ies' if len(entries) != 1 else 'y'}, "
                     f"{len(votes)} vote{'s' if len(votes) != 1 else ''}).")
        self._recognise(tx, row, entries, won, now)
        channel = self.ctx.config.channel(settings.channel)
        return [Planned(Post(channel=channel, text="\n".join(lines)), subject=f"challenge.results:{row.id}")]

    def _members_of(self, tx: Session, row: store.Challenge, entry: str) -> list[str]:
        assert row.id is not None
        if ":" in entry:
            return [entry]
        return [e.member for e in store.entrants(tx, row.id) if e.team == entry]

    def _recognise(self, tx: Session, row: store.Challenge, entries: dict[int, store.ChallengeSubmission],
                   won: dict[int, int], now: datetime) -> None:
        """A kudos for every submitter (and another for each winner), and the facts the reports count."""
        for submission_id, entry in entries.items():
            for member in self._members_of(tx, row, entry.entry):
                reasons = [f"an entry to the {row.title} challenge"]
                if submission_id in won:
                    reasons.append(f"{ordinal(won[submission_id])} place in the {row.title} challenge")
                    self.ctx.record_fact(member=member, kind="won", ritual=self.name, subject=f"challenge:{row.id}",
                                         key=f"{row.id}:{member}", at=now)
                for reason in reasons:
                    # private: the results post already says it publicly; the weekly kudos digest stays the
                    # members' own thank-yous. Private kudos still count as received (the ladder reads them).
                    kudos_store.add(tx, kudos_store.Kudos(community=self.ctx.community, giver=GIVER, receiver=member,
                                                          reason=reason, private=True, given_at=now))

    # --- events ------------------------------------------------------------------------------------

    def on_event(self, tx: Session, event: Event) -> list[Planned]:
        if isinstance(event, ButtonClicked) and event.action_id in (JOIN, VOTE):
            try:
                text = self._join(tx, event, "") if event.action_id == JOIN else self._vote(tx, event)
            except CommandError as exc:
                text = str(exc)
            return [Planned(Ephemeral(member=event.member, text=text), subject="challenge.answer")]
        if isinstance(event, ReplyPosted):
            entry = is_marked_submission(event.text)  # a cheap look at the text before any query
            row = store.by_announcement(tx, self.ctx.community, event.thread_ref) if entry is not None else None
            if row is None or entry is None:
                return []
            try:
                self._submit(tx, row, event.member, entry, event.at)
            except CommandError as exc:
                return [Planned(Ephemeral(member=event.member, text=str(exc)), subject="challenge.answer")]
            self.ctx.record(event, kind="submission", ritual=self.name, subject=f"challenge:{row.id}")
            return [Planned(React(channel=event.channel, message_ref=event.message_ref, text="white_check_mark"),
                            subject=f"challenge.marked:{row.id}")]
        return []

    def _join(self, tx: Session, event: Event, team: str) -> str:
        self._on()
        value = getattr(event, "value", "")
        row = store.challenge(tx, self.ctx.community, int(value)) if str(value).isdigit() else self._current(tx)
        if row is None or row.status != store.OPEN:
            raise CommandError("That challenge is not open for entries any more.")
        assert row.id is not None
        team = strip_markers(team).strip()[:40]
        if team and not row.teams:
            raise CommandError(f"*{row.title}* is for individuals; `/cop challenge join` without a team name.")
        found = store.entrant(tx, row.id, event.member)
        if found is not None and (not team or found.team == team):
            return f"You're already taking part in *{row.title}*."
        if found is None:
            store.save(tx, store.ChallengeEntrant(challenge_id=row.id, member=event.member, team=team,
                                                  joined_at=event.at))
        else:
            found.team = team
            store.save(tx, found)
        side = f" in team *{team}*" if team else ""
        return (f"You're in{side}! Send your entry with `/cop challenge submit <link or text>` before "
                f"{self._when(row.deadline)}.")

    def _current(self, tx: Session) -> store.Challenge | None:
        rows = store.challenges(tx, self.ctx.community, (store.OPEN,))
        return rows[-1] if rows else None

    def _submit(self, tx: Session, row: store.Challenge, member: str, text: str, now: datetime) -> str:
        assert row.id is not None
        text = strip_markers(text).strip()
        if not text:
            raise CommandError("Write your entry after the command: a link or a few words.")
        if len(text) > MAX_ENTRY:
            raise CommandError(f"Keep an entry under {MAX_ENTRY} characters (a link to the rest works well).")
        if row.status != store.OPEN or now >= utc(row.deadline):
            raise CommandError(f"Submissions for *{row.title}* closed {self._when(row.deadline)}.")
        entrant = store.entrant(tx, row.id, member)
        if entrant is None:
            entrant = store.ChallengeEntrant(challenge_id=row.id, member=member, joined_at=now)
            store.save(tx, entrant)
        existing = store.submission_of(tx, row.id, entrant.entry)
        if existing is None:
            store.save(tx, store.ChallengeSubmission(challenge_id=row.id, entry=entrant.entry, member=member,
                                                     text=text, submitted_at=now, updated_at=now))
            return f"Your entry to *{row.title}* is in. You can update it until {self._when(row.deadline)}."
        existing.text, existing.member, existing.updated_at = text, member, now
        store.save(tx, existing)
        return f"Updated your entry to *{row.title}*."

    def _vote(self, tx: Session, event: ButtonClicked) -> str:
        challenge_id, _, submission_id = event.value.partition(":")
        row = store.challenge(tx, self.ctx.community, int(challenge_id)) if challenge_id.isdigit() else None
        if row is None or row.id is None or row.status != store.VOTING or event.at >= utc(row.voting_ends):
            raise CommandError("Voting for that challenge is closed.")
        chosen = next((s for s in store.submissions(tx, row.id) if str(s.id) == submission_id), None)
        if chosen is None or chosen.id is None:
            raise CommandError("I can't find that entry any more.")
        mine = store.entrant(tx, row.id, event.member)
        if not may_vote(event.member, mine.team if mine else "", chosen.entry):
            raise CommandError("That's your own entry: vote for someone else's!")
        vote = store.vote_of(tx, row.id, event.member)
        if vote is None:
            store.save(tx, store.ChallengeVote(challenge_id=row.id, voter=event.member, submission_id=chosen.id,
                                               at=event.at))
            self.ctx.record(event, kind="button", ritual=self.name, subject=f"challenge:{row.id}")
            return f"Thank you, your vote is in. You can change it until {self._when(row.voting_ends)}."
        vote.submission_id, vote.at = chosen.id, event.at
        store.save(tx, vote)
        return "Changed your vote. One vote each, so this one replaces the other."

    # --- commands ----------------------------------------------------------------------------------

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("challenge", "start"), Role.FACILITATOR, "start a challenge", self._start,
                        usage='"title" --until YYYY-MM-DD [--teams] [--rules "..."] [--voting 3d]', min_args=1,
                        max_args=None),
            CommandSpec(("challenge", "join"), Role.MEMBER, "take part in the open challenge (optionally as a team)",
                        self._join_cmd, usage="[TEAM]", max_args=None),
            CommandSpec(("challenge", "submit"), Role.MEMBER, "send (or update) your entry", self._submit_cmd,
                        usage="<link or text>", min_args=1, max_args=None),
            CommandSpec(("challenge", "status"), Role.FACILITATOR, "entrants, entries and votes so far",
                        self._status),
            CommandSpec(("challenge", "close"), Role.FACILITATOR,
                        "end submissions now and open the vote (during the vote: close it and post the results)",
                        self._close_now),
        ]

    def _close_now(self, call: CommandCall) -> CommandResult:
        self._on()
        rows = store.challenges(call.tx, self.ctx.community, (store.OPEN, store.VOTING))
        if not rows:
            return CommandResult("No challenge is open or being voted on.")
        row = rows[-1]
        if row.status == store.OPEN:
            row.deadline = min(utc(row.deadline), call.now)
            row.voting_ends = row.deadline + self._on().voting_for
            planned = self._open_vote(call.tx, row, call.now)
            return CommandResult(f"Submissions for *{row.title}* are closed; voting is open until "
                                 f"{self._when(row.voting_ends)}.", planned)
        row.voting_ends = call.now
        return CommandResult(f"Voting for *{row.title}* is closed; the results are on their way.",
                             self._close(call.tx, row, call.now))

    def _start(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        today = utc(call.now).astimezone(self._zone).date()
        try:
            request = parse_start([strip_markers(a) for a in call.args], today)
        except Refused as exc:
            raise CommandError(str(exc)) from None
        deadline = utc(close_of(request.until, self.ctx.config.community.timezone))
        row = store.Challenge(community=self.ctx.community, key=f"chat:{call.event.platform}:{call.event.event_id}",
                              title=request.title, rules=request.rules, teams=request.teams, starts_at=call.now,
                              deadline=deadline, voting_ends=deadline + (request.voting or settings.voting_for),
                              created_by=call.event.member)
        store.add(call.tx, row)
        return CommandResult(f"The *{request.title}* challenge is on: announced now, submissions close "
                             f"{self._when(deadline)}.", [self._announce(row)])

    def _join_cmd(self, call: CommandCall) -> CommandResult:
        return CommandResult(self._join(call.tx, call.event, " ".join(call.args)))

    def _submit_cmd(self, call: CommandCall) -> CommandResult:
        self._on()
        row = self._current(call.tx)
        if row is None:
            raise CommandError("There is no challenge open for entries right now.")
        answer = self._submit(call.tx, row, call.event.member, " ".join(call.args), call.now)
        self.ctx.record(call.event, kind="submission", ritual=self.name, subject=f"challenge:{row.id}")
        return CommandResult(answer)

    def _status(self, call: CommandCall) -> CommandResult:
        self._on()
        rows = store.challenges(call.tx, self.ctx.community)
        if not rows:
            return CommandResult('No challenge yet. Start one with `/cop challenge start "title" --until YYYY-MM-DD`.')
        lines = []
        for row in rows[-3:]:
            assert row.id is not None
            entrants = store.entrants(call.tx, row.id)
            entries = store.submissions(call.tx, row.id)
            votes = store.votes(call.tx, row.id)
            step = {store.OPEN: f"open until {self._when(row.deadline)}",
                    store.VOTING: f"voting until {self._when(row.voting_ends)}", store.CLOSED: "closed"}[row.status]
            lines.append(f"*{row.title}* ({step}): {len(entrants)} taking part, {len(entries)} entries, "
                         f"{len(votes)} votes")
            for place, entry, count, _ in self._standings(call.tx, row)[:5]:
                lines.append(f"  {ordinal(place)} {self._entry_name(entry)}: {count}")
        return CommandResult("\n".join(lines))
