"""Opening the bot's one HTTP port: ``PORT`` from the environment, an aiohttp server for copbot/web.py's app.

When it listens: Slack in HTTP mode always listens (Slack must reach ``/slack/events``; ``PORT``, default
3000) and its adapter serves this same application. The console and Discord need no inbound HTTP, so
they listen only when ``PORT`` is set: ``copbot run`` on a laptop opens no port unless asked to.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Mapping

from aiohttp import web

log = logging.getLogger("copbot.web")

DEFAULT_HOST = "0.0.0.0"  # a container or a VM is reached from outside; a firewall decides who may


class PortError(ValueError):
    """``PORT`` is not a usable TCP port (malformed, or already taken); the message says what to change."""


def port_from_env(env: Mapping[str, str]) -> int | None:
    """``PORT`` as a number, or None when it is unset or empty (then the console and Discord open no port)."""
    text = env.get("PORT", "").strip()
    if not text:
        return None
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise PortError(f"PORT must be a TCP port number (1-65535), got {text!r}; unset it to open no HTTP port")
    return int(text)


class WebServer:
    """One aiohttp application listening on host:port (port 0 picks a free one; :attr:`port` is then the real one)."""

    def __init__(self, application: web.Application, host: str = DEFAULT_HOST, port: int = 0) -> None:
        self.application = application
        self.host = host
        self.port = port
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        runner = web.AppRunner(self.application, access_log=None)
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            sock.close()
            await runner.cleanup()
            raise PortError(
                f"cannot listen on {self.host}:{self.port} ({exc.strerror}): another process has it; "
                "stop it or set PORT to a free port"
            ) from exc
        self.port = sock.getsockname()[1]
        await web.SockSite(runner, sock).start()
        self._runner = runner
        log.info("serving %s on http://%s:%d", ", ".join(self.paths()), self.host, self.port)

    def paths(self) -> list[str]:
        """The routes served (for the start-up log line and tests)."""
        return sorted({r.resource.canonical for r in self.application.router.routes() if r.resource is not None})

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
