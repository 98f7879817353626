"""The ``/cop`` application command group, built from the runtime's command router.

Discord gets the same subcommands as Slack and the console: one group ``/cop``, a subgroup per first word
(``/cop prompt now``), and one optional or required ``text`` option when the command takes arguments.
The invoker's words are put back together into the same text the console would see, so parsing,
role checks and answers stay in the neutral core. The tree is hashed so the bot syncs it with Discord
only when it changed (syncing is rate-limited and slow to propagate).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any

import discord
from discord import app_commands

from bot.ritual import CommandSpec

log = logging.getLogger("copbot.discord.commands")

ROOT = "cop"
LEAF_FOR_GROUP = "run"  # a one-word command whose word is also a subgroup becomes `/cop <word> run`
MAX_CHILDREN = 25
"""Discord's limit of subcommands and subgroups in one group (discord.py refuses a 26th)."""
MORE = "more"
"""When ``/cop`` has more first words than fit, the rest are typed: ``/cop more text:"who knows terraform"``."""

Invoke = Callable[[discord.Interaction, str | None], Awaitable[None]]


def _describe(text: str) -> str:
    """Discord wants 1–100 characters."""
    text = text.strip() or "—"
    return text if len(text) <= 100 else text[:99] + "…"


def _name(word: str) -> str:
    return word.lower()[:32]


def _callback(invoke: Invoke, spec: CommandSpec) -> Callable[..., Coroutine[Any, Any, None]]:
    """A callback whose signature tells discord.py which option the command has (none, optional, required)."""
    if spec.max_args == 0:

        async def plain(interaction: discord.Interaction) -> None:
            await invoke(interaction, None)

        return plain
    if spec.min_args > 0:

        async def required(interaction: discord.Interaction, text: str) -> None:
            await invoke(interaction, text)

        return required

    async def optional(interaction: discord.Interaction, text: str | None = None) -> None:
        await invoke(interaction, text)

    return optional


def _command(invoke: Invoke, spec: CommandSpec, name: str) -> app_commands.Command[Any, ..., None]:
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=name, description=_describe(spec.summary), callback=_callback(invoke, spec)
    )
    if "text" in command._params:
        command._params["text"].description = _describe(spec.usage or "what the command needs")
    return command


def build_cop_group(
    specs: Sequence[CommandSpec], invoke: Invoke
) -> tuple[app_commands.Group, dict[str, tuple[str, ...]]]:
    """The ``/cop`` group and a map from each command's qualified name to its router path."""
    root = app_commands.Group(name=ROOT, description="copbot: the community's rituals", guild_only=True)
    paths: dict[str, tuple[str, ...]] = {}
    groups: dict[str, app_commands.Group] = {}
    firsts_with_children = {spec.path[0] for spec in specs if len(spec.path) > 1}
    shown = _shown_heads(specs)
    for spec in specs:
        head = _name(spec.path[0])
        if head not in shown:
            continue
        if len(spec.path) == 1 and head not in firsts_with_children:
            root.add_command(_command(invoke, spec, head))
            paths[f"{ROOT} {head}"] = spec.path
            continue
        group = groups.get(head)
        if group is None:
            group = app_commands.Group(name=head, description=_describe(f"/cop {head} …"))
            groups[head] = group
            root.add_command(group)
        leaf = LEAF_FOR_GROUP if len(spec.path) == 1 else _name("-".join(spec.path[1:]))
        group.add_command(_command(invoke, spec, leaf))
        paths[f"{ROOT} {head} {leaf}"] = spec.path
    if len(shown) < len({_name(spec.path[0]) for spec in specs}):
        root.add_command(_typed_out(invoke))
        paths[f"{ROOT} {MORE}"] = ()
    return root, paths


def _typed_out(invoke: Invoke) -> app_commands.Command[Any, ..., None]:
    """``/cop more text:"..."``: any command, typed as on Slack; the core parses it like every other."""

    async def typed(interaction: discord.Interaction, text: str) -> None:
        await invoke(interaction, text)

    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=MORE, description="any other /cop command, typed out, e.g. who knows terraform", callback=typed
    )
    command._params["text"].description = "the command and its words, as in /cop help"
    return command


def _shown_heads(specs: Sequence[CommandSpec]) -> set[str]:
    """The first words that get a subcommand or subgroup of their own; the others go through ``/cop more``.

    Why an order: Discord allows 25 children under ``/cop``, and copbot has more first words. Members'
    commands come first (they need to find them), and one-word commands (``/cop help``, ``/cop reload``); the
    facilitators' and admins' groups (``/cop pair now``, ``/cop ladder ...``) are typed after ``/cop more``.
    """
    role: dict[str, int] = {}
    words: dict[str, int] = {}
    for spec in specs:
        head = _name(spec.path[0])
        role[head] = min(role.get(head, int(spec.role)), int(spec.role))
        words[head] = max(words.get(head, 0), len(spec.path))
    heads = sorted(role, key=lambda h: (role[h] > 0 and words[h] > 1, role[h], h))
    return set(heads) if len(heads) <= MAX_CHILDREN else set(heads[: MAX_CHILDREN - 1])


def tree_hash(tree: app_commands.CommandTree[Any]) -> str:
    """A stable digest of what would be synced: equal digests mean Discord already has this tree."""
    payload = [command.to_dict(tree) for command in tree.get_commands()]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def command_text(path: tuple[str, ...], text: str | None) -> str:
    """The line the router parses, e.g. ``prompt add "What broke?"``."""
    words = " ".join(path)
    return f"{words} {text}".strip() if text else words
