"""Every adapter performs every neutral action: a kind one of them lacks is a loud gap here, not a TypeError
in a community's outbox. And the Slack manifest asks for the scopes the adapter's calls need. (The scenario
every adapter must give the same neutral results for is tests/test_adapter_conformance.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from adapters.console.adapter import ConsoleAdapter
from adapters.discord.adapter import DiscordAdapter
from adapters.slack.adapter import SlackAdapter
from bot.actions import _KINDS, Action, AddToGroup, OpenGroupSpace, RemoveFromGroup

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("adapter", [ConsoleAdapter, SlackAdapter, DiscordAdapter], ids=lambda a: a.__name__)
def test_every_adapter_has_a_handler_for_every_action(adapter: type) -> None:
    assert set(adapter._handlers) == set(_KINDS.values())


def test_the_slack_manifest_grants_what_the_group_and_session_calls_need() -> None:
    manifest = yaml.safe_load((ROOT / "adapters" / "slack" / "manifest.yaml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"channels:manage", "channels:join", "groups:write", "files:write", "chat:write"} <= scopes


GROUP_ACTIONS = [
    OpenGroupSpace(group="rust", channel="grp-rust"),
    AddToGroup(group="rust", channel="C0RUST01", member="slack:T0001:UANA"),
    RemoveFromGroup(group="rust", channel="C0RUST01", member="slack:T0001:UANA"),
]


@pytest.mark.parametrize("action", GROUP_ACTIONS, ids=lambda a: type(a).__name__)
async def test_an_in_doubt_group_action_is_simply_done_again(action: Action) -> None:
    """After a crash mid-send the outbox asks whether a delivery went out; for these actions doing it again is
    harmless, so the answer is "no" at once (it once raised TypeError and stopped the sender)."""
    slack = SlackAdapter(token="xoxb-test", signing_secret="secret", base_url="http://127.0.0.1:9/api/")
    assert await slack.find_delivery(action, "groups:x:0") is None
    console = ConsoleAdapter()
    assert await console.find_delivery(action, "groups:x:0") is None
