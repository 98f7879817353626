"""A ritual whose settings are one optional ``rituals.<section>`` of community.yaml, with an ``enabled`` flag.

Why: eight rituals each carried their own copy of the same two answers: is this ritual on (its section is
there and ``enabled`` is true), and what does a command say when it is off. :class:`ConfiguredRitual` is the
one place for both; a ritual declares only which section it reads and what it is called, and keeps its exact
"switched off" wording, which members see.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, Protocol, TypeVar, cast, get_args

from bot.commands import CommandError
from bot.ritual import Ritual
from config.models import Rituals


class Switchable(Protocol):
    """A ritual's section of community.yaml: anything with an ``enabled`` flag."""

    @property
    def enabled(self) -> bool: ...


C = TypeVar("C", bound=Switchable)


class ConfiguredRitual(Ritual, Generic[C]):
    """A ritual that is on when its ``rituals.<section>`` is present and ``enabled``, off otherwise.

    A subclass names its section and title, e.g. ``class LadderRitual(ConfiguredRitual[LadderConfig])`` with
    ``section = "ladder"`` and ``title = "The member ladder"``; ``plural = True`` for a plural title ("Kudos
    are"). A ritual that words its refusal differently overrides :meth:`off_message`. The section is checked
    against ``Rituals`` and the config type when the class is defined, so a typo fails at import, not when a
    member runs a command.
    """

    section: ClassVar[str]
    title: ClassVar[str]
    plural: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        field = Rituals.model_fields.get(cls.section)
        if field is None:
            raise TypeError(f"{cls.__name__}.section: community.yaml has no rituals.{cls.section}")
        for base in getattr(cls, "__orig_bases__", ()):
            declared = get_args(base)
            if declared and declared[0] not in get_args(field.annotation):
                named = getattr(declared[0], "__name__", declared[0])
                raise TypeError(f"{cls.__name__}: rituals.{cls.section} is {field.annotation}, not {named}")

    @property
    def settings(self) -> C | None:
        """This ritual's section as loaded now (hot reload replaces it); None when community.yaml leaves it out."""
        return cast("C | None", getattr(self.ctx.config.rituals, self.section))

    def enabled(self) -> bool:
        settings = self.settings
        return settings is not None and settings.enabled

    def off_message(self) -> str:
        """What a command answers while this ritual is off."""
        verb = "are" if self.plural else "is"
        return f"{self.title} {verb} switched off here (rituals.{self.section} in community.yaml)."

    def _on(self) -> C:
        """The settings, for code that only makes sense while the ritual is on; else :class:`CommandError`."""
        settings = self.settings
        if settings is None or not settings.enabled:
            raise CommandError(self.off_message())
        return settings
