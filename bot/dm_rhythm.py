"""The one place that decides when, and whether, a ritual's direct message goes out.

Why here and not in each ritual: "DMs in the member's own daytime" and "no optional DMs while I'm on pause"
must hold for every ritual, including the ones written next year. A ritual only says what it sends and
whether the message is optional (``Planned(..., optional=True)``: a nudge, a check-in, a digest) or essential
(the default: an introduction to a pairing they joined, a swap request); the outbox asks this policy how to
write each row:

- an optional DM to a member who turned DMs off (``/cop dm off``) or paused (``/cop pause until``) is written
  as ``withheld`` and never sent (the row stays, so the plan's ids are stable and facilitators can count);
- with ``delivery.direct_messages.local_window`` set, a DM is held (``not_before``) until the window opens in
  the member's zone (``/cop timezone``, else the platform's, else the window's default, else the community's);
- a group message goes out when the window is open for all of its members; if they share no window hour in
  two weeks, each member gets their own copy in their own window;
- a DM that answers the member's own click or command right now goes at once: they are evidently there;
- just before sending, the outbox asks :meth:`DmRhythm.recheck` again, so a backlog that reaches a DM after its
  window closed, or a member whose zone became known after the plan, still gets it in daytime.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.actions import Action, DirectMessage, GroupMessage, action_from_dict
from bot.local_time import common_open, in_window, next_open, zone_of
from bot.ritual import Planned
from config.models import CommunityConfig
from storage import member_prefs, queries
from storage.member_prefs import MemberPrefs
from storage.models import Delivery, Member

RESTING = "the member turned optional DMs down (/cop dm off or /cop pause until)"
WINDOW, ANSWER = "window", "answer"
"""How a DM was timed (deliveries.timing): kept to its members' daytime, or sent at once as an answer."""


@dataclass(frozen=True)
class Shaped:
    """One outbox row to write: the plan's position ``seq`` (``part`` when a group message was split)."""

    seq: int
    planned: Planned
    part: int | None = None
    not_before: datetime | None = None
    withheld: str | None = None
    timing: str | None = None  # WINDOW: the outbox looks again just before sending; ANSWER: goes at once


def recipients(action: Action) -> tuple[str, ...]:
    """Who a DM reaches; () for anything that is not a direct message (channel posts, ephemeral answers)."""
    if isinstance(action, DirectMessage):
        return (action.member,)
    if isinstance(action, GroupMessage):
        return tuple(action.members)
    return ()


def addressed_to(action: Action, members: Sequence[str]) -> Action:
    """The same message for fewer members: a group of one becomes a plain DM."""
    if len(members) == 1:
        return DirectMessage(
            text=action.text, buttons=action.buttons, attachments=action.attachments, member=members[0]
        )
    assert isinstance(action, GroupMessage)
    return replace(action, members=tuple(members))


def member_zone(chosen: MemberPrefs | None, stored: Member | None, config: CommunityConfig) -> ZoneInfo:
    """A member's zone as DMs use it: chosen with ``/cop timezone``, else the platform's, else the window's
    default, else the community's."""
    window = config.delivery.direct_messages.local_window
    fallback = (window.default_timezone if window else None) or config.community.timezone
    return zone_of((chosen.tz if chosen else None) or (stored.tz if stored else None), fallback)


class DmRhythm:
    """Shapes a plan into outbox rows for the community's current config (hot reload applies at once)."""

    def __init__(self, config: Callable[[], CommunityConfig]) -> None:
        self._config = config

    def shape(
        self, tx: Session, planned: Sequence[Planned], now: datetime, present: str | None = None
    ) -> list[Shaped]:
        config = self._config()
        window = config.delivery.direct_messages.local_window
        keys = {key for item in planned for key in recipients(item.action)}
        optional = any(item.optional for item in planned)
        if not keys or (window is None and not optional):
            return [Shaped(seq, item) for seq, item in enumerate(planned)]
        community = config.community.id
        prefs = member_prefs.prefs_of(tx, community, keys)
        members = queries.members_by_key(tx, community, keys) if window is not None else {}

        def zone(key: str) -> ZoneInfo:
            return member_zone(prefs.get(key), members.get(key), config)

        out: list[Shaped] = []
        for seq, item in enumerate(planned):
            to = recipients(item.action)
            if not to:
                out.append(Shaped(seq, item))
                continue
            if item.optional:
                kept = [k for k in to if not member_prefs.is_resting(prefs.get(k), now.astimezone(zone(k)).date())]
                if not kept:
                    out.append(Shaped(seq, item, withheld=RESTING))
                    continue
                if len(kept) < len(to):
                    item = replace(item, action=addressed_to(item.action, kept))
                    to = tuple(kept)
            if window is None:
                out.append(Shaped(seq, item))
                continue
            if present in to:  # answering their own click or command: they are here now
                out.append(Shaped(seq, item, timing=ANSWER))
                continue
            when = common_open(window, [zone(k) for k in to], now)
            if when is not None:
                out.append(Shaped(seq, item, not_before=when if when > now else None, timing=WINDOW))
                continue
            for part, key in enumerate(to):  # no shared daytime: each their own copy, in their own window
                alone = replace(item, action=addressed_to(item.action, [key]))
                own = next_open(window, zone(key), now)
                out.append(Shaped(seq, alone, part=part, not_before=own if own > now else None, timing=WINDOW))
        return out

    def recheck(self, tx: Session, rows: Sequence[Delivery], now: datetime) -> dict[str, datetime]:
        """Just before sending: the windowed rows whose members are not in daytime now, and when they will be.

        Why again: a plan is shaped when it is made, but a backlog (a restart, a long fan-out) may reach a
        row after its window closed, and a member's zone may be learnt after the plan (they joined later,
        or set ``/cop timezone``).
        """
        config = self._config()
        window = config.delivery.direct_messages.local_window
        windowed = [(row, recipients(action_from_dict(json.loads(row.action)))) for row in rows if row.timing == WINDOW]
        if window is None or not windowed:
            return {}
        keys = {key for _, to in windowed for key in to}
        prefs = member_prefs.prefs_of(tx, config.community.id, keys)
        members = queries.members_by_key(tx, config.community.id, keys)
        later: dict[str, datetime] = {}
        for row, to in windowed:
            zones = [member_zone(prefs.get(k), members.get(k), config) for k in to]
            if all(in_window(window, zone, now) for zone in zones):
                continue
            # No shared daytime any more (a zone changed since): as soon as one of them is in daytime.
            when = common_open(window, zones, now) or min(next_open(window, zone, now) for zone in zones)
            if when > now:
                later[row.id] = when
        return later
