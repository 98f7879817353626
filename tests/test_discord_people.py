"""community.yaml names people portably and the Discord adapter finds them in the server.

Ana facilitates by her username; everyone with the Hosts role does too; the buddy pool is the Buddies role,
which has nobody yet. An email address is a warning (Discord shares none), and so is a Slack key. When an
admin gives Ben the Buddies role, the buddy pool follows without a restart.
"""

from __future__ import annotations

import asyncio
import logging

import pytest

from storage.db import Database
from tests.discord_harness import ANA, BEN, key, running_bot
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_harness import eventually

HOSTS = 500000000000000001
BUDDIES = 500000000000000002
CONFIG = """\
community:
  id: discord-guild
  name: Platform Guild
  channels:
    general: general
roles:
  admins: ["email:dana@example.org", "slack:T0001:UDANA"]
  facilitators: ["@ana", "role:Hosts"]
rituals:
  onboarding:
    buddies:
      volunteers: ["role:Buddies"]
"""


async def test_people_are_found_by_username_and_role_and_follow_role_changes(
    fake: FakeDiscord, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="copbot.runtime")
    fake.add_role(HOSTS, "Hosts", [BEN])
    fake.add_role(BUDDIES, "Buddies", [])
    async with running_bot(fake, db, config_text=CONFIG) as bot:
        config = bot.runtime.config
        assert config.roles.facilitators == [key(fake, ANA), key(fake, BEN)]
        assert config.roles.admins == []

        def pool() -> list[str]:
            onboarding = bot.runtime.config.rituals.onboarding
            return onboarding.buddies.volunteers if onboarding else []

        assert pool() == []
        await fake.set_roles(BEN, [HOSTS, BUDDIES])  # an admin makes Ben a buddy
        async with asyncio.timeout(5):
            await eventually(lambda: pool() == [key(fake, BEN)])
    warnings = sorted(r.getMessage() for r in caplog.records if r.name == "copbot.runtime")
    assert warnings[0].endswith("community.yaml:7:12: warning: 'email:dana@example.org' (roles.admins[0]) is an "
                                "email address, and discord does not look people up by email; write \"@username\", "
                                "role:Name or the member key")
    assert "community.yaml:7:38: warning: 'slack:T0001:UDANA' (roles.admins[1]) is a slack member key" in warnings[1]
    assert len(warnings) == 2
