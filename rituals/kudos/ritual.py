"""Kudos: `/cop kudos @member for ...`, a warm thank-you in the channel (or privately), a digest, milestones.

The decisions (reading the command, refusing self-kudos and kudos over the daily cap, the digest's text, which
milestones were crossed) are pure functions in :mod:`rituals.kudos.decisions`; this module reads and writes
the kudos table and says things. The relayed reason is member text: mention markers are stripped here, and
adapters neutralise @everyone/@here/role pings in everything they send.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.actions import DirectMessage, Post
from bot.configured_ritual import ConfiguredRitual
from bot.member_lookup import display_name, names, resolve
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Role, ScheduleSpec
from bot.text import mention
from config.kudos import KudosConfig
from rituals.kudos.decisions import (
    USAGE,
    GivenKudos,
    KudosRefused,
    check_allowed,
    digest_text,
    milestones_reached,
    parse_request,
)
from storage import kudos as store
from storage import queries
from storage.times import utc

DIGEST = "kudos.digest"
DIGEST_STATE = "kudos.digest.until"
FIRST_DIGEST_LOOKBACK = timedelta(days=7)


class KudosRitual(ConfiguredRitual[KudosConfig]):
    """Gives kudos, posts the digest, announces milestones."""

    name = "kudos"
    section = "kudos"
    title = "Kudos"
    plural = True

    def schedules(self) -> list[ScheduleSpec]:
        settings = self.settings
        if settings is None or settings.digest is None:
            return []
        return [ScheduleSpec(DIGEST, settings.digest.cron, settings.digest.grace)]

    def _channel(self) -> str:
        return self.ctx.config.channel(self._on().channel)

    def _start_of_day(self, now: datetime) -> datetime:
        zone = ZoneInfo(self.ctx.config.community.timezone)
        local = utc(now).astimezone(zone)
        return datetime.combine(local.date(), time(0), tzinfo=zone).astimezone(UTC)

    # --- the digest --------------------------------------------------------------------------------

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        if schedule != DIGEST or not self.enabled():
            return []
        community = self.ctx.community
        last = queries.get_state(tx, community, DIGEST_STATE)
        start = datetime.fromisoformat(last) if last else slot - FIRST_DIGEST_LOOKBACK
        queries.set_state(tx, community, DIGEST_STATE, slot.isoformat())
        given = [k for k in store.between(tx, community, start, slot) if not k.private]
        people = names(tx, community)
        text = digest_text(
            self.ctx.config.community.name,
            [GivenKudos(k.giver, k.receiver, k.reason) for k in given],
            lambda key: people.get(key, key.rsplit(":", 1)[-1]),
            period=f"since {utc(start).astimezone(ZoneInfo(self.ctx.config.community.timezone)):%A %d %B}",
        )
        if text is None:
            return []
        return [Planned(Post(text=text, channel=self._channel()), subject=f"kudos:digest:{slot.isoformat()}")]

    # --- commands ----------------------------------------------------------------------------------

    def member_summary(self, tx: Session, member: str) -> str:
        thanked = store.received_count(tx, self.ctx.community, member)
        return f"{thanked} kudos received" if thanked else ""

    def commands(self) -> list[CommandSpec]:
        return [
            CommandSpec(("kudos",), Role.MEMBER, "thank a member in the channel (add `private` to thank them by DM)",
                        self._give, usage="[private] @member for what they did", min_args=1, max_args=None),
            CommandSpec(("kudos", "mine"), Role.MEMBER, "how many kudos you have received and given", self._mine),
        ]

    def _give(self, call: CommandCall) -> CommandResult:
        settings = self._on()
        tx, community, giver = call.tx, self.ctx.community, call.event.member
        try:
            request = parse_request(call.args, max_reason=settings.max_reason_length)
        except KudosRefused as exc:
            return CommandResult(str(exc))
        receiver = resolve(tx, community, request.who, "/cop kudos @ana for debugging the ingress").key
        given_today = store.given_since(tx, community, giver, self._start_of_day(call.now))
        try:
            check_allowed(giver, receiver, given_today, settings.max_per_day, private=request.private,
                          allow_private=settings.allow_private)
        except KudosRefused as exc:
            return CommandResult(str(exc))
        before = store.received_count(tx, community, receiver)
        row = store.add(tx, store.Kudos(community=community, giver=giver, receiver=receiver, reason=request.reason,
                                        private=request.private, given_at=call.now))
        subject = f"kudos:{row.id}"
        self.ctx.record(call.event, kind="kudos_given", ritual=self.name, subject=subject)
        who = display_name(tx, community, receiver)
        if request.private:
            planned = [Planned(DirectMessage(member=receiver, text=(
                f"💌 {display_name(tx, community, giver)} sent you kudos, just for you: {request.reason}")),
                subject=subject)]
            reply = f"Sent to {who} privately. Thank you for saying it!"
        else:
            planned = [Planned(Post(text=f"🎉 Kudos to {mention(receiver)} from {mention(giver)} for: {request.reason}",
                                    channel=self._channel()), subject=subject)]
            reply = f"Posted in #{self._channel()}. Thank you for recognising {who}!"
        for count in milestones_reached(before, before + 1, settings.milestones):
            if store.claim_milestone(tx, community, receiver, count, call.now):
                planned.append(Planned(Post(text=(
                    f"🌟 {mention(receiver)} has now received {count} kudos from this community. "
                    "Thank you for all you do!"), channel=self._channel()), subject=f"kudos:milestone:{count}"))
        return CommandResult(reply, planned)

    def _mine(self, call: CommandCall) -> CommandResult:
        self._on()
        community, me = self.ctx.community, call.event.member
        received = store.received_count(call.tx, community, me)
        given = store.given_count(call.tx, community, me)
        return CommandResult(f"You have received {received} kudos and given {given}. "
                             f"Thank someone with `{USAGE}`.")
