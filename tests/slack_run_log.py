"""What an operator sees: ``copbot run --platform slack`` against the fake Slack, its log captured.

Run ``python -m tests.slack_run_log [--lines N] [--json]`` from the repository root: it starts
tests/fakes/slack_api.py's FakeSlack on 127.0.0.1, starts the real ``copbot run`` in a subprocess with a
bot token and SLACK_API_URL pointing at the fake, waits until the bot serves /healthz, stops it with SIGTERM
and prints the first N lines it logged. tests/test_operator_logs.py uses :func:`capture` to assert on them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
import tempfile
import urllib.request
from pathlib import Path

from tests.fakes.slack_api import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
BOT_TOKEN = "xoxb-4242-operator-log-token"
SIGNING_SECRET = "8f742231b10e8888abcd99aabb85a5c0"

CONFIG = """
community:
  id: ops-guild
  name: Ops Guild
  timezone: Europe/Berlin
  channels:
    general: C0GENERAL
    prompts: C0PROMPTS
roles:
  admins: ["slack:T0001:UDANA"]
rituals:
  prompts:
    schedule:
      cron: "0 10 * * mon"
    questions:
      - "What did you automate this week?"
  facilitator:
    sessions:
      cron: "0 17 * * thu"
    pool: ["slack:T0001:UDANA"]
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return bool(response.status)
    except Exception as exc:  # 503 while starting is an answer too: the bot is up
        return getattr(exc, "code", None) is not None


async def capture(env_extra: dict[str, str] | None = None, *, within: float = 60.0) -> str:
    """Start ``copbot run --platform slack`` against a fresh FakeSlack; return everything it wrote to stderr."""
    fake = FakeSlack()
    for user, name in (("UDANA", "Dana"), ("UANA", "Ana"), ("UBEN", "Ben")):
        fake.add_user(user, name)
    fake.add_channel("C0GENERAL", "general")
    fake.add_channel("C0PROMPTS", "prompts")
    await fake.start()
    work = Path(tempfile.mkdtemp(prefix="copbot-oplog-"))
    (work / "community.yaml").write_text(CONFIG)
    port = _free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_", "COPBOT_"))
    } | {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "PORT": str(port),
        "COPBOT_DATABASE_URL": f"sqlite:///{work / 'copbot.db'}",
        **(env_extra or {}),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "copbot.cli", "run", "--platform", "slack", "--config", str(work / "community.yaml"),
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(within):
            while not await asyncio.to_thread(_healthy, port):
                if process.returncode is not None:
                    break
                await asyncio.sleep(0.2)
        await asyncio.sleep(0.5)  # let the first outbox pass and the start-up lines land
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        out, err = await process.communicate()
        await fake.stop()
    return err.decode() + out.decode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="COPBOT_LOG_FORMAT=json")
    parser.add_argument("--level", default=None, help="COPBOT_LOG_LEVEL")
    args = parser.parse_args()
    extra = {"COPBOT_LOG_FORMAT": "json"} if args.json else {}
    if args.level:
        extra["COPBOT_LOG_LEVEL"] = args.level
    text = asyncio.run(capture(extra))
    print("\n".join(text.splitlines()[: args.lines]))


if __name__ == "__main__":
    main()
