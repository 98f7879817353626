"""Interest groups, challenges and community sessions keep the adapter contract: one scenario on the console,
Slack and Discord gives the same neutral results (the drivers are tests/conformance.py's).

Fay (facilitator) creates the *rust* group and Eve joins it; Fay starts a challenge, Eve takes part with the
button on its announcement and submits, Fay closes submissions, votes for Eve's entry with the button on the
voting post and closes the vote; Fay adds a guest session and Eve answers "Going" on its announcement. What
the core stored (group members, entries, votes, RSVPs, participation, the practices' deliveries) is the same on
every platform, to the letter.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storage import challenges as challenge_store
from storage import groups as group_store
from storage import queries
from storage import sessions as session_store
from storage.db import Database
from tests.conformance import PLATFORMS, Platform, community_yaml

PRACTICES = "rituals:\n" + """\
  groups:
    quiet_after_weeks: 3
  challenges:
    channel: general
  sessions:
    link: https://meet.test/cop
    from_rota: false
"""
"""The three practices switched on, in the conformance community (announcements in #general)."""

RITUALS = ("groups", "challenges", "sessions")


def _config() -> str:
    return community_yaml().replace("rituals:\n", PRACTICES, 1)


def _neutral_results(platform: Platform) -> dict[str, Any]:
    runtime = platform.runtime
    names = {platform.key(n): n for n in ("fay", "eve", "finn")}

    def who(key: str) -> str:
        return names.get(key, key)

    with runtime.db.session() as tx:
        community = runtime.community
        events = [e for e in queries.participation(tx, community) if e.ritual in RITUALS]
        deliveries = [d for d in queries.deliveries(tx, community) if d.ritual in RITUALS]
        members = {g.name: sorted(who(m) for m in group_store.members_of(tx, community, g.name))
                   for g in group_store.groups(tx, community)}
        [challenge] = challenge_store.challenges(tx, community)
        entries = [(who(s.entry), s.text) for s in challenge_store.submissions(tx, challenge.id or 0)]
        votes = [who(v.voter) for v in challenge_store.votes(tx, challenge.id or 0)]
        [session] = session_store.sessions(tx, community)
        rsvps = {answer: [who(m) for m in people]
                 for answer, people in session_store.rsvps(tx, session.id or 0).items() if people}
    out_deliveries = []
    for row in deliveries:
        action = json.loads(row.action)
        to = who(action["member"]) if "member" in action else "members" if "members" in action else "a channel"
        out_deliveries.append((row.ritual, action["kind"], to, row.status))
    return {
        "participation": sorted((who(e.member), e.ritual, e.kind) for e in events),
        "deliveries": sorted(out_deliveries),
        "groups": members,
        "challenge": (challenge.status, entries, votes),
        "rsvps": rsvps,
    }


async def _scenario(platform: Platform) -> dict[str, Any]:
    await platform.join("eve")

    created = await platform.command("fay", ["group", "create"], 'rust "systems programming"')
    assert "group with its channel" in created, created
    joined = await platform.command("eve", ["group", "join"], "rust")
    assert joined.startswith("You joined"), joined

    started = await platform.command("fay", ["challenge", "start"], '"Automate one toil" --until 2027-01-20')
    assert "challenge is on" in started, started
    [(announcement, text)] = [p for p in platform.posts("general") if "Automate one toil" in p[1]]
    assert "New challenge" in text
    await platform.press_on("eve", announcement, "Take part")
    submitted = await platform.command("eve", ["challenge", "submit"], "https://example.org/eve-runbook")
    assert submitted.startswith("Your entry to"), submitted
    closed = await platform.command("fay", ["challenge", "close"])
    assert closed.startswith("Submissions for"), closed
    [(voting, _)] = [p for p in platform.posts("general") if "Vote for your favourite entry" in p[1]]
    await platform.press_on("fay", voting, "Vote 1")
    results = await platform.command("fay", ["challenge", "close"])
    assert results.startswith("Voting for"), results

    added = await platform.command("fay", ["session", "add"], '"Terraform at scale" --at 2027-01-14T16:00 '
                                   '--guest Kelsey')
    assert "is on for Thursday 14 January, 16:00" in added, added
    [(session_post, _)] = [p for p in platform.posts("general") if "Terraform at scale" in p[1]]
    await platform.press_on("eve", session_post, "Going")
    await platform.settle()
    return _neutral_results(platform)


EXPECTED = {
    "participation": sorted([
        ("eve", "challenges", "submission"),
        ("eve", "challenges", "won"),
        ("fay", "challenges", "button"),  # her vote (taking part and answering "going" are not yet doing)
    ]),
    "groups": {"rust": ["eve", "fay"]},
    "challenge": ("closed", [("eve", "https://example.org/eve-runbook")], ["fay"]),
    "rsvps": {"going": ["eve"]},
    "deliveries": sorted([
        ("challenges", "Post", "a channel", "sent"),  # the announcement
        ("challenges", "Ephemeral", "eve", "sent"),  # the answer to her press on Take part
        ("challenges", "Post", "a channel", "sent"),  # the voting post
        ("challenges", "Ephemeral", "fay", "sent"),  # the answer to her vote
        ("challenges", "Post", "a channel", "sent"),  # the results
        ("groups", "OpenGroupSpace", "a channel", "sent"),
        ("groups", "AddToGroup", "fay", "sent"),  # the group's creator is its first member
        ("groups", "AddToGroup", "eve", "sent"),
        ("sessions", "Post", "a channel", "sent"),  # the announcement with its RSVP buttons
        ("sessions", "CalendarEvent", "a channel", "sent"),  # .ics on the console and Slack, an event on Discord
        ("sessions", "Ephemeral", "eve", "sent"),  # the answer to her press on Going
    ]),
}
"""The same on every platform, to the letter: what the core stored does not depend on where members are."""


@pytest.mark.parametrize("name", list(PLATFORMS))
async def test_the_practices_give_the_same_neutral_results_on_every_platform(name: str, tmp_path: Path,
                                                                             db: Database) -> None:
    async with PLATFORMS[name](tmp_path, db, _config()) as platform:
        results = await _scenario(platform)
    assert results == EXPECTED
