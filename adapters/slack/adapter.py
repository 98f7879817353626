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
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.mrkdwn import blocks, render, user_id_of
from adapters.slack.pacing import Pacer, Pacing, retry_handlers
from bot.actions import Action, Attachment, DirectMessage, Ephemeral, GroupMessage, Post, React, Reply
from bot.adapter import EventSink, HandlerTable, performs
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
from bot.web_server import WebServer
from config.models import DirectMessagesConfig

log = logging.getLogger("copbot.slack")

PLATFORM = "slack"
DEFAULT_API_URL = "https://slack.com/api/"
EVENTS_PATH = "/slack/events"
METADATA_EVENT_TYPE = "copbot_delivery"
COMMAND = "/cop"
MAX_GROUP_DM = 8  # conversations.open takes 1-8 other users for a group DM
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")
_REPLY_SUBTYPES = {None, "thread_broadcast", "file_share"}

ChannelSetting = Callable[[], str | None]
DirectMessagesSetting = Callable[[], DirectMessagesConfig | None]
"""community.yaml's ``delivery.direct_messages`` as it is now (read on each DM, so a reload applies at once)."""


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
        community_channel: ChannelSetting | str | None = None,
        command_timeout: float = 2.0,
        direct_messages: DirectMessagesSetting | None = None,
        clock: Clock | None = None,
        team_field: Callable[[], str | None] | None = None,
    ) -> None:
        self.clock: Clock = clock or SystemClock()  # the runtime's clock: event times without a stamp read it
        self._team_field = team_field or (lambda: None)  # community.yaml's teams.slack_profile_field, read per join
        self.pacing = pacing or Pacing()
        self._direct_messages: DirectMessagesSetting = direct_messages or (lambda: None)
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
        if isinstance(community_channel, str) or community_channel is None:
            fixed = community_channel
            self._community_channel: ChannelSetting = lambda: fixed
        else:
            self._community_channel = community_channel
        self.team_id: str | None = None
        self.bot_user_id: str | None = None
        self.workspace_url: str | None = None  # https://<workspace>.slack.com/ from auth.test, for permalinks
        self.sink: EventSink | None = None
        self._pacer = Pacer()
        self._channel_ids: dict[str, str] = {}
        self._channel_names: dict[str, str] = {}
        self._channels_lock = asyncio.Lock()
        self._dm_channels: dict[str, str] = {}
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
        field_id = self._team_field()
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
        await self._joined(body, str(user.get("id")), user)

    async def _is_community_channel(self, channel: str) -> bool:
        configured = self._community_channel()
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
            "text": str(event.get("text") or ""),
            "link": self._permalink(channel, ts, str(thread_ts) if thread_ts else None),
        }
        if thread_ts and thread_ts != ts:
            await self._emit(ReplyPosted(**common, thread_ref=message_ref(channel, str(thread_ts)),
                                         thread_link=self._permalink(channel, str(thread_ts))))
        elif not thread_ts:
            await self._emit(MessagePosted(**common))

    def _permalink(self, channel: str, ts: str, thread_ts: str | None = None) -> str | None:
        """Slack's permalink shape (as ``chat.getPermalink`` returns it), built without a call per message."""
        if not self.workspace_url:
            return None
        link = f"{self.workspace_url.rstrip('/')}/archives/{channel}/p{ts.replace('.', '')}"
        return f"{link}?thread_ts={thread_ts}&cid={channel}" if thread_ts and thread_ts != ts else link

    async def _on_command(self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        """Answer within Slack's 3 s: ack with the answer if the core is quick, else via ``response_url``."""
        channel = str(command.get("channel_id") or "")
        event = CommandInvoked(
            platform=PLATFORM,
            # Slash commands carry no event id; trigger_id is unique per invocation.
            event_id=f"cmd:{command.get('trigger_id') or command.get('command_ts') or id(command)}",
            member=member_key(str(command.get("team_id") or self.team_id or "T0"), str(command.get("user_id"))),
            at=self.clock.now(),
            text=str(command.get("text") or ""),
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

    async def _where(self, action: Action) -> tuple[str, str | None]:
        """The channel id (and thread ts) an action's message goes to."""
        if isinstance(action, Post):
            return await self.channel_id(action.channel), None
        if isinstance(action, DirectMessage):
            return await self.dm_channel((user_id_of(action.member),)), None
        if isinstance(action, GroupMessage):
            return await self.dm_channel(tuple(user_id_of(m) for m in action.members[:MAX_GROUP_DM])), None
        if isinstance(action, Reply):
            channel, ts = split_ref(action.thread_ref)
            return channel, ts
        raise TypeError(f"{type(action).__name__} has no single destination")

    # --- outbound ----------------------------------------------------------------------------------

    async def _post_message(self, channel: str, action: Action, delivery_id: str, thread_ts: str | None = None) -> str:
        await self._pacer.wait(f"channel:{channel}", self.pacing.channel_interval)
        text = render(action.text)
        kwargs: dict[str, Any] = {}
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        response = await self.client.chat_postMessage(
            channel=channel,
            text=text,
            blocks=blocks(text, action.buttons),
            metadata={"event_type": METADATA_EVENT_TYPE, "event_payload": {"delivery_id": delivery_id}},
            unfurl_links=False,
            unfurl_media=False,
            **kwargs,
        )
        posted_in, ts = str(response.get("channel") or channel), str(response["ts"])
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
        channel, _ = await self._where(action)
        return await self._post_message(channel, action, delivery_id)

    async def _dm_policy(self) -> None:
        """The community's DM policy before each DM: refused when switched off, else spaced to its pace.

        Slack's own tiers (conversations.open, chat.postMessage) are paced separately; this is the
        community's choice of how hard to DM people, the same setting the Discord adapter keeps.
        """
        policy = self._direct_messages()
        if policy is None:
            return
        if not policy.enabled:
            raise PermissionError("direct messages are switched off in community.yaml (delivery.direct_messages)")
        if policy.per_second > 0:
            await self._pacer.wait("direct-messages", 1.0 / policy.per_second / self.pacing.scale)

    @performs(DirectMessage)
    async def direct(self, action: DirectMessage, delivery_id: str) -> str | None:
        await self._dm_policy()
        channel, _ = await self._where(action)
        return await self._post_message(channel, action, delivery_id)

    @performs(GroupMessage)
    async def group(self, action: GroupMessage, delivery_id: str) -> str | None:
        """One group DM for up to eight members; a larger group gets one DM each (first ref returned)."""
        if len(action.members) <= MAX_GROUP_DM:
            await self._dm_policy()
            channel, _ = await self._where(action)
            return await self._post_message(channel, action, delivery_id)
        refs = []
        for member in action.members:
            await self._dm_policy()
            refs.append(await self._post_message(await self.dm_channel((user_id_of(member),)), action, delivery_id))
        return refs[0]

    @performs(Reply)
    async def reply(self, action: Reply, delivery_id: str) -> str | None:
        channel, ts = await self._where(action)
        return await self._post_message(channel, action, delivery_id, thread_ts=ts)

    @performs(Ephemeral)
    async def ephemeral(self, action: Ephemeral, delivery_id: str) -> str | None:
        user = user_id_of(action.member)
        channel = await self.channel_id(action.channel) if action.channel else await self.dm_channel((user,))
        await self._pacer.wait(f"channel:{channel}", self.pacing.channel_interval)
        text = render(action.text)
        await self.client.chat_postEphemeral(
            channel=channel, user=user, text=text, blocks=blocks(text, action.buttons)
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

    async def find_delivery(self, action: Action, delivery_id: str) -> str | None:
        """After a crash mid-send: look for our metadata in the destination's recent history."""
        if isinstance(action, Ephemeral | React):
            return None  # ephemerals leave no history; a reaction is idempotent (already_reacted)
        channel, thread_ts = await self._where(action)
        method = "conversations.replies" if thread_ts else "conversations.history"
        await self._pacer.wait(method, self.pacing.method_interval(method))
        if thread_ts:
            response = await self.client.conversations_replies(
                channel=channel, ts=thread_ts, include_all_metadata=True, limit=200
            )
        else:
            response = await self.client.conversations_history(channel=channel, include_all_metadata=True, limit=200)
        for message in response.get("messages") or []:
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == METADATA_EVENT_TYPE and payload.get("delivery_id") == delivery_id:
                return message_ref(channel, str(message["ts"]))
        return None

