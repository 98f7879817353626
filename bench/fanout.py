"""Fan-out benchmark entry point: ``python bench/fanout.py --platform slack|discord [options]``.

Each platform's benchmark lives beside this file (``fanout_slack.py``, ``fanout_discord.py``) and
prints elapsed ÷ the platform's minimum, messages lost, duplicates and the share of 429 answers.
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--platform", choices=["slack", "discord"], required=True)
    args, rest = parser.parse_known_args()
    script = Path(__file__).with_name(f"fanout_{args.platform}.py")
    sys.argv = [str(script), *rest]
    runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    main()
