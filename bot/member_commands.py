"""A member's own ``/cop`` settings for the whole bot: ``dm off|on``, ``pause until``, ``timezone``.

Why in the core: "not now" and "my time zone" hold for every ritual at once; the outbox applies them
(bot/dm_policy.py), so no ritual checks them itself. Discord tells us no member's time zone, so there
``/cop timezone Europe/Lisbon`` is how a member's DMs find their daytime.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from bot.commands import CommandError, read_date
from bot.dm_policy import member_zone
from bot.ritual import CommandCall, CommandResult, CommandSpec, Role
from bot.text import strip_markers
from config.local_window import known_zone
from config.models import CommunityConfig
from storage import member_prefs, queries


def member_commands(config: Callable[[], CommunityConfig]) -> list[CommandSpec]:
    """The specs, reading the community's config as it is when each command runs."""

    def local_today(call: CommandCall) -> date:
        return call.now.astimezone(ZoneInfo(_zone_name(call, config()))).date()

    def dm_off(call: CommandCall) -> CommandResult:
        member_prefs.set_prefs(call.tx, config().community.id, call.event.member, call.now, dms_off=True)
        return CommandResult(
            "Done: no more optional DMs from me (nudges, check-ins, digests). Messages you need, such as an "
            "introduction to a pairing you joined, still come. `/cop dm on` turns them back on."
        )

    def dm_on(call: CommandCall) -> CommandResult:
        member_prefs.set_prefs(call.tx, config().community.id, call.event.member, call.now, dms_off=False,
                               paused_until=None)  # fmt: skip
        return CommandResult("Welcome back: my DMs are on again.")

    def pause(call: CommandCall) -> CommandResult:
        until = read_date(call.args[0], "/cop pause until 2027-03-01")
        if until <= local_today(call):
            raise CommandError(f"{until.isoformat()} is not in the future. Pick a later date, or `/cop dm off`.")
        member_prefs.set_prefs(call.tx, config().community.id, call.event.member, call.now, paused_until=until)
        return CommandResult(
            f"Paused until {until.isoformat()}: no optional DMs from any ritual until then (essential ones, such "
            "as a pairing you joined, still come). `/cop dm on` ends the pause early."
        )

    def timezone(call: CommandCall) -> CommandResult:
        community = config().community.id
        if not call.args:
            return CommandResult(f"Your time zone here is {_zone_name(call, config())}. "
                                 "Change it with `/cop timezone Europe/Lisbon` (an IANA name).")  # fmt: skip
        wanted = strip_markers("_".join(call.args).strip())  # "America/Los Angeles" is America/Los_Angeles
        try:
            zone = known_zone(wanted)
        except ValueError as exc:
            raise CommandError(f"{exc}. Write it like `/cop timezone Europe/Lisbon`.") from None
        member_prefs.set_prefs(call.tx, community, call.event.member, call.now, tz=zone)
        window = config().delivery.direct_messages.local_window
        when = f" between {window.hours} your time" if window else ""
        return CommandResult(f"Noted: your time zone is {zone}. My DMs reach you{when} from now on.")

    return [
        CommandSpec(("dm", "off"), Role.MEMBER, "no optional DMs from any ritual (essential ones still come)", dm_off),
        CommandSpec(("dm", "on"), Role.MEMBER, "optional DMs on again (and any pause ended)", dm_on),
        CommandSpec(("pause", "until"), Role.MEMBER, "no optional DMs from any ritual until a date", pause,
                    usage="YYYY-MM-DD", min_args=1, max_args=1),
        CommandSpec(("timezone",), Role.MEMBER, "show or set your time zone, for when my DMs reach you", timezone,
                    usage="[Area/City]", max_args=None),
    ]


def _zone_name(call: CommandCall, config: CommunityConfig) -> str:
    """The member's zone as the outbox will use it."""
    community = config.community.id
    chosen = member_prefs.prefs(call.tx, community, call.event.member)
    return str(member_zone(chosen, queries.member(call.tx, community, call.event.member), config).key)
