"""Interest groups: smaller circles inside the community, each with its channel, members, question and pairs.

Why: a community of practice grows deeper in sub-groups around one interest; a member who joins "kubernetes"
wants its channel, its own weekly question and someone from it to talk to. Groups are declared in
community.yaml or created by facilitators (``/cop group create``); members join and leave themselves.

- The group's channel is found or made by the adapter (:class:`bot.actions.OpenGroupSpace`; on Discord with a
  role the bot manages), and joining adds the member to it (:class:`bot.actions.AddToGroup`).
- A group's weekly question and its pairing cycle are the prompts and pairing rituals' own decisions
  (:class:`~rituals.groups.decisions.Borrowed`, wired in by copbot/registry.py), with the group's own bank and
  history. Replies, reactions and pairs met are participation with the subject ``group:<name>``: they count for
  the member and for the group.
- Each week (``check``) groups quiet for ``quiet_after_weeks`` are flagged to the facilitators by DM.

Schedules: ``groups.quiet`` (the weekly check) and one ``groups.prompt:<name>`` / ``groups.pairing:<name>`` per
group that has them. A group declared in community.yaml is stored, and its channel found or made, the first time
anything needs it (a slot, ``/cop groups``, a join): a hot reload that adds one costs nothing until then, and no
hourly check runs for it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar

from sqlmodel import Session

from bot.actions import (
    AddToGroup,
    Button,
    DirectMessage,
    Ephemeral,
    GroupMessage,
    OpenGroupSpace,
    Post,
    RemoveFromGroup,
)
from bot.commands import CommandError
from bot.configured_ritual import ConfiguredRitual
from bot.events import ButtonClicked, Event, MemberLeft, ReactionAdded, ReplyPosted
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec, Upcoming
from bot.slots import next_slots
from bot.text import mention, strip_markers
from config.groups import GroupsConfig, GroupSettings
from config.texts import fill
from rituals.groups.decisions import (
    Borrowed,
    Listed,
    Peer,
    check_name,
    closest,
    join_buttons,
    listing,
    quiet_groups,
    seed_of,
)
from rituals.matching import tz_offset_hours
from storage import groups as store
from storage import queries
from storage.tags import decode_list

JOIN = "groups.join"
MET = "groups.met"
PROMPT = "groups.prompt:"
PAIRING = "groups.pairing:"
MAX_DESCRIPTION = 200
_PLATFORM_ID = re.compile(r"[CG][A-Z0-9]{6,}|\d{15,}")  # a channel given by id rather than by name


def _names(keys: tuple[str, ...]) -> str:
    parts = [mention(k) for k in keys]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


class GroupsRitual(ConfiguredRitual[GroupsConfig]):
    """Keeps the interest groups: their channels, members, questions, pairs and quiet checks."""

    name = "groups"
    section = "groups"
    title = "Interest groups"
    plural = True

    borrowed: ClassVar[Borrowed | None] = None

    @classmethod
    def using(cls, borrowed: Borrowed) -> type[GroupsRitual]:
        """This ritual with the prompts and pairing rituals' decisions (the application wires them in)."""
        return type(cls.__name__, (cls,), {"borrowed": borrowed, "__module__": cls.__module__})

    def _borrowed(self) -> Borrowed:
        if self.borrowed is None:
            raise RuntimeError("GroupsRitual needs the prompts and pairing decisions: use GroupsRitual.using(...)")
        return self.borrowed

    # --- schedules ---------------------------------------------------------------------------------

    def schedules(self) -> list[ScheduleSpec]:
        settings = self._on()
        specs = [ScheduleSpec("groups.quiet", settings.check.cron, settings.check.grace)]
        for group in settings.groups:
            if group.prompt is not None:
                specs.append(ScheduleSpec(PROMPT + group.name, group.prompt.schedule.cron, group.prompt.schedule.grace))
            if group.pairing is not None:
                specs.append(
                    ScheduleSpec(PAIRING + group.name, group.pairing.schedule.cron, group.pairing.schedule.grace)
                )
        return specs

    def upcoming(self, now: datetime, count: int = 3) -> list[Upcoming]:
        """Each group's question and pairing times, and the quiet check, in an admin's words."""
        zone = self.ctx.config.community.timezone
        items = []
        for spec in self.schedules():
            what = spec.name.replace(PROMPT, "group question: ").replace(PAIRING, "group pairing: ")
            what = "quiet groups check" if what == "groups.quiet" else what
            items.append(Upcoming(what, tuple(next_slots(spec.cron, zone, now, count))))
        return items

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        settings = self.settings
        if settings is None or not settings.enabled:
            return []
        planned = self._sync(tx, slot)
        if schedule == "groups.quiet":
            planned += self._flag_quiet(tx, slot)
        elif schedule.startswith(PROMPT):
            planned += self._ask(tx, schedule.removeprefix(PROMPT), slot)
        elif schedule.startswith(PAIRING):
            planned += self._pair(tx, schedule.removeprefix(PAIRING), slot)
        return planned

    def _sync(self, tx: Session, now: datetime) -> list[Planned]:
        """Declared groups not yet stored are stored, and their channels found or made."""
        settings = self._on()
        planned: list[Planned] = []
        for declared in settings.groups:
            if store.group(tx, self.ctx.community, declared.name) is not None:
                continue
            row = store.InterestGroup(community=self.ctx.community, name=declared.name,
                                      description=declared.description, channel=self._channel_for(declared),
                                      source="config", created_at=now)
            if store.add_group(tx, row):
                planned.append(self._open(row))
        return planned

    def _channel_for(self, declared: GroupSettings) -> str:
        return (declared.channel or f"{self._on().channel_prefix}{declared.name}").lstrip("#")

    def _open(self, row: store.InterestGroup) -> Planned:
        return Planned(OpenGroupSpace(group=row.name, channel=row.channel, text=row.description),
                       subject=f"groups.space:{row.name}")

    def on_sent(self, tx: Session, subject: str, platform_ref: str | None) -> None:
        kind, _, rest = subject.partition(":")
        if kind == "groups.space":
            store.set_channel_ref(tx, self.ctx.community, rest, platform_ref)
        elif kind == "groups.prompt" and rest.isdigit():
            store.set_prompt_thread(tx, int(rest), platform_ref)

    # --- a group's question and pairs --------------------------------------------------------------

    def _ask(self, tx: Session, name: str, slot: datetime) -> list[Planned]:
        settings = self._on()
        declared = settings.declared(name)
        row = store.group(tx, self.ctx.community, name)
        if declared is None or declared.prompt is None or row is None:
            return []
        question = self._borrowed().pick_question(declared.prompt.questions, store.asked(tx, self.ctx.community, name))
        if question is None:
            return []
        asked = store.add_prompt(tx, store.GroupPrompt(community=self.ctx.community, group_name=name,
                                                        question=question, asked_at=slot))
        intro = fill(settings.texts.prompt_intro, ("group",), group=name)
        text = f"*{intro}*\n{question}\n\nReply in the thread, or react if it resonates."
        return [Planned(Post(channel=row.where(), text=text, opens_thread=True), subject=f"groups.prompt:{asked.id}")]

    def _pair(self, tx: Session, name: str, slot: datetime) -> list[Planned]:
        settings = self._on()
        declared = settings.declared(name)
        if declared is None or declared.pairing is None:
            return []
        community = self.ctx.community
        people = {m.key: m for m in queries.members(tx, community)}
        pool = [
            Peer(key, tz_offset_hours(people[key].tz, slot), frozenset(decode_list(people[key].interests)))
            for key in store.members_of(tx, community, name)
            if key in people
        ]
        if len(pool) < 2:
            return []
        pairs = self._borrowed().match_peers(pool, store.pairing_history(tx, community, name),
                                             declared.pairing.group_size, declared.pairing.avoid_repeat_cycles,
                                             seed_of(name, slot))
        planned = []
        for keys in pairs:
            row = store.add_pairing(tx, community, name, slot, keys)
            text = fill(settings.texts.pair_intro, ("group", "names"), group=name, names=_names(keys))
            planned.append(Planned(GroupMessage(members=keys, text=text, buttons=(Button("We met", MET, str(row.id)),)),
                                   subject=f"groups.pair:{row.id}"))
        return planned

    def _flag_quiet(self, tx: Session, now: datetime) -> list[Planned]:
        settings = self._on()
        quiet = quiet_groups(store.figures(tx, self.ctx.community, now), now, settings.quiet_after_weeks)
        people = sorted(set(self.ctx.config.roles.facilitators) | set(self.ctx.config.roles.admins))
        planned = []
        for group in quiet:
            weeks = min(group.weeks, 52)
            text = fill(settings.texts.quiet, ("group", "weeks", "members"), group=group.name, weeks=str(weeks),
                        members=str(group.members))
            planned += [Planned(DirectMessage(member=p, text=text), subject=f"groups.quiet:{group.name}")
                        for p in people]
        return planned

    # --- events ------------------------------------------------------------------------------------

    def on_event(self, tx: Session, event: Event) -> list[Planned]:
        if isinstance(event, ReplyPosted | ReactionAdded):
            ref = event.thread_ref if isinstance(event, ReplyPosted) else event.message_ref
            name = store.group_of_thread(tx, self.ctx.community, ref)
            if name is not None:
                kind = "reply" if isinstance(event, ReplyPosted) else "reaction"
                self.ctx.record(event, kind=kind, ritual=self.name, subject=store.group_subject(name))
            return []
        if isinstance(event, MemberLeft):
            for name in store.groups_of(tx, self.ctx.community, event.member):
                store.leave(tx, self.ctx.community, name, event.member, event.at)
            return []
        if isinstance(event, ButtonClicked) and event.action_id == JOIN:
            try:
                text, planned = self._join(tx, event.value, event.member, event.at)
            except CommandError as exc:
                text, planned = str(exc), []
            return [*planned, Planned(Ephemeral(member=event.member, text=text), subject="groups.joined")]
        if isinstance(event, ButtonClicked) and event.action_id == MET and event.value.isdigit():
            return self._met(tx, int(event.value), event)
        return []

    def _met(self, tx: Session, pairing_id: int, event: ButtonClicked) -> list[Planned]:
        row = store.pairing(tx, self.ctx.community, pairing_id)
        if row is None or event.member not in row.member_keys() or row.met_at is not None:
            return []
        row.met_at = event.at
        tx.add(row)
        for member in row.member_keys():
            self.ctx.record_fact(member=member, kind="met", ritual=self.name,
                                 subject=store.group_subject(row.group_name), key=f"{row.id}:{member}", at=event.at)
        return []

    # --- commands ----------------------------------------------------------------------------------

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("groups",), Role.MEMBER, "the interest groups, and buttons to join them", self._list),
            CommandSpec(("group", "join"), Role.MEMBER, "join an interest group", self._join_cmd,
                        usage="NAME", min_args=1, max_args=1),
            CommandSpec(("group", "leave"), Role.MEMBER, "leave an interest group", self._leave_cmd,
                        usage="NAME", min_args=1, max_args=1),
            CommandSpec(("group", "create"), Role.FACILITATOR, "start an interest group with its own channel",
                        self._create, usage='NAME ["description"] [#channel]', min_args=1, max_args=3),
        ]

    def _list(self, call: CommandCall) -> CommandResult:
        self._on()
        planned = self._sync(call.tx, call.now)
        community = self.ctx.community
        counts = store.member_counts(call.tx, community)
        mine = set(store.groups_of(call.tx, community, call.event.member))
        shown = [Listed(g.name, g.description, counts.get(g.name, 0), g.name in mine)
                 for g in store.groups(call.tx, community)]
        offer = join_buttons(shown)
        if offer:
            buttons = tuple(Button(f"Join {name}", JOIN, name) for name in offer)
            planned.append(Planned(Ephemeral(member=call.event.member, channel=None, text="Join a group:",
                                             buttons=buttons), subject="groups.list"))
        return CommandResult(listing(shown), planned)

    def _known(self, tx: Session, typed: str) -> store.InterestGroup:
        try:
            name = check_name(strip_markers(typed))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        row = store.group(tx, self.ctx.community, name)
        if row is None:
            known = [g.name for g in store.groups(tx, self.ctx.community)]
            guess = closest(name, known)
            hint = f" Did you mean `{guess}`?" if guess else " `/cop groups` lists them."
            raise CommandError(f"There is no group called {name!r}.{hint}")
        return row

    def _join(self, tx: Session, typed: str, member: str, now: datetime) -> tuple[str, list[Planned]]:
        settings = self._on()
        sync = self._sync(tx, now)
        row = self._known(tx, typed)
        if not store.join(tx, self.ctx.community, row.name, member, now):
            return f"You're already in *{row.name}*.", sync
        action = AddToGroup(group=row.name, channel=row.where(), member=member)
        where = "its channel" if _PLATFORM_ID.fullmatch(row.channel) else f"#{row.channel}"
        text = fill(settings.texts.joined, ("group", "channel"), group=row.name, channel=where)
        return text, [*sync, Planned(action, subject=f"groups.member:{row.name}")]

    def _join_cmd(self, call: CommandCall) -> CommandResult:
        text, planned = self._join(call.tx, call.args[0], call.event.member, call.now)
        return CommandResult(text, planned)

    def _leave_cmd(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        row = self._known(call.tx, call.args[0])
        if not store.leave(call.tx, self.ctx.community, row.name, call.event.member, call.now):
            return CommandResult(f"You're not in *{row.name}*, so there's nothing to leave.")
        action = RemoveFromGroup(group=row.name, channel=row.where(), member=call.event.member)
        return CommandResult(fill(settings.texts.left, ("group",), group=row.name),
                             [Planned(action, subject=f"groups.member:{row.name}")])

    def _create(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        try:
            name = check_name(strip_markers(call.args[0]))
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        rest = [strip_markers(a).strip() for a in call.args[1:]]
        channel = next((a for a in rest if a.startswith("#")), None)
        description = " ".join(a for a in rest if a != channel)
        if len(description) > MAX_DESCRIPTION:
            raise CommandError(f"Keep the description under {MAX_DESCRIPTION} characters (it is {len(description)}).")
        planned = self._sync(call.tx, call.now)
        row = store.InterestGroup(community=self.ctx.community, name=name, description=description,
                                  channel=(channel or f"#{settings.channel_prefix}{name}").lstrip("#"), source="chat",
                                  created_by=call.event.member, created_at=call.now)
        if not store.add_group(call.tx, row):
            raise CommandError(f"There is already a group called {name!r}. `/cop groups` lists them.")
        store.join(call.tx, self.ctx.community, name, call.event.member, call.now)
        planned += [self._open(row),
                    Planned(AddToGroup(group=name, channel=row.where(), member=call.event.member),
                            subject=f"groups.member:{name}")]
        return CommandResult(f"Created the *{name}* group with its channel #{row.channel}; you're its first member. "
                             f"Members join with `/cop group join {name}`.", planned)

    def member_summary(self, tx: Session, member: str) -> str:
        mine = store.groups_of(tx, self.ctx.community, member)
        return f"in {len(mine)} group{'s' if len(mine) != 1 else ''} ({', '.join(mine)})" if mine else ""
