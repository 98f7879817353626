"""``copbot run`` on the console opens a port only when PORT is set; then /healthz answers while it waits for input."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from pathlib import Path

import aiohttp

from tests.conftest import COMMUNITY_YAML, PINNED_START

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_console_bot_serves_healthz_on_port_while_its_input_is_quiet(tmp_path: Path) -> None:
    config = tmp_path / "community.yaml"
    config.write_text(COMMUNITY_YAML)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "COPBOT_"))}
    env.update(PORT=str(port), COPBOT_DATABASE_URL=f"sqlite:///{tmp_path / 'copbot.db'}", PYTHONPATH=str(ROOT),
               COPBOT_START=PINNED_START)
    bot = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "copbot.cli", "run", "--config", str(config), "--platform", "console",
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env,
        cwd=tmp_path,
    )
    assert bot.stdin is not None and bot.stdout is not None
    try:
        async with asyncio.timeout(60), aiohttp.ClientSession() as http:
            while True:  # the input pipe stays open and silent: the loop must still answer
                with contextlib.suppress(aiohttp.ClientConnectionError):
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        status, body = response.status, await response.json()
                        break
                await asyncio.sleep(0.1)
        assert status == 200
        assert (body["database"], body["adapter"], body["scheduler"]) == (True, True, None)
        bot.stdin.write(b"/quit\n")
        bot.stdin.close()
        async with asyncio.timeout(30):
            output = (await bot.stdout.read()).decode()
            assert await bot.wait() == 0, output
    finally:
        if bot.returncode is None:
            bot.kill()
            await bot.wait()
