"""A small fake Discord on 127.0.0.1: REST routes and a gateway websocket that discord.py 2.7 really talks to.

It records every REST call with its body, answers with content type exactly ``application/json`` (what
discord.py needs to parse a body), does the real gateway handshake (HELLO → heartbeat ACK → IDENTIFY →
READY with ``resume_gateway_url`` → GUILD_CREATE, RESUME → RESUMED, op 8 → GUILD_MEMBERS_CHUNK) and
dispatches real payloads. It can answer 429 the way Discord does (``Via``, ``retry_after``,
``X-RateLimit-*``), enforce a global request rate on a sped-up clock, and honour ``enforce_nonce``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.pinned_clock import PLATFORM_CLOCK

DISCORD_EPOCH_MS = 1420070400000
_counter = itertools.count(1)


def snowflake() -> int:
    """A real-looking, increasing snowflake (discord.py reads creation times from them), on the pinned clock."""
    ms = int(PLATFORM_CLOCK.timestamp() * 1000) - DISCORD_EPOCH_MS
    return (ms << 22) | (next(_counter) & 0x3FFFFF)


def iso(dt: datetime | None = None) -> str:
    return (dt or PLATFORM_CLOCK.now()).isoformat()


def user_payload(user_id: int, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name.lower(),
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def member_payload(user_id: int, name: str, joined_at: str | None = None, roles: list[int] | None = None
                   ) -> dict[str, Any]:
    return {
        "user": user_payload(user_id, name),
        "nick": None,
        "roles": [str(r) for r in roles or []],
        "joined_at": joined_at or iso(),
        "deaf": False,
        "mute": False,
        "flags": 0,  # discord.py fails to parse a member without it
        "avatar": None,
        "premium_since": None,
        "pending": False,
    }


@dataclass
class Call:
    """One REST call as the fake received it."""

    method: str
    path: str
    body: Any
    query: dict[str, str]
    status: int = 200
    at: float = field(default_factory=time.monotonic)


@dataclass
class Failure:
    """A scripted 429 for calls matching ``method`` and ``pattern``."""

    method: str
    pattern: re.Pattern[str]
    retry_after: float
    times: int = 1
    is_global: bool = False


@dataclass
class FakeUser:
    id: int
    name: str
    joined_at: str = field(default_factory=iso)
    roles: list[int] = field(default_factory=list)

    def member(self) -> dict[str, Any]:
        return member_payload(self.id, self.name, self.joined_at, self.roles)


def _holds(command: dict[str, Any], words: list[str]) -> bool:
    """Does a registered command's option tree hold the subcommand path ``words``?"""
    options = command.get("options") or []
    for word in words:
        found = next((o for o in options if o.get("name") == word and o.get("type") in (1, 2)), None)
        if found is None:
            return False
        options = found.get("options") or []
    return True


def multipart_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """A message sent with files: the ``payload_json`` part is the body; the files go under ``_files``."""
    from email.parser import BytesParser
    from email.policy import HTTP

    parsed = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    body: dict[str, Any] = {}
    files: list[dict[str, Any]] = []
    for part in parsed.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if name == "payload_json":
            body = json.loads(data)
        else:
            files.append({"field": name, "filename": part.get_filename(), "data": data})
    body["_files"] = files
    return body


class FakeDiscord:
    """One guild, one bot, a few members; REST under ``/api/v10``, the gateway at ``/gateway``."""

    def __init__(
        self,
        *,
        members: dict[str, int] | None = None,
        channels: dict[str, int] | None = None,
        rate_per_second: float | None = None,
        speed: float = 1.0,
        nonce_window_s: float = 300.0,
    ) -> None:
        self.guild_id = 81384788765712384
        self.app_id = 291240284300804097
        self.bot = FakeUser(291240284300804097, "copbot")
        self.users: dict[int, FakeUser] = {}
        for name, uid in (members or {"Ana": 100000000000000001, "Ben": 100000000000000002}).items():
            self.users[uid] = FakeUser(uid, name)
        self.channels: dict[int, dict[str, Any]] = {}
        for name, cid in (channels or {"general": 200000000000000001, "prompts": 200000000000000002}).items():
            self.channels[cid] = {"id": str(cid), "type": 0, "name": name, "guild_id": str(self.guild_id)}
        self.roles: dict[int, dict[str, Any]] = {}  # besides @everyone: made by add_role or POST /guilds/{id}/roles
        self.scheduled_events: dict[int, dict[str, Any]] = {}
        self.calls: list[Call] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self._nonces: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self.nonce_window_s = nonce_window_s  # Discord remembers an enforced nonce for "a few minutes"
        self.closed_dms: set[int] = set()  # users whose privacy settings refuse DMs from server members
        self.failures: list[Failure] = []
        self.commands: list[dict[str, Any]] = []
        self.close_with_4014 = False
        self.identifies = 0
        self.identify_payloads: list[dict[str, Any]] = []
        self.resumes = 0
        self.member_requests: list[dict[str, Any]] = []
        self.rate_per_second = rate_per_second
        self.speed = speed
        self.rate_limited = 0
        self._bucket_tokens = rate_per_second or 0.0
        self._bucket_at = time.monotonic()
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0
        self._session = "fake-session-1"
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ---------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/_fake/stats", self._stats)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        sockets = getattr(site._server, "sockets", None)  # an asyncio Server (AbstractServer has no .sockets)
        assert sockets
        self.port = sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    # --- waiting -----------------------------------------------------------------------------------

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[], Any], wait_s: float = 10.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked whenever the fake sees something); returns it."""

        async def check() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(check(), wait_s)

    def calls_to(self, method: str, pattern: str) -> list[Call]:
        rx = re.compile(pattern)
        return [c for c in self.calls if c.method == method and rx.fullmatch(c.path) and c.status < 400]

    def calls_to_any_status(self, method: str, pattern: str) -> list[Call]:
        """Like :meth:`calls_to`, refused calls (4xx) included."""
        rx = re.compile(pattern)
        return [c for c in self.calls if c.method == method and rx.fullmatch(c.path)]

    def stats(self) -> dict[str, Any]:
        """Counts for benchmarks: requests, 429s, messages made, and contents sent more than once."""
        contents: dict[str, int] = {}
        for message in self.messages.values():
            contents[message["content"]] = contents.get(message["content"], 0) + 1
        return {
            "requests": len(self.calls),
            "rate_limited": self.rate_limited,
            "messages": len(self.messages),
            "duplicates": sum(n - 1 for n in contents.values() if n > 1),
            "contents": sorted(contents),
        }

    async def _stats(self, request: web.Request) -> web.Response:
        return self._json(self.stats())

    # --- REST --------------------------------------------------------------------------------------

    def fail_next(self, method: str, pattern: str, retry_after: float, times: int = 1) -> None:
        self.failures.append(Failure(method, re.compile(pattern), retry_after, times))

    def _json(self, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        merged = {"Content-Type": "application/json", **(headers or {})}  # exactly this; no charset
        return web.Response(body=json.dumps(data).encode(), status=status, headers=merged)

    def _too_many(self, retry_after: float, *, is_global: bool) -> web.Response:
        headers = {
            "Via": "1.1 google",
            "Retry-After": f"{retry_after:.3f}",
            "X-RateLimit-Limit": "5",
            "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
            "X-RateLimit-Reset-After": f"{retry_after:.3f}",
            "X-RateLimit-Bucket": "fakebucket",
            "X-RateLimit-Scope": "global" if is_global else "user",
        }
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}
        return self._json(body, 429, headers)

    def _global_limit(self) -> float:
        """Token bucket of ``rate_per_second`` (burst = one second's worth) on the sped-up clock; 0 = allowed."""
        if not self.rate_per_second:
            return 0.0
        now = time.monotonic()
        fake_elapsed = (now - self._bucket_at) * self.speed
        self._bucket_at = now
        self._bucket_tokens = min(self.rate_per_second, self._bucket_tokens + fake_elapsed * self.rate_per_second)
        if self._bucket_tokens >= 1:
            self._bucket_tokens -= 1
            return 0.0
        fake_wait = (1 - self._bucket_tokens) / self.rate_per_second
        return fake_wait / self.speed

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        raw = await request.read()
        body: Any = json.loads(raw) if raw and request.content_type == "application/json" else None
        if body is None and raw and request.content_type.startswith("multipart"):
            body = multipart_body(raw, request.headers["Content-Type"])
        call = Call(request.method, path, body, dict(request.query))
        self.calls.append(call)
        try:
            wait = self._global_limit()
            if wait:
                call.status = 429
                self.rate_limited += 1
                return self._too_many(round(wait, 4), is_global=True)
            for failure in self.failures:
                if failure.times > 0 and failure.method == request.method and failure.pattern.fullmatch(path):
                    failure.times -= 1
                    call.status = 429
                    self.rate_limited += 1
                    return self._too_many(failure.retry_after, is_global=failure.is_global)
            return self._route(call)
        finally:
            await self._notify()

    def _route(self, call: Call) -> web.Response:
        m, p, body = call.method, call.path, call.body or {}
        if (m, p) == ("GET", "/users/@me"):
            return self._json(user_payload(self.bot.id, self.bot.name, bot=True))
        if (m, p) == ("GET", "/oauth2/applications/@me"):
            return self._json(self.application())
        if (m, p) == ("GET", "/gateway/bot"):
            return self._json({"url": self.gateway_url, "shards": 1, "session_start_limit": {
                "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}})
        if (m, p) == ("POST", "/users/@me/channels"):
            uid = int(body["recipient_id"])
            user = self.users.get(uid) or FakeUser(uid, f"user{uid}")
            recipients = [user_payload(user.id, user.name)]
            dm = {"id": str(uid + 7), "type": 1, "last_message_id": None, "recipients": recipients}
            self.channels.setdefault(uid + 7, dm)
            return self._json(dm)
        if (match := re.fullmatch(r"/channels/(\d+)/messages", p)) and m == "POST":
            target = self.channels.get(int(match[1])) or {}
            if target.get("type") == 1 and int(target["recipients"][0]["id"]) in self.closed_dms:
                call.status = 403
                return self._json({"message": "Cannot send messages to this user", "code": 50007}, 403)
            return self._json(self._create_message(match[1], body))
        if (match := re.fullmatch(r"/channels/(\d+)/messages", p)) and m == "GET":
            return self._history(call, int(match[1]))
        if match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)/threads", p):
            if int(match[2]) in self.channels:
                call.status = 400
                return self._json({"message": "A thread has already been created for this message", "code": 160004},
                                  400)
            return self._json(self._thread(int(match[1]), int(match[2]), body.get("name", "thread")), 201)
        if re.fullmatch(r"/channels/\d+/messages/\d+/reactions/[^/]+/@me", p) and m == "PUT":
            return web.Response(status=204)
        if match := re.fullmatch(r"/channels/(\d+)", p):
            channel = self.channels.get(int(match[1]))
            if channel is None:
                return self._json({"message": "Unknown Channel", "code": 10003}, 404)
            return self._json(channel)
        if re.fullmatch(r"/interactions/\d+/[^/]+/callback", p):
            iid = p.split("/")[2]
            flags = (body.get("data") or {}).get("flags", 0) or 0
            return self._json({"interaction": {"id": iid, "type": 2, "response_message_ephemeral": bool(flags & 64),
                                               "response_message_loading": body.get("type") == 5}})
        if match := re.fullmatch(r"/webhooks/(\d+)/([^/]+)", p):
            return self._json(self._create_message("0", body, webhook=True))
        if re.fullmatch(r"/webhooks/\d+/[^/]+/messages/.+", p):
            return self._json(self._create_message("0", body, webhook=True))
        if (routed := self._guild_route(call)) is not None:
            return routed
        if re.fullmatch(r"/applications/\d+/commands", p):
            if m == "PUT":
                self.commands = [{**c, "id": str(snowflake()), "application_id": str(self.app_id),
                                  "version": "1"} for c in body]
            return self._json(self.commands)
        call.status = 404
        return self._json({"message": f"fake Discord has no route {m} {p}", "code": 0}, 404)

    # --- guild routes: roles, channels, members' roles, scheduled events ----------------------------------

    def role_payload(self, role_id: int, name: str, *, mentionable: bool = False, position: int = 1) -> dict[str, Any]:
        """A role object as Discord documents it (Topics → Permissions → Role Object)."""
        return {"id": str(role_id), "name": name, "color": 0, "colors": {"primary_color": 0, "secondary_color": None,
                "tertiary_color": None}, "hoist": False, "icon": None, "unicode_emoji": None, "position": position,
                "permissions": "0", "managed": False, "mentionable": mentionable, "flags": 0}

    def _unknown(self, call: Call, what: str, code: int) -> web.Response:
        call.status = 404
        return self._json({"message": f"Unknown {what}", "code": code}, 404)

    def _guild_route(self, call: Call) -> web.Response | None:
        m, p, body = call.method, call.path, call.body or {}
        match = re.fullmatch(r"/guilds/(\d+)/(.*)", p)
        if match is None:
            return None
        if int(match[1]) != self.guild_id:
            return self._unknown(call, "Guild", 10004)
        rest = match[2]
        if rest == "roles" and m == "GET":
            return self._json([self.role_payload(self.guild_id, "@everyone", position=0), *self.roles.values()])
        if rest == "roles" and m == "POST":
            role = self.role_payload(snowflake(), str(body.get("name") or "new role"),
                                     mentionable=bool(body.get("mentionable")), position=len(self.roles) + 1)
            self.roles[int(role["id"])] = role
            return self._json(role)
        if rest == "channels" and m == "POST":
            cid = snowflake()
            channel = {"id": str(cid), "type": int(body.get("type", 0)), "guild_id": str(self.guild_id),
                       "name": str(body.get("name")), "topic": body.get("topic"), "position": len(self.channels),
                       "permission_overwrites": body.get("permission_overwrites", []), "parent_id": None,
                       "nsfw": False, "rate_limit_per_user": 0, "last_message_id": None, "flags": 0}
            self.channels[cid] = channel
            return self._json(channel, 201)
        if member_role := re.fullmatch(r"members/(\d+)/roles/(\d+)", rest):
            user, role = int(member_role[1]), int(member_role[2])
            if user not in self.users:
                return self._unknown(call, "Member", 10007)
            if role not in self.roles:
                return self._unknown(call, "Role", 10011)
            held = self.users[user].roles
            if m == "PUT" and role not in held:
                held.append(role)
            elif m == "DELETE" and role in held:
                held.remove(role)
            call.status = 204
            return web.Response(status=204)
        return self._scheduled_event_route(call, rest)

    def scheduled_event_payload(self, event_id: int, body: dict[str, Any]) -> dict[str, Any]:
        """A Guild Scheduled Event object as Discord documents it (Resources → Guild Scheduled Event)."""
        return {"id": str(event_id), "guild_id": str(self.guild_id), "channel_id": body.get("channel_id"),
                "creator_id": str(self.bot.id), "name": body["name"], "description": body.get("description"),
                "scheduled_start_time": body["scheduled_start_time"],
                "scheduled_end_time": body.get("scheduled_end_time"), "privacy_level": body.get("privacy_level", 2),
                "status": 1, "entity_type": body["entity_type"], "entity_id": None,
                "entity_metadata": body.get("entity_metadata"),
                "creator": user_payload(self.bot.id, self.bot.name, bot=True), "user_count": 0, "image": None,
                "recurrence_rule": None}

    def _invalid(self, call: Call, field: str, message: str) -> web.Response:
        call.status = 400
        return self._json({"message": "Invalid Form Body", "code": 50035,
                           "errors": {field: {"_errors": [{"code": "BASE_TYPE_BAD", "message": message}]}}}, 400)

    def _scheduled_event_route(self, call: Call, rest: str) -> web.Response | None:
        """POST /guilds/{id}/scheduled-events, GET the list, GET/PATCH one (status 1 scheduled, 3 completed,
        4 canceled; a canceled or completed event can no longer change, as on Discord)."""
        m, body = call.method, call.body or {}
        if rest == "scheduled-events" and m == "GET":
            return self._json(list(self.scheduled_events.values()))
        if rest == "scheduled-events" and m == "POST":
            for required in ("name", "scheduled_start_time", "entity_type", "privacy_level"):
                if required not in body:
                    return self._invalid(call, required, "This field is required")
            if body["entity_type"] == 3 and (not body.get("scheduled_end_time")
                                             or not (body.get("entity_metadata") or {}).get("location")):
                return self._invalid(call, "entity_metadata", "External events need a location and an end time")
            if datetime.fromisoformat(body["scheduled_start_time"]) <= PLATFORM_CLOCK.now():
                return self._invalid(call, "scheduled_start_time", "Cannot schedule event in the past")
            event = self.scheduled_event_payload(snowflake(), body)
            self.scheduled_events[int(event["id"])] = event
            return self._json(event)
        match = re.fullmatch(r"scheduled-events/(\d+)", rest)
        if match is None:
            return None
        event = self.scheduled_events.get(int(match[1]))
        if event is None:
            return self._unknown(call, "Guild Scheduled Event", 10070)
        if m == "PATCH":
            if event["status"] in (3, 4):
                return self._invalid(call, "status", "Cannot modify a finished event")
            for key in ("name", "description", "scheduled_start_time", "scheduled_end_time", "entity_metadata",
                        "status"):
                if key in body:
                    event[key] = body[key]
        return self._json(event)

    def application(self) -> dict[str, Any]:
        return {
            "id": str(self.app_id),
            "name": "copbot",
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": user_payload(1, "owner"),
            "team": None,
            "verify_key": "0" * 64,
            "flags": 0,
            "summary": "",
        }

    def forget_nonces(self) -> None:
        """What Discord does once the nonce window has passed: a repeated nonce makes a new message."""
        self._nonces.clear()

    def _create_message(self, channel_id: str, body: dict[str, Any], *, webhook: bool = False) -> dict[str, Any]:
        nonce = body.get("nonce")
        if nonce and body.get("enforce_nonce"):
            at, earlier = self._nonces.get((channel_id, str(nonce)), (0.0, None))
            if earlier is not None and time.monotonic() - at < self.nonce_window_s:
                return earlier  # Discord returns the first message instead of making a second one
        message = self.message_payload(
            int(channel_id), self.bot.id, body.get("content", ""), bot=True, nonce=nonce,
            components=body.get("components", []), flags=body.get("flags", 0), embeds=body.get("embeds", []),
        )
        if not webhook:
            self.messages[int(message["id"])] = message
        if nonce and body.get("enforce_nonce"):
            self._nonces[(channel_id, str(nonce))] = (time.monotonic(), message)
        return message

    def _history(self, call: Call, channel_id: int) -> web.Response:
        """GET /channels/{id}/messages: newest first, ``limit`` 1-100 (default 50), ``before``/``after`` ids.

        As on Discord, the nonce is not part of a fetched message: only the create response and the
        gateway's MESSAGE_CREATE carry it, which is why copbot marks its messages another way.
        """
        try:
            limit = int(call.query.get("limit", "50"))
            before = int(call.query["before"]) if "before" in call.query else None
            after = int(call.query["after"]) if "after" in call.query else None
        except ValueError:
            call.status = 400
            return self._json({"message": "Invalid Form Body", "code": 50035}, 400)
        if not 1 <= limit <= 100:
            call.status = 400
            return self._json({"message": "Invalid Form Body", "code": 50035, "errors": {"limit": {
                "_errors": [{"code": "NUMBER_TYPE_MAX", "message": "int value should be between 1 and 100."}]}}}, 400)
        if channel_id not in self.channels:
            call.status = 404
            return self._json({"message": "Unknown Channel", "code": 10003}, 404)
        found = sorted((mid for mid, m in self.messages.items() if int(m["channel_id"]) == channel_id
                        and (before is None or mid < before) and (after is None or mid > after)), reverse=True)
        if after is not None and before is None:
            found = found[-limit:]  # Discord gives the ``limit`` messages right after ``after``, newest first
        page = [{k: v for k, v in self.messages[mid].items() if k != "nonce"} for mid in found[:limit]]
        return self._json(page)

    def message_payload(
        self, channel_id: int, author_id: int, content: str, *, bot: bool = False, nonce: Any = None,
        components: list[Any] | None = None, flags: int = 0, message_id: int | None = None,
        embeds: list[Any] | None = None,
    ) -> dict[str, Any]:
        author = self.users.get(author_id) or self.bot
        data: dict[str, Any] = {
            "id": str(message_id or snowflake()),
            "channel_id": str(channel_id),
            "author": user_payload(author.id, author.name, bot=bot),
            "content": content,
            "timestamp": iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": embeds or [],
            "pinned": False,
            "type": 0,
            "flags": flags,
            "components": components or [],
        }
        if nonce is not None:
            data["nonce"] = nonce
        return data

    def _thread(self, parent_id: int, message_id: int, name: str) -> dict[str, Any]:
        thread = {
            "id": str(message_id),
            "type": 11,
            "guild_id": str(self.guild_id),
            "parent_id": str(parent_id),
            "name": name,
            "owner_id": str(self.bot.id),
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "message_count": 0,
            "member_count": 1,
            "flags": 0,
            "thread_metadata": {"archived": False, "auto_archive_duration": 1440, "archive_timestamp": iso(),
                                "locked": False},
        }
        self.channels[message_id] = thread
        return thread

    # --- gateway -----------------------------------------------------------------------------------

    def guild_payload(self) -> dict[str, Any]:
        channels = [
            {"id": c["id"], "type": 0, "name": c["name"], "position": i, "permission_overwrites": [],
             "parent_id": None, "topic": None, "nsfw": False, "rate_limit_per_user": 0, "last_message_id": None}
            for i, c in enumerate(v for v in self.channels.values() if v["type"] == 0)
        ]
        return {
            "id": str(self.guild_id),
            "name": "Platform Guild",
            "icon": None,
            "owner_id": "1",
            "roles": [{"id": str(self.guild_id), "name": "@everyone", "permissions": "1071698660929", "position": 0,
                       "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0},
                      *self.roles.values()],
            "channels": channels,
            "threads": [],
            "members": [u.member() for u in self.users.values()],
            "member_count": len(self.users) + 1,
            "emojis": [],
            "stickers": [],
            "features": [],
            "unavailable": False,
            "large": False,
            "joined_at": iso(),
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "mfa_level": 0,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "afk_timeout": 300,
            "premium_tier": 0,
            "system_channel_flags": 0,
            "preferred_locale": "en-US",
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
        }

    async def _send(self, payload: dict[str, Any]) -> None:
        if self._ws is not None and not self._ws.closed:
            await self._ws.send_str(json.dumps(payload))  # a text frame: discord.py only inflates binary ones

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send one DISPATCH (op 0) with the next sequence number."""
        self._seq += 1
        await self._send({"op": 0, "t": event, "s": self._seq, "d": data})

    async def close_gateway(self, code: int = 4000) -> None:
        """Drop the connection the way Discord does when it wants the client to resume."""
        if self._ws is not None:
            await self._ws.close(code=code)

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}))
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            op = frame.get("op")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            elif op == 2:
                self.identifies += 1
                self.identify_payloads.append(frame["d"])
                if self.close_with_4014:
                    await ws.close(code=4014, message=b"Disallowed intent(s).")
                    break
                await self._ready()
            elif op == 6:
                self.resumes += 1
                await self.dispatch("RESUMED", {})
            elif op == 8:
                data = frame["d"]
                self.member_requests.append(data)
                await self.dispatch("GUILD_MEMBERS_CHUNK", {
                    "guild_id": str(self.guild_id), "chunk_index": 0, "chunk_count": 1, "not_found": [],
                    "members": [u.member() for u in self.users.values()],
                    "nonce": data.get("nonce"),
                })
            await self._notify()
        await self._notify()
        return ws

    async def _ready(self) -> None:
        self._seq = 0
        await self.dispatch("READY", {
            "v": 10,
            "user": user_payload(self.bot.id, self.bot.name, bot=True),
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": self._session,
            "resume_gateway_url": self.gateway_url,
            "shard": [0, 1],
            "application": {"id": str(self.app_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
        })
        await self.dispatch("GUILD_CREATE", self.guild_payload())

    def add_role(self, role_id: int, name: str, members: list[int]) -> None:
        """A server role (before the bot connects); ``members`` have it."""
        self.roles[role_id] = self.role_payload(role_id, name)
        for uid in members:
            self.users[uid].roles.append(role_id)

    # --- member actions (payloads as Discord sends them) ---------------------------------------------

    async def set_roles(self, user_id: int, roles: list[int]) -> dict[str, Any]:
        """An admin gives or takes roles: GUILD_MEMBER_UPDATE, as Discord sends it."""
        user = self.users[user_id]
        user.roles = list(roles)
        data = {**user.member(), "guild_id": str(self.guild_id)}
        await self.dispatch("GUILD_MEMBER_UPDATE", data)
        return data

    async def member_joins(self, user_id: int, name: str, joined_at: str | None = None,
                           roles: tuple[int, ...] = ()) -> dict[str, Any]:
        self.users[user_id] = FakeUser(user_id, name, joined_at or iso(), list(roles))
        data = {**self.users[user_id].member(), "guild_id": str(self.guild_id)}
        await self.dispatch("GUILD_MEMBER_ADD", data)
        return data

    async def react(self, user_id: int, channel_id: int, message_id: int, emoji: str = "🎉") -> dict[str, Any]:
        user = self.users[user_id]
        data = {
            "user_id": str(user_id),
            "channel_id": str(channel_id),
            "message_id": str(message_id),
            "guild_id": str(self.guild_id),
            "emoji": {"id": None, "name": emoji},
            "member": member_payload(user.id, user.name, user.joined_at),
            "burst": False,
            "type": 0,
            "message_author_id": str(self.bot.id),
        }
        await self.dispatch("MESSAGE_REACTION_ADD", data)
        return data

    async def post_in_thread(self, user_id: int, thread_id: int, text: str) -> dict[str, Any]:
        data = {**self.message_payload(thread_id, user_id, text), "guild_id": str(self.guild_id),
                "member": {k: v for k, v in member_payload(user_id, self.users[user_id].name).items() if k != "user"}}
        await self.dispatch("MESSAGE_CREATE", data)
        return data

    def _interaction_channel(self, channel_id: int) -> dict[str, Any]:
        """The partial channel Discord puts in an interaction: a thread as a thread, else a text channel."""
        known = self.channels.get(channel_id)
        if known is not None and known.get("type") in (11, 12):
            return {**known, "permissions": "1071698660929"}
        return {"id": str(channel_id), "type": 0, "guild_id": str(self.guild_id), "name": "general",
                "position": 0, "permission_overwrites": [], "nsfw": False, "parent_id": None}

    def _interaction_ids(self) -> dict[str, Any]:
        iid = snowflake()
        return {"id": str(iid), "application_id": str(self.app_id), "token": f"tok{iid}", "version": 1}

    def _interaction_base(self, user_id: int, channel_id: int) -> dict[str, Any]:
        user = self.users[user_id]
        return {
            **self._interaction_ids(),
            "guild_id": str(self.guild_id),
            "channel_id": str(channel_id),
            "channel": self._interaction_channel(channel_id),
            "member": {**member_payload(user.id, user.name, user.joined_at), "permissions": "1071698660929"},
            "app_permissions": "1071698660929",
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "attachment_size_limit": 10485760,
        }

    async def slash(self, user_id: int, words: list[str], text: str | None = None,
                    channel_id: int = 200000000000000001, *, member: int | None = None,
                    flags: dict[str, bool] | None = None) -> dict[str, Any]:
        """``/cop <words...> [text]`` as an APPLICATION_COMMAND interaction (nested subcommand options);
        ``member``: a user picked in the command's USER option (sent with its ``resolved`` user and member)."""
        data = {**self._interaction_base(user_id, channel_id), "type": 2,
                "data": self._command_data(words, text, member, flags)}
        await self.dispatch("INTERACTION_CREATE", data)
        return data

    def _command_data(self, words: list[str], text: str | None, member: int | None = None,
                      flags: dict[str, bool] | None = None) -> dict[str, Any]:
        """The ``data`` of a command interaction: the registered top-level command whose options hold ``words``
        (``/cop`` or another group the bot registered), with nested subcommand options."""
        leaf: dict[str, Any] = {"name": words[-1], "type": 1, "options": []}
        resolved: dict[str, Any] = {}
        if member is not None:
            leaf["options"].append({"name": "member", "type": 6, "value": str(member)})
            picked = self.users[member]
            resolved = {"users": {str(member): user_payload(picked.id, picked.name)},
                        "members": {str(member): {k: v for k, v in member_payload(picked.id, picked.name,
                                                                                   picked.joined_at).items()
                                                  if k != "user"} | {"permissions": "0"}}}
        if text is not None:
            leaf["options"].append({"name": "text", "type": 3, "value": text})
        for name, value in (flags or {}).items():
            leaf["options"].append({"name": name, "type": 5, "value": value})
        option = leaf
        if len(words) == 2:
            option = {"name": words[0], "type": 2, "options": [leaf]}
        root = next((c for c in self.commands if _holds(c, words)), None)
        root = root or next((c for c in self.commands if c["name"] == "cop"), {"id": "1", "name": "cop"})
        data = {"id": root["id"], "name": root["name"], "type": 1, "options": [option]}
        return {**data, "resolved": resolved} if resolved else data

    async def click(self, user_id: int, message: dict[str, Any], custom_id: str) -> dict[str, Any]:
        """A button pressed; on a message in a DM channel, the press comes as Discord sends it from a DM."""
        if self.channels.get(int(message["channel_id"]), {}).get("type") == 1:
            return await self.dm_click(user_id, message, custom_id)
        data = {**self._interaction_base(user_id, int(message["channel_id"])), "type": 3,
                "message": message, "data": {"custom_id": custom_id, "component_type": 2}}
        await self.dispatch("INTERACTION_CREATE", data)
        return data

    def _dm_interaction_base(self, user_id: int) -> dict[str, Any]:
        """An interaction inside the user's DM with the bot: no ``guild_id``, no ``member``, only ``user``;
        ``context`` 1 (BOT_DM), and the guild install's owner given as "0", as Discord sends it."""
        user = self.users[user_id]
        dm_id = user_id + 7  # the DM channel POST /users/@me/channels opens
        return {
            **self._interaction_ids(),
            "channel_id": str(dm_id),
            "channel": {"id": str(dm_id), "type": 1, "last_message_id": None, "flags": 0,
                        "recipients": [user_payload(user.id, user.name)]},
            "user": user_payload(user.id, user.name),
            "app_permissions": "1071698660929",
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": "0"},
            "context": 1,
            "attachment_size_limit": 10485760,
        }

    async def dm_click(self, user_id: int, message: dict[str, Any], custom_id: str) -> dict[str, Any]:
        """A button pressed on one of the bot's messages in the user's DM (no guild in the payload)."""
        data = {**self._dm_interaction_base(user_id), "type": 3, "message": message,
                "data": {"custom_id": custom_id, "component_type": 2}}
        await self.dispatch("INTERACTION_CREATE", data)
        return data

    async def dm_slash(self, user_id: int, words: list[str], text: str | None = None, *,
                       member: int | None = None) -> dict[str, Any]:
        """``/cop <words...>`` run inside the user's DM with the bot (no guild in the payload)."""
        data = {**self._dm_interaction_base(user_id), "type": 2, "data": self._command_data(words, text, member)}
        await self.dispatch("INTERACTION_CREATE", data)
        return data
