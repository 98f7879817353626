"""`copbot check | head -1` and friends: a reader that stops early gets no traceback from us."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_with_reader_gone(*argv: str) -> subprocess.CompletedProcess[str]:
    """Run ``copbot ARGV`` with stdout a pipe whose reader has already gone, as after `| head -1`."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # every write now fails with EPIPE, deterministically
    script = f"import sys; from copbot.cli import main; sys.exit(main({list(argv)!r}))"
    try:
        return subprocess.run([sys.executable, "-c", script], cwd=ROOT, stdout=write_end, stderr=subprocess.PIPE,
                              text=True, timeout=120, check=False)
    finally:
        os.close(write_end)


def test_a_closed_pipe_ends_the_command_quietly_with_sigpipes_exit_code() -> None:
    done = run_with_reader_gone("check", "--config", str(ROOT / "community.yaml"))
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr, done.stderr
    assert done.returncode == 141
