"""Every adapter performs every neutral action: a kind one of them lacks is a loud gap here, not a TypeError
in a community's outbox. And the Slack manifest asks for the scopes the adapter's calls need."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from adapters.console.adapter import ConsoleAdapter
from adapters.discord.adapter import DiscordAdapter
from adapters.slack.adapter import SlackAdapter
from bot.actions import _KINDS

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("adapter", [ConsoleAdapter, SlackAdapter, DiscordAdapter], ids=lambda a: a.__name__)
def test_every_adapter_has_a_handler_for_every_action(adapter: type) -> None:
    assert set(adapter._handlers) == set(_KINDS.values())


def test_the_slack_manifest_grants_what_the_group_and_session_calls_need() -> None:
    manifest = yaml.safe_load((ROOT / "adapters" / "slack" / "manifest.yaml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"channels:manage", "channels:join", "groups:write", "files:write", "chat:write"} <= scopes
