"""Who knows what: an expertise directory built from what members say and do, asked privately.

Why: in a community of practice the most useful question is often "who here has done this before?". Members
list skills (``/cop skills add terraform``) and mentors offer theirs; what members harvested and the threads they
answered add evidence. ``/cop who knows terraform`` answers only the asker, with a few names and why. Consent:
only members who listed the skill, offer to mentor on it, or said ``/cop skills share on`` are named; the others
are a number. Other rituals' data is read through storage/, never by importing them.
"""

from __future__ import annotations

from sqlmodel import Session

from bot.commands import CommandError
from bot.configured_ritual import ConfiguredRitual
from bot.member_lookup import names
from bot.ritual import CommandCall, CommandResult, CommandSpec, Role
from bot.text import mention, strip_markers
from config.expertise import ExpertiseConfig
from rituals.expertise.decisions import answer_text, who_knows
from storage import expertise as store
from storage import mentorship as mentorship_store
from storage.tags import decode_list, encode_tags

MAX_SKILLS = 20


def _tags(words: list[str]) -> list[str]:
    tags = list(decode_list(encode_tags(strip_markers(" ".join(words)).replace(" ", ",").split(","))))
    if not tags or len(tags) > MAX_SKILLS or any(len(t) > 40 for t in tags):
        raise CommandError("Write one or more short skills, e.g. `/cop skills add terraform, kubernetes`.")
    return tags


class ExpertiseRitual(ConfiguredRitual[ExpertiseConfig]):
    """Keeps the skills members list and answers "who knows ...?" privately."""

    name = "expertise"
    help_topic = "Knowledge"
    section = "expertise"
    title = "The expertise directory"

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("skills", "add"), Role.MEMBER, "say what you know, so others can find you", self._add,
                        usage="skill, skill", min_args=1, max_args=None),
            CommandSpec(("skills", "remove"), Role.MEMBER, "take skills off your list", self._remove,
                        usage="skill, skill", min_args=1, max_args=None),
            CommandSpec(("skills", "list"), Role.MEMBER, "the skills you listed, and whether you share more",
                        self._mine),
            CommandSpec(("skills", "share"), Role.MEMBER, "on: you may also be named for what you harvested and "
                        "answered", self._share, usage="on|off", min_args=1, max_args=1),
            CommandSpec(("who", "knows"), Role.MEMBER, "who knows a skill (only you see the answer)", self._who,
                        usage="skill", min_args=1, max_args=None),
        ]  # fmt: skip

    def _add(self, call: CommandCall) -> CommandResult:
        self._on()
        tags = _tags(call.args)
        store.add_claims(call.tx, self.ctx.community, call.event.member, tags, call.now)
        return CommandResult(f"Added: {', '.join(tags)}. Members asking `/cop who knows` may now see your name.")

    def _remove(self, call: CommandCall) -> CommandResult:
        self._on()
        tags = _tags(call.args)
        store.remove_claims(call.tx, self.ctx.community, call.event.member, tags)
        return CommandResult(f"Removed: {', '.join(tags)}.")

    def _mine(self, call: CommandCall) -> CommandResult:
        self._on()
        mine = sorted(store.claims(call.tx, self.ctx.community).get(call.event.member, set()))
        shares = call.event.member in store.sharing(call.tx, self.ctx.community)
        listed = ", ".join(mine) if mine else "nothing yet (`/cop skills add terraform`)"
        more = "on" if shares else "off (`/cop skills share on` to be named for what you harvested and answered)"
        return CommandResult(f"Your skills: {listed}. Named for what you did: {more}.")

    def _share(self, call: CommandCall) -> CommandResult:
        self._on()
        choice = call.args[0].strip().lower()
        if choice not in ("on", "off"):
            raise CommandError("Write `/cop skills share on` or `/cop skills share off`.")
        store.set_sharing(call.tx, self.ctx.community, call.event.member, choice == "on", call.now)
        return CommandResult("Thank you: you may be named for what you harvested and answered." if choice == "on"
                             else "Done: you are named only for the skills you listed.")  # fmt: skip

    def _who(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        skill = _tags(call.args)[0] if len(call.args) == 1 else "-".join(_tags(call.args))
        tx, community = call.tx, self.ctx.community
        named, others = who_knows(skill, store.claims(tx, community), self._mentors(tx), store.library(tx, community),
                                  store.answers(tx, community), store.sharing(tx, community),
                                  limit=settings.names_shown)  # fmt: skip
        who = names(tx, community)
        # A member who was there before the bot has no stored name: the platform shows their mention instead.
        shown = [(who.get(e.member) or mention(e.member), e) for e in named if e.member != call.event.member]
        return CommandResult(answer_text(skill, shown, others))

    def _mentors(self, tx: Session) -> dict[str, frozenset[str]]:
        """Mentors' skills: community.yaml's mentor lists and what mentors offered in chat."""
        found: dict[str, frozenset[str]] = {}
        rituals = self.ctx.config.rituals
        for section in (rituals.pairing, rituals.mentorship):
            for mentor in section.mentors if section else ():
                found[mentor.member] = found.get(mentor.member, frozenset()) | frozenset(mentor.skills)
        for key, offer in mentorship_store.offers(tx, self.ctx.community).items():
            if offer.capacity > 0:
                found[key] = found.get(key, frozenset()) | frozenset(decode_list(offer.skills))
        return found
