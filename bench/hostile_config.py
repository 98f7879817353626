"""How long each hostile community.yaml takes to be refused, and how each ends: refused, traceback or hang.

Why: ``copbot check`` and the running bot's config watcher read whatever file an admin (or an accident) puts
there. Each file of tests/fixtures/hostile_config, plus the ones made here (a FIFO, a device, 20 MB, 20,000
unknown keys), is loaded by ``config.loader.load_config`` in its own process, with a hang limit; the time is
the loader's own (the process's start is not counted). Goal: every file refused within 2 s, none ends in a
traceback or a hang. Printed, never asserted.

    python bench/hostile_config.py [--hang 10] [--code DIR]

``--code DIR`` loads another checkout's loader (for the figures before a change) with this one's corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "hostile_config"

PROBE = """
import json, sys, time
from pathlib import Path
from config.loader import ConfigError, load_config
start = time.perf_counter()
try:
    load_config(Path(sys.argv[1]))
    outcome, lines = "accepted", []
except ConfigError as error:
    outcome, lines = "refused", [str(p) for p in error.problems]
print(json.dumps({"outcome": outcome, "seconds": time.perf_counter() - start, "lines": lines[:2]}))
"""


def made_files(tmp: Path) -> dict[str, Path]:
    fifo = tmp / "pipe.yaml"
    os.mkfifo(fifo)
    huge = tmp / "huge.yaml"
    huge.write_bytes((ROOT / "community.yaml").read_bytes() + (b"# " + b"x" * 1000 + b"\n") * 20_000)
    unknown = tmp / "unknown.yaml"
    unknown.write_text((ROOT / "community.yaml").read_text() + "".join(f"  k{i}: {i}\n" for i in range(15_000)))
    return {"(a FIFO)": fifo, "(/dev/zero)": Path("/dev/zero"), "(20 MB)": huge, "(15,000 unknown keys)": unknown}


def probe(path: Path, code: Path, hang: float) -> dict[str, object]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    try:
        done = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, env=env,
                              timeout=hang, cwd=code)  # fmt: skip
    except subprocess.TimeoutExpired:
        return {"outcome": "hang", "seconds": hang}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"outcome": "traceback", "seconds": None, "error": last[:100]}
    return dict(json.loads(done.stdout))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hang", type=float, default=10.0, help="seconds after which a load counts as a hang")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout whose loader is measured")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = {p.name: p for p in sorted(CORPUS.glob("*.yaml"))} | made_files(Path(tmp))
        results = {name: probe(path, args.code, args.hang) for name, path in files.items()}
    worst = 0.0
    for name, result in results.items():
        seconds = result.get("seconds")
        worst = max(worst, float(seconds)) if isinstance(seconds, float) and result["outcome"] != "hang" else worst
        shown = f"{seconds:6.3f} s" if isinstance(seconds, float) else "     - "
        detail = result.get("error") or (result.get("lines") or [""])[0]
        print(f"{name:36} {result['outcome']:9} {shown}  {str(detail)[:90]}")
    counts = {kind: sum(1 for r in results.values() if r["outcome"] == kind)
              for kind in ("refused", "accepted", "traceback", "hang")}  # fmt: skip
    print(f"\n{len(results)} files: " + ", ".join(f"{n} {kind}" for kind, n in counts.items()))
    print(f"slowest refusal: {worst:.3f} s (goal: every file within 2 s)")


if __name__ == "__main__":
    main()
