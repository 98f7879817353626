"""``copbot init``: a commented community.yaml for one platform, with its JSON Schema beside it.

Why derive from the shipped community.yaml: it is the reference every setting is explained in (a test
keeps it valid), so a new community starts from the same words. What changes per platform is how people
and channels are written: member keys (``slack:T…:U…``, ``discord:<guild>:<user>``, ``console:<name>``) and,
on Discord, channel ids. The schema is written next to the file and the first line points at it, so an
editor completes and checks the file wherever it lives (/etc/copbot, a deploy/ directory, a laptop).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from config.loader import parse_config
from config.schema import write_schema

PLATFORM_NAMES = ("console", "slack", "discord")
SCHEMA_NAME = "community.schema.json"
_SCHEMA_LINE = re.compile(r"^# yaml-language-server: \$schema=.*$", re.M)

# Example people in the shipped file, and how each platform writes them.
_PEOPLE = {
    "slack": {
        "dana": "slack:T0123ABCD:U0DANA123",
        "ana": "slack:T0123ABCD:U0ANA4567",
        "ben": "slack:T0123ABCD:U0BEN8901",
    },
    "discord": {
        "dana": "discord:112233445566778899:100000000000000001",
        "ana": "discord:112233445566778899:100000000000000002",
        "ben": "discord:112233445566778899:100000000000000003",
    },
}
# Discord names channels by id (right click → Copy Channel ID, with Developer Mode on).
_DISCORD_CHANNELS = {
    "platform-guild-weekly": "100000000000000102",
    "platform-guild-intros": "100000000000000103",
    "platform-guild-facilitators": "100000000000000104",
    "platform-guild": "100000000000000101",
}
_HEADERS = {
    "console": "# Written by `copbot init --platform console`: members are console:<name>; try it with `copbot run`.",
    "slack": "# Written by `copbot init --platform slack`. Before going live, replace the example member keys\n"
    "# (slack:T0123ABCD:U…: your workspace id and each person's member id, from their Slack profile → ⋮ →\n"
    "# Copy member ID) and the channel names with yours, then run `copbot check`. See docs/slack.md.",
    "discord": "# Written by `copbot init --platform discord`. Before going live, replace the example member keys\n"
    "# (discord:<server id>:<user id>) and channel ids (Developer Mode on, then right click → Copy ID) with\n"
    "# yours, then run `copbot check`. See docs/discord.md.",
}


class InitError(Exception):
    """The files cannot be written as asked; the message says what to do."""


def reference_config() -> Path:
    """The shipped community.yaml: beside the packages in a checkout or editable install, else installed with
    the package under ``<prefix>/share/copbot`` (pyproject.toml's data-files)."""
    for candidate in (
        Path(__file__).resolve().parent.parent / "community.yaml",
        Path(sys.prefix) / "share" / "copbot" / "community.yaml",
    ):
        if candidate.is_file():
            return candidate
    raise InitError("the example community.yaml is not installed with this copbot; reinstall the package")


def starter_text(platform: str, schema_ref: str, reference: str | None = None) -> str:
    """The shipped file rewritten for ``platform``, its first line pointing editors at ``schema_ref``."""
    if platform not in PLATFORM_NAMES:
        raise InitError(f"unknown platform {platform!r}; choose one of {', '.join(PLATFORM_NAMES)}")
    text = reference if reference is not None else reference_config().read_text(encoding="utf-8")
    text = _SCHEMA_LINE.sub(lambda _: f"# yaml-language-server: $schema={schema_ref}", text, count=1)
    first, _, rest = text.partition("\n")
    text = f"{first}\n{_HEADERS[platform]}\n{rest}"
    for name, key in _PEOPLE.get(platform, {}).items():
        text = re.sub(rf"\bconsole:{name}\b", key, text)
    if platform == "discord":
        for name, channel_id in _DISCORD_CHANNELS.items():
            text = re.sub(rf"(^\s+(?:general|prompts|intros|facilitators|channel): ){re.escape(name)}$",
                          rf'\g<1>"{channel_id}"', text, flags=re.M)
    return text


def init_files(platform: str, config_path: Path, *, force: bool = False) -> tuple[Path, Path]:
    """Write ``config_path`` and the schema beside it; refuse to overwrite a community.yaml unless ``force``."""
    if config_path.exists() and not force:
        raise InitError(f"{config_path} already exists; pick another path, or add --force to replace it")
    config_path.parent.mkdir(parents=True, exist_ok=True)
    schema_path = config_path.parent / SCHEMA_NAME
    text = starter_text(platform, f"./{os.path.relpath(schema_path, config_path.parent)}")
    parse_config(text, str(config_path))  # never hand an admin a file that copbot check would refuse
    write_schema(schema_path)
    config_path.write_text(text, encoding="utf-8")
    return config_path, schema_path
