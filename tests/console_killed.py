"""``copbot run`` on the console, killed with SIGKILL right after it has shown a given direct message.

Run as ``python -m tests.console_killed --config ...`` with ``COPBOT_KILL_AT="say hello:3"``: the process
kills itself (no ``finally``, no clean stop, exactly as ``kill -9`` from a shell) just after the third direct
message containing "say hello" is on the terminal. Why from inside: a kill from the test process lands
wherever the console happens to be, and the point of interest (a batch of DMs shown but not yet marked sent)
lasts a few milliseconds; here it is hit every time. Nothing of copbot's own logic is replaced: the console's
echo is wrapped, and the real CLI runs.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable

from rich.console import Console

import copbot.app as app
from adapters.console.adapter import Message

_original_echo = app._echo_to


def _killing_echo_to(console: Console) -> Callable[[Message], None]:
    echo = _original_echo(console)
    marker, count = os.environ["COPBOT_KILL_AT"].rsplit(":", 1)
    seen = 0

    def killing_echo(message: Message) -> None:
        nonlocal seen
        echo(message)
        if message.author == "copbot" and message.where.startswith("DM @") and marker in message.text:
            seen += 1
            if seen == int(count):
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGKILL)

    return killing_echo


if __name__ == "__main__":
    app._echo_to = _killing_echo_to
    from copbot.cli import main

    sys.exit(main(sys.argv[1:]))
