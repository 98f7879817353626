"""Mentorships that last: a mentee keeps their mentor for a term, with check-ins and two questions on the way.

Why a ritual of its own beside pairing: it matches with pairing's measure (the Hungarian matcher of
:mod:`rituals.matching`, the same "never pair" wishes and teams); what this ritual adds is time. Waiting mentees
are matched weekly with mentors who have a free place; each mentorship then gets a check-in every ``checkin_every``
(optional DMs), a mid-term and an end-of-term question (essential), and ends only when someone says "done" or "not
a fit", or the term runs out. After "not a fit" the mentee waits for a new match, never with that mentor again. The
rules of a term are :mod:`rituals.mentorship.decisions`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.actions import Button, Ephemeral, GroupMessage
from bot.commands import CommandError
from bot.configured_ritual import ConfiguredRitual
from bot.events import ButtonClicked, Event
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec, Upcoming
from bot.slots import next_slots
from bot.text import mention
from config.durations import format_duration
from config.mentorship import MentorshipConfig
from rituals.matching import Mentee, Mentor, match_mentors, parse_tags, tz_offset_hours
from rituals.mentorship.decisions import (
    ANSWERS,
    COMPLETED,
    KEEP,
    NOT_A_FIT,
    RENEW,
    Term,
    checkin_text,
    close_unanswered,
    completion,
    decide,
    intro_text,
    next_step,
    question_text,
    weeks,
)
from storage import mentorship as store
from storage import pairing as pairing_store
from storage import queries
from storage.models import Member
from storage.tags import decode_list, encode_list
from storage.times import utc

CHECK = "mentorship.check"
CHECK_CRON = "0 10 * * *"
"""Once a day (10:00, community time) the bot looks at every mentorship; DMs then wait for each member's day."""
ANSWER = "mentorship.answer"
MET = "mentorship.met"
MAX_SKILLS = 10


def _term(row: store.Mentorship) -> Term:
    return Term(utc(row.started_at), utc(row.term_started_at), utc(row.term_ends_at),
                utc(row.last_checkin_at) if row.last_checkin_at else None,
                utc(row.mid_asked_at) if row.mid_asked_at else None,
                utc(row.end_asked_at) if row.end_asked_at else None)  # fmt: skip


class MentorshipRitual(ConfiguredRitual[MentorshipConfig]):
    """Matches waiting mentees, keeps each mentorship going for its term, and knows how each one ended."""

    name = "mentorship"
    help_topic = "Pairing"
    section = "mentorship"
    title = "Mentorship"

    def schedules(self) -> list[ScheduleSpec]:
        settings = self.settings
        assert settings is not None
        return [
            ScheduleSpec("mentorship", settings.schedule.cron, settings.schedule.grace),
            ScheduleSpec(CHECK, CHECK_CRON, timedelta(days=1)),
        ]

    def upcoming(self, now: datetime, count: int = 3) -> list[Upcoming]:
        """Matching times, not the daily look at each mentorship."""
        settings = self.settings
        assert settings is not None
        times = tuple(next_slots(settings.schedule.cron, self.ctx.config.community.timezone, now, count))
        note = (f"terms of {weeks(settings.term)}, a check-in every {format_duration(settings.checkin_every)}, "
                "questions halfway and at the end")  # fmt: skip
        return [Upcoming("mentee matching", times, note)]

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        return self._check(tx, slot) if schedule == CHECK else self._match(tx, slot)

    # --- matching ------------------------------------------------------------------------------------------

    def _mentors(self, tx: Session) -> dict[str, tuple[int, frozenset[str]]]:
        """Who mentors: community.yaml's list, with what members said in chat on top (capacity, skills)."""
        settings = self._on()
        found = {m.member: (m.capacity, frozenset(m.skills)) for m in settings.mentors}
        for key, offer in store.offers(tx, self.ctx.community).items():
            skills = frozenset(decode_list(offer.skills)) or found.get(key, (0, frozenset()))[1]
            found[key] = (offer.capacity, skills)
        return found

    def _match(self, tx: Session, now: datetime) -> list[Planned]:
        settings = self._on()
        community = self.ctx.community
        requests = list(store.open_requests(tx, community))
        if not requests:
            return []
        members = queries.members_by_key(tx, community, {r.mentee for r in requests} | set(self._mentors(tx)))
        active = store.mentorships(tx, community, "active")
        busy_mentee = {m.mentee for m in active}
        load: dict[str, int] = {}
        for row in active:
            load[row.mentor] = load.get(row.mentor, 0) + 1

        def here(key: str) -> bool:
            """Not known to have left. A member who was on Slack or Discord before the bot came has no row of
            their own (no join was seen), yet offering or asking in chat shows they are here."""
            return key not in members or members[key].left_at is None

        def zone(key: str) -> float | None:
            return tz_offset_hours(members[key].tz, now) if key in members else None

        mentors = [
            Mentor(key, zone(key), skills, capacity - load.get(key, 0))
            for key, (capacity, skills) in self._mentors(tx).items()
            if here(key) and capacity - load.get(key, 0) > 0
        ]
        waiting = {r.mentee: r for r in requests if here(r.mentee) and r.mentee not in busy_mentee}
        mentees = [Mentee(k, zone(k), frozenset(decode_list(r.skills))) for k, r in waiting.items()]
        blocked = self._blocked(tx, [*waiting, *(m.key for m in mentors)], members)
        result = match_mentors(mentees, mentors, blocked=blocked)
        planned = []
        name = self.ctx.config.community.name
        for mentee, mentor in sorted(result.assignments.items()):
            request = waiting[mentee]
            row = store.add_mentorship(tx, store.Mentorship(
                community=community, mentor=mentor, mentee=mentee, skills=request.skills, started_at=now,
                term_started_at=now, term_ends_at=now + settings.term))  # fmt: skip
            request.status, request.mentorship_id = "matched", row.id
            tx.add(request)
            text = intro_text(name, mention(mentor), mention(mentee), decode_list(request.skills), settings.term)
            planned.append(Planned(GroupMessage(members=(mentor, mentee), text=text), subject=f"mentorship:{row.id}"))
        return planned

    def _blocked(self, tx: Session, keys: list[str], members: dict[str, Member]) -> set[frozenset[str]]:
        """Pairs never matched: "never pair" wishes, the same team, and mentorships that were not a fit."""
        settings = self._on()
        community = self.ctx.community
        pairing = self.ctx.config.rituals.pairing
        blocked = pairing_store.never_pairs(tx, community) | (pairing.never_pairs() if pairing else set())
        blocked |= {frozenset((m.mentor, m.mentee)) for m in store.mentorships(tx, community, NOT_A_FIT)}
        if settings.exclude_same_team:
            teams = {k: self.ctx.config.team_of(k, members[k].team if k in members else None) for k in keys}
            by_team: dict[str, list[str]] = {}
            for key, team in teams.items():
                if team:
                    by_team.setdefault(team, []).append(key)
            blocked |= {frozenset((a, b)) for same in by_team.values() for a in same for b in same if a != b}
        return blocked

    # --- a term ----------------------------------------------------------------------------------------------

    def _check(self, tx: Session, now: datetime) -> list[Planned]:
        settings = self._on()
        planned: list[Planned] = []
        for row in store.mentorships(tx, self.ctx.community, "active"):
            step = next_step(_term(row), now, settings.checkin_every, settings.answer_within)
            pair = (row.mentor, row.mentee)
            if step == "checkin":
                row.last_checkin_at = now
                buttons: tuple[Button, ...] = (Button("We met", MET, str(row.id)),)
                text = checkin_text(utc(row.term_ends_at) - now)
                planned.append(Planned(GroupMessage(members=pair, text=text, buttons=buttons),
                                       subject=f"mentorship:{row.id}", optional=True))  # fmt: skip
            elif step in ("mid", "end"):
                if step == "mid":
                    row.mid_asked_at = now
                else:
                    row.end_asked_at = now
                buttons = tuple(Button(label.capitalize(), ANSWER, f"{row.id}:{row.terms}:{step}:{answer}")
                                for answer, label in ANSWERS.items())  # fmt: skip
                planned.append(Planned(GroupMessage(members=pair, text=question_text(step), buttons=buttons),
                                       subject=f"mentorship:{row.id}"))  # fmt: skip
            elif step == "close":
                self._apply(tx, row, close_unanswered(store.answers(tx, row.id or 0, row.terms, "end")), now,
                            "nobody answered the end-of-term question")  # fmt: skip
            tx.add(row)
        return planned

    def _apply(self, tx: Session, row: store.Mentorship, outcome: str | None, now: datetime, why: str) -> list[Planned]:
        """Carry out what the answers decided; returns what to tell them."""
        settings = self._on()
        if outcome == RENEW:
            row.term_started_at = row.term_ends_at
            row.term_ends_at = utc(row.term_ends_at) + settings.term
            row.terms += 1
            row.mid_asked_at = row.end_asked_at = None  # the new term asks its own questions
            row.last_checkin_at = now
            tx.add(row)
            text = f"Lovely: your mentorship carries on for another {round(settings.term / timedelta(weeks=1))} weeks."
            return [Planned(GroupMessage(members=(row.mentor, row.mentee), text=text), subject=f"mentorship:{row.id}")]
        if outcome not in (COMPLETED, NOT_A_FIT):
            return []
        row.status, row.ended_at, row.end_reason = outcome, now, why
        tx.add(row)
        if outcome == COMPLETED:
            text = "Your mentorship is complete. Thank you both for the time you gave it!"
            return [Planned(GroupMessage(members=(row.mentor, row.mentee), text=text), subject=f"mentorship:{row.id}")]
        store.add_request(tx, store.MentorRequest(community=row.community, mentee=row.mentee, skills=row.skills,
                                                  requested_at=now))  # fmt: skip
        text = ("Thank you for saying so: this mentorship ends here. No hard feelings; "
                f"I will look for another mentor for {mention(row.mentee)}.")  # fmt: skip
        return [Planned(GroupMessage(members=(row.mentor, row.mentee), text=text), subject=f"mentorship:{row.id}")]

    def on_event(self, tx: Session, event: Event) -> list[Planned]:
        if not isinstance(event, ButtonClicked) or event.action_id not in (ANSWER, MET) or not self.enabled():
            return []
        try:
            parts = event.value.split(":")
            row = store.mentorship(tx, self.ctx.community, int(parts[0]))
        except ValueError:
            return []
        if row is None or event.member not in (row.mentor, row.mentee):
            return []
        if event.action_id == MET:
            when = utc(row.last_checkin_at or row.started_at).isoformat()
            for key in (row.mentor, row.mentee):
                self.ctx.record_fact(member=key, kind="met", ritual=self.name, subject=f"mentorship:{row.id}",
                                     key=f"{row.id}:{when}:{key}", at=event.at)  # fmt: skip
            return [Planned(Ephemeral(member=event.member, text="Noted that you met. Thank you!"))]
        if len(parts) != 4 or row.status != "active" or parts[1] != str(row.terms):
            return [Planned(Ephemeral(member=event.member, text="That question has been settled already."))]
        stage, answer = parts[2], parts[3]
        if answer not in ANSWERS or not store.answer(tx, store.MentorshipAnswer(
                mentorship_id=row.id or 0, term=row.terms, stage=stage, member=event.member, answer=answer,
                at=event.at)):  # fmt: skip
            return [Planned(Ephemeral(member=event.member, text="You have answered this one already. Thank you!"))]
        outcome = decide(stage, store.answers(tx, row.id or 0, row.terms, stage), (row.mentor, row.mentee))
        told = self._apply(tx, row, outcome, event.at, f"{ANSWERS[answer]} ({stage}-term)")
        thanks = "Thank you! Noted." if answer == KEEP and outcome is None else "Thank you for telling me."
        return [Planned(Ephemeral(member=event.member, text=thanks)), *told]

    # --- commands --------------------------------------------------------------------------------------------

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("mentor", "request"), Role.MEMBER, "ask for a mentor for these topics (none to stop)",
                        self._request, usage="topic,topic", min_args=1, max_args=None),
            CommandSpec(("mentor", "offer"), Role.MEMBER, "offer to mentor on these topics (none to stop)",
                        self._offer, usage="topic,topic", min_args=1, max_args=None),
            CommandSpec(("mentor", "capacity"), Role.MEMBER, "how many mentees you take at once (0: no new ones)",
                        self._capacity, usage="N", min_args=1, max_args=1),
            CommandSpec(("mentor", "status"), Role.MEMBER, "your mentorships and requests", self._status),
            CommandSpec(("mentor", "list"), Role.FACILITATOR, "every mentorship, and how many completed",
                        self._list),
            CommandSpec(("mentor", "match"), Role.FACILITATOR, "match waiting mentees now", self._match_now),
        ]  # fmt: skip

    def _skills(self, call: CommandCall) -> list[str] | None:
        text = " ".join(call.args)
        if text.strip().lower() in ("none", "stop", "-"):
            return None
        tags = parse_tags(text)
        if not tags or len(tags) > MAX_SKILLS or any(len(t) > 40 for t in tags):
            raise CommandError(f"Write up to {MAX_SKILLS} short topics separated by commas, "
                               "e.g. `/cop mentor request kubernetes,terraform`.")
        return tags

    def _request(self, call: CommandCall) -> CommandResult:
        self._on()
        community, member = self.ctx.community, call.event.member
        tags = self._skills(call)
        current = store.open_request_of(call.tx, community, member)
        if tags is None:
            if current is not None:
                current.status = "withdrawn"
                call.tx.add(current)
            return CommandResult("Done: you are not waiting for a mentor any more.")
        if any(m.mentee == member and m.status == "active" for m in store.of_member(call.tx, community, member)):
            return CommandResult("You already have a mentor. `/cop mentor status` shows your mentorship.")
        if current is not None:
            current.skills = encode_list(tags)
            call.tx.add(current)
        else:
            request = store.MentorRequest(community=community, mentee=member, skills=encode_list(tags),
                                          requested_at=call.now)  # fmt: skip
            store.add_request(call.tx, request)
        return CommandResult(f"Noted: you would like a mentor for {', '.join(tags)}. "
                             "I match waiting mentees once a week; a mentorship then runs for a term.")  # fmt: skip

    def _offer(self, call: CommandCall) -> CommandResult:
        self._on()
        tags = self._skills(call)
        if tags is None:
            store.set_offer(call.tx, self.ctx.community, call.event.member, call.now, capacity=0)
            return CommandResult("Done: no new mentees for you. Your current mentorships carry on.")
        offer = store.set_offer(call.tx, self.ctx.community, call.event.member, call.now, skills=encode_list(tags))
        if offer.capacity == 0:
            offer.capacity = 1
        return CommandResult(f"Thank you! You mentor on {', '.join(tags)}, up to {offer.capacity} mentee"
                             f"{'s' if offer.capacity != 1 else ''} at once (`/cop mentor capacity N` to change).")

    def _capacity(self, call: CommandCall) -> CommandResult:
        self._on()
        try:
            capacity = int(call.args[0])
        except ValueError:
            capacity = -1
        if not 0 <= capacity <= 20:
            raise CommandError("Give a number from 0 to 20, e.g. `/cop mentor capacity 2` (0: no new mentees).")
        store.set_offer(call.tx, self.ctx.community, call.event.member, call.now, capacity=capacity)
        return CommandResult(f"Noted: up to {capacity} mentee{'s' if capacity != 1 else ''} at once."
                             if capacity else "Noted: no new mentees for now; current mentorships carry on.")

    def _status(self, call: CommandCall) -> CommandResult:
        self._on()
        community, member = self.ctx.community, call.event.member
        names = {m.key: m.name for m in queries.members(call.tx, community, active_only=False)}
        lines = []
        for row in store.of_member(call.tx, community, member):
            other = row.mentee if row.mentor == member else row.mentor
            role = "mentoring" if row.mentor == member else "mentored by"
            state = (f"until {utc(row.term_ends_at):%Y-%m-%d}" if row.status == "active"
                     else f"{row.status.replace('_', ' ')} {utc(row.ended_at or row.term_ends_at):%Y-%m-%d}")
            lines.append(f"• {role} {names.get(other, other)} ({state})")
        waiting = store.open_request_of(call.tx, community, member)
        if waiting is not None:
            lines.append(f"• waiting for a mentor for {', '.join(decode_list(waiting.skills)) or 'anything'}")
        return CommandResult("\n".join(["*Your mentorships*", *lines]) if lines else
                             "No mentorship yet. `/cop mentor request kubernetes` asks for a mentor.")  # fmt: skip

    def _list(self, call: CommandCall) -> CommandResult:
        self._on()
        rows = store.mentorships(call.tx, self.ctx.community)
        names = {m.key: m.name for m in queries.members(call.tx, self.ctx.community, active_only=False)}
        done, ended = completion(r.status for r in rows)
        waiting = len(store.open_requests(call.tx, self.ctx.community))
        rate = f"{done}/{ended} completed ({round(100 * done / ended)}%)" if ended else "none ended yet"
        lines = [f"*Mentorships*: {sum(r.status == 'active' for r in rows)} active, {rate}; {waiting} waiting."]
        lines += [f"• {names.get(r.mentor, r.mentor)} → {names.get(r.mentee, r.mentee)}: {r.status.replace('_', ' ')}"
                  f" (term {r.terms}, until {utc(r.term_ends_at):%Y-%m-%d})" for r in rows[-20:]]  # fmt: skip
        return CommandResult("\n".join(lines))

    def _match_now(self, call: CommandCall) -> CommandResult:
        planned = self._match(call.tx, call.now)
        return CommandResult(f"Matched {len(planned)} mentee{'s' if len(planned) != 1 else ''}.", planned)


def mentorship_completion(tx: Session, community: str) -> tuple[int, int, int]:
    """(completed, ended, active) over every mentorship, for the reports."""
    rows = store.mentorships(tx, community)
    done, ended = completion(r.status for r in rows)
    return done, ended, sum(1 for r in rows if r.status == "active")

