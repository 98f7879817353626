"""The ``/cop`` application command group, built from the runtime's command router.

Discord gets the same subcommands as Slack and the console, a subgroup per first word (``/cop prompt now``),
and one optional or required ``text`` option when the command takes arguments. The invoker's words are put
back together into the same text the console would see, so parsing, role checks and answers stay in the
neutral core. The tree is hashed so the bot syncs it with Discord only when it changed (syncing is
rate-limited and slow to propagate).

Two top-level groups, because Discord can hide a command only as a whole (``default_member_permissions`` is
set on top-level commands, never on a subcommand): ``/cop`` holds what every member may run and works in the
bot's DMs too; ``/cop-admin`` holds the facilitator and admin commands, shown only to members with Manage
Server unless the server's admins allow more (Server Settings → Integrations). The role check in the core stays:
whoever can see ``/cop-admin`` but is no facilitator in community.yaml is still refused.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

import discord
from discord import app_commands

from bot.ritual import CommandSpec, Role

log = logging.getLogger("copbot.discord.commands")

ROOT = "cop"
ADMIN_ROOT = "cop-admin"
ADMIN_PERMISSIONS = discord.Permissions(manage_guild=True)
"""Who sees ``/cop-admin`` until the server's admins say otherwise: members who may manage the server."""
LEAF_FOR_GROUP = "run"  # a one-word command whose word is also a subgroup becomes `/cop <word> run`
MAX_CHILDREN = 25
"""Discord's limit of subcommands and subgroups in one group (discord.py refuses a 26th)."""
MORE = "more"
"""When ``/cop`` has more first words than fit, the rest are typed: ``/cop more text:"who knows terraform"``."""

MEMBER_ARG = "@member"
"""How a command's usage names a member argument (``/cop kudos @member for …``)."""


@dataclass(frozen=True)
class CommandInput:
    """What the invoker gave: free ``text``, the ``member`` picked in a USER option, and yes/no words set."""

    text: str | None = None
    member: discord.abc.User | None = None
    flags: tuple[str, ...] = ()


Invoke = Callable[[discord.Interaction, CommandInput], Awaitable[None]]


def _describe(text: str) -> str:
    """Discord wants 1–100 characters."""
    text = text.strip() or "—"
    return text if len(text) <= 100 else text[:99] + "…"


def _name(word: str) -> str:
    return word.lower()[:32]


def _callback(invoke: Invoke, spec: CommandSpec) -> Callable[..., Coroutine[Any, Any, None]]:
    """A callback whose signature tells discord.py which option the command has (none, optional, required)."""
    if MEMBER_ARG in spec.usage.split():
        return _member_callback(invoke, spec)
    if spec.max_args == 0:

        async def plain(interaction: discord.Interaction) -> None:
            await invoke(interaction, CommandInput())

        return plain
    if spec.min_args > 0:

        async def required(interaction: discord.Interaction, text: str) -> None:
            await invoke(interaction, CommandInput(text))

        return required

    async def optional(interaction: discord.Interaction, text: str | None = None) -> None:
        await invoke(interaction, CommandInput(text))

    return optional


def _member_callback(invoke: Invoke, spec: CommandSpec) -> Callable[..., Coroutine[Any, Any, None]]:
    """A command that names a member (usage ``@member …``) takes a USER option: Discord's member picker, so the
    core gets the member's id, never a name two members may share. What follows ``@member`` is the ``text``
    option (required unless the usage writes it in brackets); one ``[word]`` before it is a yes/no option."""
    before, _, after = spec.usage.partition(MEMBER_ARG)
    flags = re.findall(r"\[(\w+)\]", before)
    after = after.strip()
    if flags:

        @app_commands.rename(flag=_name(flags[0]))
        async def flagged(interaction: discord.Interaction, member: discord.User, text: str, flag: bool = False
                          ) -> None:
            await invoke(interaction, CommandInput(text, member, (flags[0],) if flag else ()))

        return flagged
    if not after:

        async def member_only(interaction: discord.Interaction, member: discord.User) -> None:
            await invoke(interaction, CommandInput(None, member))

        return member_only
    if not after.startswith("["):

        async def member_and_text(interaction: discord.Interaction, member: discord.User, text: str) -> None:
            await invoke(interaction, CommandInput(text, member))

        return member_and_text

    async def member_maybe_text(interaction: discord.Interaction, member: discord.User, text: str | None = None
                                ) -> None:
        await invoke(interaction, CommandInput(text, member))

    return member_maybe_text


def _command(invoke: Invoke, spec: CommandSpec, name: str) -> app_commands.Command[Any, ..., None]:
    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=name, description=_describe(spec.summary), callback=_callback(invoke, spec)
    )
    params = command._params
    if "member" in params:
        params["member"].description = "the member (pick them from the list)"
    if "text" in params:
        shown = spec.usage.partition(MEMBER_ARG)[2].strip() if "member" in params else spec.usage
        params["text"].description = _describe(shown or "what the command needs")
    if "flag" in params:
        params["flag"].description = _describe(f"{params['flag'].display_name}: yes or no")
    return command


def build_cop_groups(
    specs: Sequence[CommandSpec], invoke: Invoke
) -> tuple[list[app_commands.Group], dict[str, tuple[str, ...]]]:
    """``/cop`` (members; in the server and in the bot's DMs) and ``/cop-admin`` (facilitators and admins; in the
    server, hidden by default), and a map from each command's qualified name to its router path."""
    member = app_commands.Group(
        name=ROOT, description="copbot: the community's rituals",
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
        allowed_installs=app_commands.AppInstallationType(guild=True),
    )
    admin = app_commands.Group(
        name=ADMIN_ROOT, description="copbot: facilitator and admin commands",
        allowed_contexts=app_commands.AppCommandContext(guild=True),
        allowed_installs=app_commands.AppInstallationType(guild=True),
        default_permissions=ADMIN_PERMISSIONS,
    )
    paths: dict[str, tuple[str, ...]] = {}
    for root, chosen in ((member, [s for s in specs if s.role == Role.MEMBER]),
                         (admin, [s for s in specs if s.role > Role.MEMBER])):
        _fill(root, chosen, invoke, paths)
    return [root for root in (member, admin) if root.commands], paths


def _fill(root: app_commands.Group, specs: Sequence[CommandSpec], invoke: Invoke,
          paths: dict[str, tuple[str, ...]]) -> None:
    groups: dict[str, app_commands.Group] = {}
    firsts_with_children = {spec.path[0] for spec in specs if len(spec.path) > 1}
    shown = _shown_heads(specs)
    for spec in specs:
        head = _name(spec.path[0])
        if head not in shown:
            continue
        if len(spec.path) == 1 and head not in firsts_with_children:
            root.add_command(_command(invoke, spec, head))
            paths[f"{root.name} {head}"] = spec.path
            continue
        group = groups.get(head)
        if group is None:
            group = app_commands.Group(name=head, description=_describe(f"/{root.name} {head} …"))
            groups[head] = group
            root.add_command(group)
        leaf = LEAF_FOR_GROUP if len(spec.path) == 1 else _name("-".join(spec.path[1:]))
        group.add_command(_command(invoke, spec, leaf))
        paths[f"{root.name} {head} {leaf}"] = spec.path
    if len(shown) < len({_name(spec.path[0]) for spec in specs}):
        root.add_command(_typed_out(invoke, root.name))
        paths[f"{root.name} {MORE}"] = ()


def admin_paths(specs: Sequence[CommandSpec]) -> list[tuple[str, ...]]:
    """The router paths that live under ``/cop-admin`` on Discord (for rewriting ``/cop …`` in answers)."""
    return [spec.path for spec in specs if spec.role > Role.MEMBER]


def _typed_out(invoke: Invoke, root: str) -> app_commands.Command[Any, ..., None]:
    """``/cop more text:"..."``: any command of this group, typed as on Slack; the core parses it like every other."""

    async def typed(interaction: discord.Interaction, text: str) -> None:
        await invoke(interaction, CommandInput(text))

    command: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=MORE, description=f"any other /{root} command, typed out", callback=typed
    )
    command._params["text"].description = "the command and its words, as in /cop help"
    return command


def _shown_heads(specs: Sequence[CommandSpec]) -> set[str]:
    """The first words of one group that get a subcommand or subgroup of their own; the rest go through ``more``.

    Why: Discord allows 25 children in a group, and copbot may have more first words for one of them. One-word
    commands (``/cop help``) and the lower roles' come first; the rest are typed after ``/cop more``.
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


def command_text(path: tuple[str, ...], text: str | None, before: tuple[str, ...] = ()) -> str:
    """The line the router parses, e.g. ``prompt add "What broke?"``; ``before`` goes between path and text
    (the yes/no words and the marked mention of a picked member: ``kudos private <ana> for …``)."""
    return " ".join([*path, *before, *([text] if text else [])])
