"""A member's team, for "never group two of the same team": from community.yaml, a Slack custom profile field or
a Discord role; and pairing now keeps same-team members apart (before, ``team`` was never set)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import CommandInvoked, MemberJoined
from bot.runtime import Runtime
from config.loader import ConfigError, parse_config
from copbot.registry import RITUALS
from storage import pairing as pairing_store
from storage import queries
from storage.db import Database, open_database
from tests.conftest import COMMUNITY_YAML
from tests.discord_harness import FIXTURES, key, running_bot
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import CONFIG, slack_world

TEAMS = """
teams:
  members:
    sre: [console:ana, console:ben]
    app: [console:cai, console:dev]
"""


def test_a_team_listed_in_community_yaml_wins_over_the_platforms() -> None:
    config = parse_config(COMMUNITY_YAML + TEAMS, "community.yaml")
    assert config.team_of("console:ana", "from-slack") == "sre"
    assert config.team_of("console:eve", "from-slack") == "from-slack"
    assert config.team_of("console:eve", None) is None


def test_a_member_in_two_teams_is_refused_with_what_to_change() -> None:
    with pytest.raises(ConfigError, match="listed in two teams"):
        parse_config(COMMUNITY_YAML + TEAMS.replace("[console:cai, console:dev]", "[console:cai, console:ana]"),
                     "community.yaml")


async def test_pairing_never_groups_two_members_of_the_same_team(tmp_path: Path) -> None:
    yaml = COMMUNITY_YAML + "  pairing:\n    exclude_same_team: true\n    avoid_repeat_cycles: 0\n" + TEAMS
    db = open_database(f"sqlite:///{tmp_path / 'teams.db'}")
    clock = ManualClock(datetime(2027, 1, 4, 7, 0, tzinfo=UTC))
    runtime = Runtime(parse_config(yaml, "community.yaml"), db, ConsoleAdapter(), clock, RITUALS)
    await runtime.start(background=False)
    for name in ("ana", "ben", "cai", "dev"):
        await runtime.handle_event(MemberJoined(platform="console", event_id=f"j-{name}", member=f"console:{name}",
                                                at=clock.now(), name=name))  # fmt: skip
    for week in range(4):
        await runtime.handle_event(CommandInvoked(platform="console", event_id=f"pair-{week}", member="console:fay",
                                                  at=clock.now(), text="pair now"))  # fmt: skip
        await runtime.settle()  # /cop pair now runs aside; its cycle is written when it is done
        clock.advance(timedelta(days=7))
    with db.session() as tx:
        groups = [set(g.member_keys()) for g in pairing_store.groups(tx, runtime.community)]
    assert len(groups) == 8
    assert all(not (g <= {"console:ana", "console:ben"} or g <= {"console:cai", "console:dev"}) for g in groups)
    await runtime.stop()
    db.dispose()


async def test_slack_gives_the_team_from_a_custom_profile_field(tmp_path: Path) -> None:
    yaml = CONFIG + "teams:\n  slack_profile_field: Xf0TEAM\n"
    async with slack_world(tmp_path, config=yaml) as world:
        world.fake.add_user("U0NEWBIE", "Ana", "America/Sao_Paulo")
        world.fake.profile_fields["U0NEWBIE"] = {"Xf0TEAM": "Platform SRE", "Xf0OTHER": "Lisbon"}
        assert (await world.sender.event(fixture("team_join"))).status == 200
        async with asyncio.timeout(5):
            await world.adapter.processed(1)
        [call] = world.fake.calls_to("users.profile.get")
        assert call.body["user"] == "U0NEWBIE"
        with world.db.session() as tx:
            member = queries.member(tx, world.community, "slack:T0001:U0NEWBIE")
        assert member is not None and member.team == "Platform SRE"


async def test_discord_gives_the_team_from_a_team_role(fake: FakeDiscord, db: Database) -> None:
    fake.add_role(300000000000000001, "team-sre", members=[])
    fake.add_role(300000000000000002, "moderators", members=[])
    yaml = (FIXTURES / "community.yaml").read_text()
    async with running_bot(fake, db, yaml) as bot:
        await fake.member_joins(100000000000000003, "Chidi", roles=(300000000000000002, 300000000000000001))
        await bot.wait_event(lambda e: isinstance(e, MemberJoined))
        with db.session() as tx:
            member = queries.member(tx, bot.runtime.community, key(fake, 100000000000000003))
    assert member is not None and member.team == "sre"
