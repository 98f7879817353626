"""Every adapter keeps the same contract (bot/adapter.py): one scenario on the console, Slack and Discord gives
the same neutral results.

Eve joins and is welcomed by DM with the ground rules; she agrees with the button in her DM. Fay (facilitator,
named "@fay" in community.yaml) posts the week's question; Eve reacts and replies in its thread, then tries a
facilitator command and is refused; Fay sends a malformed argument and gets a short answer. An admin switches
DMs off in community.yaml (a reload): Finn joins and his welcome is refused, not sent and not retried, while a
post still goes out. What the core stored (participation, deliveries) is the same on every platform.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from config.loader import parse_config
from storage import onboarding as onboarding_store
from storage import queries
from storage.db import Database
from tests.conformance import PLATFORMS, Platform, community_yaml

AGREE = "I agree to the ground rules"


def _who(platform: Platform, key: str) -> str:
    names = {platform.key(n): n for n in ("fay", "eve", "finn")}
    return names.get(key, key)


def _neutral_results(platform: Platform) -> dict[str, Any]:
    """What the core stored, with platform keys and references replaced by names and kinds."""
    runtime = platform.runtime
    with runtime.db.session() as tx:
        events = queries.participation(tx, runtime.community)
        deliveries = queries.deliveries(tx, runtime.community)
        acknowledged = onboarding_store.acknowledged_members(tx, runtime.community)
    out_deliveries = []
    for row in deliveries:
        action = json.loads(row.action)
        to = _who(platform, action["member"]) if "member" in action else f"#{action.get('channel')}"
        if to == "fay":
            continue  # the console has no members from before the bot: fay is welcomed there, not elsewhere
        refused = "delivery.direct_messages" in (row.error or "")
        out_deliveries.append((row.ritual, action["kind"], to, row.status, row.attempts if refused else None, refused))
    return {
        "participation": sorted((_who(platform, e.member), e.kind) for e in events),
        "deliveries": sorted(out_deliveries, key=repr),
        "acknowledged": sorted(_who(platform, k) for k in acknowledged),
    }


async def _scenario(platform: Platform) -> dict[str, Any]:
    await platform.join("eve")
    [welcome] = platform.dms("eve")
    assert welcome.startswith("Welcome to the Conformance Guild, eve!")
    await platform.press("eve", AGREE)

    posted = await platform.command("fay", ["prompt", "now"])
    assert posted == "Posting the next question now.", posted
    [(prompt, text)] = platform.posts("prompts")
    assert "What did you automate this week?" in text
    await platform.react("eve", prompt)
    await platform.reply("eve", prompt, "We cache our runner images")

    refused = await platform.command("eve", ["prompt", "now"])
    assert refused.startswith("Only facilitators can run `/cop")  # Discord names its /cop-admin group
    malformed = await platform.command("fay", ["prompt", "add"], "why? " * 200)
    assert len(malformed) < 400 and "why? why? why? why? why? why?" not in malformed  # short, not echoed back

    platform.runtime.apply_config(parse_config(community_yaml(dms=False), "community.yaml"))
    await platform.join("finn")
    assert platform.dms("finn") == []  # refused before anything reached the platform
    assert await platform.command("fay", ["prompt", "now"]) == "Posting the next question now."
    assert len(platform.posts("prompts")) == 2  # posts still go out
    await platform.settle()
    return _neutral_results(platform)


EXPECTED = {
    "participation": sorted([("eve", "acknowledgement"), ("eve", "reaction"), ("eve", "reply")]),
    "deliveries": sorted([
        ("onboarding", "DirectMessage", "eve", "sent", None, False),  # the welcome
        ("onboarding", "DirectMessage", "eve", "sent", None, False),  # thanks for agreeing
        ("onboarding", "DirectMessage", "finn", "failed", 1, True),  # refused once, never retried
        ("prompts", "Post", "#prompts", "sent", None, False),
        ("prompts", "Post", "#prompts", "sent", None, False),
    ], key=repr),
    "acknowledged": ["eve"],
}
"""The same on every platform, to the letter: what the core stored does not depend on where members are."""


@pytest.mark.parametrize("name", list(PLATFORMS))
async def test_one_scenario_gives_the_same_neutral_results_on_every_platform(name: str, tmp_path: Path,
                                                                             db: Database) -> None:
    async with PLATFORMS[name](tmp_path, db) as platform:
        results = await _scenario(platform)
    assert results == EXPECTED
