"""The dashboard's HTTP routes on the bot's own aiohttp app: the page and its chart images, behind the token.

Why these choices:
- No token in the environment means no routes at all (a 404 like any unknown path), never an open page.
- A wrong or missing token is a 401 that says how to present it; a ``?token=`` that is right sets the
  cookie and redirects to the bare URL, so the token does not linger in the address bar, history or logs.
- Reading storage and drawing charts (matplotlib) are blocking: they run in a worker thread so the bot's
  event loop keeps serving Slack and the outbox meanwhile.
- Member names are untrusted text: Jinja2 autoescapes everything, and the Content-Security-Policy allows
  no script at all, so a name like ``<script>`` can only ever be shown, never run.
"""

from __future__ import annotations

import asyncio
import logging
import os
import tempfile
import threading
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.runtime import Runtime
from bot.text import strip_markers
from copbot.dashboard.auth import (
    COOKIE_NAME,
    MIN_TOKEN_LENGTH,
    TOKEN_ENV,
    configured_token,
    cookie_value,
    is_authorised,
    token_matches,
)
from copbot.dashboard.data import gather
from copbot.dashboard.proxy import SchemePolicy
from copbot.dashboard.redact import protect_access_log
from copbot.dashboard.view import day_text, kind_label, percent
from copbot.report import build_report
from copbot.version import copbot_version
from copbot.week_grid import grid_chart, grid_csv, week_grid
from rituals.health.ritual import health_snapshot

log = logging.getLogger("copbot.dashboard")

PAGE = "/dashboard"
CHARTS = ("health.png", "participation.png", "week-grid.png")
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
CHART_TTL = timedelta(minutes=5)
COOKIE_MAX_AGE = 30 * 24 * 3600  # a month; rotating the token ends every session at once

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_chart_lock = threading.Lock()  # pyplot keeps global state: one chart at a time


def templates() -> Environment:
    """The page templates, shipped as package data; autoescaping always on (names are untrusted)."""
    env = Environment(
        loader=PackageLoader("copbot.dashboard", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = copbot_version()  # the footer says which copbot serves the page
    env.filters["percent"] = percent
    env.filters["kind_label"] = kind_label
    env.filters["day"] = lambda at, zone: day_text(at, ZoneInfo(zone))
    env.filters["plain"] = strip_markers
    return env


def install_dashboard(app: web.Application, runtime: Runtime, environ: Mapping[str, str] | None = None) -> None:
    """The route installer for copbot/web.py: adds /dashboard only when a token is configured."""
    environ = os.environ if environ is None else environ
    token = configured_token(environ)
    if token is None:
        log.info("dashboard off: set %s to serve %s", TOKEN_ENV, PAGE)
        return
    if len(token) < MIN_TOKEN_LENGTH:
        log.warning("%s is shorter than %d characters; use a long random one (e.g. `openssl rand -hex 24`)",
                    TOKEN_ENV, MIN_TOKEN_LENGTH)
    protect_access_log()
    cache = ChartCache(CHART_TTL)
    env = templates()
    guard = _guard(token, env)
    scheme = SchemePolicy.from_environ(environ)  # behind a TLS proxy: whom to believe about HTTPS

    async def page(request: web.Request) -> web.StreamResponse:
        if "token" in request.query:  # a valid one: keep it in a cookie, drop it from the URL
            response = web.Response(status=303, headers={**SECURITY_HEADERS, "Location": PAGE})
            response.set_cookie(COOKIE_NAME, cookie_value(token), max_age=COOKIE_MAX_AGE, path=PAGE,
                                httponly=True, samesite="Lax",
                                secure=scheme.is_https(secure=request.secure, remote=request.remote,
                                                       headers=request.headers))
            return response
        now = runtime.clock.now()
        data = await asyncio.to_thread(gather, runtime, now)
        html = env.get_template("dashboard.html").render(d=data)
        return web.Response(text=html, content_type="text/html", charset="utf-8", headers=SECURITY_HEADERS)

    async def chart(request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in CHARTS:
            raise web.HTTPNotFound(text=f"No chart called {name}. Charts: {', '.join(sorted(CHARTS))}.")
        png = await asyncio.to_thread(_cached_chart, name, runtime, cache)
        return web.Response(body=png, content_type="image/png", headers=SECURITY_HEADERS)

    async def grid(request: web.Request) -> web.StreamResponse:
        """The member x week grid as CSV, the same as ``copbot report --by-week --format csv``."""
        config = runtime.config
        text = await asyncio.to_thread(lambda: grid_csv(week_grid(runtime.db, config.community.id,
                                                                  config.community.timezone, runtime.clock.now())))
        headers = {**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{config.community.id}-weeks.csv"'}
        return web.Response(text=text, content_type="text/csv", charset="utf-8", headers=headers)

    app.router.add_get(PAGE, guard(page))
    app.router.add_get(PAGE + "/charts/{name}", guard(chart))
    app.router.add_get(PAGE + "/report.csv", guard(grid))


def _guard(token: str, env: Environment) -> Callable[[Handler], Handler]:
    """Wrap a handler so it runs only for a request that presents the token (header, query or cookie)."""

    def wrap(handler: Handler) -> Handler:
        async def guarded(request: web.Request) -> web.StreamResponse:
            query = request.query.get("token")
            ok = is_authorised(
                token,
                authorization=request.headers.get("Authorization"),
                query_token=query,
                cookie=request.cookies.get(COOKIE_NAME),
            )
            if query is not None and not token_matches(query, token):
                ok = False  # a wrong ?token= is refused even beside a valid cookie: say so, don't hide it
            if not ok:
                log.info("dashboard: refused %s %s from %s", request.method, request.path, request.remote)
                html = env.get_template("unauthorized.html").render(wrong=query is not None or
                                                                    "Authorization" in request.headers)
                return web.Response(
                    status=401,
                    text=html,
                    content_type="text/html",
                    charset="utf-8",
                    headers={**SECURITY_HEADERS, "WWW-Authenticate": 'Bearer realm="copbot dashboard"'},
                )
            return await handler(request)

        return guarded

    return wrap


class ChartCache:
    """PNG charts kept for ``ttl`` of the runtime's clock: drawing one takes a second or more of CPU.

    Why a short time-to-live and no invalidation: the charts are weekly aggregates, so a picture a few
    minutes old is still right, while a facilitator who reloads the page (or several who open it at the
    same time) must not cost the bot's machine a matplotlib run each. The page's figures are always fresh.
    """

    def __init__(self, ttl: timedelta) -> None:
        self.ttl = ttl
        self._made: dict[str, tuple[datetime, bytes]] = {}

    def get(self, name: str, now: datetime) -> bytes | None:
        made = self._made.get(name)
        if made is None or now - made[0] >= self.ttl or now < made[0]:
            return None
        return made[1]

    def put(self, name: str, now: datetime, png: bytes) -> None:
        self._made[name] = (now, png)


def _cached_chart(name: str, runtime: Runtime, cache: ChartCache) -> bytes:
    """A chart from the cache, or drawn now; one drawing at a time, so a second request waits and then hits."""
    with _chart_lock:
        now = runtime.clock.now()
        png = cache.get(name, now)
        if png is None:
            png = _chart_png(name, runtime)
            cache.put(name, now, png)
        return png


def _chart_png(name: str, runtime: Runtime) -> bytes:
    """The same charts as ``copbot report --png`` and the health report, drawn to a temporary file and read back."""
    from copbot.charts import participation_chart
    from rituals.health.charts import health_chart

    config = runtime.config
    now = runtime.clock.now()
    with tempfile.TemporaryDirectory(prefix="copbot-chart-") as tmp:
        path = Path(tmp) / name
        if name == "health.png":
            health_chart(health_snapshot(runtime.db, config, now).public(), path, config.community.name)
        elif name == "week-grid.png":
            grid_chart(week_grid(runtime.db, config.community.id, config.community.timezone, now), path,
                       config.community.name)
        else:
            report = build_report(runtime.db, config.community.id, config.community.timezone, now)
            participation_chart(report, path, config.community.name)
        return path.read_bytes()
