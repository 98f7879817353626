"""Welcome onboarding: a newcomer's sequence of messages in their own time zone, the ground rules, and a buddy.

The decisions (which steps are due, who the buddy is, how a template is filled) are the pure functions in
:mod:`rituals.onboarding.decisions`; this module is the thin I/O around them. A join starts the sequence and
sends what is due at once (the welcome); a frequent schedule sends later steps as they fall due, each once
(a unique row per member and step). Members who were here before the bot was installed are left alone
unless the admin asks (``/cop welcome @member``, or ``welcome_existing_members: true``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from bot.actions import Button, DirectMessage
from bot.commands import CommandError
from bot.configured_ritual import ConfiguredRitual
from bot.events import ButtonClicked, Event, MemberJoined, MemberLeft
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec
from bot.text import echo, mention, strip_markers
from config.onboarding import KNOWN_PLACEHOLDERS, OnboardingConfig
from config.templates import render_template
from rituals.onboarding.decisions import (
    BuddyVolunteer,
    Newcomer,
    Step,
    choose_buddy,
    due_steps,
    helper_for,
    next_step_at,
)
from storage import onboarding as store
from storage import queries
from storage.models import Member
from storage.tags import decode_list
from storage.times import utc

ACK_ACTION = "onboarding.ack"
ACK_BUTTON = Button("I agree to the ground rules", action_id=ACK_ACTION)
ACKNOWLEDGEMENT = "acknowledgement"  # storage.activity: agreeing to the ground rules is something a member did


def _zone_name(tz: str | None, default: str) -> str:
    """The member's own zone when it is a real IANA name, else the community's."""
    if tz:
        try:
            ZoneInfo(tz)
            return tz
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return default


def _offset_hours(zone: str, at: datetime) -> float:
    offset = at.astimezone(ZoneInfo(zone)).utcoffset()
    return offset.total_seconds() / 3600 if offset is not None else 0.0


def _interests(member: Member | None) -> frozenset[str]:
    if member is None:
        return frozenset()
    return frozenset(decode_list(member.interests))


class OnboardingRitual(ConfiguredRitual[OnboardingConfig]):
    """Welcomes newcomers step by step, asks them to agree to the ground rules, and finds them a buddy."""

    name = "onboarding"
    section = "onboarding"

    title = "Welcome onboarding"

    def schedules(self) -> list[ScheduleSpec]:
        settings = self.settings
        assert settings is not None
        return [ScheduleSpec("onboarding", settings.schedule.cron, settings.schedule.grace)]

    # --- the sequence ------------------------------------------------------------------------------

    def _steps(self) -> list[Step]:
        settings = self.settings
        assert settings is not None
        return [Step(s.key, s.day, s.time, s.text) for s in settings.steps]

    def _zone(self, member: Member) -> str:
        return _zone_name(member.tz, self.ctx.config.community.timezone)

    def _is_newcomer(self, tx: Session, member: Member) -> bool:
        """Joined after the bot was installed (members who were already here are welcomed only on request)."""
        if not member.welcomed:
            return False
        installed = queries.get_state(tx, self.ctx.community, "installed_at")
        if installed is None:
            return True
        # Platforms stamp joins in whole seconds (Slack's event_time): a join in the very second of the install
        # is a join after it, so compare with the install time cut down to its second.
        return utc(member.joined_at) >= utc(datetime.fromisoformat(installed)).replace(microsecond=0)

    def _start(self, tx: Session, member: Member, anchor: datetime, now: datetime, started_by: str) -> list[Planned]:
        """Begin ``member``'s sequence: a buddy first (so the welcome can name them), then what is due now."""
        row = store.start_sequence(tx, self.ctx.community, member.key, anchor_at=anchor, now=now, started_by=started_by)
        if row is None:
            return []
        buddy_plan = self._assign_buddy(tx, row, member, now)
        return self._send_due(tx, row, member, now) + buddy_plan

    def _values(self, tx: Session, row: store.OnboardingMember, member: Member) -> dict[str, str]:
        settings = self.settings
        assert settings is not None
        config = self.ctx.config
        facilitators = [settings.facilitator] if settings.facilitator else []
        helper = helper_for(member.key, [*facilitators, *config.roles.facilitators], buddy=row.buddy)
        intros = config.community.channels.intros or config.community.channels.general
        return {
            "name": strip_markers(member.name),
            "facilitator": mention(helper) if helper else "one of our facilitators",
            "intros_channel": f"#{intros}",
            "community": config.community.name,
            "buddy": mention(row.buddy) if row.buddy else "one of our facilitators",
            "ground_rules": settings.ground_rules,
        }

    def _send_due(
        self,
        tx: Session,
        row: store.OnboardingMember,
        member: Member,
        now: datetime,
        *,
        done: list[str] | None = None,
        acknowledged: bool | None = None,
    ) -> list[Planned]:
        """Every step now due for ``member`` in their own time zone, each once, in order.

        A scheduled check passes ``done`` and ``acknowledged`` read for every member at once; asking per
        member was most of what a 15-minute check cost.
        """
        community = self.ctx.community
        steps = self._steps()
        done = list(done) if done is not None else store.done_steps(tx, community, member.key)
        left_at = utc(member.left_at) if member.left_at else None
        due = due_steps(
            utc(row.anchor_at), self._zone(member), steps, done, left_at, now,
            default_tz=self.ctx.config.community.timezone,
        )
        if not due:
            if {s.key for s in steps} <= set(done):
                store.finish(tx, row, now)
            return []
        planned: list[Planned] = []
        if acknowledged is None:
            acknowledged = store.has_acknowledged(tx, community, member.key)
        values = self._values(tx, row, member)
        for step in due:
            if not store.claim_step(tx, community, member.key, step.key, now):
                continue
            asks_ack = "{ground_rules}" in step.template and not acknowledged
            text = render_template(step.template, allowed=KNOWN_PLACEHOLDERS, **values)
            planned.append(
                Planned(
                    DirectMessage(text=text, member=member.key, buttons=(ACK_BUTTON,) if asks_ack else ()),
                    subject=f"onboarding:{member.key}:{step.key}",
                    optional=step.day_offset > 0 and not asks_ack,  # the welcome and rules come; later tips may wait
                )
            )
            done.append(step.key)  # what the bot sent: a delivery and a step row, never the member's activity
        if {s.key for s in steps} <= set(done):
            store.finish(tx, row, now)
        return planned

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        settings = self.settings
        if settings is None:
            return []
        community = self.ctx.community
        planned: list[Planned] = []
        if settings.welcome_existing_members:
            started = {row.member for row in store.sequences(tx, community)}
            for existing in queries.members(tx, community):
                if existing.key not in started:
                    planned += self._start(tx, existing, slot, slot, "existing")
        pool_may_have_room = True  # once one newcomer finds the pool full, the rest of this check would too
        ongoing = store.sequences(tx, community, ongoing_only=True)
        everyone = queries.members_by_key(tx, community, [row.member for row in ongoing])  # not the whole community
        done_by_member = store.done_steps_of(tx, community, [row.member for row in ongoing])
        acknowledged = store.acknowledged_members(tx, community)
        for row in ongoing:
            member = everyone.get(row.member)
            if member is None or member.left_at is not None:
                store.stop(tx, community, row.member, utc(member.left_at) if member and member.left_at else slot)
                continue
            if row.buddy is None and pool_may_have_room:
                assigned = self._assign_buddy(tx, row, member, slot)  # a volunteer may have freed up
                pool_may_have_room = bool(assigned)
                planned += assigned
            planned += self._send_due(
                tx, row, member, slot, done=done_by_member.get(row.member, []), acknowledged=row.member in acknowledged
            )
        return planned

    def idle_until(self, tx: Session, schedule: str, after: datetime) -> datetime | None:
        """The next step due for anyone mid-sequence; None while a waiting newcomer could get a buddy now.

        Buddy capacity changes only when a sequence ends (at a step time, or when the member leaves) or
        when someone volunteers; the runtime forgets this hint on leaves and commands, so only step times
        matter here.
        """
        settings = self.settings
        if settings is None:
            return None
        community = self.ctx.community
        ongoing = store.sequences(tx, community, ongoing_only=True)
        if not ongoing:
            return after + timedelta(days=365)  # nobody mid-sequence: a join (which forgets the hint) starts one
        if settings.buddies.enabled and any(row.buddy is None for row in ongoing):
            loads = store.buddy_loads(tx, community)
            pool = store.buddy_pool(tx, community, settings.buddies.volunteers)
            if any(loads.get(key, 0) < settings.buddies.max_load for key in pool):
                return None
        everyone = queries.members_by_key(tx, community, [row.member for row in ongoing])
        done = store.done_steps_of(tx, community, [row.member for row in ongoing])
        steps = self._steps()
        default_tz = self.ctx.config.community.timezone
        times = []
        for row in ongoing:
            member = everyone.get(row.member)
            if member is None or member.left_at is not None:
                return None  # the next check stops this sequence
            nxt = next_step_at(
                utc(row.anchor_at), self._zone(member), steps, done.get(row.member, []), None, default_tz=default_tz
            )
            if nxt is None:
                return None  # every step sent but not yet marked finished: let the next check close it
            times.append(nxt)
        return min(times)

    # --- buddies -----------------------------------------------------------------------------------

    def _assign_buddy(self, tx: Session, row: store.OnboardingMember, member: Member, now: datetime) -> list[Planned]:
        settings = self.settings
        assert settings is not None
        if not settings.buddies.enabled:
            return []
        community = self.ctx.community
        default_tz = self.ctx.config.community.timezone
        loads = store.buddy_loads(tx, community)
        volunteers = []
        pool = store.buddy_pool(tx, community, settings.buddies.volunteers)
        if not any(loads.get(key, 0) < settings.buddies.max_load for key in pool if key != member.key):
            return []  # everyone is at capacity: no need to look anyone up
        known_members = queries.members_by_key(tx, community, pool)
        for key in pool:
            known = known_members.get(key)
            if known is not None and known.left_at is not None:
                continue
            zone = _zone_name(known.tz if known else None, default_tz)
            volunteers.append(BuddyVolunteer(key, loads.get(key, 0), _offset_hours(zone, now), _interests(known)))
        newcomer = Newcomer(member.key, _offset_hours(self._zone(member), now), _interests(member))
        buddy = choose_buddy(newcomer, volunteers, max_load=settings.buddies.max_load)
        if buddy is None:
            return []
        store.set_buddy(tx, row, buddy, now)
        buddy_member = queries.member(tx, community, buddy)
        shared = sorted(newcomer.interests & _interests(buddy_member))
        common = f" You both care about {', '.join(shared)}." if shared else ""
        name = self.ctx.config.community.name
        subject = f"onboarding:buddy:{member.key}"
        return [
            Planned(
                DirectMessage(
                    member=member.key,
                    text=f"Meet your buddy, {mention(buddy)}: someone to ask anything while you find your way "
                    f"around {name}.{common} Say hi whenever you like!",
                ),
                subject=subject,
            ),
            Planned(
                DirectMessage(
                    member=buddy,
                    text=f"Thank you for being a buddy! {mention(member.key)} has just joined {name}.{common} "
                    "A short hello in the next day or two goes a long way.",
                ),
                subject=subject,
            ),
        ]

    # --- events ------------------------------------------------------------------------------------

    def on_event(self, tx: Session, event: Event) -> list[Planned]:
        community = self.ctx.community
        if isinstance(event, MemberJoined):
            member = queries.member(tx, community, event.member)
            if member is None:
                return []
            settings = self.settings
            assert settings is not None
            now = self.ctx.now()
            if self._is_newcomer(tx, member):
                return self._start(tx, member, utc(member.joined_at), now, "join")
            if settings.welcome_existing_members:
                return self._start(tx, member, now, now, "existing")
            return []
        if isinstance(event, MemberLeft):
            store.stop(tx, community, event.member, utc(event.at))
            return []
        if isinstance(event, ButtonClicked) and event.action_id == ACK_ACTION:
            return self._acknowledge(tx, event, self.ctx.now())
        return []

    def _acknowledge(self, tx: Session, event: ButtonClicked, now: datetime) -> list[Planned]:
        member = event.member
        if not store.acknowledge(tx, self.ctx.community, member, now, "button"):
            return [Planned(DirectMessage(member=member, text="Already noted: you agreed earlier. Thank you!"))]
        self.ctx.record(event, kind=ACKNOWLEDGEMENT, ritual=self.name, subject="ground_rules_ack")
        return [
            Planned(
                DirectMessage(member=member, text="Thank you for agreeing to our ground rules. Glad to have you!"),
                subject=f"onboarding:{member}:ground_rules_ack",
            )
        ]

    # --- commands ----------------------------------------------------------------------------------

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("rules",), Role.MEMBER, "see the community's ground rules again", self._rules),
            CommandSpec(("agree",), Role.MEMBER, "agree to the ground rules", self._agree),
            CommandSpec(
                ("buddy", "volunteer"), Role.MEMBER, "be a buddy for newcomers", self._volunteer
            ),
            CommandSpec(("buddy", "retire"), Role.MEMBER, "stop being a buddy for new newcomers", self._retire),
            CommandSpec(
                ("welcome",),
                Role.ADMIN,
                "start the welcome sequence for a member who was here before the bot",
                self._welcome,
                usage="@member",
                min_args=1,
                max_args=1,
            ),
            CommandSpec(
                ("onboarding", "status"),
                Role.FACILITATOR,
                "who is being welcomed, who agreed to the ground rules, and the buddies",
                self._status,
            ),
        ]

    def _rules(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        member = call.event.member
        agreed = store.has_acknowledged(call.tx, self.ctx.community, member)
        footer = "You have already agreed to these. Thank you!" if agreed else (
            "If you agree, press the button below (or type `/cop agree`)."
        )
        dm = DirectMessage(
            member=member,
            text=f"Our ground rules:\n{settings.ground_rules}\n\n{footer}",
            buttons=() if agreed else (ACK_BUTTON,),
        )
        return CommandResult(
            "I sent you the ground rules in a direct message.", [Planned(dm, subject="onboarding:rules")]
        )

    def _agree(self, call: CommandCall) -> CommandResult:
        self._on()
        member = call.event.member
        if not store.acknowledge(call.tx, self.ctx.community, member, call.now, "command"):
            return CommandResult("You have already agreed to the ground rules. Thank you!")
        self.ctx.record(call.event, kind=ACKNOWLEDGEMENT, ritual=self.name, subject="ground_rules_ack")
        return CommandResult("Thank you for agreeing to our ground rules. Glad to have you!")

    def _volunteer(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        if not settings.buddies.enabled:
            return CommandResult("Buddies are switched off in community.yaml (rituals.onboarding.buddies).")
        store.set_volunteer(call.tx, self.ctx.community, call.event.member, True, call.now)
        return CommandResult(
            f"Thank you! You are in the buddy pool; you will look after at most {settings.buddies.max_load} "
            "newcomers at a time. `/cop buddy retire` takes you out again."
        )

    def _retire(self, call: CommandCall) -> CommandResult:
        self._on()
        community = self.ctx.community
        store.set_volunteer(call.tx, community, call.event.member, False, call.now)
        current = [r.member for r in store.sequences(call.tx, community, ongoing_only=True)
                   if r.buddy == call.event.member]
        still = f" You are still the buddy of {len(current)} newcomer(s) you were introduced to." if current else ""
        return CommandResult(f"Done: no new newcomers will be sent your way.{still} Thank you for helping!")

    def _welcome(self, call: CommandCall) -> CommandResult:
        self._on()
        community = self.ctx.community
        named = strip_markers(call.args[0])  # a member the platform resolved comes as their marked key
        member = queries.find_member_by_name(call.tx, community, named)
        if member is None:
            raise CommandError(f"I do not know {echo(named)}. Write their @name as the platform shows it.")
        if member.left_at is not None:
            raise CommandError(f"{member.name} has left the community, so I will not send them anything.")
        existing = store.sequence(call.tx, community, member.key)
        if existing is not None:
            return CommandResult(
                f"{member.name} already had the welcome sequence (started {utc(existing.started_at):%Y-%m-%d})."
            )
        planned = self._start(call.tx, member, call.now, call.now, call.event.member)
        count = len(self._steps())
        return CommandResult(f"Starting the welcome sequence for {member.name} ({count} step(s)).", planned)

    def _status(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        tx = call.tx
        community = self.ctx.community
        everyone = {m.key: m for m in queries.members(tx, community, active_only=False)}
        agreed = store.acknowledged_members(tx, community)
        steps = self._steps()
        lines = ["*Welcome onboarding*"]
        ongoing = store.sequences(tx, community, ongoing_only=True)
        if ongoing:
            lines.append(f"_Being welcomed ({len(ongoing)})_")
        for row in ongoing:
            member = everyone.get(row.member)
            name = member.name if member else row.member
            done = store.done_steps(tx, community, row.member)
            zone = self._zone(member) if member else self.ctx.config.community.timezone
            nxt = next_step_at(utc(row.anchor_at), zone, steps, done, None,
                               default_tz=self.ctx.config.community.timezone)
            when = f", next {nxt.astimezone(ZoneInfo(zone)):%a %d %b %H:%M} ({zone})" if nxt else ""
            buddy = everyone[row.buddy].name if row.buddy in everyone else (row.buddy or "none yet")
            ack = "agreed" if row.member in agreed else "not agreed yet"
            lines.append(f"• {name}: {len(set(done))}/{len(steps)} steps{when}; buddy {buddy}; ground rules {ack}")
        if not ongoing:
            lines.append("Nobody is mid-sequence right now.")
        names = sorted(everyone[k].name if k in everyone else k for k in agreed)
        lines.append(f"_Agreed to the ground rules ({len(names)})_: {', '.join(names) or 'nobody yet'}")
        if settings.buddies.enabled:
            loads = store.buddy_loads(tx, community)
            pool = store.buddy_pool(tx, community, settings.buddies.volunteers)
            shown = [
                f"{everyone[k].name if k in everyone else k} {loads.get(k, 0)}/{settings.buddies.max_load}"
                for k in pool
            ]
            lines.append(f"_Buddy pool_: {', '.join(shown) or 'empty (members join with `/cop buddy volunteer`)'}")
        return CommandResult("\n".join(lines))
