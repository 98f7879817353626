"""The community's direct-message policy (``delivery.direct_messages`` in community.yaml): the one place that
decides whether, when and how fast a ritual's direct message goes out, the same on Slack, Discord and the console.

Why one place and not each ritual or adapter: "DMs in the member's own daytime", "no optional DMs while I'm on
pause", "no DMs at all" and "at most so many a second" must hold for every ritual, including the ones written
next year. A ritual only says what it sends and whether the message is optional (``Planned(..., optional=True)``:
a nudge, a check-in, a digest) or essential (the default: an introduction to a pairing they joined, a swap
request). The policy acts at three moments:

- when a plan is written (:meth:`DirectMessagePolicy.shape`): an optional DM to a member who turned DMs off
  (``/cop dm off``) or paused (``/cop pause until``) is written as ``withheld`` and never sent (the row stays, so
  the plan's ids are stable and facilitators can count); with ``local_window`` set, a DM is held (``not_before``)
  until the window opens in the member's zone (``/cop timezone``, else the platform's, else the window's default,
  else the community's); a group message goes out when the window is open for all of its members, and if they
  share no window hour in two weeks each member gets their own copy in their own window; a DM that answers the
  member's own click or command goes at once: they are evidently there;
- when the outbox is about to send (:meth:`DirectMessagePolicy.recheck`): a backlog that reaches a DM after its
  window closed, or a member whose zone became known after the plan, still gets it in daytime;
- when an adapter opens the DM conversation (:meth:`DirectMessagePolicy.before_dm`, the adapter's ``dm_gate``):
  refused while DMs are switched off, otherwise spaced evenly at ``per_second``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.actions import Action, DirectMessage, GroupMessage, action_from_dict
from bot.adapter import DeliveryRefused
from bot.local_time import common_open, in_window, next_open, zone_of
from bot.pacing import Pacer
from bot.ritual import Planned
from config.models import CommunityConfig
from storage import member_prefs, queries
from storage.member_prefs import MemberPrefs
from storage.models import Delivery, Member

SWITCHED_OFF = "direct messages are switched off in community.yaml (delivery.direct_messages)"
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


class DirectMessagePolicy:
    """community.yaml's DM policy: when each DM may go (:meth:`shape`, :meth:`recheck`), and whether DMs go at all
    and how fast (:meth:`before_dm`, the gate each adapter awaits). Read live, so a hot reload applies at once.

    ``config``: the community's current config; None (a benchmark, a test's sender) refuses nothing, paces
    nothing and times nothing. ``paced``: whether the platform counts messages per second at all (the console
    does not: its time is simulated, so it only honours the switch). ``scale`` speeds the pace up for benchmarks
    on a fast fake clock.
    """

    def __init__(
        self,
        config: Callable[[], CommunityConfig] | None,
        *,
        paced: bool = True,
        scale: float = 1.0,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._config = config
        self.paced = paced
        self.scale = scale
        self._monotonic, self._sleep = monotonic, sleep
        self._pacer: Pacer | None = None

    async def before_dm(self) -> None:
        """Just before an adapter opens a DM conversation: refused while DMs are switched off, else evenly spaced."""
        if self._config is None:
            return
        policy = self._config().delivery.direct_messages
        if not policy.enabled:
            raise DeliveryRefused(SWITCHED_OFF)
        if not self.paced or policy.per_second <= 0:
            return
        rate = policy.per_second * self.scale
        if self._pacer is None or self._pacer.rate != rate:
            # One permit at a time: evenly spaced, as community.yaml documents (a new pace starts afresh).
            self._pacer = Pacer(rate, window=0, monotonic=self._monotonic, sleep=self._sleep)
        await self._pacer.wait()

    def shape(
        self, tx: Session, planned: Sequence[Planned], now: datetime, present: str | None = None
    ) -> list[Shaped]:
        if self._config is None:
            return [Shaped(seq, item) for seq, item in enumerate(planned)]
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
        if self._config is None:
            return {}
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
