"""The adapter contract: how the core talks to a platform without knowing which one.

An adapter translates both ways. Inbound, it turns a platform event into one neutral event and hands
it to the sink. Outbound, it performs one neutral action and returns the platform's reference to the
message it made. Performing goes through a handler table (``@performs(Post)``): an action an adapter
has no handler for is a loud ``TypeError``, never a silent no-op. A message the platform or the
community's policy will not take is a :class:`DeliveryRefused`. Every adapter passes the same
conformance suite (tests/test_adapter_conformance.py).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, TypeVar

from bot.actions import Action
from bot.events import Event
from bot.people import Resolution, keys_only
from config.models import CommunityConfig

EventSink = Callable[[Event], Awaitable[str | None]]
"""Hands one neutral event to the core; for a command, returns the invoker's ephemeral answer."""

DirectMessageGate = Callable[[], Awaitable[None]]
"""Awaited before each direct-message conversation an adapter opens (see :attr:`Adapter.dm_gate`)."""


class DeliveryRefused(PermissionError):
    """The platform or the community's policy will not take this message, now or on a retry (direct messages
    switched off in community.yaml, a member who takes no DMs): the outbox records why and never retries it."""


async def _no_gate() -> None:
    return None

A = TypeVar("A", bound=Action)
Handler = Callable[[Any, Any, str], Awaitable[str | None]]


class Adapter(Protocol):
    """What every platform adapter offers the runtime."""

    platform: str
    answer_limit: int | None
    """The longest command answer (neutral characters) the platform shows as one reply; the core sends a longer
    one by direct message, through the outbox, where the adapter splits it. None: no limit (the console)."""

    async def start(self, sink: EventSink) -> None:
        """Connect and begin delivering neutral events to ``sink``."""

    async def stop(self) -> None:
        """Disconnect cleanly."""

    async def perform(self, action: Action, delivery_id: str) -> str | None:
        """Carry out ``action``; return the platform reference of the message made (if any).

        ``delivery_id`` is the outbox's stable id: adapters attach it to the message (Slack metadata,
        Discord nonce) so :meth:`find_delivery` can tell after a crash whether it already went out.
        """

    async def find_delivery(self, action: Action, delivery_id: str) -> str | None:
        """After a crash mid-send: the reference of the message already sent for ``delivery_id``, or None."""

    people_changed: Callable[[], None] | None
    """Set by the runtime: the adapter calls it when the platform's people or groups changed (someone joined,
    a role or user group gained a member), so the people community.yaml names are resolved again."""

    async def resolve_people(self, refs: Sequence[str]) -> Resolution:
        """Whom each people reference of community.yaml stands for here (bot/people.py), with the reason when
        nobody: ``@handle``, ``email:``, ``role:``, user groups and member keys, as the platform can look them up."""

    paced: bool
    """True when the platform counts messages per second (rate limits, spam flags): the community's DM pace
    (``delivery.direct_messages.per_second``) applies. False for the console, whose time is simulated."""

    dm_gate: DirectMessageGate
    """Set by the runtime to the outbox's DM policy: awaited before each direct-message conversation the adapter
    opens (a DM, each member of a group). It raises :class:`DeliveryRefused` while DMs are switched off in
    community.yaml, and waits to keep the community's pace; the adapter keeps no DM policy of its own."""

    async def is_connected(self) -> bool:
        """For /healthz: whether the platform connection is up now (the console always is)."""

    def apply_config(self, config: CommunityConfig) -> None:
        """community.yaml as loaded at start and after every reload (the settings an adapter reads itself,
        such as the community's channel names)."""


def performs(kind: type[A]) -> Callable[[Callable[[Any, A, str], Awaitable[str | None]]], Any]:
    """Mark an adapter method as the handler of one neutral action kind."""

    def mark(fn: Callable[[Any, A, str], Awaitable[str | None]]) -> Any:
        fn.__copbot_performs__ = kind  # type: ignore[attr-defined]
        return fn

    return mark


class HandlerTable:
    """Mixin: builds the action → handler table from ``@performs`` methods and dispatches on it."""

    _handlers: dict[type[Action], str]
    platform: str
    answer_limit: int | None = None
    people_changed: Callable[[], None] | None = None
    paced: bool = True
    dm_gate: DirectMessageGate = staticmethod(_no_gate)

    async def is_connected(self) -> bool:
        return True

    def apply_config(self, config: CommunityConfig) -> None:
        """Nothing to take from community.yaml by default."""

    async def resolve_people(self, refs: Sequence[str]) -> Resolution:
        """By default only this platform's member keys stand for someone; adapters that can look people up
        override it."""
        return keys_only(self.platform, refs)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        table: dict[type[Action], str] = {}
        for klass in reversed(cls.__mro__):
            for name, member in vars(klass).items():
                kind = getattr(member, "__copbot_performs__", None)
                if kind is not None:
                    table[kind] = name
        cls._handlers = table

    async def perform(self, action: Action, delivery_id: str) -> str | None:
        name = self._handlers.get(type(action))
        if name is None:
            raise TypeError(f"{type(self).__name__} cannot perform {type(action).__name__}")
        result: str | None = await getattr(self, name)(action, delivery_id)
        return result
