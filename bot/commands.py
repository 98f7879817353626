"""The ``/cop`` command tree: parsing, routing, role checks and a help text built from what is registered.

Rituals register :class:`CommandSpec` items; nothing here knows any ritual. Every refusal is short,
says why, and says what to type instead, because the answer is the only documentation most members read.
"""

from __future__ import annotations

import difflib
import shlex
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.ritual import CommandSpec, Role
from bot.text import clip, echo

ROLE_NAMES = {Role.MEMBER: "member", Role.FACILITATOR: "facilitator", Role.ADMIN: "admin"}


class CommandError(Exception):
    """A command could not be carried out; the message goes back to the invoker as it is."""


@dataclass(frozen=True)
class Routed:
    """A command line matched to its spec, with the remaining words as arguments."""

    spec: CommandSpec
    args: list[str]


class CommandRouter:
    """Holds the registered subcommands and turns ``/cop`` text into a :class:`Routed` or a helpful error."""

    def __init__(self, specs: Iterable[CommandSpec] = ()) -> None:
        self._specs: dict[tuple[str, ...], CommandSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: CommandSpec) -> None:
        if spec.path in self._specs:
            raise ValueError(f"/cop {' '.join(spec.path)} is registered twice")
        self._specs[spec.path] = spec

    @property
    def specs(self) -> list[CommandSpec]:
        return sorted(self._specs.values(), key=lambda s: s.path)

    def route(self, text: str) -> Routed:
        """Parse and match; raises :class:`CommandError` with a suggestion when nothing fits."""
        try:
            words = shlex.split(text.strip())
        except ValueError:
            raise CommandError(
                "I could not read that: a quote is not closed. Put the text in matching quotes, e.g. "
                '`/cop prompt add "What did you automate this week?"`'
            ) from None
        if not words:
            words = ["help"]
        lowered = [w.lower() for w in words]
        for length in range(min(len(words), 3), 0, -1):
            spec = self._specs.get(tuple(lowered[:length]))
            if spec is not None:
                args = words[length:]
                self._check_arity(spec, args)
                return Routed(spec, args)
        raise CommandError(self._unknown(lowered))

    def _check_arity(self, spec: CommandSpec, args: list[str]) -> None:
        too_few = len(args) < spec.min_args
        too_many = spec.max_args is not None and len(args) > spec.max_args
        if too_few or too_many:
            problem = "is missing something" if too_few else "got more than it takes"
            raise CommandError(f"`/cop {' '.join(spec.path)}` {problem}. Usage: `{usage(spec)}`")

    def _unknown(self, words: list[str]) -> str:
        shown = clip(" ".join(words))  # a 100 KB "command" is not repeated back whole
        prefixes = {path[: len(words)] for path in self._specs}
        children = sorted(" ".join(p) for p in self._specs if p[: len(words[:1])] == tuple(words[:1]))
        if words and tuple(words[:1]) in {p[:1] for p in prefixes} and children:
            options = ", ".join(f"`/cop {c}`" for c in children)
            return f"`/cop {shown}` is not a command. Did you mean one of: {options}?"
        names = sorted({" ".join(p) for p in self._specs} | {p[0] for p in self._specs})
        guess = difflib.get_close_matches(" ".join(words[:2]), names, n=1) or difflib.get_close_matches(
            words[0], names, n=1
        )
        hint = f" Did you mean `/cop {guess[0]}`?" if guess else ""
        return f"`/cop {clip(words[0])}` is not a command.{hint} Type `/cop help` to see them all."

    def help_text(
        self, role: Role, topic_of: Callable[[CommandSpec], str] = lambda _: "", order: Sequence[str] = ()
    ) -> str:
        """What the invoker may run and nothing else, one line per topic (what people come to do: a ritual),
        the commands of a family folded (``pairing join|leave|pause``); ``/cop help <command>`` has the details.

        Why so short: the answer is the only documentation most members read, and a 40-line list in
        alphabetical order hides the three commands they came for.
        """
        lines = ["*What you can ask me* (`/cop help <command>` explains one)"]
        for level in (Role.MEMBER, Role.FACILITATOR, Role.ADMIN):
            specs = [s for s in self.specs if s.role == level and s.path != ("help",)]
            if level > role or not specs:
                continue
            if level > Role.MEMBER:
                lines.append(f"_for {ROLE_NAMES[level]}s_")
            topics: dict[str, list[CommandSpec]] = {}
            for spec in specs:
                topics.setdefault(topic_of(spec), []).append(spec)
            ranked = sorted(topics.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order))
            for topic, group in ranked:
                lines.append(f"• {topic + ': ' if topic else ''}{_folded(group)}")
        return "\n".join(lines)

    def command_help(self, words: Sequence[str], role: Role) -> str:
        """``/cop help pairing`` or ``/cop help pairing join``: usage and what each matching command does."""
        wanted = tuple(w.lower() for w in words)
        matching = [s for s in self.specs if s.path[: len(wanted)] == wanted]
        if not matching:
            raise CommandError(self._unknown(list(wanted)))
        allowed = [s for s in matching if s.role <= role]
        if not allowed:
            return refusal(matching[0])
        lines = [f"• `{usage(s)}`: {s.summary}" + (f" ({ROLE_NAMES[s.role]}s)" if s.role else "") for s in allowed]
        hidden = len(matching) - len(allowed)
        if hidden:
            lines.append(f"({hidden} more for {'facilitators' if role < Role.FACILITATOR else 'admins'})")
        return "\n".join(lines)


def _folded(specs: Sequence[CommandSpec]) -> str:
    """``/cop kudos``, ``/cop kudos mine`` and ``/cop pairing join``, ``/cop pairing leave`` as
    ```kudos`, `kudos mine`, `pairing join|leave```: a family of subcommands on one line."""
    families: dict[str, list[tuple[str, ...]]] = {}
    for spec in specs:
        families.setdefault(spec.path[0], []).append(spec.path[1:])
    parts = []
    for word, rests in families.items():
        if () in rests:
            parts.append(f"`{word}`")
        subs = [" ".join(rest) for rest in rests if rest]
        if subs:
            parts.append(f"`{word} {'|'.join(subs)}`")
    return ", ".join(parts)


def read_date(text: str, example: str) -> date:
    """A YYYY-MM-DD a member typed, or a CommandError that shows ``example`` (e.g. ``/cop pause until 2027-03-01``)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"I could not read {echo(text.strip())} as a date. Write it as YYYY-MM-DD, e.g. `{example}`."
        ) from None


def usage(spec: CommandSpec) -> str:
    return f"/cop {' '.join(spec.path)}{' ' + spec.usage if spec.usage else ''}"


def refusal(spec: CommandSpec) -> str:
    who = ROLE_NAMES[spec.role]
    article = "an" if who[0] in "aeiou" else "a"
    return f"Only {who}s can run `/cop {' '.join(spec.path)}`. Ask {article} {who} if you need it."
