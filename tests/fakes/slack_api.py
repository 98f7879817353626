"""A fake Slack Web API (and Socket Mode websocket) on 127.0.0.1, for driving the real slack_sdk client.

Why a server and not a mock: the adapter's calls go through slack_sdk's real HTTP client, retry
handlers and body encoding, so what is asserted is what Slack would have received. Every call is
recorded with its decoded body. Answers follow Slack's JSON shape (``ok``, ``channel``, ``ts``,
``messages`` with ``metadata``...). It can answer 429 with ``Retry-After`` on a chosen call, and can
enforce Slack's documented rate limits on a sped-up clock (for the fan-out benchmark).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

from tests.fakes.pinned_clock import PLATFORM_CLOCK

Handler = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class Call:
    """One request the fake received."""

    method: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.monotonic() when it arrived
    status: int = 200


@dataclass
class Message:
    """A message as Slack would store it."""

    channel: str
    ts: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    metadata: dict[str, Any] | None = None
    thread_ts: str | None = None
    user: str = "UBOT"

    def as_json(self, with_metadata: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"type": "message", "user": self.user, "ts": self.ts, "text": self.text,
                                "bot_id": "BBOT"}
        if self.blocks:
            data["blocks"] = self.blocks
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        if with_metadata and self.metadata:
            data["metadata"] = self.metadata
        return data


@dataclass
class Bucket:
    """A token bucket: ``rate`` tokens per second, at most ``burst`` saved up."""

    rate: float
    burst: float
    tokens: float = -1.0
    stamp: float = 0.0

    def take(self, now: float) -> float:
        """Take one token; 0 if allowed, else the seconds until one is available."""
        if self.tokens < 0:
            self.tokens, self.stamp = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class SlackLimits:
    """Slack's documented limits, per minute (Tier 2/3/4) and per channel for chat.postMessage.

    ``scale`` makes time run faster: every rate is multiplied by it (and ``Retry-After`` divided).
    """

    per_method: dict[str, float] = field(
        default_factory=lambda: {
            "conversations.open": 50.0,
            "conversations.history": 50.0,
            "conversations.replies": 50.0,
            "conversations.list": 20.0,
            "reactions.add": 50.0,
            "users.info": 100.0,
        }
    )
    per_channel_per_second: float = 1.0
    burst: float = 3.0  # "short bursts are tolerated"
    scale: float = 1.0


class FakeSlack:
    """Start with ``await fake.start()``; point ``SLACK_API_URL`` (or the adapter's base_url) at :attr:`api_url`."""

    def __init__(self, *, team_id: str = "T0001", bot_user_id: str = "UBOT", limits: SlackLimits | None = None):
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.limits = limits
        self.calls: list[Call] = []
        self.messages: dict[str, list[Message]] = defaultdict(list)
        self.ephemerals: list[dict[str, Any]] = []
        self.responses: list[dict[str, Any]] = []  # posts to response_url
        self.reactions: list[dict[str, Any]] = []
        self.uploads: list[dict[str, Any]] = []  # files shared by files.completeUploadExternal, with their bytes
        self._upload_slots: dict[str, dict[str, Any]] = {}  # file id -> filename, length, bytes once uploaded
        self.users: dict[str, dict[str, Any]] = {}
        self.profile_fields: dict[str, dict[str, str]] = {}  # user id -> custom profile field id -> value
        self.usergroups: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, str] = {}  # id -> name
        self.channel_members: dict[str, set[str]] = defaultdict(set)  # conversations.join / invite / kick
        self.purposes: dict[str, str] = {}
        self.socket_acks: list[dict[str, Any]] = []
        self.rate_limited = 0
        self._rate_limit_on: dict[tuple[str, int], int] = {}
        self._counts: dict[str, int] = defaultdict(int)
        self._ts = itertools.count(1)
        self._dm_ids: dict[str, str] = {}
        self._buckets: dict[str, Bucket] = {}
        self._runner: web.AppRunner | None = None
        self._sockets: list[web.WebSocketResponse] = []
        self._socket_ready = asyncio.Event()
        self._changed = asyncio.Condition()
        self.port = 0
        self.add_user("UBOT", "copbot", "UTC", is_bot=True)

    # --- setup -------------------------------------------------------------------------------------

    def add_user(self, user_id: str, name: str, tz: str = "Europe/Berlin", *, is_bot: bool = False,
                 email: str | None = None, display_name: str | None = None) -> dict[str, Any]:
        """A workspace user (``email`` only shows with the users:read.email scope, which the fake grants)."""
        profile: dict[str, Any] = {"display_name": name if display_name is None else display_name, "real_name": name}
        if email:
            profile["email"] = email
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name.lower(),
            "real_name": name,
            "deleted": False,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": 3600,
            "is_bot": is_bot,
            "profile": profile,
        }
        return self.users[user_id]

    def add_usergroup(self, group_id: str, handle: str, users: list[str], name: str | None = None) -> None:
        self.usergroups[group_id] = {"id": group_id, "team_id": self.team_id, "handle": handle,
                                     "name": name or handle, "date_delete": 0, "users": list(users),
                                     "user_count": len(users)}

    def add_channel(self, channel_id: str, name: str) -> None:
        self.channels[channel_id] = name

    def rate_limit(self, method: str, nth: int, retry_after: int = 2) -> None:
        """Answer the ``nth`` call (1-based) of ``method`` with 429 and ``Retry-After``."""
        self._rate_limit_on[(method, nth)] = retry_after

    # --- lifecycle ---------------------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        """Listen on 127.0.0.1:``port`` (0: a free one; a test of a Slack that comes up late names one)."""
        app = web.Application()
        app.router.add_post("/api/{method}", self._handle)
        app.router.add_get("/api/{method}", self._handle)
        app.router.add_post("/response/{hook}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    # --- queries for tests -------------------------------------------------------------------------

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def posted(self) -> list[Message]:
        return sorted((m for ms in self.messages.values() for m in ms), key=lambda m: float(m.ts))

    async def until(self, predicate: Callable[[], bool]) -> None:
        """Wait until ``predicate()`` holds (re-checked after every call); bound it with ``asyncio.timeout``."""
        async with self._changed:
            await self._changed.wait_for(predicate)

    # --- the Web API -------------------------------------------------------------------------------

    async def _body(self, request: web.Request) -> dict[str, Any]:
        body: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw:
            if request.content_type == "application/json":
                body.update(json.loads(raw))
            else:
                body.update(dict(parse_qsl(raw.decode())))
        for key in ("blocks", "metadata"):
            if isinstance(body.get(key), str):
                body[key] = json.loads(body[key])
        return body

    def _limited(self, method: str, body: dict[str, Any], now: float) -> float:
        limits = self.limits
        if limits is None:
            return 0.0
        wait = 0.0
        rate = limits.per_method.get(method)
        if rate:
            bucket = self._buckets.setdefault(method, Bucket(rate * limits.scale / 60.0, limits.burst))
            wait = max(wait, bucket.take(now))
        if method in ("chat.postMessage", "chat.postEphemeral") and wait == 0:
            key = f"channel:{body.get('channel')}"
            bucket = self._buckets.setdefault(key, Bucket(limits.per_channel_per_second * limits.scale, limits.burst))
            wait = max(wait, bucket.take(now))
        return wait

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body = await self._body(request)
        now = time.monotonic()
        call = Call(method, body, dict(request.headers), now)
        self._counts[method] += 1
        retry_after: float | None = None
        forced = self._rate_limit_on.pop((method, self._counts[method]), None)
        if forced is not None:
            retry_after = forced
        else:
            wait = self._limited(method, body, now)
            if wait > 0:
                retry_after = wait
        if retry_after is not None:
            call.status = 429
            self.rate_limited += 1
            await self._record(call)
            # Slack sends whole seconds; a sped-up fake sends the scaled wait (the adapter's test handler reads floats).
            header = str(int(retry_after)) if forced is not None else f"{max(retry_after, 0.001):.3f}"
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": header})
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            await self._record(call)
            return web.json_response({"ok": False, "error": "not_authed"})
        handler = getattr(self, "api_" + method.replace(".", "_"), None)
        answer = handler(body) if handler else {"ok": False, "error": "unknown_method"}
        await self._record(call)
        return web.json_response(answer)

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _next_ts(self) -> str:
        return f"{int(PLATFORM_CLOCK.timestamp())}.{next(self._ts):06d}"  # a pinned date, real seconds

    def api_auth_test(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": "https://copbot-test.slack.com/", "team": "CoP", "user": "copbot",
                "team_id": self.team_id, "user_id": self.bot_user_id, "bot_id": "BBOT", "is_enterprise_install": False}

    def api_users_info(self, body: dict[str, Any]) -> dict[str, Any]:
        user = self.users.get(str(body.get("user")))
        return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}

    def api_users_profile_get(self, body: dict[str, Any]) -> dict[str, Any]:
        """Custom profile fields (``fields``: id -> value, alt) come only from users.profile.get, as on Slack."""
        user = self.users.get(str(body.get("user")))
        if not user:
            return {"ok": False, "error": "user_not_found"}
        fields = {fid: {"value": value, "alt": ""} for fid, value in self.profile_fields.get(user["id"], {}).items()}
        return {"ok": True, "profile": {**user["profile"], "fields": fields}}

    def api_users_list(self, body: dict[str, Any]) -> dict[str, Any]:
        """Paginated as Slack does: ``limit`` per page, the next page's ``cursor`` in ``response_metadata``."""
        everyone = sorted(self.users.values(), key=lambda u: str(u["id"]))
        start = int(body.get("cursor") or 0)
        limit = int(body.get("limit") or 200)
        page = everyone[start : start + limit]
        cursor = str(start + limit) if start + limit < len(everyone) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}

    def api_users_lookupByEmail(self, body: dict[str, Any]) -> dict[str, Any]:
        wanted = str(body.get("email") or "").lower()
        for user in self.users.values():
            if str(user["profile"].get("email", "")).lower() == wanted and wanted:
                return {"ok": True, "user": user}
        return {"ok": False, "error": "users_not_found"}

    def api_usergroups_list(self, body: dict[str, Any]) -> dict[str, Any]:
        with_users = str(body.get("include_users")).lower() in ("1", "true")
        groups = [{k: v for k, v in g.items() if k != "users" or with_users} for g in self.usergroups.values()]
        return {"ok": True, "usergroups": groups}

    def api_conversations_list(self, body: dict[str, Any]) -> dict[str, Any]:
        channels = [{"id": cid, "name": name, "is_channel": True, "is_member": True}
                    for cid, name in self.channels.items()]
        return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}}

    def api_conversations_open(self, body: dict[str, Any]) -> dict[str, Any]:
        users = ",".join(sorted(str(body.get("users", "")).split(",")))
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if users not in self._dm_ids:
            prefix = "G" if "," in users else "D"
            self._dm_ids[users] = f"{prefix}{len(self._dm_ids) + 1:08d}"
        return {"ok": True, "channel": {"id": self._dm_ids[users]}}

    # --- channels the bot makes and fills (interest groups) ------------------------------------------------

    def _channel_json(self, channel: str) -> dict[str, Any]:
        """A conversation object as conversations.create / join / invite return it (the fields copbot reads and
        the ones Slack's examples show)."""
        return {"id": channel, "name": self.channels[channel], "is_channel": True, "is_group": False, "is_im": False,
                "created": int(PLATFORM_CLOCK.timestamp()), "creator": self.bot_user_id, "is_archived": False,
                "is_general": False, "is_member": self.bot_user_id in self.channel_members[channel],
                "is_private": False, "purpose": {"value": self.purposes.get(channel, ""), "creator": "",
                                                 "last_set": 0}}

    def api_conversations_create(self, body: dict[str, Any]) -> dict[str, Any]:
        name = str(body.get("name") or "")
        if not name:
            return {"ok": False, "error": "invalid_name_required"}
        if name != name.lower() or any(c in name for c in " .#@,"):
            return {"ok": False, "error": "invalid_name_specials"}
        if name in self.channels.values():
            return {"ok": False, "error": "name_taken"}
        channel = f"C{len(self.channels) + 1:09d}"
        self.channels[channel] = name
        self.channel_members[channel].add(self.bot_user_id)  # the creator is in the channel
        return {"ok": True, "channel": self._channel_json(channel)}

    def api_conversations_join(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel"))
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        already = self.bot_user_id in self.channel_members[channel]
        self.channel_members[channel].add(self.bot_user_id)
        answer: dict[str, Any] = {"ok": True, "channel": self._channel_json(channel)}
        if already:
            answer["warning"] = "already_in_channel"
            answer["response_metadata"] = {"warnings": ["already_in_channel"]}
        return answer

    def api_conversations_invite(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel"))
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        if self.bot_user_id not in self.channel_members[channel]:
            return {"ok": False, "error": "not_in_channel"}
        users = [u for u in str(body.get("users") or "").split(",") if u]
        if not users:
            return {"ok": False, "error": "no_user"}
        if any(u not in self.users for u in users):
            return {"ok": False, "error": "user_not_found"}
        if self.bot_user_id in users:
            return {"ok": False, "error": "cant_invite_self"}
        if all(u in self.channel_members[channel] for u in users):
            return {"ok": False, "error": "already_in_channel"}
        self.channel_members[channel].update(users)
        return {"ok": True, "channel": self._channel_json(channel)}

    def api_conversations_kick(self, body: dict[str, Any]) -> dict[str, Any]:
        channel, user = str(body.get("channel")), str(body.get("user"))
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        if user == self.bot_user_id:
            return {"ok": False, "error": "cant_kick_self"}
        if user not in self.channel_members[channel]:
            return {"ok": False, "error": "not_in_channel"}
        self.channel_members[channel].discard(user)
        return {"ok": True}

    def api_conversations_setPurpose(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel"))
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        if self.bot_user_id not in self.channel_members[channel]:
            return {"ok": False, "error": "not_in_channel"}
        self.purposes[channel] = str(body.get("purpose") or "")
        return {"ok": True, "channel": self._channel_json(channel)}

    def _known_channel(self, channel: str) -> bool:
        return channel in self.channels or channel in self._dm_ids.values()

    def api_chat_postMessage(self, body: dict[str, Any]) -> dict[str, Any]:
        channel = str(body.get("channel"))
        if not self._known_channel(channel):
            return {"ok": False, "error": "channel_not_found"}
        message = Message(channel, self._next_ts(), str(body.get("text", "")), body.get("blocks"),
                          body.get("metadata"), body.get("thread_ts"), self.bot_user_id)
        self.messages[channel].append(message)
        return {"ok": True, "channel": channel, "ts": message.ts, "message": message.as_json(False)}

    def api_chat_postEphemeral(self, body: dict[str, Any]) -> dict[str, Any]:
        self.ephemerals.append(body)
        return {"ok": True, "message_ts": self._next_ts()}

    def api_reactions_add(self, body: dict[str, Any]) -> dict[str, Any]:
        self.reactions.append(body)
        return {"ok": True}

    def _history(self, body: dict[str, Any], thread: str | None) -> dict[str, Any]:
        channel = str(body.get("channel"))
        if not self._known_channel(channel):
            return {"ok": False, "error": "channel_not_found"}
        with_metadata = str(body.get("include_all_metadata")).lower() in ("1", "true")
        found = [m for m in self.messages[channel] if thread is None or m.ts == thread or m.thread_ts == thread]
        if thread is None:
            found = [m for m in found if m.thread_ts is None]
            found.reverse()  # conversations.history is newest first; replies oldest first
        limit = int(body.get("limit") or 100)
        return {"ok": True, "messages": [m.as_json(with_metadata) for m in found[:limit]], "has_more": False}

    def api_conversations_history(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._history(body, None)

    def api_conversations_replies(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._history(body, str(body.get("ts")))

    # --- files: the three steps of files_upload_v2 -------------------------------------------------

    def api_files_getUploadURLExternal(self, body: dict[str, Any]) -> dict[str, Any]:
        if not body.get("filename") or not str(body.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{len(self._upload_slots) + 1:04d}"
        self._upload_slots[file_id] = {"filename": body["filename"], "length": int(body["length"]), "data": None}
        return {"ok": True, "upload_url": f"{self.url}/upload/{file_id}", "file_id": file_id}

    async def _upload(self, request: web.Request) -> web.Response:
        slot = self._upload_slots.get(request.match_info["file_id"])
        if slot is None:
            return web.Response(status=404, text="unknown upload")
        slot["data"] = await request.read()
        return web.Response(text=f"OK - {len(slot['data'])}")

    def api_files_completeUploadExternal(self, body: dict[str, Any]) -> dict[str, Any]:
        files = json.loads(body.get("files") or "[]")
        channel = str(body.get("channel_id") or "")
        if channel and not self._known_channel(channel):
            return {"ok": False, "error": "channel_not_found"}
        shared = []
        for item in files:
            slot = self._upload_slots.get(item.get("id"))
            if slot is None or slot["data"] is None or len(slot["data"]) != slot["length"]:
                return {"ok": False, "error": "file_upload_incomplete"}
            self.uploads.append({"id": item["id"], "title": item.get("title"), "channel": channel,
                                 "thread_ts": body.get("thread_ts"), "filename": slot["filename"],
                                 "data": slot["data"]})
            shared.append({"id": item["id"], "title": item.get("title"), "name": slot["filename"]})
        return {"ok": True, "files": shared}

    def api_apps_connections_open(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}

    # --- response_url and Socket Mode ---------------------------------------------------------------

    def response_url(self, hook: str = "1") -> str:
        return f"{self.url}/response/{hook}"

    async def _response_url(self, request: web.Request) -> web.Response:
        async with self._changed:
            self.responses.append(json.loads(await request.read()))
            self._changed.notify_all()
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"},
                            "connection_info": {"app_id": "A0001"}})
        self._socket_ready.set()
        async for frame in ws:
            if frame.type == WSMsgType.TEXT:
                async with self._changed:
                    self.socket_acks.append(json.loads(frame.data))
                    self._changed.notify_all()
        return ws

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Push one Socket Mode envelope (events_api, slash_commands, interactive) to the connected app."""
        await self._socket_ready.wait()
        await self._sockets[-1].send_json(envelope)
