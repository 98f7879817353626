"""A small ritual that DMs everyone, for testing the core's DM policy (local windows, "not now") on its own.

It is deliberately not a shipped ritual: the policy lives in the core and must work for any ritual, so the
tests drive it through one that knows nothing about windows or pauses.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.actions import DirectMessage, GroupMessage, Post
from bot.ritual import CommandCall, CommandResult, CommandSpec, Planned, Ritual, Role, ScheduleSpec
from bot.text import mention
from storage import queries

WINDOW_YAML = """\
community:
  id: rhythm
  name: Rhythm Guild
  timezone: Europe/Berlin
  channels:
    general: guild
delivery:
  direct_messages:
    local_window:
      hours: "09:00-18:00"
      days: [mon, tue, wed, thu, fri]
      default_timezone: Europe/Lisbon
"""


class Notices(Ritual):
    """At each slot: a channel post, an essential DM and an optional tip to every member, and group DMs of two."""

    name = "notices"
    cron = "0 12 * * mon"

    def schedules(self) -> list[ScheduleSpec]:
        return [ScheduleSpec("notices", self.cron, timedelta(hours=2))]

    def run_slot(self, tx: Session, schedule: str, slot: datetime) -> list[Planned]:
        keys = [m.key for m in queries.members(tx, self.ctx.community)]
        stamp = slot.isoformat()
        planned = [Planned(Post(channel=self.ctx.config.channel(None), text=f"news {stamp}"))]
        planned += [Planned(DirectMessage(member=k, text=f"essential {stamp}")) for k in keys]
        planned += [Planned(DirectMessage(member=k, text=f"tip {stamp}"), optional=True) for k in keys]
        for a, b in zip(keys[::2], keys[1::2], strict=False):
            text = f"group {stamp}: {mention(a)} and {mention(b)}"
            planned.append(Planned(GroupMessage(members=(a, b), text=text)))
            planned.append(Planned(GroupMessage(members=(a, b), text="optional " + text), optional=True))
        return planned

    def commands(self) -> list[CommandSpec]:
        def me(call: CommandCall) -> CommandResult:
            dm = DirectMessage(member=call.event.member, text="here is what you asked for")
            return CommandResult("sent you a DM", [Planned(dm)])

        return [CommandSpec(("notice", "me"), Role.MEMBER, "a DM now", me)]


class FrequentNotices(Notices):
    cron = "0 */5 * * *"
