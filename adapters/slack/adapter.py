"""The Slack adapter: Slack payloads in, neutral events to the core; neutral actions out, Web API calls.

A slack-bolt ``AsyncApp`` does what Bolt is good at (signature verification, ack timing, routing by
event type); this class only translates. Message references are ``<channel_id>:<ts>`` everywhere
(what :meth:`perform` returns is what a ``reaction_added`` on that message carries), so the core can
match a reaction or a thread reply to the prompt it belongs to. Member keys are ``slack:<team>:<user>``.

Two transports, chosen by whether an app-level token is given: HTTP (an aiohttp server with
``POST /slack/events`` for events, commands and interactivity) or Socket Mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import mrkdwn
from adapters.slack.mrkdwn import blocks, render, user_id_of
from adapters.slack.pacing import Pacer, Pacing, retry_handlers
from bot.actions import (
    GROUP_ACTIONS,
    Action,
    AddToGroup,
    Attachment,
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
from bot.adapter import EventSink, HandlerTable, performs
from bot.calendar import ics_bytes, ics_name
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
from bot.text import mention, split_to_fit
from bot.web_server import WebServer
from config.models import CommunityConfig
from config.people import EMAIL, HANDLE, KEY, parse_ref

log = logging.getLogger("copbot.slack")

PLATFORM = "slack"
DEFAULT_API_URL = "https://slack.com/api/"
EVENTS_PATH = "/slack/events"
METADATA_EVENT_TYPE = "copbot_delivery"
COMMAND = "/cop"
MAX_GROUP_DM = 8  # conversations.open takes 1-8 other users for a group DM
PART_LIMIT = 3900
"""The most mrkdwn one message carries: Slack shows ``text`` best well under 4,000 characters, and it becomes at
most two 3,000-character sections plus the buttons, far under Block Kit's 50 blocks."""
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")
_REPLY_SUBTYPES = {None, "thread_broadcast", "file_share"}
_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")



def member_key(team_id: str, user_id: str) -> str:
    return f"{PLATFORM}:{team_id}:{user_id}"


def message_ref(channel: str, ts: str) -> str:
    return f"{channel}:{ts}"


def split_ref(ref: str) -> tuple[str, str]:
    """``C1:1700000000.000100`` → (``C1``, ``1700000000.000100``)."""
    channel, _, ts = ref.partition(":")
    if not channel or not ts:
        raise ValueError(f"{ref!r} is not a Slack message reference (<channel>:<ts>)")
    return channel, ts


def _at(ts: Any, clock: Clock) -> datetime:
    """Slack timestamps are epoch seconds as strings; the core wants aware UTC (the clock's now if there is none)."""
    try:
        return datetime.fromtimestamp(float(ts), UTC)
    except (TypeError, ValueError):
        return clock.now()


class SlackAdapter(HandlerTable):
    """One Slack workspace, one Bolt app. Constructible without the environment (tests pass everything)."""

    platform = PLATFORM
    answer_limit: int | None = 3000  # a command's answer is one message (the ack, or one response_url post)

    def __init__(
        self,
        *,
        token: str,
        signing_secret: str | None,
        base_url: str = DEFAULT_API_URL,
        app_token: str | None = None,
        host: str = "0.0.0.0",
        port: int = 3000,
        pacing: Pacing | None = None,
        community_channel: str | None = None,
        command_timeout: float = 2.0,
        clock: Clock | None = None,
    ) -> None:
        self.clock: Clock = clock or SystemClock()  # the runtime's clock: event times without a stamp read it
        self.team_field: str | None = None  # community.yaml's teams.slack_profile_field (apply_config)
        self.pacing = pacing or Pacing()
        self.client = AsyncWebClient(token=token, base_url=base_url, retry_handlers=retry_handlers(self.pacing))
        # request_verification_enabled stays at its default (True) and is never read from config.
        # process_before_response: Bolt answers as soon as our listener returns instead of polling for the
        # ack every 10 ms; our listeners return at once and do the work in background tasks.
        self.app = AsyncApp(
            client=self.client,
            signing_secret=signing_secret,
            logger=logging.getLogger("copbot.slack.bolt"),
            process_before_response=True,
        )
        self.app_token = app_token
        self.host = host
        self.port = port
        self.command_timeout = command_timeout
        self.community_channel = community_channel
        """The community's general channel (community.yaml, kept current by :meth:`apply_config`): joining and
        leaving it is joining and leaving the community."""
        self.team_id: str | None = None
        self.bot_user_id: str | None = None
        self.workspace_url: str | None = None  # https://<workspace>.slack.com/ from auth.test, for permalinks
        self.sink: EventSink | None = None
        self._pacer = Pacer()
        self._channel_ids: dict[str, str] = {}
        self._channel_names: dict[str, str] = {}
        self._channels_lock = asyncio.Lock()
        self._dm_channels: dict[str, str] = {}
        self._parts_found: dict[str, dict[tuple[int, int], str]] = {}  # parts sent before a crash, by delivery id
        self._user_names: dict[str, str] = {}  # user id -> display name, for mentions in members' text
        self._directory: Directory | None = None  # the workspace's people, until Slack reports a change
        self._runner: WebServer | None = None
        self.shared_routes: Callable[[web.Application], object] | None = None
        """The bot's own routes (/healthz, /metrics, ...: copbot/web.py), served beside /slack/events in HTTP mode."""
        self._socket_mode: AsyncSocketModeHandler | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._processed = 0
        self._processed_changed = asyncio.Condition()
        self._register()

    # --- lifecycle ---------------------------------------------------------------------------------

    async def start(self, sink: EventSink) -> None:
        """Check the token (auth.test), then open the transport: Socket Mode if an app token was given."""
        self.sink = sink
        auth = await self.client.auth_test()
        self.team_id = str(auth.get("team_id") or "") or None
        self.bot_user_id = str(auth.get("user_id") or "") or None
        self.workspace_url = str(auth.get("url") or "") or None
        log.info("Slack: connected to workspace %s (%s, %s) as %s", auth.get("team"), self.team_id,
                 self.workspace_url, auth.get("user"))
        if self.app_token:
            self._socket_mode = AsyncSocketModeHandler(self.app, self.app_token, web_client=self.client)
            await self._socket_mode.connect_async()
            log.info("Slack: connected in Socket Mode")
        else:
            await self.serve_http()

    async def serve_http(self) -> None:
        """Listen on host:port (port 0 picks a free one; :attr:`port` then holds the real port).

        A port another process holds raises :class:`bot.web_server.PortError`, whose message says what to do.
        """
        server = WebServer(self.web_app(), self.host, self.port)
        await server.start()
        self.port = server.port
        self._runner = server
        log.info("Slack: listening on http://%s:%d%s", self.host, self.port, EVENTS_PATH)

    @property
    def url(self) -> str:
        """Where Slack (or a test) posts events, commands and interactivity."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}{EVENTS_PATH}"

    def web_app(self) -> web.Application:
        """The aiohttp app on ``PORT``: every Slack request (events, /cop, buttons) goes through Bolt's dispatch;
        :attr:`shared_routes` adds the bot's own (one port for everything); without them, a bare /healthz."""

        async def handle(request: web.Request) -> web.Response:
            bolt_response = await self.app.async_dispatch(await to_bolt_request(request))
            return await to_aiohttp_response(bolt_response)

        async def health(_: web.Request) -> web.Response:
            return web.Response(text="ok")

        application = web.Application()
        application.router.add_post(EVENTS_PATH, handle)
        if self.shared_routes is not None:
            self.shared_routes(application)
        else:
            application.router.add_get("/healthz", health)
        return application

    def apply_config(self, config: CommunityConfig) -> None:
        self.community_channel = config.community.channels.general
        self.team_field = config.teams.slack_profile_field

    async def is_connected(self) -> bool:
        """For /healthz: Socket Mode asks its websocket; HTTP mode is connected once auth.test passed and it listens."""
        if self._socket_mode is not None:
            return bool(await self._socket_mode.client.is_connected())
        return self.sink is not None and self._runner is not None

    async def stop(self) -> None:
        if self._socket_mode is not None:
            await self._socket_mode.close_async()
            self._socket_mode = None
        if self._runner is not None:
            await self._runner.stop()
            self._runner = None
        for task in list(self._tasks):
            task.cancel()
        self.sink = None
        with contextlib.suppress(Exception):
            session = getattr(self.client, "session", None)
            if session is not None:
                await session.close()

    # --- inbound -----------------------------------------------------------------------------------

    def _register(self) -> None:
        app = self.app
        app.event("team_join")(self._counted(self._on_team_join))
        for people_event in ("user_change", "subteam_created", "subteam_updated", "subteam_members_changed"):
            app.event(people_event)(self._counted(self._on_people_event))
        app.event("member_joined_channel")(self._counted(self._on_member_joined_channel))
        app.event("member_left_channel")(self._counted(self._on_member_left_channel))
        app.event("reaction_added")(self._counted(self._on_reaction))
        app.event("reaction_removed")(self._counted(self._on_reaction))
        app.event("message")(self._counted(self._on_message))
        app.command(COMMAND)(self._on_command)
        app.action(re.compile(".+"))(self._on_block_action)

    def _counted(self, listener: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
        """Run an event listener in the background (Bolt acks the event at once) and count it when done.

        ``functools.wraps`` keeps the listener's signature visible: Bolt injects arguments by name.
        """

        @functools.wraps(listener)
        async def counted(**kwargs: Any) -> None:
            self._spawn(listener(**kwargs))

        return counted

    def _spawn(self, work: Awaitable[Any]) -> None:
        """Background work for one Slack payload, counted (mapped or deliberately ignored) so tests can wait."""

        async def run() -> None:
            try:
                await work
            except Exception:
                log.exception("handling a Slack payload failed")
            finally:
                async with self._processed_changed:
                    self._processed += 1
                    self._processed_changed.notify_all()

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def processed(self, count: int) -> None:
        """Wait until ``count`` Slack payloads have been handled (tests: Bolt acks before the work is done).

        Callers bound the wait themselves (``asyncio.timeout``).
        """
        async with self._processed_changed:
            await self._processed_changed.wait_for(lambda: self._processed >= count)

    @property
    def processed_count(self) -> int:
        return self._processed

    async def _emit(self, event: Event) -> str | None:
        """Hand one neutral event to the core; a failure is logged, never bubbled into Bolt's ack path."""
        if self.sink is None:
            log.warning("Slack event %s arrived before start(); dropped", event.event_id)
            return None
        try:
            return await self.sink(event)
        except Exception:
            log.exception("the core failed on Slack event %s (%s)", event.event_id, type(event).__name__)
            return None

    def _team(self, body: dict[str, Any]) -> str:
        team = body.get("team_id") or (body.get("team") or {}).get("id") or self.team_id
        return str(team or "T0")

    async def _user_info(self, user_id: str) -> dict[str, Any]:
        await self._pacer.wait("users.info", self.pacing.method_interval("users.info"))
        response = await self.client.users_info(user=user_id)
        user: dict[str, Any] = response.get("user") or {}
        return user

    @staticmethod
    def _name_of(user: dict[str, Any], fallback: str) -> str:
        profile = user.get("profile") or {}
        return str(profile.get("display_name") or profile.get("real_name") or user.get("real_name") or
                   user.get("name") or fallback)

    async def _joined(self, body: dict[str, Any], user_id: str, user: dict[str, Any] | None) -> None:
        if not user or "tz" not in user:
            user = await self._user_info(user_id)
        if user.get("is_bot") or user_id == self.bot_user_id:
            return
        event = body.get("event") or {}
        await self._emit(
            MemberJoined(
                platform=PLATFORM,
                event_id=str(body.get("event_id")),
                member=member_key(self._team(body), user_id),
                at=_at(body.get("event_time") or event.get("event_ts"), self.clock),
                name=self._name_of(user, user_id),
                tz=user.get("tz") or None,
                team=await self._team_of(user_id),
            )
        )

    async def _team_of(self, user_id: str) -> str | None:
        """The member's team from a custom profile field, when community.yaml names one (``users.profile.get``:
        custom fields are not in ``users.info``)."""
        field_id = self.team_field
        if not field_id:
            return None
        await self._pacer.wait("users.profile.get", self.pacing.method_interval("users.profile.get"))
        try:
            response = await self.client.users_profile_get(user=user_id)
        except Exception as exc:  # a missing scope must not lose the join
            log.warning("could not read %s's team from their profile (%s)", user_id, exc)
            return None
        fields = (response.get("profile") or {}).get("fields") or {}
        value = str((fields.get(field_id) or {}).get("value") or "").strip()
        return value or None

    async def _on_team_join(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        user = event.get("user") or {}
        self._people_moved()  # a newcomer may be someone community.yaml names
        await self._joined(body, str(user.get("id")), user)

    async def _on_people_event(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """A profile changed (a new display name) or a user group changed its members: look people up again."""
        self._people_moved()

    def _people_moved(self) -> None:
        self._directory = None
        if self.people_changed is not None:
            self.people_changed()

    # --- people ------------------------------------------------------------------------------------

    async def resolve_people(self, refs: Sequence[str]) -> Resolution:
        """Resolve community.yaml's people against the workspace: ``"@handle"`` by display name or username (or a
        user group's handle), ``email:`` by address (users.lookupByEmail for one not in the list), keys as they are.

        The workspace's users and user groups are read once (users.list, usergroups.list) and kept until Slack
        reports a change (team_join, user_change, subteam_* events).
        """
        parsed = {text: parse_ref(text) for text in refs}
        if all(ref.kind == KEY for ref in parsed.values()):
            return keys_only(PLATFORM, refs)
        directory = await self._people_directory()
        known = {email.lower() for person in directory.people for email in person.emails}
        extra = [await self._person_by_email(ref.value) for ref in parsed.values()
                 if ref.kind == EMAIL and ref.value.lower() not in known]
        if any(extra):
            directory = replace(directory, people=[*directory.people, *(p for p in extra if p is not None)])
        return {text: resolve_ref(directory, ref) for text, ref in parsed.items()}

    async def _people_directory(self) -> Directory:
        if self._directory is None:
            team = await self._team_id()
            people: list[Person] = []
            cursor: str | None = None
            while True:
                await self._pacer.wait("users.list", self.pacing.method_interval("users.list"))
                response = await self.client.users_list(limit=200, cursor=cursor)
                people.extend(self._person(team, user) for user in response.get("members") or []
                              if not user.get("deleted") and not user.get("is_bot") and user.get("id") != "USLACKBOT")
                cursor = ((response.get("response_metadata") or {}).get("next_cursor")) or None
                if not cursor:
                    break
            self._directory = Directory(PLATFORM, "the Slack workspace", people, await self._user_groups(team),
                                        emails=True, advice='write "@display name" or the member key')
        return self._directory

    async def _user_groups(self, team: str) -> list[Group]:
        """User groups with their members; none (and one log line) when the app may not read them."""
        try:
            await self._pacer.wait("usergroups.list", self.pacing.method_interval("usergroups.list"))
            response = await self.client.usergroups_list(include_users=True)
        except SlackApiError as exc:
            log.warning("Slack user groups cannot be read (%s): add the usergroups:read scope to name groups in "
                        "community.yaml", exc.response.get("error") if exc.response is not None else exc)
            return []
        return [Group(HANDLE, str(g.get("handle") or g.get("name")), tuple(member_key(team, str(u))
                                                                         for u in g.get("users") or []))
                for g in response.get("usergroups") or [] if not g.get("date_delete")]

    async def _person_by_email(self, email: str) -> Person | None:
        try:
            await self._pacer.wait("users.lookupByEmail", self.pacing.method_interval("users.lookupByEmail"))
            response = await self.client.users_lookupByEmail(email=email)
        except SlackApiError:
            return None  # users_not_found (or no users:read.email): the reference then matches nobody
        return self._person(await self._team_id(), response.get("user") or {}, email)

    async def _team_id(self) -> str:
        if self.team_id is None:
            self.team_id = str((await self.client.auth_test()).get("team_id") or "") or None
        return self.team_id or "T0"

    def _person(self, team: str, user: dict[str, Any], email: str | None = None) -> Person:
        profile = user.get("profile") or {}
        handles = tuple(h for h in (str(profile.get("display_name") or ""), str(user.get("name") or "")) if h)
        emails = tuple(e for e in (str(profile.get("email") or ""), email or "") if e)
        return Person(member_key(team, str(user.get("id"))), self._name_of(user, str(user.get("id"))), handles,
                      emails)

    async def _is_community_channel(self, channel: str) -> bool:
        configured = self.community_channel
        if not configured:
            return False
        try:
            return await self.channel_id(configured) == channel
        except LookupError:
            log.warning("community channel %r is not visible to the bot", configured)
            return False

    async def _on_member_joined_channel(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if await self._is_community_channel(str(event.get("channel"))):
            await self._joined(body, str(event.get("user")), None)

    async def _on_member_left_channel(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        if await self._is_community_channel(str(event.get("channel"))):
            await self._emit(
                MemberLeft(
                    platform=PLATFORM,
                    event_id=str(body.get("event_id")),
                    member=member_key(self._team(body), str(event.get("user"))),
                    at=_at(body.get("event_time"), self.clock),
                )
            )

    async def _on_reaction(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        item = event.get("item") or {}
        if item.get("type") != "message" or event.get("user") == self.bot_user_id:
            return
        kind = ReactionAdded if event.get("type") == "reaction_added" else ReactionRemoved
        await self._emit(
            kind(
                platform=PLATFORM,
                event_id=str(body.get("event_id")),
                member=member_key(self._team(body), str(event.get("user"))),
                at=_at(event.get("event_ts"), self.clock),
                message_ref=message_ref(str(item.get("channel")), str(item.get("ts"))),
                emoji=str(event.get("reaction")),
            )
        )

    async def _on_message(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        subtype = event.get("subtype")
        if subtype not in _REPLY_SUBTYPES or event.get("bot_id") or not event.get("user"):
            return  # edits, deletions, joins and the bot's own posts are not participation
        if event.get("user") == self.bot_user_id:
            return
        channel = str(event.get("channel"))
        ts = str(event.get("ts"))
        thread_ts = event.get("thread_ts")
        common: dict[str, Any] = {
            "platform": PLATFORM,
            "event_id": str(body.get("event_id")),
            "member": member_key(self._team(body), str(event.get("user"))),
            "at": _at(ts, self.clock),
            "channel": self._channel_names.get(channel, channel),
            "message_ref": message_ref(channel, ts),
            "text": await self._decode(str(event.get("text") or "")),
            "link": self._permalink(channel, ts, str(thread_ts) if thread_ts else None),
        }
        if thread_ts and thread_ts != ts:
            await self._emit(ReplyPosted(**common, thread_ref=message_ref(channel, str(thread_ts)),
                                         thread_link=self._permalink(channel, str(thread_ts))))
        elif not thread_ts:
            await self._emit(MessagePosted(**common))

    def _channel_label(self, channel_id: str, label: str) -> str:
        return "#" + (label or self._channel_names.get(channel_id, channel_id))

    async def _decode(self, text: str) -> str:
        """A member's Slack text as neutral text; people it names are shown by name (looked up once each)."""
        for user_id in set(_USER_MENTION.findall(text)) - self._user_names.keys():
            try:
                self._user_names[user_id] = self._name_of(await self._user_info(user_id), user_id)
            except Exception:  # an unknown or deleted user: shown by id rather than failing the message
                self._user_names[user_id] = user_id
        return mrkdwn.decode(text, user=lambda uid, label: "@" + (label or self._user_names.get(uid, uid)),
                             channel=self._channel_label)

    def _permalink(self, channel: str, ts: str, thread_ts: str | None = None) -> str | None:
        """Slack's permalink shape (as ``chat.getPermalink`` returns it), built without a call per message."""
        if not self.workspace_url:
            return None
        link = f"{self.workspace_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
        return f"{link}?thread_ts={thread_ts}&cid={channel}" if thread_ts and thread_ts != ts else link

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """Answer within Slack's 3 s: ack with the answer if the core is quick, else via ``response_url``."""
        channel = str(command.get("channel_id") or "")
        team = str(command.get("team_id") or self.team_id or "T0")
        event = CommandInvoked(
            platform=PLATFORM,
            # Slash commands carry no event id; trigger_id is unique per invocation.
            event_id=f"cmd:{command.get('trigger_id') or command.get('command_ts') or id(command)}",
            member=member_key(team, str(command.get("user_id"))),
            at=self.clock.now(),
            # A person named in the command (`/cop kudos @ana`, escaped by Slack as <@U…|ana>) is that member,
            # by id: two members called Ana are never confused.
            text=mrkdwn.decode(str(command.get("text") or ""), user=lambda uid, _: mention(member_key(team, uid)),
                               channel=self._channel_label),
            channel=self._channel_names.get(channel, channel) or None,
            name=str(command.get("user_name") or "") or None,
            extras={"channel_id": channel},
        )
        answer_task = asyncio.ensure_future(self._emit(event))
        done, _ = await asyncio.wait({answer_task}, timeout=self.command_timeout)
        if done:
            await ack(text=render(answer_task.result() or "Done."), response_type="ephemeral")
            self._spawn(asyncio.sleep(0))  # counted like every other payload
            return
        await ack(text="Working on it…", response_type="ephemeral")

        async def answer_later() -> None:
            answer = await answer_task
            await respond(text=render(answer or "Done."), response_type="ephemeral", replace_original=False)

        self._spawn(answer_later())

    async def _on_block_action(self, ack: AsyncAck, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        self._spawn(self._clicked(body, action))

    async def _clicked(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        user = body.get("user") or {}
        container = body.get("container") or {}
        channel = str(container.get("channel_id") or (body.get("channel") or {}).get("id") or "")
        ts = container.get("message_ts") or (body.get("message") or {}).get("ts")
        team = str(user.get("team_id") or self._team(body))
        await self._emit(
            ButtonClicked(
                platform=PLATFORM,
                # Interactivity has no event id and is not retried; the click's own timestamp is unique.
                event_id=f"action:{user.get('id')}:{action.get('action_ts')}:{action.get('action_id')}",
                member=member_key(team, str(user.get("id"))),
                at=_at(action.get("action_ts"), self.clock),
                action_id=str(action.get("action_id")),
                value=str(action.get("value") or ""),
                message_ref=message_ref(channel, str(ts)) if channel and ts else None,
            )
        )

    # --- channels ----------------------------------------------------------------------------------

    async def channel_id(self, name_or_id: str) -> str:
        """A configured channel (``#name``, ``name`` or an id) → its id; names resolved once via conversations.list."""
        name = name_or_id.strip().lstrip("#")
        if _CHANNEL_ID.match(name):
            return name
        if name in self._channel_ids:
            return self._channel_ids[name]
        async with self._channels_lock:
            if name not in self._channel_ids:
                await self._load_channels()
        if name not in self._channel_ids:
            raise LookupError(
                f"Slack channel #{name} was not found: check community.yaml, or write the channel id (C…) instead"
            )
        return self._channel_ids[name]

    async def _load_channels(self) -> None:
        cursor: str | None = None
        while True:
            await self._pacer.wait("conversations.list", self.pacing.method_interval("conversations.list"))
            response = await self.client.conversations_list(
                types="public_channel,private_channel", exclude_archived=True, limit=1000, cursor=cursor
            )
            for channel in response.get("channels") or []:
                self._channel_ids[str(channel["name"])] = str(channel["id"])
                self._channel_names[str(channel["id"])] = str(channel["name"])
            cursor = ((response.get("response_metadata") or {}).get("next_cursor")) or None
            if not cursor:
                return

    async def dm_channel(self, users: tuple[str, ...]) -> str:
        """The IM (one user) or MPIM (several) with the bot; conversations.open is idempotent, cached here."""
        key = ",".join(sorted(users))
        if key not in self._dm_channels:
            await self._pacer.wait("conversations.open", self.pacing.method_interval("conversations.open"))
            response = await self.client.conversations_open(users=key, return_im=False)
            self._dm_channels[key] = str((response.get("channel") or {})["id"])
        return self._dm_channels[key]

    async def _targets(self, action: Action) -> list[tuple[str, str | None]]:
        """The channels (and thread ts) an action's message goes to: one, or one DM each for a group of more than
        eight (conversations.open takes at most eight other people)."""
        if isinstance(action, Post):
            return [(await self.channel_id(action.channel), None)]
        if isinstance(action, DirectMessage):
            return [(await self.dm_channel((user_id_of(action.member),)), None)]
        if isinstance(action, GroupMessage):
            if len(action.members) <= MAX_GROUP_DM:
                return [(await self.dm_channel(tuple(user_id_of(m) for m in action.members)), None)]
            return [(await self.dm_channel((user_id_of(m),)), None) for m in action.members]
        if isinstance(action, Reply):
            channel, ts = split_ref(action.thread_ref)
            return [(channel, ts)]
        raise TypeError(f"{type(action).__name__} has no single destination")

    # --- outbound ----------------------------------------------------------------------------------

    @staticmethod
    def parts(text: str) -> list[str]:
        """The neutral text cut into the messages it takes on Slack: each part's mrkdwn at most PART_LIMIT."""
        return split_to_fit(text, PART_LIMIT, lambda part: len(render(part)))

    async def _send(self, action: Action, delivery_id: str, *, direct: bool) -> str | None:
        """Every part to every target, in order; parts found already sent after a crash are not sent again.

        Each part carries the delivery id in its metadata (and its number, from the second part on), which is how
        :meth:`find_delivery` tells after a crash which parts went out. Buttons go under the last part, files in
        the thread of the first. Returns the first part's reference (what reactions and threads hang on).
        """
        found = self._parts_found.pop(delivery_id, {})
        parts = self.parts(action.text)
        first: str | None = None
        for target, (channel, thread_ts) in enumerate(await self._targets(action)):
            if direct and any((target, n) not in found for n in range(len(parts))):
                await self.dm_gate()  # the community's DM policy (bot/dm_policy.py)
            for number, text in enumerate(parts):
                ref = found.get((target, number))
                if ref is None:
                    ref = await self._post_part(channel, text, action, delivery_id, number, len(parts), thread_ts)
                first = first or ref
        return first

    async def _post_part(self, channel: str, text: str, action: Action, delivery_id: str, number: int, count: int,
                         thread_ts: str | None) -> str:
        await self._pacer.wait(f"channel:{channel}", self.pacing.channel_interval)
        rendered = render(text)
        payload: dict[str, Any] = {"delivery_id": delivery_id}
        if number:
            payload["part"] = number
        kwargs: dict[str, Any] = {}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        response = await self.client.chat_postMessage(
            channel=channel,
            text=rendered,
            blocks=blocks(rendered, action.buttons if number == count - 1 else ()),
            metadata={"event_type": METADATA_EVENT_TYPE, "event_payload": payload},
            unfurl_links=False,
            unfurl_media=False,
            **kwargs,
        )
        posted_in, ts = str(response.get("channel") or channel), str(response["ts"])
        if number == 0:
            for attachment in action.attachments:
                await self._upload(posted_in, attachment, thread_ts or ts)
        return message_ref(posted_in, ts)

    async def _upload(self, channel: str, attachment: Attachment, thread_ts: str) -> None:
        """Share a file in the thread of the message it belongs to (files_upload_v2: URL, upload, complete).

        A file that has gone missing since the delivery was planned is named in the thread instead of
        failing the whole message again and again.
        """
        path = Path(attachment.path)
        if not await asyncio.to_thread(path.is_file):
            await self.client.chat_postMessage(channel=channel, thread_ts=thread_ts,
                                               text=f"(the file {render(attachment.title or path.name)} is gone)")
            return
        await self._pacer.wait("files.upload", self.pacing.method_interval("files.getUploadURLExternal"))
        await self.client.files_upload_v2(channel=channel, thread_ts=thread_ts, file=str(path),
                                          filename=path.name, title=attachment.title or path.name)

    @performs(Post)
    async def post(self, action: Post, delivery_id: str) -> str | None:
        return await self._send(action, delivery_id, direct=False)

    @performs(DirectMessage)
    async def direct(self, action: DirectMessage, delivery_id: str) -> str | None:
        return await self._send(action, delivery_id, direct=True)

    @performs(GroupMessage)
    async def group(self, action: GroupMessage, delivery_id: str) -> str | None:
        """One group DM for up to eight members; a larger group gets one DM each (first ref returned)."""
        return await self._send(action, delivery_id, direct=True)

    @performs(Reply)
    async def reply(self, action: Reply, delivery_id: str) -> str | None:
        return await self._send(action, delivery_id, direct=False)

    @performs(Ephemeral)
    async def ephemeral(self, action: Ephemeral, delivery_id: str) -> str | None:
        user = user_id_of(action.member)
        channel = await self.channel_id(action.channel) if action.channel else await self.dm_channel((user,))
        parts = self.parts(action.text)
        for number, text in enumerate(parts):
            await self._pacer.wait(f"channel:{channel}", self.pacing.channel_interval)
            rendered = render(text)
            await self.client.chat_postEphemeral(
                channel=channel, user=user, text=rendered,
                blocks=blocks(rendered, action.buttons if number == len(parts) - 1 else ()),
            )
        return None  # an ephemeral message cannot be referenced later

    @performs(React)
    async def react(self, action: React, delivery_id: str) -> str | None:
        channel, ts = split_ref(action.message_ref)
        await self._pacer.wait("reactions.add", self.pacing.method_interval("reactions.add"))
        try:
            await self.client.reactions_add(channel=channel, timestamp=ts, name=action.text.strip(":"))
        except Exception as exc:
            if "already_reacted" not in str(exc):
                raise
        return None

    # --- interest groups: a channel each, and its members -------------------------------------------

    async def _call_tolerating(self, method: str, harmless: tuple[str, ...], **kwargs: Any) -> dict[str, Any]:
        """A Web API call whose listed errors mean "already so" (doing it twice is not a failure)."""
        await self._pacer.wait(method, self.pacing.method_interval(method))
        call = getattr(self.client, method.replace(".", "_"))  # the typed method: it encodes as Slack expects
        try:
            response = await call(**kwargs)
        except SlackApiError as exc:
            if exc.response.get("error") in harmless:
                return dict(exc.response.data) if isinstance(exc.response.data, dict) else {}
            raise
        return dict(response.data) if isinstance(response.data, dict) else {}

    @performs(OpenGroupSpace)
    async def open_group_space(self, action: OpenGroupSpace, delivery_id: str) -> str | None:
        """The group's channel by name (or id), made with conversations.create if there is none; the bot joins it
        so it can post and invite. Returns the channel id."""
        name = action.channel.strip().lstrip("#").lower()
        try:
            channel = await self.channel_id(name)
        except LookupError:
            created = await self._call_tolerating("conversations.create", ("name_taken",), name=name)
            channel = str((created.get("channel") or {}).get("id") or "")
            if not channel:  # taken meanwhile (or archived): look again, loudly if it is still not there
                self._channel_ids.pop(name, None)
                async with self._channels_lock:
                    await self._load_channels()
                channel = await self.channel_id(name)
            self._channel_ids[name], self._channel_names[channel] = channel, name
        harmless = ("already_in_channel", "method_not_supported_for_channel_type")  # a private channel: invited
        await self._call_tolerating("conversations.join", harmless, channel=channel)
        if action.text:
            await self._call_tolerating("conversations.setPurpose", ("not_in_channel",), channel=channel,
                                        purpose=action.text[:250])
        return channel

    @performs(AddToGroup)
    async def add_to_group(self, action: AddToGroup, delivery_id: str) -> str | None:
        channel = await self.channel_id(action.channel)
        await self._call_tolerating("conversations.invite", ("already_in_channel",), channel=channel,
                                    users=user_id_of(action.member))
        return None

    @performs(RemoveFromGroup)
    async def remove_from_group(self, action: RemoveFromGroup, delivery_id: str) -> str | None:
        channel = await self.channel_id(action.channel)
        await self._call_tolerating("conversations.kick", ("not_in_channel",), channel=channel,
                                    user=user_id_of(action.member))
        return None

    @performs(CalendarEvent)
    async def calendar(self, action: CalendarEvent, delivery_id: str) -> str | None:
        """Share the session's ``.ics`` invite in the channel (a moved or cancelled session's replaces it in the
        calendars that imported it: same UID, higher SEQUENCE)."""
        channel = await self.channel_id(action.channel)
        await self._pacer.wait("files.upload", self.pacing.method_interval("files.getUploadURLExternal"))
        word = "Cancelled" if action.cancelled else "Add to your calendar"
        await self.client.files_upload_v2(channel=channel, content=ics_bytes(action, stamp=self.clock.now()),
                                          filename=ics_name(action), title=f"{word}: {action.title}")
        return None

    async def find_delivery(self, action: Action, delivery_id: str) -> str | None:
        """After a crash mid-send: look for our metadata in each destination's recent history.

        Every part of every target found means the delivery went out: its first part's reference. Otherwise
        the parts found are remembered, so the resend that follows sends only the others, in order.
        """
        if isinstance(action, Ephemeral | React | CalendarEvent | GROUP_ACTIONS):
            return None  # ephemerals leave no history; reactions, channels and invites are idempotent
        count = len(self.parts(action.text))
        targets = await self._targets(action)
        found: dict[tuple[int, int], str] = {}
        for target, (channel, thread_ts) in enumerate(targets):
            for number, ref in (await self._find_in(channel, thread_ts, delivery_id)).items():
                found[(target, number)] = ref
        if all((target, number) in found for target in range(len(targets)) for number in range(count)):
            return found[(0, 0)]
        self._parts_found[delivery_id] = found
        return None

    async def _find_in(self, channel: str, thread_ts: str | None, delivery_id: str) -> dict[int, str]:
        """The parts of ``delivery_id`` in one channel's (or thread's) recent history, by part number."""
        method = "conversations.replies" if thread_ts else "conversations.history"
        await self._pacer.wait(method, self.pacing.method_interval(method))
        if thread_ts:
            response = await self.client.conversations_replies(
                channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
            )
        else:
            response = await self.client.conversations_history(channel=channel, include_all_metadata=True, limit=200)
        parts: dict[int, str] = {}
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT_TYPE and payload.get("delivery_id") == delivery_id:
                parts[int(payload.get("part") or 0)] = message_ref(channel, str(message["ts"]))
        return parts
