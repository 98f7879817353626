"""Pairing: peer "coffee" groups and mentorship matches each cycle, an introduction per group, a "did you meet?".

The decisions (who is eligible, who meets whom) are the pure functions of :mod:`rituals.pairing.decisions`;
this module reads members, preferences and past cycles from storage, calls them, stores the cycle with its
groups and left-out members, and returns one introduction per group. A second schedule,
``pairing.followup``, asks each group ``followup_after`` later whether they met; the answer is stored once
and counts as participation (kind ``met``) for every member of the group.

Cycles every 2 or 4 weeks: a 5-field crontab cannot say "every other Monday", so the schedule fires weekly
and a slot whose week is not on the ``every_weeks`` stride (counted from ``anchor``) does nothing and stores
nothing. ``/cop pair now`` always runs, once: a repeat within ``REPEAT_WINDOW`` of a manual cycle joins it.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.actions import Button, Ephemeral, GroupMessage
from bot.commands import CommandError, read_date
from bot.configured_ritual import ConfiguredRitual
from bot.events import ButtonClicked, Event
from bot.member_lookup import resolve
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec, Upcoming
from bot.slots import next_slots
from bot.text import echo, mention
from config.durations import format_duration
from config.pairing import PairingConfig
from rituals.matching import Mentee, Mentor, match_mentors, parse_tags, tz_offset_hours
from rituals.pairing.decisions import Candidate, PairingPrefs, PoolMember, make_peer_groups, pairing_ineligibility
from storage import pairing as store
from storage import queries
from storage.models import Member
from storage.onboarding import acknowledged_members
from storage.tags import decode_list, encode_list
from storage.times import utc

log = logging.getLogger("copbot.pairing")

FOLLOWUP_CRON = "0 * * * *"
"""The follow-up check runs hourly; each cycle's question goes out at the first check after it is due."""

LOOKAHEAD_SLOTS = 64
"""Schedule slots scanned for the next cycle starts: more than a year of weekly slots at every_weeks 4."""

REPEAT_WINDOW = timedelta(minutes=10)
"""A ``/cop pair now`` this soon after the last manual cycle started is the same request again (a platform's
retry, a second click): it joins that cycle instead of introducing everyone a second time."""

HISTORY_SHOWN = 6
"""Cycles summarised in the meet-rate line of ``/cop pairing status``."""

MET = "pairing.met"
SKIPPED = "pairing.skipped"
MAX_GOALS = 10


def interests_of(member: Member) -> frozenset[str]:
    return frozenset(decode_list(member.interests))


def names_list(parts: Sequence[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def peer_intro(community: str, members: Sequence[str], shared: Sequence[str], topic: str) -> str:
    who = names_list([mention(m) for m in members])
    together = "the three of you" if len(members) == 3 else "you"
    lines = [
        f"Hello {who}! You are paired for this cycle of {community}'s coffee chats. "
        f"Find half an hour in the next few days that suits {together}: a call, a walk, a coffee."
    ]
    if shared:
        lines.append(f"Something in common: {', '.join(shared)}.")
    if topic:
        lines.append(f"A first topic, if you want one: {topic}")
    return "\n".join(lines)


def mentor_intro(community: str, mentor: str, mentee: str, goals: Sequence[str], topic: str) -> str:
    wants = f" would like to learn about {', '.join(goals)}" if goals else " would like a mentor"
    lines = [
        f"Hello {mention(mentor)} and {mention(mentee)}! In {community}'s mentorship this cycle, "
        f"{mention(mentor)} is mentoring {mention(mentee)}, who{wants}. "
        "Take half an hour to get to know each other and agree how you want to work together."
    ]
    if topic:
        lines.append(f"A first topic, if you want one: {topic}")
    return "\n".join(lines)


FOLLOWUP_TEXT = "Did you manage to meet this cycle? One click from any of you is enough. Thank you!"


class PairingRitual(ConfiguredRitual[PairingConfig]):
    """Runs pairing cycles, introduces each group, asks whether they met and shows who did."""

    name = "pairing"
    section = "pairing"

    title = "Pairing"

    def schedules(self) -> list[ScheduleSpec]:
        settings = self.settings
        assert settings is not None
        return [
            ScheduleSpec("pairing", settings.schedule.cron, settings.schedule.grace),
            ScheduleSpec("pairing.followup", FOLLOWUP_CRON, timedelta(days=2)),
        ]

    def upcoming(self, now: datetime, count: int = 3) -> list[Upcoming]:
        """Cycle starts (schedule slots on the every_weeks stride), not the hourly "did you meet?" check."""
        settings = self.settings
        assert settings is not None
        slots = next_slots(settings.schedule.cron, self.ctx.config.community.timezone, now, LOOKAHEAD_SLOTS)
        starts = [slot for slot in slots if settings.cycle_week(self._local_date(slot))][:count]
        stride = "every week" if settings.every_weeks == 1 else f"every {settings.every_weeks} weeks"
        note = f'{settings.mode}, {stride}; "did you meet?" {format_duration(settings.followup_after)} after each start'
        return [Upcoming("pairing cycles", tuple(starts), note)]

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        settings = self.settings
        if settings is None:
            return []
        if schedule == "pairing.followup":
            return self._followups(tx, slot)
        if not settings.cycle_week(self._local_date(slot)):
            return []  # not on the every_weeks stride: nothing happens, nothing is stored
        return self._run_cycle(tx, slot, source="schedule", started_by="")

    def idle_until(self, tx: Session, schedule: str, after: datetime) -> datetime | None:
        """The hourly "did you meet?" check sleeps until the next cycle's follow-up falls due (a new cycle,
        scheduled or by command, makes the runtime forget this)."""
        if schedule != "pairing.followup":
            return None
        return store.next_followup_due(tx, self.ctx.community, after) or after + timedelta(days=365)

    def _local_date(self, at: datetime) -> date:
        return at.astimezone(ZoneInfo(self.ctx.config.community.timezone)).date()

    # --- a cycle ------------------------------------------------------------------------------------------

    def _run_cycle(self, tx: Session, slot: datetime, *, source: str, started_by: str) -> list[Planned]:
        """Read, decide, then write: everything is worked out before the first write, so on SQLite the database
        stays open to the rest of the bot while 10,000 members are paired (the write lock is taken last)."""
        settings = self.settings
        assert settings is not None
        community = self.ctx.community
        if store.cycle_at(tx, community, slot) is not None:
            return []
        today = self._local_date(slot)
        members = {m.key: m for m in queries.members(tx, community)}
        stored_prefs = store.prefs(tx, community)
        prefs = {p.member: PairingPrefs(p.member, p.opted_in, p.paused_until) for p in stored_prefs}
        goals = {p.member: list(decode_list(p.goals)) for p in stored_prefs if p.goals}
        # the onboarding ritual stores acknowledgements; one query for everyone, not one per member
        acknowledged = acknowledged_members(tx, community) if settings.require_ground_rules_ack else set()
        why_not: dict[str, str | None] = {
            key: pairing_ineligibility(
                PoolMember(key, acknowledged_ground_rules=key in acknowledged),
                prefs.get(key),
                today,
                default_opted_in=settings.new_members_start == "in",
                require_ground_rules=settings.require_ground_rules_ack,
            )
            for key in members
        }
        past = list(store.cycles(tx, community))
        past_groups = store.groups(tx, community, [c.id for c in past if c.id is not None])
        number = len(past)
        topics = settings.topics
        name = self.ctx.config.community.name

        def history(kind: str) -> list[list[tuple[str, ...]]]:
            by_cycle: dict[int, list[tuple[str, ...]]] = {c.id: [] for c in past if c.id is not None}
            for g in past_groups:
                if g.kind == kind:
                    by_cycle[g.cycle_id].append(g.member_keys())
            return [by_cycle[c.id] for c in past if c.id is not None and c.mode in (kind, "both")]

        def topic(index: int) -> str:
            return topics[(number + index) % len(topics)] if topics else ""

        left: list[tuple[str, str, str]] = []  # (kind, member, reason)
        peer_groups: list[tuple[Sequence[str], str]] = []
        if settings.mode in ("peer", "both"):
            left += [("peer", key, reason) for key, reason in why_not.items() if reason is not None]
            candidates = [
                Candidate(key, tz_offset_hours(m.tz, slot), interests_of(m), self.ctx.config.team_of(key, m.team))
                for key, m in members.items()
                if why_not[key] is None
            ]
            result = make_peer_groups(
                candidates,
                history("peer"),
                group_size=settings.group_size,
                avoid_repeat_cycles=settings.avoid_repeat_cycles,
                never_pair=settings.never_pairs() | store.never_pairs(tx, community),
                exclude_same_team=settings.exclude_same_team,
                seed=zlib.crc32(slot.isoformat().encode()),
            )
            peer_groups = [(keys, topic(index)) for index, keys in enumerate(result.groups)]
            left += [("peer", key, reason) for key, reason in result.left_out.items()]
        mentorship: list[tuple[Sequence[str], str]] = []
        wanted: dict[str, list[str]] = {}
        lasting = self.ctx.config.rituals.mentorship
        if settings.mode in ("mentorship", "both") and not (lasting and lasting.enabled):  # else: terms, not cycles
            pairs, wanted, not_matched = self._mentorship(slot, members, why_not, goals, history("mentorship"))
            mentorship = [((mentor, mentee), topic(len(peer_groups) + index))
                          for index, (mentee, mentor) in enumerate(pairs)]  # fmt: skip
            left += not_matched

        # --- the writes, all together at the end
        cycle = store.add_cycle(
            tx,
            store.PairingCycle(
                community=community,
                slot=slot,
                mode=settings.mode,
                source=source,
                started_by=started_by,
                followup_due_at=slot + settings.followup_after,
            ),
        )
        assert cycle.id is not None
        for kind, key, reason in left:
            store.add_left_out(tx, community, cycle.id, kind, key, reason)
        planned: list[Planned] = []
        for group, (keys, chosen) in zip(store.add_groups(tx, community, cycle.id, "peer", peer_groups), peer_groups,
                                         strict=True):  # fmt: skip
            shared = sorted(frozenset.intersection(*(interests_of(members[k]) for k in keys)))
            planned.append(Planned(GroupMessage(members=tuple(keys), text=peer_intro(name, keys, shared, chosen)),
                                   subject=f"pairing.group:{group.id}"))  # fmt: skip
        for group, ((mentor, mentee), chosen) in zip(
            store.add_groups(tx, community, cycle.id, "mentorship", mentorship), mentorship, strict=True
        ):
            text = mentor_intro(name, mentor, mentee, wanted.get(mentee, []), chosen)
            planned.append(Planned(GroupMessage(members=(mentor, mentee), text=text),
                                   subject=f"pairing.group:{group.id}"))  # fmt: skip
        return planned

    def _mentorship(
        self,
        slot: datetime,
        members: dict[str, Member],
        why_not: dict[str, str | None],
        stated_goals: dict[str, list[str]],
        history: list[list[tuple[str, ...]]],
    ) -> tuple[list[tuple[str, str]], dict[str, list[str]], list[tuple[str, str, str]]]:
        """Who mentors whom this cycle: ((mentee, mentor) pairs in order, each mentee's goals, who is left out
        and why). Decides only; the caller writes."""
        settings = self.settings
        assert settings is not None
        left: list[tuple[str, str, str]] = []
        mentors: list[Mentor] = []
        for spec in settings.mentors:
            if spec.member not in members:
                continue  # not (or no longer) a member: offers nothing this cycle
            if why_not[spec.member] is not None:
                left.append(("mentorship", spec.member, str(why_not[spec.member])))
                continue
            mentors.append(
                Mentor(
                    spec.member, tz_offset_hours(members[spec.member].tz, slot), frozenset(spec.skills), spec.capacity
                )
            )
        mentor_keys = {s.member for s in settings.mentors}
        wanted: dict[str, list[str]] = {s.member: list(s.goals) for s in settings.mentees}
        for key, tags in stated_goals.items():
            wanted[key] = sorted(set(wanted.get(key, [])) | set(tags))
        mentees: list[Mentee] = []
        for key, tags in sorted(wanted.items()):
            if key not in members or key in mentor_keys:
                continue
            if why_not[key] is not None:
                left.append(("mentorship", key, str(why_not[key])))
                continue
            mentees.append(Mentee(key, tz_offset_hours(members[key].tz, slot), frozenset(tags)))
        result = match_mentors(mentees, mentors, history, avoid_repeat_cycles=settings.avoid_repeat_cycles)
        left += [("mentorship", key, reason) for key, reason in result.unmatched.items()]
        return sorted(result.assignments.items()), wanted, left

    # --- "did you meet?" ----------------------------------------------------------------------------------

    def _followups(self, tx: Session, now: datetime) -> list[Planned]:
        community = self.ctx.community
        planned: list[Planned] = []
        for cycle in store.followups_due(tx, community, now):
            assert cycle.id is not None
            for group in store.groups(tx, community, [cycle.id]):
                if group.answer is not None:
                    continue  # they told us already (e.g. /cop pairing met)
                buttons = (Button("We met", MET, str(group.id)), Button("Not this time", SKIPPED, str(group.id)))
                planned.append(
                    Planned(
                        GroupMessage(members=group.member_keys(), text=FOLLOWUP_TEXT, buttons=buttons),
                        subject=f"pairing.followup:{group.id}",
                        optional=True,  # a check-in: members who said "not now" are not asked
                    )
                )
            store.mark_followup_sent(tx, cycle, now)
        return planned

    def on_event(self, tx: Session, event: Event) -> list[Planned]:
        if not isinstance(event, ButtonClicked) or event.action_id not in (MET, SKIPPED):
            return []
        try:
            group = store.group(tx, self.ctx.community, int(event.value))
        except ValueError:
            return []
        if group is None or event.member not in group.member_keys():
            return []
        answer = "met" if event.action_id == MET else "skipped"
        if not self._answer(tx, group, answer, event, event.at):
            return []
        text = "Lovely, noted that you met. Thank you!" if answer == "met" else "Noted. There is always next cycle!"
        return [Planned(Ephemeral(member=event.member, text=text), subject=f"pairing.answer:{group.id}")]

    def _answer(self, tx: Session, group: store.PairingGroup, answer: str, event: Event, at: datetime) -> bool:
        """Store the group's answer; a meeting is every member's activity (the one who answered, by that answer:
        their press or command, so it counts once)."""
        if not store.answer_group(tx, group, answer, event.member, at):
            return False
        if answer == "met":
            subject = f"pairing.group:{group.id}"
            for key in group.member_keys():
                if key == event.member:
                    self.ctx.record(event, kind="met", ritual=self.name, subject=subject)
                else:
                    self.ctx.record_fact(member=key, kind="met", ritual=self.name, subject=subject,
                                         key=f"{group.id}:{key}", at=at)
        return True

    # --- commands -----------------------------------------------------------------------------------------

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("pair", "now"), Role.FACILITATOR, "start a pairing cycle now", self._pair_now, fans_out=True),
            CommandSpec(("pairing", "join"), Role.MEMBER, "take part in pairing", self._join),
            CommandSpec(("pairing", "leave"), Role.MEMBER, "stop being paired", self._leave),
            CommandSpec(("optout", "pairing"), Role.MEMBER, "stop being paired (same as pairing leave)", self._leave),
            CommandSpec(
                ("pairing", "pause"),
                Role.MEMBER,
                "skip pairing until a date; you come back by yourself",
                self._pause,
                usage="YYYY-MM-DD",
                min_args=1,
                max_args=1,
            ),
            CommandSpec(("pairing", "met"), Role.MEMBER, "tell me you met your latest pairing group", self._met),
            CommandSpec(("pairing", "never"), Role.MEMBER, "never pair me with this member (only you see this)",
                        self._never, usage="@member", min_args=1, max_args=1),
            CommandSpec(
                ("pairing", "status"),
                Role.FACILITATOR,
                "who was matched, who was left out and why, who met (latest cycle, or cycle number N or of a date)",
                self._status,
                usage="[N|YYYY-MM-DD]",
                max_args=1,
            ),
            CommandSpec(
                ("mentee", "goals"),
                Role.MEMBER,
                "ask for a mentor for these topics (none to stop)",
                self._goals,
                usage="topic,topic",
                min_args=1,
                max_args=None,
            ),
        ]

    def _pair_now(self, call: CommandCall) -> CommandResult:
        self._on()
        if store.cycle_at(call.tx, self.ctx.community, call.now) is not None:
            return CommandResult("A pairing cycle already started at this very moment.")
        latest = store.latest_cycle(call.tx, self.ctx.community)
        if latest is not None and latest.source == "manual" and call.now - utc(latest.slot) < REPEAT_WINDOW:
            # a retried or repeated trigger (Slack resends, a second click): the cycle just started is the one
            ago = max(1, int((call.now - utc(latest.slot)).total_seconds() // 60))
            return CommandResult(
                f"A pairing cycle started {ago} minute{'s' if ago != 1 else ''} ago"
                f"{' (by ' + mention(latest.started_by) + ')' if latest.started_by else ''}; that is the one: "
                "nobody is introduced twice. `/cop pairing status` shows it."
            )
        planned = self._run_cycle(call.tx, call.now, source="manual", started_by=call.event.member)
        if not planned:
            return CommandResult("I started a cycle, but nobody could be grouped (see `/cop pairing status` for why).")
        n = len(planned)
        return CommandResult(f"Started a pairing cycle: {n} group{'s' if n != 1 else ''} introduced.", planned)

    def _join(self, call: CommandCall) -> CommandResult:
        self._on()
        store.set_pref(call.tx, self.ctx.community, call.event.member, call.now, opted_in=True, paused_until=None)
        return CommandResult("You are in! You will be paired from the next cycle.")

    def _leave(self, call: CommandCall) -> CommandResult:
        store.set_pref(call.tx, self.ctx.community, call.event.member, call.now, opted_in=False)
        return CommandResult("Done: you will not be paired. Come back any time with `/cop pairing join`.")

    def _pause(self, call: CommandCall) -> CommandResult:
        self._on()
        until = read_date(call.args[0], "/cop pairing pause 2026-12-31")
        today = self._local_date(call.now)
        if until <= today:
            raise CommandError(
                f"{until.isoformat()} is not in the future. Pick a later date, or use `/cop pairing leave`."
            )
        store.set_pref(call.tx, self.ctx.community, call.event.member, call.now, paused_until=until)
        return CommandResult(
            f"Paused until {until.isoformat()}: from that day you are back in the pairing by yourself."
        )

    def _met(self, call: CommandCall) -> CommandResult:
        group = store.latest_group_of(call.tx, self.ctx.community, call.event.member)
        if group is None:
            return CommandResult("You have not been in a pairing group yet.")
        if group.answer == "met":
            return CommandResult("Already noted that you met. Thank you!")
        self._answer(call.tx, group, "met", call.event, call.now)
        return CommandResult("Lovely, noted that you met. Thank you!")

    def _never(self, call: CommandCall) -> CommandResult:
        """A private wish: kept from everyone, it holds both ways, for coffee pairs and mentorships alike."""
        other = resolve(call.tx, self.ctx.community, call.args[0], "/cop pairing never @member")
        if other.key == call.event.member:
            raise CommandError("That is you! Name someone else, e.g. `/cop pairing never @member`.")
        store.add_never(call.tx, self.ctx.community, call.event.member, other.key, call.now)
        return CommandResult(f"Noted, privately: you will never be paired with {other.name}. Nobody else is told.")

    def _goals(self, call: CommandCall) -> CommandResult:
        self._on()
        text = " ".join(call.args)
        if text.strip().lower() in ("none", "stop", "-"):
            store.set_pref(call.tx, self.ctx.community, call.event.member, call.now, goals="")
            return CommandResult("Done: you are no longer asking for a mentor.")
        tags = parse_tags(text)
        if not tags or len(tags) > MAX_GOALS or any(len(t) > 40 for t in tags):
            raise CommandError(
                f"Write up to {MAX_GOALS} short topics separated by commas, e.g. `/cop mentee goals k8s,terraform`."
            )
        store.set_pref(call.tx, self.ctx.community, call.event.member, call.now, goals=encode_list(tags))
        return CommandResult(
            f"Noted: you would like a mentor for {', '.join(tags)}. I will look for one at the next cycle."
        )

    def _status(self, call: CommandCall) -> CommandResult:
        community = self.ctx.community
        cycles = [c for c in store.cycles(call.tx, community) if c.id is not None]
        if not cycles:
            return CommandResult("No pairing cycle yet. Start one with `/cop pair now`.")
        number = self._chosen_cycle(cycles, call.args[0].strip() if call.args else "")
        cycle = cycles[number - 1]
        assert cycle.id is not None
        names = {m.key: m.name for m in queries.members(call.tx, community, active_only=False)}

        def who(key: str) -> str:
            return names.get(key, key)

        recent = cycles[max(0, len(cycles) - HISTORY_SHOWN) :]
        shown_ids = {c.id for c in recent} | {cycle.id}
        by_cycle: dict[int, list[store.PairingGroup]] = {i: [] for i in shown_ids if i is not None}
        for g in store.groups(call.tx, community, sorted(by_cycle)):
            by_cycle[g.cycle_id].append(g)
        groups = by_cycle[cycle.id]
        tally = meet_tally([g.answer for g in groups])
        how = f"started by {who(cycle.started_by)} with `/cop pair now`" if cycle.source == "manual" else "scheduled"
        asked = (
            f'"did you meet?" asked {self._local_date(cycle.followup_sent_at).isoformat()}'
            if cycle.followup_sent_at is not None
            else f'"did you meet?" due {self._local_date(cycle.followup_due_at).isoformat()}'
        )
        lines = [
            f"*Pairing cycle #{number} of {len(cycles)}, {self._local_date(cycle.slot).isoformat()}* "
            f"({cycle.mode}, {how}): {tally}; {asked}."
        ]
        answers = {"met": "met", "skipped": "did not meet", None: "no answer yet"}
        for g in groups:
            label = "mentor " if g.kind == "mentorship" else ""
            lines.append(f"• {label}{' + '.join(who(k) for k in g.member_keys())}: {answers.get(g.answer, g.answer)}")
        gone = store.left_out(call.tx, community, cycle.id)
        if gone:
            lines.append("Left out:")
            lines.extend(f"• {who(row.member)} ({row.kind}): {row.reason}" for row in gone)
        else:
            lines.append("Nobody was left out.")
        if len(cycles) > 1:
            rates = [
                f"#{cycles.index(c) + 1} {self._local_date(c.slot):%d %b} "
                f"{meet_rate([g.answer for g in by_cycle[c.id or 0]])}"
                for c in reversed(recent)
            ]
            lines.append("Met, latest first: " + " · ".join(rates))
            lines.append("An earlier cycle: `/cop pairing status N` (its number) or `/cop pairing status YYYY-MM-DD`.")
        return CommandResult("\n".join(lines))

    def _chosen_cycle(self, cycles: Sequence[store.PairingCycle], arg: str) -> int:
        """The 1-based number of the cycle an admin asked for: latest, by number, or by its start date."""
        if not arg:
            return len(cycles)
        if arg.isdigit():
            number = int(arg)
            if 1 <= number <= len(cycles):
                return number
            raise CommandError(
                f"There is no cycle #{number}: cycles are numbered 1 to {len(cycles)}. "
                "Try `/cop pairing status` for the latest."
            )
        try:
            day = date.fromisoformat(arg)
        except ValueError:
            raise CommandError(
                f"I could not read {echo(arg)}. Give a cycle number (`/cop pairing status 3`), "
                "a start date (`/cop pairing status 2027-01-18`), or nothing for the latest cycle."
            ) from None
        for number, cycle in enumerate(cycles, start=1):
            if self._local_date(cycle.slot) == day:
                return number
        starts = ", ".join(
            f"#{n} {self._local_date(c.slot).isoformat()}" for n, c in list(enumerate(cycles, start=1))[-5:]
        )
        raise CommandError(f"No pairing cycle started on {day.isoformat()}. The latest: {starts}.")


def meet_tally(answers: Sequence[str | None]) -> str:
    """``3 groups, 1 met, 1 did not meet, 1 no answer yet`` (parts that are zero left out)."""
    n = len(answers)
    parts = [f"{n} group{'s' if n != 1 else ''}", f"{sum(1 for a in answers if a == 'met')} met"]
    skipped = sum(1 for a in answers if a == "skipped")
    silent = sum(1 for a in answers if a is None)
    if skipped:
        parts.append(f"{skipped} did not meet")
    if silent:
        parts.append(f"{silent} no answer yet")
    return ", ".join(parts)


def meet_rate(answers: Sequence[str | None]) -> str:
    """``2/4 met (50%)``: how many groups of a cycle said they met."""
    if not answers:
        return "no groups"
    met = sum(1 for a in answers if a == "met")
    return f"{met}/{len(answers)} met ({round(100 * met / len(answers))}%)"
