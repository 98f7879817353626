"""community.yaml names people portably and the Slack adapter finds them in the workspace.

Dana is a facilitator by her display name, Ana an admin by her email address, the buddy pool is the
@platform-team user group; a console key and a name nobody has are warnings at their lines, and the bot runs
on without them. When Slack says the user group gained a member, the buddy pool follows.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_harness import FACILITATOR, MEMBER, TEAM, eventually, slack_world

CONFIG = """
community:
  id: slack-guild
  name: Slack Guild
  channels:
    general: community
roles:
  admins:
    - email:ana@example.org
  facilitators:
    - "@dana"
    - console:ben
    - "@nobody-here"
rituals:
  onboarding:
    buddies:
      volunteers: ["@platform-team"]
"""


def workspace(fake: FakeSlack) -> None:
    fake.users[MEMBER]["profile"]["email"] = "Ana@Example.org"
    fake.add_user("UCHEN", "Chen", "Asia/Shanghai")
    fake.add_usergroup("S0PLATFORM", "platform-team", [FACILITATOR], name="Platform team")


def key(user: str) -> str:
    return f"slack:{TEAM}:{user}"


async def test_people_are_found_by_handle_email_and_user_group(tmp_path: Path, caplog: pytest.LogCaptureFixture
                                                               ) -> None:
    caplog.set_level(logging.WARNING, logger="copbot.runtime")
    async with slack_world(tmp_path, config=CONFIG, workspace=workspace) as world:
        config = world.runtime.config
        assert config.roles.admins == [key(MEMBER)]
        assert config.roles.facilitators == [key(FACILITATOR)]
        assert config.rituals.onboarding is not None
        assert config.rituals.onboarding.buddies.volunteers == [key(FACILITATOR)]
        assert world.runtime.source_config.roles.facilitators == ["@dana", "console:ben", "@nobody-here"]
        assert world.fake.calls_to("users.list") and world.fake.calls_to("usergroups.list")
    warnings = [r.getMessage() for r in caplog.records if r.name == "copbot.runtime"]
    assert ("community.yaml:12:7: warning: 'console:ben' (roles.facilitators[1]) is a console member key, but this "
            "bot runs on slack") in warnings[0]
    assert warnings[1].startswith("community.yaml:13:7: warning: '@nobody-here' (roles.facilitators[2]) matches "
                                  "nobody in the Slack workspace")
    assert len(warnings) == 2


async def test_a_user_group_gaining_a_member_joins_the_buddy_pool(tmp_path: Path) -> None:
    async with slack_world(tmp_path, config=CONFIG, workspace=workspace) as world:
        world.fake.usergroups["S0PLATFORM"]["users"].append("UCHEN")
        event = {"type": "event_callback", "team_id": TEAM, "event_id": "Ev0SUBTEAM", "event_time": 1,
                 "event": {"type": "subteam_members_changed", "subteam_id": "S0PLATFORM", "team_id": TEAM,
                           "added_users": ["UCHEN"], "added_users_count": "1", "removed_users": [],
                           "removed_users_count": "0", "event_ts": "1.0"}}
        assert (await world.sender.event(event)).status == 200

        def pool() -> list[str]:
            onboarding = world.runtime.config.rituals.onboarding
            return onboarding.buddies.volunteers if onboarding else []

        async with asyncio.timeout(5):
            await eventually(lambda: pool() == [key(FACILITATOR), key("UCHEN")])
        assert len(world.fake.calls_to("usergroups.list")) == 2  # looked again, because Slack said so


async def test_two_people_with_one_handle_are_ambiguous_and_name_both(tmp_path: Path,
                                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="copbot.runtime")

    def two_anas(fake: FakeSlack) -> None:
        fake.add_user("UANA2", "Ana", "Europe/Lisbon")

    async with slack_world(tmp_path, config=CONFIG.replace("email:ana@example.org", '"@ana"'),
                           workspace=two_anas) as world:
        assert world.runtime.config.roles.admins == []
    [ambiguous] = [r.getMessage() for r in caplog.records if "'@ana'" in r.getMessage()]
    assert ambiguous == (f"community.yaml:9:7: warning: '@ana' (roles.admins[0]) matches 2: Ana ({key(MEMBER)}), "
                         f"Ana ({key('UANA2')}); write the member key of the one you mean")


def test_the_manifest_asks_for_what_finding_people_needs() -> None:
    """users.list and users.lookupByEmail need users:read(.email); user groups need usergroups:read, and the
    events that say people changed must be subscribed, or the bot never looks again."""
    import yaml

    path = Path(__file__).resolve().parents[1] / "adapters" / "slack" / "manifest.yaml"
    manifest = yaml.safe_load(path.read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"users:read", "users:read.email", "usergroups:read"} <= scopes
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"team_join", "user_change", "subteam_created", "subteam_updated", "subteam_members_changed"} <= events
