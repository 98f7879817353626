"""Every member's own rhythm, the same on the console, Slack and Discord: the conformance drivers play it.

Eve joins, tells the bot her time zone and what she knows; Finn asks who knows terraform and is told about eve (she
listed it). Fay, who was there before the bot (on Slack and Discord no join of hers was ever seen), offers to
mentor on terraform and is named too; eve asks for a mentor on it, and fay matches waiting mentees now: both get
the introduction, one group DM. Eve asks for the digest by DM, then pauses optional DMs and turns them off: fay's
digest goes to the channel, and eve's copy is withheld (kept as a row, never sent). What the core stored (eve's
preferences, the skills, the mentorship, the deliveries) is the same on every platform, to the letter.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.dm_policy import RESTING
from config.loader import parse_config
from storage import expertise as expertise_store
from storage import member_prefs, queries
from storage import mentorship as mentorship_store
from storage.db import Database
from tests.conformance import PLATFORMS, Platform, community_yaml

RHYTHM = """\
  expertise:
    names_shown: 5
  mentorship:
    term: 12w
    checkin_every: 14d
  digest:
    post_in_channel: true
"""
"""The conformance community with the expertise directory, lasting mentorships and the digest on (a reload)."""


def _who(platform: Platform, key: str) -> str:
    names = {platform.key(n): n for n in ("fay", "eve", "finn")}
    return names.get(key, key)


def _neutral_results(platform: Platform) -> dict[str, Any]:
    """What the core stored about this scenario, with platform keys replaced by names."""
    runtime = platform.runtime
    community = runtime.community
    with runtime.db.session() as tx:
        prefs = member_prefs.prefs(tx, community, platform.key("eve"))
        claims = expertise_store.claims(tx, community)
        mentorships = mentorship_store.mentorships(tx, community)
        deliveries = [row for row in queries.deliveries(tx, community)
                      if row.ritual not in ("onboarding", "prompts")]  # those are the main conformance suite's
    out = []
    for row in deliveries:
        action = json.loads(row.action)
        to = [action["member"]] if "member" in action else list(action.get("members") or [])
        out.append((row.ritual, action["kind"], tuple(sorted(_who(platform, k) for k in to)), row.status,
                    row.error))
    return {
        "eve": (prefs.tz, prefs.dms_off, prefs.paused_until.isoformat() if prefs.paused_until else None)
        if prefs else None,
        "skills": {_who(platform, k): sorted(v) for k, v in claims.items()},
        "mentorships": [(_who(platform, m.mentor), _who(platform, m.mentee), m.skills, m.status, m.terms)
                        for m in mentorships],
        "deliveries": sorted(out, key=repr),
    }


async def _scenario(platform: Platform) -> dict[str, Any]:
    platform.runtime.apply_config(parse_config(community_yaml() + RHYTHM, "community.yaml"))
    await platform.join("eve")
    await platform.join("finn")

    zone = await platform.command("eve", ["timezone"], "Asia/Tokyo")
    assert "Asia/Tokyo" in zone, zone
    unknown = await platform.command("eve", ["timezone"], "Tokyo")
    assert "unknown time zone" in unknown, unknown
    added = await platform.command("eve", ["skills", "add"], "terraform, kubernetes")
    assert added.startswith("Added: kubernetes, terraform."), added
    who = await platform.command("finn", ["who", "knows"], "terraform")
    assert "eve" in who.lower() and "terraform" in who, who
    nobody = await platform.command("finn", ["who", "knows"], "cobol")
    assert "eve" not in nobody.lower(), nobody  # only members who listed the skill are named

    offered = await platform.command("fay", ["mentor", "offer"], "terraform")
    assert offered.startswith("Thank you! You mentor on terraform, up to 1 mentee"), offered
    both = await platform.command("finn", ["who", "knows"], "terraform")
    assert "eve" in both.lower() and platform.key("fay") not in both, both  # fay, here before the bot: her mention
    requested = await platform.command("eve", ["mentor", "request"], "terraform")
    assert requested.startswith("Noted: you would like a mentor for terraform."), requested
    refused = await platform.command("eve", ["mentor", "match"])
    assert refused.startswith("Only facilitators can run `/cop"), refused  # Discord names its /cop-admin group
    matched = await platform.command("fay", ["mentor", "match"])
    assert matched == "Matched 1 mentee.", matched

    subscribed = await platform.command("eve", ["dm", "digest"], "on")
    assert "digest" in subscribed.lower(), subscribed
    paused = await platform.command("eve", ["pause", "until"], "2099-01-01")
    assert "2099-01-01" in paused, paused
    off = await platform.command("eve", ["dm", "off"])
    assert off.startswith("Done: no more optional DMs from me"), off
    clock = platform.runtime.clock
    assert isinstance(clock, ManualClock)
    clock.advance(timedelta(hours=1))  # the digest tells what happened before now: eve and finn joined
    digest = await platform.command("fay", ["digest", "now"])
    assert digest == "Sending the digest now.", digest
    await platform.settle()
    return _neutral_results(platform)


EXPECTED = {
    "eve": ("Asia/Tokyo", True, "2099-01-01"),
    "skills": {"eve": ["kubernetes", "terraform"]},
    "mentorships": [("fay", "eve", "terraform", "active", 1)],
    "deliveries": sorted([
        ("mentorship", "GroupMessage", ("eve", "fay"), "sent", None),  # the introduction: essential
        ("digest", "Post", (), "sent", None),  # the channel's copy
        ("digest", "DirectMessage", ("eve",), "withheld", RESTING),  # her copy: optional, and she said "not now"
    ], key=repr),
}
"""The same on every platform: where members are does not change what the core decided or stored."""


@pytest.mark.parametrize("name", list(PLATFORMS))
async def test_every_members_rhythm_gives_the_same_neutral_results_on_every_platform(
    name: str, tmp_path: Path, db: Database
) -> None:
    async with PLATFORMS[name](tmp_path, db) as platform:
        results = await _scenario(platform)
    assert results == EXPECTED
