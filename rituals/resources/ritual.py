"""The shared repertoire: valuable threads harvested into a searchable resource library.

A thread is harvested with ``/cop harvest`` (in the thread, or naming its first message), with a configured
reaction (📌) on any of its messages, or by a facilitator's click on the end-of-week nudge for the week's prompt
thread. The library keeps a title, the thread's permalink (when the adapter gave one), who contributed, tags
(given, or suggested from the prompt and the thread) and the thread's first lines; ``/cop resources <words>``
searches it (FTS5 on SQLite, ``tsvector`` on PostgreSQL) and ``copbot resources export`` publishes it.

To harvest, the bot needs the thread's words, which pass by only once: this ritual keeps the text of messages
and replies in ``thread_messages`` for ``keep_thread_text`` and prunes older text every night. How a resource
is drafted (title, summary, contributors, tags) is pure: :mod:`rituals.resources.decisions`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.actions import Button, DirectMessage, Post, Reply
from bot.commands import CommandError
from bot.configured_ritual import ConfiguredRitual
from bot.events import ButtonClicked, CommandInvoked, Event, MessagePosted, ReactionAdded, ReplyPosted
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec
from bot.text import clip, echo, mention, strip_markers
from config.resources import ResourcesConfig
from rituals.resources.decisions import MAX_TITLE, ThreadLine, clean, draft, normalise_tags
from storage import prompts as prompt_store
from storage import queries
from storage import resources as store
from storage.prompts import Prompt
from storage.tags import decode_list, encode_list
from storage.times import utc

NUDGE = "resources.nudge"
PRUNE = "resources.prune"
PRUNE_CRON = "30 3 * * *"
HARVEST_BUTTON = "resources.harvest"
NUDGE_LOOKBACK = timedelta(days=7)


class ResourcesRitual(ConfiguredRitual[ResourcesConfig]):
    """Keeps thread text, harvests threads into the library, searches it, nudges facilitators weekly."""

    name = "resources"
    help_topic = "Knowledge"
    section = "resources"
    title = "The resource library"

    def schedules(self) -> list[ScheduleSpec]:
        settings = self._on()
        specs = [ScheduleSpec(PRUNE, PRUNE_CRON, timedelta(days=2))]
        if settings.nudge is not None:
            specs.append(ScheduleSpec(NUDGE, settings.nudge.cron, settings.nudge.grace))
        return specs

    def _may_harvest(self, member: str) -> bool:
        needed = Role.FACILITATOR if self._on().harvest_role == "facilitator" else Role.MEMBER
        return self.ctx.role_of(member) >= needed

    # --- keeping thread text and reacting ----------------------------------------------------------

    def on_event(self, tx: Session, event: Event) -> list[Planned]:
        if not self.enabled():
            return []
        community = self.ctx.community
        if isinstance(event, MessagePosted):
            store.keep_message(tx, store.ThreadMessage(
                community=community, channel=event.channel, thread_ref=event.message_ref,
                message_ref=event.message_ref, member=event.member, text=event.text, link=event.link,
                at=utc(event.at)))
        elif isinstance(event, ReplyPosted):
            kept = store.keep_message(tx, store.ThreadMessage(
                community=community, channel=event.channel, thread_ref=event.thread_ref,
                message_ref=event.message_ref, member=event.member, text=event.text,
                link=event.thread_link or event.link, at=utc(event.at)))
            if kept:
                self._grow(tx, event)
        elif isinstance(event, ReactionAdded) and self._on().harvest_emoji(event.emoji):
            return self._harvest_by_reaction(tx, event)
        elif isinstance(event, ButtonClicked) and event.action_id == HARVEST_BUTTON:
            return self._harvest_by_button(tx, event)
        return []

    def _grow(self, tx: Session, event: ReplyPosted) -> None:
        """A reply to a thread already in the library: the resource keeps up (searchable, contributor listed)."""
        row = store.resource_for_thread(tx, self.ctx.community, event.thread_ref)
        text = clean(event.text)
        if row is None or not text:
            return
        people = list(decode_list(row.contributors))
        if event.member not in people:
            people.append(event.member)
        store.update_resource(tx, row, body=f"{row.body}\n{text}", contributors=encode_list(people))

    def _thread_of(self, tx: Session, message_ref: str) -> str | None:
        """The thread a message belongs to: a kept message's thread, or a prompt (or other bot post) itself."""
        kept = store.message(tx, self.ctx.community, message_ref)
        if kept is not None:
            return kept.thread_ref
        if prompt_store.prompt_by_thread(tx, self.ctx.community, message_ref) is not None:
            return message_ref
        return None

    def _harvest_by_reaction(self, tx: Session, event: ReactionAdded) -> list[Planned]:
        if not self._may_harvest(event.member):
            return [Planned(DirectMessage(member=event.member, text=(
                "Only facilitators can save threads to the library here; ask one to react with "
                f":{self._on().harvest_reactions[0].strip(':')}: if you think this one is worth keeping.")))]
        thread_ref = self._thread_of(tx, event.message_ref)
        if thread_ref is None:
            return [Planned(DirectMessage(member=event.member, text=(
                "I can't save that thread: I haven't kept its text (I keep threads for "
                f"{self._on().keep_thread_text.days} days, from when I joined the channel).")))]
        try:
            _, planned = self._harvest(tx, thread_ref, event, "reaction", (), None, utc(event.at))
        except CommandError as exc:
            return [Planned(DirectMessage(member=event.member, text=str(exc)))]
        return planned

    def _harvest_by_button(self, tx: Session, event: ButtonClicked) -> list[Planned]:
        if self.ctx.role_of(event.member) < Role.FACILITATOR:
            return [Planned(DirectMessage(member=event.member, text="Only facilitators can use that button."))]
        prompt = prompt_store.prompt(tx, int(event.value)) if event.value.isdigit() else None
        if prompt is None or prompt.community != self.ctx.community or not prompt.thread_ref:
            return [Planned(DirectMessage(member=event.member, text="I can't find that prompt's thread any more."))]
        try:
            resource, planned = self._harvest(tx, prompt.thread_ref, event, "nudge", (), None, utc(event.at))
        except CommandError as exc:
            return [Planned(DirectMessage(member=event.member, text=str(exc)))]
        thanks = f"Saved “{resource.title}” to the library. Thank you for tending it!"
        return [*planned, Planned(DirectMessage(member=event.member, text=thanks))]

    # --- harvesting --------------------------------------------------------------------------------

    def _known_tags(self, tx: Session) -> set[str]:
        community = self.ctx.community
        known = {t for m in queries.members(tx, community, active_only=False) for t in decode_list(m.interests)}
        known |= {t for r in store.resources(tx, community) for t in decode_list(r.tags)}
        return known

    def _harvest(self, tx: Session, thread_ref: str, asked: Event, via: str, tags: tuple[str, ...],
                 title: str | None, now: datetime) -> tuple[store.Resource, list[Planned]]:
        """Save the thread; ``asked`` (the reaction, button or command) is the harvester's activity, a submission."""
        settings = self._on()
        by = asked.member
        community = self.ctx.community
        existing = store.resource_for_thread(tx, community, thread_ref)
        if existing is not None:
            raise CommandError(f"That thread is already in the library as “{existing.title}” "
                               f"(saved by {self._name(tx, existing.harvested_by)}).")
        kept = store.thread(tx, community, thread_ref)
        prompt: Prompt | None = prompt_store.prompt_by_thread(tx, community, thread_ref)
        if not kept:
            if prompt is not None:
                raise CommandError("That prompt's thread has no replies yet; save it once people have answered.")
            raise CommandError("I haven't kept any text of that thread, so there is nothing to save. "
                               f"I keep threads for {settings.keep_thread_text.days} days.")
        lines = [ThreadLine(m.member, m.text) for m in kept]
        drafted = draft(lines, question=prompt.question if prompt else None, summary_lines=settings.summary_lines,
                        given_tags=tags, known_tags=self._known_tags(tx))
        link = next((m.link for m in kept if m.message_ref == thread_ref and m.link), None) or next(
            (m.link for m in kept if m.link), None)
        channel = kept[0].channel
        row = store.add_resource(tx, store.Resource(
            community=community, title=strip_markers(title).strip() if title else drafted.title, link=link,
            channel=channel, thread_ref=thread_ref, contributors=encode_list(drafted.contributors),
            tags=encode_list(drafted.tags), summary=drafted.summary, body=drafted.body,
            prompt_id=prompt.id if prompt else None, harvested_by=by, via=via, harvested_at=now))
        if row is None:
            raise CommandError("That thread was saved to the library a moment ago.")
        self.ctx.record(asked, kind="submission", ritual=self.name, subject=f"resource:{row.id}")
        for contributor in drafted.contributors:  # credit, not activity: they wrote it before, someone else saved it
            self.ctx.record_fact(member=contributor, kind="resource_contribution", ritual=self.name,
                                 subject=f"resource:{row.id}", key=f"{row.id}:{contributor}", at=now)
        first_word = next((t for t in drafted.tags), None) or (drafted.title.split() or ["..."])[0].lower()
        tag_text = ", ".join(f"#{t}" for t in drafted.tags) or "none yet"
        note = (f"📌 {mention(by)} saved this thread to the community's resource library: “{row.title}”. "
                f"Tags: {tag_text}. Anyone can find it with `/cop resources {first_word}`.")
        return row, [Planned(Reply(text=note, channel=channel, thread_ref=thread_ref), subject=f"resource:{row.id}")]

    def _name(self, tx: Session, key: str) -> str:
        row = queries.member(tx, self.ctx.community, key)
        return strip_markers(row.name) if row and row.name else key.rsplit(":", 1)[-1]

    # --- schedules ---------------------------------------------------------------------------------

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        if not self.enabled():
            return []
        if schedule == PRUNE:
            store.prune_messages(tx, self.ctx.community, slot - self._on().keep_thread_text)
            return []
        if schedule == NUDGE:
            return self._nudge(tx, slot)
        return []

    def _nudge(self, tx: Session, slot: datetime) -> list[Planned]:
        """Each of this week's prompt threads with replies and not yet in the library: ask the facilitators."""
        community = self.ctx.community
        planned: list[Planned] = []
        for prompt in prompt_store.asked_prompts(tx, community):
            if not prompt.thread_ref or utc(prompt.asked_at) < slot - NUDGE_LOOKBACK or utc(prompt.asked_at) > slot:
                continue
            if store.resource_for_thread(tx, community, prompt.thread_ref) is not None:
                continue
            kept = store.thread(tx, community, prompt.thread_ref)
            if not kept:
                continue
            people = len({m.member for m in kept})
            text = (f"This week's prompt, “{prompt.question}”, drew {len(kept)} repl{'ies' if len(kept) != 1 else 'y'} "
                    f"from {people} member{'s' if people != 1 else ''}. Worth keeping in the resource library?")
            buttons = (Button("Save to the library", HARVEST_BUTTON, str(prompt.id)),)
            planned.extend(self._to_facilitators(text, buttons, f"resources:nudge:{prompt.id}"))
        return planned

    def _to_facilitators(self, text: str, buttons: tuple[Button, ...], subject: str) -> list[Planned]:
        config = self.ctx.config
        if config.community.channels.facilitators:
            return [Planned(Post(text=text, channel=config.community.channels.facilitators, buttons=buttons),
                            subject=subject)]
        return [Planned(DirectMessage(member=m, text=text, buttons=buttons), subject=subject)
                for m in sorted(set(config.roles.facilitators) | set(config.roles.admins))]

    # --- commands ----------------------------------------------------------------------------------

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("harvest",), Role.MEMBER, "save a thread to the resource library (in the thread, or name "
                        "its first message)", self._harvest_command, usage="[message] [#tag ...] [title words]",
                        max_args=None),
            CommandSpec(("resources",), Role.MEMBER, "search the community's resource library", self._search,
                        usage="<words>", min_args=1, max_args=None),
            CommandSpec(("resources", "remove"), Role.FACILITATOR, "take a resource out of the library",
                        self._remove, usage="<number>", min_args=1, max_args=1),
            CommandSpec(("resources", "retag"), Role.FACILITATOR, "replace a resource's tags", self._retag,
                        usage="<number> #tag [#tag ...]", min_args=2, max_args=None),
            CommandSpec(("resources", "rename"), Role.FACILITATOR, "give a resource a better title", self._rename,
                        usage="<number> new title", min_args=2, max_args=None),
        ]

    def _harvest_command(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        if not self._may_harvest(call.event.member):
            return CommandResult("Only facilitators can save threads to the library here; "
                                 "ask one if you think this thread is worth keeping.")
        args = list(call.args)
        thread_ref = call.event.extras.get("thread_ref") if isinstance(call.event, CommandInvoked) else None
        if not thread_ref:
            if not args or args[0].startswith("#"):
                # harvest_reactions may be empty (harvest by command only): then there is no reaction to offer
                react = "".join(f" react with :{emoji.strip(':')}: on its first message,"
                                for emoji in settings.harvest_reactions[:1])
                raise CommandError(f"Which thread? Run `/cop harvest` inside the thread,{react} or name that message: "
                                   "`/cop harvest <message> #tag`.")
            named = args.pop(0)
            thread_ref = self._thread_of(call.tx, named)
            if thread_ref is None:
                raise CommandError(f"I don't know a thread starting at {echo(named)}, or I haven't kept "
                                   f"its text (I keep threads for {settings.keep_thread_text.days} days).")
        tags = [a for a in args if a.startswith("#")]
        words = [a for a in args if not a.startswith("#")]
        try:
            given = normalise_tags(tags)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        resource, planned = self._harvest(call.tx, thread_ref, call.event, "command", given,
                                          " ".join(words) or None, call.now)
        tag_text = ", ".join(f"#{t}" for t in decode_list(resource.tags)) or "none"
        return CommandResult(f"Saved “{resource.title}” to the library (number {resource.id}; tags {tag_text}). "
                             "Thank you!", planned)

    def _search(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        words = " ".join(call.args)
        if not store.search_terms(words):
            raise CommandError("Give me a word or two to look for, e.g. `/cop resources terraform drift`.")
        found = store.search(call.tx, self.ctx.community, words, settings.results)
        shown = clip(words)  # the question repeated back, not 100 KB of it
        if not found:
            return CommandResult(f"Nothing in the library matches “{shown}” yet. Found a good thread? "
                                 "Save it with `/cop harvest` or a :pushpin: reaction.")
        lines = [f"*Resources matching “{shown}”*"]
        for row in found:
            tags = " ".join(f"#{t}" for t in decode_list(row.tags))
            where = row.link or f"thread in #{row.channel}"
            first = row.summary.splitlines()[0] if row.summary else ""
            lines.append(f"{row.id}. *{row.title}* {tags} — {where}\n    {first}")
        return CommandResult("\n".join(lines))

    def _numbered(self, call: CommandCall, example: str) -> store.Resource:
        self._on()
        if not call.args[0].isdigit():
            raise CommandError(f"Give the resource's number as `/cop resources <words>` shows it, e.g. `{example}`.")
        row = store.resource(call.tx, self.ctx.community, int(call.args[0]))
        if row is None:
            raise CommandError(f"There is no resource number {clip(call.args[0])}.")
        return row

    def _retag(self, call: CommandCall) -> CommandResult:
        row = self._numbered(call, "/cop resources retag 12 #terraform #state")
        try:
            tags = normalise_tags(call.args[1:])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not tags:
            raise CommandError("Give at least one tag, e.g. `/cop resources retag 12 #terraform`.")
        store.update_resource(call.tx, row, tags=encode_list(tags))
        return CommandResult(f"“{row.title}” is now tagged {', '.join('#' + t for t in tags)}.")

    def _rename(self, call: CommandCall) -> CommandResult:
        row = self._numbered(call, "/cop resources rename 12 Keeping Terraform state safe")
        title = " ".join(strip_markers(" ".join(call.args[1:])).split())[:MAX_TITLE]
        if not title:
            raise CommandError("Write the new title after the number.")
        store.update_resource(call.tx, row, title=title)
        return CommandResult(f"Resource {row.id} is now called “{title}”.")

    def _remove(self, call: CommandCall) -> CommandResult:
        row = self._numbered(call, "/cop resources remove 12")
        title = row.title
        store.remove_resource(call.tx, row)
        return CommandResult(f"Removed “{title}” from the library.")
