"""The bot's own HTTP side on ``PORT``: /healthz, /metrics and /dashboard, beside Slack's /slack/events.

Why one app: a deployment opens one port; Slack's HTTP mode already listens on it, so every feature
that serves a page adds its routes to the same aiohttp application through a *route installer*.
The scale-out work wires this app into the live server; each feature registers its installer below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

from bot.web_server import DEFAULT_HOST, WebServer

if TYPE_CHECKING:
    from bot.runtime import Runtime

RouteInstaller = Callable[[web.Application, "Runtime"], None]


def route_installers() -> list[RouteInstaller]:
    """Every feature that serves HTTP, each adding its own routes (imported here, lazily, to keep start-up light)."""
    from copbot.dashboard import install_dashboard
    from copbot.ops_http import install as install_health_and_metrics

    return [install_health_and_metrics, install_dashboard]


def build_web_app(runtime: Runtime, application: web.Application | None = None) -> web.Application:
    """Add every feature's routes to ``application`` (a new one if None) and return it."""
    application = application if application is not None else web.Application()
    for install in route_installers():
        install(application, runtime)
    return application


async def serve_web(runtime: Runtime, port: int, host: str = DEFAULT_HOST) -> WebServer:
    """Start serving every route installer's routes for ``runtime``; the caller stops it."""
    server = WebServer(build_web_app(runtime), host, port)
    await server.start()
    return server
