"""The digest: once a week or month, the community's news in a few short, linked lines.

Why: members who miss a week should catch up in a minute, and those who took part should see it noticed. The
digest reads the prompts and their threads, newcomers, public kudos, new resources and the next sessions through
storage/ (never by importing those rituals), and posts in the community's channel and/or DMs it to members who
asked for it (``/cop dm digest on``; an optional DM, so "not now" holds). Nothing happened: no post.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.actions import DirectMessage, Post
from bot.commands import CommandError
from bot.configured_ritual import ConfiguredRitual
from bot.member_lookup import names
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec
from bot.slots import next_slots
from config.digest import DigestConfig
from rituals.digest.decisions import Digest, PromptLine, digest_text
from storage import digest as store
from storage import facilitator as rota_store
from storage import queries
from storage.times import utc

WEEKLY = timedelta(days=8)
"""A period up to this long is called "the week of ..."."""
UNTIL = "digest.until"
"""community_state key: the end of the period the last digest covered; the next one starts there."""


class DigestRitual(ConfiguredRitual[DigestConfig]):
    """Posts the digest of the period since the last one."""

    name = "digest"
    help_topic = "General"
    section = "digest"
    title = "The digest"

    def schedules(self) -> list[ScheduleSpec]:
        settings = self.settings
        assert settings is not None
        return [ScheduleSpec("digest", settings.schedule.cron, settings.schedule.grace)]

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        return self._digest(tx, slot)

    def _digest(self, tx: Session, end: datetime) -> list[Planned]:
        settings = self._on()
        community = self.ctx.community
        stored = queries.get_state(tx, community, UNTIL)
        start = datetime.fromisoformat(stored) if stored else end - settings.first_look_back
        queries.set_state(tx, community, UNTIL, end.isoformat())
        text = digest_text(self._gather(tx, start, end), settings.items)
        if text is None:
            return []
        stamp = end.isoformat()
        planned = []
        if settings.post_in_channel:
            planned.append(Planned(Post(channel=self.ctx.config.channel(settings.channel), text=text),
                                   subject=f"digest:{stamp}"))  # fmt: skip
        planned += [Planned(DirectMessage(member=m, text=text), subject=f"digest:{stamp}", optional=True)
                    for m in store.subscribers(tx, community)]  # fmt: skip
        return planned

    def _gather(self, tx: Session, start: datetime, end: datetime) -> Digest:
        community = self.ctx.community
        zone = ZoneInfo(self.ctx.config.community.timezone)
        who = names(tx, community)
        prompts = store.prompts_between(tx, community, start, end)
        activity = store.prompt_activity(tx, community, [p.id for p in prompts if p.id is not None])
        lines = [PromptLine(p.question, activity[p.id or 0]["reply"], activity[p.id or 0]["reaction"],
                            store.thread_link(tx, community, p.thread_ref)) for p in prompts]  # fmt: skip
        kudos = [(who.get(k.giver, k.giver), who.get(k.receiver, k.receiver), k.reason)
                 for k in store.public_kudos(tx, community, start, end)]  # fmt: skip
        resources = [(r.title, r.link) for r in store.new_resources(tx, community, start, end)]
        local_start = utc(start).astimezone(zone)
        period = f"the week of {local_start:%d %b}" if end - start <= WEEKLY else f"{local_start:%d %b} onwards"
        return Digest(self.ctx.config.community.name, period, lines,
                      [m.name for m in store.newcomers(tx, community, start, end)], kudos, resources,
                      self._sessions(tx, end, zone))  # fmt: skip

    def _sessions(self, tx: Session, now: datetime, zone: ZoneInfo) -> list[tuple[str, str | None]]:
        rota = self.ctx.config.rituals.facilitator
        if rota is None or not rota.enabled:
            return []
        who = names(tx, self.ctx.community)
        out = []
        for at in next_slots(rota.sessions.cron, self.ctx.config.community.timezone, now, 2):
            host = rota_store.host_of(tx, self.ctx.community, at.astimezone(zone).date())
            out.append((f"{at.astimezone(zone):%a %d %b %H:%M}", who.get(host, host) if host else None))
        return out

    # --- commands --------------------------------------------------------------------------------------------

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("dm", "digest"), Role.MEMBER, "get the digest by DM too (on) or not (off)", self._subscribe,
                        usage="on|off", min_args=1, max_args=1),
            CommandSpec(("digest", "now"), Role.FACILITATOR, "send the digest of what happened since the last one",
                        self._now),
        ]  # fmt: skip

    def _now(self, call: CommandCall) -> CommandResult:
        planned = self._digest(call.tx, call.now)
        if not planned:
            return CommandResult("Nothing new since the last digest: no questions, newcomers, kudos or resources.")
        return CommandResult("Sending the digest now.", planned)

    def _subscribe(self, call: CommandCall) -> CommandResult:
        self._on()
        choice = call.args[0].strip().lower()
        if choice not in ("on", "off"):
            raise CommandError("Write `/cop dm digest on` or `/cop dm digest off`.")
        store.subscribe(call.tx, self.ctx.community, call.event.member, choice == "on", call.now)
        return CommandResult("You will get the digest by DM (in your daytime)." if choice == "on"
                             else "Done: no digest by DM.")  # fmt: skip
