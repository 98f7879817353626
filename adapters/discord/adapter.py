"""The Discord adapter: gateway events in as neutral events, neutral actions out as REST calls.

Inbound, every event gets a stable id built from what Discord sends (a reaction is
``reaction:<message>:<user>:<emoji>``), so a replay after a gateway reconnect collapses in the core's
(platform, event id) key. Outbound, every message carries a nonce derived from the outbox delivery id
with ``enforce_nonce``, and client-wide ``AllowedMentions.none()``: only the members the core marked
with :func:`bot.text.mention` can be pinged, never @everyone, @here or a role from relayed text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

import discord

from adapters.discord import markdown
from adapters.discord.buttons import view_for
from adapters.discord.client import CopClient
from adapters.discord.commands import (
    ADMIN_ROOT,
    CommandInput,
    admin_paths,
    build_cop_groups,
    command_text,
    tree_hash,
)
from adapters.discord.ids import (
    PLATFORM,
    delivery_marker,
    guild_for_dm,
    guild_of,
    member_key,
    message_ref,
    nonce_for,
    parse_ref,
    part_label,
    user_id_of,
)
from adapters.discord.settings import PORTAL, DiscordSettings
from bot.actions import (
    GROUP_ACTIONS,
    Action,
    AddToGroup,
    CalendarEvent,
    DirectMessage,
    Ephemeral,
    GroupMessage,
    OpenGroupSpace,
    Post,
    React,
    RemoveFromGroup,
    Reply,
)
from bot.adapter import DeliveryRefused, EventSink, HandlerTable, performs
from bot.clock import Clock, SystemClock
from bot.events import (
    ButtonClicked,
    CommandInvoked,
    Event,
    MemberJoined,
    MemberLeft,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
    ReplyPosted,
)
from bot.people import Directory, Group, Person, Resolution, keys_only, resolve_ref
from bot.ritual import CommandSpec
from bot.text import mention, split_to_fit
from config.models import CommunityConfig
from config.people import KEY, ROLE
from config.people import parse_ref as parse_person

log = logging.getLogger("copbot.discord")


class TakesNoDirectMessages(DeliveryRefused):
    """A member whose Discord privacy settings refuse DMs from server members: asking again changes nothing."""

MAX_CONTENT = 2000
CANNOT_DM = 50007  # Discord's error code for "Cannot send messages to this user"
THREAD_EXISTS = 160004  # "A thread has already been created for this message"
LOOKUP_DEPTH = 300
"""Messages read back (newest first, 100 a request) when looking for a delivery after a crash. The search
stops at the first match, and a DM channel's history is short, so most look-ups cost one request; only a
message that never went out, in a busy channel, costs three. A restart comes within minutes, so an
in-doubt message is among a channel's last 300 unless members posted more than that meanwhile."""
COMMANDS_HASH_KEY = "discord.commands_hash"
DM_GUILD_KEY = "discord.dm_guild:"

EMOJI = {
    "tada": "🎉",
    "wave": "👋",
    "thumbsup": "👍",
    "+1": "👍",
    "heart": "❤️",
    "eyes": "👀",
    "white_check_mark": "✅",
    "raised_hands": "🙌",
    "sparkles": "✨",
    "rocket": "🚀",
}


class StateStore(Protocol):
    """Small key/value state kept per community (the command tree's hash)."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...


class DiscordStartError(Exception):
    """Discord cannot be used as configured; the message says what to change, in one line."""


def privileged_intents_message(message_content: bool) -> str:
    extra = " and MESSAGE CONTENT INTENT" if message_content else ""
    return (
        "Discord closed the gateway with 4014 (privileged intent not enabled): turn on SERVER MEMBERS INTENT"
        f"{extra} at {PORTAL} → your application → Bot → Privileged Gateway Intents, then start copbot again."
    )


def login_failure_message() -> str:
    return (
        f"Discord rejected DISCORD_TOKEN (401): copy a fresh bot token from {PORTAL} → your application → Bot → "
        "Reset Token, export it as DISCORD_TOKEN and start copbot again."
    )


def _admin_usage_pattern(paths: Sequence[tuple[str, ...]]) -> re.Pattern[str] | None:
    """Matches ``/cop <path>`` for the commands that live under ``/cop-admin`` on Discord, longest path first."""
    if not paths:
        return None
    words = sorted((" ".join(p) for p in paths), key=len, reverse=True)
    return re.compile(r"/cop (?=(?:" + "|".join(re.escape(w) for w in words) + r")\b)")


def _emoji_name(emoji: discord.PartialEmoji) -> str:
    return emoji.name or str(emoji.id)


class DiscordAdapter(HandlerTable):
    """One bot in one Discord server (the first server it is in, or ``DISCORD_GUILD_ID``)."""

    platform = PLATFORM
    answer_limit: int | None = MAX_CONTENT - 200  # an interaction answer is one message; rendering adds a little

    def __init__(
        self,
        settings: DiscordSettings,
        *,
        commands: Callable[[], Sequence[CommandSpec]] | None = None,
        state: StateStore | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.clock: Clock = clock or SystemClock()  # the runtime's clock: events Discord sends without a time
        self.team_role_prefix: str | None = None  # teams.discord_role_prefix (apply_config): "team-sre" -> sre
        self.settings = settings
        self.commands = commands
        self.state = state
        self.client = CopClient(self, settings)
        self.sink: EventSink | None = None
        self.ready = asyncio.Event()
        self.resumed = 0
        self.fatal: str | None = None
        self.on_fatal: Callable[[str], None] | None = None
        self.synced = False
        self._paths: dict[str, tuple[str, ...]] = {}
        self._channels: dict[str, int] = {}
        self._thread_parents: dict[int, int | None] = {}
        self._roles: dict[str, int] = {}  # group name -> the role the bot made or found for it
        self._parts_found: dict[str, dict[str, str]] = {}  # parts sent before a crash, by delivery id and label
        self._connect_task: asyncio.Task[None] | None = None
        self._chunked: set[int] = set()  # servers whose member list the bot has asked for
        self._admin_usage: re.Pattern[str] | None = None
        self._dm_guild_by_message: dict[int, int] = {}  # DMs sent for a member of this server (see guild_for_dm)
        self._dm_guild_by_user: dict[int, int] = {}

    # --- lifecycle ---------------------------------------------------------------------------------

    async def start(self, sink: EventSink) -> None:
        """Log in, build and (if changed) sync ``/cop``, connect, and wait for the first GUILD_CREATEs."""
        self.sink = sink
        if not self.settings.token:
            raise DiscordStartError(
                f"DISCORD_TOKEN is not set: create a bot at {PORTAL} → your application → Bot, copy its token "
                "and export DISCORD_TOKEN=..."
            )
        try:
            await self.client.login(self.settings.token)
        except discord.LoginFailure:
            await self.client.close()
            raise DiscordStartError(login_failure_message()) from None
        self._install_commands()
        self._connect_task = asyncio.create_task(self._connect(), name="copbot-discord-gateway")
        ready = asyncio.create_task(self.ready.wait())
        done, _ = await asyncio.wait(
            {ready, self._connect_task}, timeout=self.settings.connect_timeout, return_when=asyncio.FIRST_COMPLETED
        )
        if ready not in done:
            ready.cancel()
            await self.client.close()
            raise DiscordStartError(self.fatal or "Discord's gateway did not become ready; check DISCORD_GATEWAY_URL")
        await self._sync_commands()

    async def _connect(self) -> None:
        """The gateway loop; a failure it cannot recover from stops the bot once (never a restart loop)."""
        try:
            await self.client.connect(reconnect=True)
        except discord.PrivilegedIntentsRequired:
            self._fail(privileged_intents_message(self.settings.message_content))
        except discord.LoginFailure:
            self._fail(login_failure_message())
        except discord.ConnectionClosed as exc:
            self._fail(f"Discord closed the gateway with {exc.code} ({exc.reason or 'no reason'}); not reconnecting.")
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._fail(f"The Discord connection failed: {type(exc).__name__}: {exc}")

    def _fail(self, message: str) -> None:
        self.fatal = message
        log.error("%s", message)
        if self.on_fatal is not None:
            self.on_fatal(message)

    async def is_connected(self) -> bool:
        """For /healthz: the gateway said READY, is still open, and nothing fatal happened since."""
        return self.client.is_ready() and not self.client.is_closed() and self.fatal is None

    def apply_config(self, config: CommunityConfig) -> None:
        """community.yaml at start and on reload: the role prefix that names a member's team."""
        self.team_role_prefix = config.teams.discord_role_prefix

    async def stop(self) -> None:
        await self.client.close()
        if self._connect_task is not None:
            self._connect_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._connect_task
            self._connect_task = None

    # --- /cop ----------------------------------------------------------------------------------------

    def _install_commands(self) -> None:
        specs = list(self.commands()) if self.commands else []
        if not specs:
            return
        groups, self._paths = build_cop_groups(specs, self._on_command)
        self.client.tree.clear_commands(guild=None)
        for group in groups:
            self.client.tree.add_command(group)
        self._admin_usage = _admin_usage_pattern(admin_paths(specs))

    async def _sync_commands(self) -> None:
        """Sync only when the tree differs from the last synced one (hash kept in community state)."""
        if not self._paths:
            return
        digest = tree_hash(self.client.tree)
        if self.state is not None and self.state.get(COMMANDS_HASH_KEY) == digest:
            return
        await self.client.tree.sync()
        self.synced = True
        if self.state is not None:
            self.state.set(COMMANDS_HASH_KEY, digest)
        log.info("synced /cop with Discord")

    @staticmethod
    def _command_place(interaction: discord.Interaction) -> dict[str, str]:
        """Where a command was run, for commands that act on it: inside a thread, the thread's neutral ref
        (``/cop harvest`` there saves that thread). The interaction payload carries the channel, so
        discord.py has already made it a ``Thread``: no REST call before the 3-second answer deadline."""
        channel = interaction.channel
        if isinstance(channel, discord.Thread) and channel.parent_id:
            return {"thread_ref": message_ref(channel.parent_id, channel.id)}
        return {}

    def _member_of(self, interaction: discord.Interaction) -> str:
        """The member who clicked or ran a command. Inside a DM Discord sends no server (only the user), so the
        member is looked up in the server the bot serves: see :func:`adapters.discord.ids.guild_for_dm`."""
        user_id = interaction.user.id
        if interaction.guild_id is not None:
            return member_key(interaction.guild_id, user_id)
        message_id = interaction.message.id if interaction.message is not None else None
        remembered = self._dm_guild_by_message.get(message_id) if message_id is not None else None
        if remembered is None and message_id is not None and self.state is not None:
            stored = self.state.get(f"{DM_GUILD_KEY}{message_id}")
            remembered = int(stored) if stored and stored.isdigit() else None
        guilds = self._guilds()
        guild = guild_for_dm(
            configured=self.settings.guild_id,
            remembered=remembered or self._dm_guild_by_user.get(user_id),
            guilds_with_user=[g.id for g in guilds if g.get_member(user_id) is not None],
            guilds=[g.id for g in guilds],
        )
        return member_key(guild, user_id)

    def _remember_dm(self, member: str, message: discord.Message) -> None:
        """Which server a DM was sent for, so a button pressed on it later counts for that server's member.
        Kept in the database only when the bot serves several servers (one server needs no memory)."""
        guild = guild_of(member)
        if guild is None:
            return
        self._dm_guild_by_message[message.id] = guild
        self._dm_guild_by_user[user_id_of(member)] = guild
        if self.settings.guild_id is None and len(self.client.guilds) > 1 and self.state is not None:
            self.state.set(f"{DM_GUILD_KEY}{message.id}", str(guild))

    async def _on_command(self, interaction: discord.Interaction, given: CommandInput) -> None:
        """Hand the command to the core; answer ephemerally, deferring first if the answer is slow."""
        command = interaction.command
        path = self._paths.get(command.qualified_name if command else "", ())
        invoker = self._member_of(interaction)
        before = list(given.flags)
        if given.member is not None:  # the picked member, as a marked mention of their key: resolved by id
            before.append(mention(member_key(guild_of(invoker), given.member.id)))
        text = markdown.decode(given.text) if given.text else None
        event = CommandInvoked(
            platform=PLATFORM,
            event_id=str(interaction.id),
            member=invoker,
            at=interaction.created_at,
            text=command_text(path, text, tuple(before)),
            channel=str(interaction.channel_id) if interaction.channel_id else None,
            name=interaction.user.display_name,
            extras=self._command_place(interaction),
        )
        work = asyncio.ensure_future(self._emit(event))
        done, _ = await asyncio.wait({work}, timeout=self.settings.defer_after)
        if work in done:
            await interaction.response.send_message(self._answer(work.result()), ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send(self._answer(await work), ephemeral=True)

    def _answer(self, text: str | None) -> str:
        """An interaction's answer: one message (the core sends a longer answer by DM, in parts)."""
        rendered, _ = self._render(text or "Done.")
        return rendered if len(rendered) <= MAX_CONTENT else rendered[: MAX_CONTENT - 1] + "…"

    async def on_button(self, interaction: discord.Interaction, action_id: str, value: str) -> None:
        await interaction.response.defer()  # acknowledge within 3 s; the ritual answers through the outbox
        ref = message_ref(interaction.channel_id or 0, interaction.message.id) if interaction.message else None
        await self._emit(
            ButtonClicked(
                platform=PLATFORM,
                event_id=str(interaction.id),
                member=self._member_of(interaction),
                at=interaction.created_at,
                action_id=action_id,
                value=value,
                message_ref=ref,
            )
        )

    # --- inbound -------------------------------------------------------------------------------------

    async def _emit(self, event: Event) -> str | None:
        if self.sink is None:
            return None
        return await self.sink(event)

    # --- people --------------------------------------------------------------------------------------

    async def resolve_people(self, refs: Sequence[str]) -> Resolution:
        """Resolve community.yaml's people in the server: ``"@username"`` (or display name), ``role:Name`` for
        everyone with a role, member keys as they are. Discord shares no email addresses.

        The server's members come from the gateway (asked for once with a member request, then kept current by
        join, leave and member-update events, each of which has the runtime look again).
        """
        parsed = {text: parse_person(text) for text in refs}
        if all(ref.kind == KEY for ref in parsed.values()):
            return keys_only(PLATFORM, refs)
        people: list[Person] = []
        groups: list[Group] = []
        for guild in self._guilds():
            if guild.id not in self._chunked:
                await guild.chunk()
                self._chunked.add(guild.id)
            for member in guild.members:
                if not member.bot:
                    handles = (member.name, *(n for n in (member.global_name, member.nick) if n))
                    people.append(Person(member_key(guild.id, member.id), member.display_name, handles))
            groups.extend(Group(ROLE, role.name, tuple(member_key(guild.id, m.id) for m in role.members if not m.bot))
                          for role in guild.roles if not role.is_default())
        directory = Directory(PLATFORM, "the Discord server", people, groups, roles=True,
                              advice='write "@username", role:Name or the member key')
        return {text: resolve_ref(directory, ref) for text, ref in parsed.items()}

    def on_people_event(self) -> None:
        """A member joined, left or changed roles, or a role changed: the people community.yaml names may too."""
        if self.people_changed is not None:
            self.people_changed()

    async def on_member_join(self, member: discord.Member) -> None:
        self.on_people_event()
        if member.bot:
            return
        joined = member.joined_at or self.clock.now()
        await self._emit(
            MemberJoined(
                platform=PLATFORM,
                event_id=f"join:{member.guild.id}:{member.id}:{joined.isoformat()}",
                member=member_key(member.guild.id, member.id),
                at=joined,
                name=member.display_name,
                team=self._team_of(member),
            )
        )

    def _team_of(self, member: discord.Member) -> str | None:
        """A role named ``<prefix><team>`` (e.g. ``team-sre``) gives the member's team; the first one wins."""
        prefix = self.team_role_prefix
        if not prefix:
            return None
        teams = sorted(r.name.removeprefix(prefix) for r in member.roles if r.name.startswith(prefix))
        teams = [t for t in teams if t]
        return teams[0] if teams else None

    async def on_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        self.on_people_event()
        user = payload.user
        if user.bot:
            return
        joined = getattr(user, "joined_at", None)
        suffix = f":{joined.isoformat()}" if joined else ""
        await self._emit(
            MemberLeft(
                platform=PLATFORM,
                event_id=f"leave:{payload.guild_id}:{user.id}{suffix}",
                member=member_key(payload.guild_id, user.id),
                at=self.clock.now(),
            )
        )

    async def on_reaction(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        me = self.client.user
        if me is not None and payload.user_id == me.id:
            return
        emoji = _emoji_name(payload.emoji)
        kind = "reaction" if added else "unreaction"
        common: dict[str, Any] = {
            "platform": PLATFORM,
            "event_id": f"{kind}:{payload.message_id}:{payload.user_id}:{emoji}",
            "member": member_key(payload.guild_id, payload.user_id),
            "at": self.clock.now(),
            "message_ref": message_ref(payload.channel_id, payload.message_id),
            "emoji": emoji,
        }
        await self._emit(ReactionAdded(**common) if added else ReactionRemoved(**common))

    async def on_message(self, message: discord.Message) -> None:
        """Thread replies become ReplyPosted (thread_ref = the starter message's ref); other posts MessagePosted."""
        if message.author.bot or message.guild is None:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        common: dict[str, Any] = {
            "platform": PLATFORM,
            "event_id": f"message:{message.id}",
            "member": member_key(message.guild.id, message.author.id),
            "at": message.created_at,
            "channel": str(message.channel.id),
            "message_ref": message_ref(message.channel.id, message.id),
            "text": markdown.decode(message.clean_content),  # mentions as @name, Markdown as the neutral markup
            "link": message.jump_url,  # the neutral permalink field: the library links harvested threads with it
        }
        parent = await self._thread_parent(message.channel)
        if parent is not None:
            # A thread started from a message has that message's id, so this names the prompt it hangs off.
            thread_link = f"https://discord.com/channels/{message.guild.id}/{parent}/{message.channel.id}"
            await self._emit(ReplyPosted(thread_ref=message_ref(parent, message.channel.id), thread_link=thread_link,
                                         **common))
        else:
            await self._emit(MessagePosted(**common))

    async def _thread_parent(self, channel: Any) -> int | None:
        if isinstance(channel, discord.Thread):
            return channel.parent_id
        if not isinstance(channel, discord.PartialMessageable):
            return None
        if channel.id not in self._thread_parents:
            try:
                fetched = await self.client.fetch_channel(channel.id)
            except discord.HTTPException:
                return None
            self._thread_parents[channel.id] = fetched.parent_id if isinstance(fetched, discord.Thread) else None
        return self._thread_parents[channel.id]

    # --- outbound ------------------------------------------------------------------------------------

    def _render(self, text: str) -> tuple[str, discord.AllowedMentions | None]:
        """Render intended mentions as ``<@id>`` and allow exactly those users to be pinged."""
        users: list[int] = []

        def render(key: str) -> str:
            try:
                uid = user_id_of(key)
            except ValueError:
                return "@" + key.rsplit(":", 1)[-1]  # not a Discord member: plain text, pings nobody
            users.append(uid)
            return f"<@{uid}>"

        content = markdown.render(text, render)
        if self._admin_usage is not None:  # the core says `/cop prompt now`; on Discord that is /cop-admin
            content = self._admin_usage.sub(f"/{ADMIN_ROOT} ", content)
        if not users:
            return content, None  # the client-wide AllowedMentions.none() applies
        allowed = discord.AllowedMentions(
            everyone=False, roles=False, replied_user=False, users=[discord.Object(u) for u in dict.fromkeys(users)]
        )
        return content, allowed

    def parts(self, text: str) -> list[str]:
        """The neutral text cut into the messages it takes on Discord: each part's content at most 2,000."""
        return split_to_fit(text, MAX_CONTENT, lambda part: len(self._render(part)[0]))

    async def _send_parts(
        self, target: discord.abc.Messageable, action: Action, delivery_id: str, recipient: int,
        found: dict[str, str], sent: Callable[[discord.Message], None] | None = None,
    ) -> str:
        """Every part of the text not already ``found`` (sent before a crash), in order; the first part's ref.

        Each part has its own nonce and footer marker (:func:`part_label`), so a crash between two parts leaves
        the first findable and the resend sends only the rest. Files go with the first part, buttons with the last.
        """
        parts = self.parts(action.text)
        first: str | None = None
        for number, text in enumerate(parts):
            label = part_label(recipient, number)
            ref = found.get(label)
            if ref is None:
                message = await self._send(target, text, action, delivery_id, label,
                                           first=number == 0, last=number == len(parts) - 1)
                if sent is not None:
                    sent(message)
                ref = message_ref(message.channel.id, message.id)
            first = first or ref
        assert first is not None  # split_to_fit always gives at least one part
        return first

    async def _send(
        self, target: discord.abc.Messageable, text: str, action: Action, delivery_id: str, label: str, *,
        first: bool = True, last: bool = True,
    ) -> discord.Message:
        content, allowed = self._render(text)
        kwargs: dict[str, Any] = {
            "nonce": nonce_for(delivery_id, label),  # a repeat within minutes returns the first message
            "embed": discord.Embed().set_footer(text=delivery_marker(delivery_id, label)),  # found again later
        }
        if allowed is not None:
            kwargs["allowed_mentions"] = allowed
        view = view_for(action.buttons) if last else None
        if view is not None:
            kwargs["view"] = view
        files = [
            discord.File(a.path, filename=Path(a.path).name, description=a.title or None)
            for a in (action.attachments if first else ())
            if await asyncio.to_thread(Path(a.path).is_file)  # a vanished chart does not block the message
        ]
        if files:
            kwargs["files"] = files
        return await target.send(content, **kwargs)

    def _guilds(self) -> list[discord.Guild]:
        if self.settings.guild_id is not None:
            guild = self.client.get_guild(self.settings.guild_id)
            return [guild] if guild else []
        return list(self.client.guilds)

    def channel_id(self, name: str) -> int:
        """A channel from community.yaml: a numeric id as it is, else a text channel found by name."""
        wanted = name.strip().lstrip("#")
        if wanted.isdigit():
            return int(wanted)
        if wanted not in self._channels:
            for guild in self._guilds():
                found = discord.utils.get(guild.text_channels, name=wanted)
                if found is not None:
                    self._channels[wanted] = found.id
                    break
            else:
                raise LookupError(
                    f"no text channel named #{wanted} in the Discord server; create it or put its id in community.yaml"
                )
        return self._channels[wanted]

    def _partial(self, channel_id: int) -> discord.PartialMessageable:
        guild = self._guilds()
        return self.client.get_partial_messageable(channel_id, guild_id=guild[0].id if guild else None)

    async def _dm(self, member: str) -> discord.DMChannel:
        await self.dm_gate()  # the community's DM policy (bot/dm_policy.py): refused when off, else paced
        return await self.client.create_dm(discord.Object(user_id_of(member)))

    @performs(Post)
    async def post(self, action: Post, delivery_id: str) -> str | None:
        channel_id = self.channel_id(action.channel)
        found = self._parts_found.pop(delivery_id, {})
        ref = await self._send_parts(self._partial(channel_id), action, delivery_id, 0, found)
        if action.opens_thread:
            await self._open_thread(*parse_ref(ref), action.text)
        return ref

    async def _open_thread(self, channel_id: int, message_id: int, text: str) -> None:
        """The discussion thread on a post, titled by its first line; one that is already there is fine."""
        title = next((line.strip("*_ ") for line in text.splitlines() if line.strip("*_ ")), "Thread")
        try:
            await self._partial(channel_id).get_partial_message(message_id).create_thread(name=title[:100])
        except discord.HTTPException as exc:
            if exc.code != THREAD_EXISTS:
                log.warning("could not open a thread on %s: %s", message_id, exc)

    @performs(DirectMessage)
    async def direct(self, action: DirectMessage, delivery_id: str) -> str | None:
        return await self._send_dm(action.member, action, delivery_id, 0, self._parts_found.pop(delivery_id, {}))

    async def _send_dm(self, member: str, action: Action, delivery_id: str, recipient: int,
                       found: dict[str, str]) -> str:
        """One DM (in parts if long). A member who does not take DMs from server members is a refusal
        (:class:`TakesNoDirectMessages`), which the outbox gives up at once: asking again gets the same answer."""
        channel = await self._dm(member)
        try:
            return await self._send_parts(channel, action, delivery_id, recipient, found,
                                          sent=lambda message: self._remember_dm(member, message))
        except discord.Forbidden as exc:
            if exc.code != CANNOT_DM:
                raise
            raise TakesNoDirectMessages(
                f"{member} does not accept direct messages from the bot (Discord {CANNOT_DM}: direct messages "
                "from server members are off in their privacy settings)"
            ) from exc

    @performs(GroupMessage)
    async def group(self, action: GroupMessage, delivery_id: str) -> str | None:
        """One DM each (bots cannot open group DMs); after a crash, parts already found are not sent again.

        A member who does not take DMs is left out (and logged) so the others still meet; only when nobody
        could be reached is the delivery refused.
        """
        found = self._parts_found.pop(delivery_id, {})
        refs: list[str] = []
        refused: list[str] = []
        labels = len(self.parts(action.text))
        for recipient, member in enumerate(action.members):
            if all(part_label(recipient, n) in found for n in range(labels)):
                refs.append(found[part_label(recipient, 0)])
                continue
            try:
                refs.append(await self._send_dm(member, action, delivery_id, recipient, found))
            except TakesNoDirectMessages as exc:
                log.warning("group message %s: %s", delivery_id, exc)
                refused.append(member)
        if refused and not refs:
            raise DeliveryRefused(f"no member of the group accepts direct messages from the bot: {', '.join(refused)}")
        return refs[0] if refs else None

    @performs(Reply)
    async def reply(self, action: Reply, delivery_id: str) -> str | None:
        _, thread_id = parse_ref(action.thread_ref)
        return await self._send_parts(self._partial(thread_id), action, delivery_id, 0,
                                      self._parts_found.pop(delivery_id, {}))

    @performs(Ephemeral)
    async def ephemeral(self, action: Ephemeral, delivery_id: str) -> str | None:
        """Outside an interaction Discord has no ephemeral messages to one member: a DM says it privately."""
        as_dm = DirectMessage(text=action.text, buttons=action.buttons, member=action.member)
        return await self.direct(as_dm, delivery_id)

    @performs(React)
    async def react(self, action: React, delivery_id: str) -> str | None:
        channel_id, message_id = parse_ref(action.message_ref)
        emoji = EMOJI.get(action.text.strip(":"), action.text)
        await self._partial(channel_id).get_partial_message(message_id).add_reaction(emoji)
        return None

    # --- interest groups: a channel and a role each -------------------------------------------------------

    def _guild(self) -> discord.Guild:
        guilds = self._guilds()
        if not guilds:
            raise LookupError("the bot is in no Discord server (or not in DISCORD_GUILD_ID's)")
        return guilds[0]

    async def _group_role(self, group: str, *, create: bool) -> int | None:
        """The role named after the group: remembered, found in the server, or (``create``) made, mentionable."""
        if group in self._roles:
            return self._roles[group]
        guild = self._guild()
        found = discord.utils.get(guild.roles, name=group)
        if found is None and create:
            found = await guild.create_role(name=group, mentionable=True, reason=f"copbot: interest group {group}")
        if found is not None:
            self._roles[group] = found.id
        return self._roles.get(group)

    @performs(OpenGroupSpace)
    async def open_group_space(self, action: OpenGroupSpace, delivery_id: str) -> str | None:
        """The group's role and text channel, each found by name or made; returns the channel's id."""
        await self._group_role(action.group, create=True)
        name = action.channel.strip().lstrip("#").lower()
        try:
            return str(self.channel_id(name))
        except LookupError:
            pass
        created = await self._guild().create_text_channel(name, topic=action.text[:1024],
                                                          reason=f"copbot: interest group {action.group}")
        self._channels[name] = created.id
        return str(created.id)

    @performs(AddToGroup)
    async def add_to_group(self, action: AddToGroup, delivery_id: str) -> str | None:
        role = await self._group_role(action.group, create=True)
        assert role is not None
        await self.client.http.add_role(self._guild().id, user_id_of(action.member), role,
                                        reason=f"copbot: joined {action.group}")
        return None

    @performs(RemoveFromGroup)
    async def remove_from_group(self, action: RemoveFromGroup, delivery_id: str) -> str | None:
        role = await self._group_role(action.group, create=False)
        if role is not None:
            await self.client.http.remove_role(self._guild().id, user_id_of(action.member), role,
                                               reason=f"copbot: left {action.group}")
        return None

    # --- community sessions: a Guild Scheduled Event each ------------------------------------------------

    @performs(CalendarEvent)
    async def calendar(self, action: CalendarEvent, delivery_id: str) -> str | None:
        """A Guild Scheduled Event (external, with the link as its location), made once and then moved or
        cancelled through its id (``event_ref``). Returns the event's id."""
        guild = self._guild()
        start, end = datetime.fromisoformat(action.starts_at), datetime.fromisoformat(action.ends_at)
        location = (action.location or "online")[:100]
        if action.event_ref:
            fields: dict[str, Any] = {"status": discord.EventStatus.cancelled.value} if action.cancelled else {
                "name": action.title[:100], "scheduled_start_time": start.isoformat(),
                "scheduled_end_time": end.isoformat(), "entity_metadata": {"location": location},
                "description": action.text[:1000]}
            await self.client.http.edit_scheduled_event(guild.id, int(action.event_ref), **fields)
            return action.event_ref
        if action.cancelled:
            return None  # never made: nothing to cancel
        made = await guild.create_scheduled_event(
            name=action.title[:100], start_time=start, end_time=end, entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only, location=location, description=action.text[:1000])
        return str(made.id)

    async def _find_event(self, action: CalendarEvent) -> str | None:
        """A scheduled event made before a crash: the same name at the same start (an edit is safe to repeat)."""
        if action.event_ref:
            return None
        start = datetime.fromisoformat(action.starts_at)
        for event in await self._guild().fetch_scheduled_events(with_counts=False):
            if event.name == action.title[:100] and event.start_time == start:
                return str(event.id)
        return None

    async def find_delivery(self, action: Action, delivery_id: str) -> str | None:
        """Was this delivery already sent (before a crash)? Its message's reference, or None.

        Every message carries its delivery's marker in an embed footer (:func:`delivery_marker`); this
        reads the target channel's recent history and looks for the bot's own message with that marker.
        The nonce alone would not do: Discord keeps it for a few minutes and never returns it from history.
        A group message is one DM per member: when only some went out, those are remembered so that the
        resend which follows sends only the rest.
        """
        if isinstance(action, React | GROUP_ACTIONS):
            return None  # adding the same reaction, channel, role or member again changes nothing
        if isinstance(action, CalendarEvent):
            return await self._find_event(action)
        count = len(self.parts(action.text))

        def labels(recipient: int) -> list[str]:
            return [part_label(recipient, number) for number in range(count)]

        found: dict[str, str] = {}
        if isinstance(action, GroupMessage):
            for recipient, member in enumerate(action.members):
                found |= await self._find_parts(await self._dm_channel(member), delivery_id, labels(recipient))
            wanted = [label for recipient in range(len(action.members)) for label in labels(recipient)]
        elif isinstance(action, DirectMessage | Ephemeral):
            found = await self._find_parts(await self._dm_channel(action.member), delivery_id, labels(0))
            wanted = labels(0)
        elif isinstance(action, Post):
            found = await self._find_parts(self._partial(self.channel_id(action.channel)), delivery_id, labels(0))
            wanted = labels(0)
        elif isinstance(action, Reply):
            found = await self._find_parts(self._partial(parse_ref(action.thread_ref)[1]), delivery_id, labels(0))
            wanted = labels(0)
        else:
            raise TypeError(f"{type(self).__name__} cannot look up {type(action).__name__}")
        if not all(label in found for label in wanted):
            self._parts_found[delivery_id] = found  # the resend that follows sends only the rest
            return None
        first = found[wanted[0]]
        if isinstance(action, Post) and action.opens_thread:
            await self._open_thread(*parse_ref(first), action.text)  # the crash may have come before the thread
        return first

    async def _dm_channel(self, member: str) -> discord.DMChannel:
        """The member's DM channel, for reading: no DM pacing, since nothing is sent."""
        return await self.client.create_dm(discord.Object(user_id_of(member)))

    async def _find_parts(self, channel: discord.abc.Messageable, delivery_id: str, labels: Sequence[str]
                          ) -> dict[str, str]:
        """The bot's messages in ``channel``'s recent history that carry one of ``labels``' markers, by label."""
        markers = {delivery_marker(delivery_id, label): label for label in labels}
        found: dict[str, str] = {}
        me = self.client.user
        try:
            async for message in channel.history(limit=LOOKUP_DEPTH):
                if me is not None and message.author.id != me.id:
                    continue
                for embed in message.embeds:
                    label = markers.get(embed.footer.text or "")
                    if label is not None:
                        found[label] = message_ref(message.channel.id, message.id)
                if len(found) == len(markers):
                    break
        except discord.NotFound:
            return found  # the channel is gone: nothing of ours is in it
        return found
