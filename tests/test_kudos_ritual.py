"""Kudos, run by the real runtime: thanks in the channel or by DM, refusals, the cap, the digest, milestones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.runtime import Runtime
from bot.text import mention
from config.models import CommunityConfig
from copbot.report import build_report
from storage import kudos as store
from tests.conftest import make_config
from tests.recognition_helpers import YAML, Community


@pytest.fixture
def config() -> CommunityConfig:
    return make_config(YAML)


@pytest.fixture
async def town(runtime: Runtime, clock: ManualClock) -> Community:
    community = Community(runtime, clock)
    await community.join("ana", "ben", "cy", "fay")
    return community


async def test_public_kudos_thank_the_member_in_the_channel_and_are_stored(town: Community) -> None:
    answer = await town.say("ana", "kudos @ben for helping me debug the ingress")
    assert "Posted in #guild" in answer
    [post] = town.texts("#guild")
    assert "@ben" in post and "@ana" in post and "helping me debug the ingress" in post
    with town.runtime.db.session() as tx:
        assert store.received_count(tx, "test-guild", "console:ben") == 1


async def test_private_kudos_go_by_dm_and_not_to_the_channel(town: Community) -> None:
    await town.say("ana", "kudos private @ben for the kind review")
    assert town.texts("#guild") == []
    [dm] = town.texts("DM @ben")
    assert "ana" in dm and "the kind review" in dm


async def test_kudos_to_yourself_are_refused_politely_and_not_stored(town: Community) -> None:
    answer = await town.say("ana", "kudos @ana for being me")
    assert "someone else" in answer
    assert town.texts("#guild") == []
    with town.runtime.db.session() as tx:
        assert store.given_count(tx, "test-guild", "console:ana") == 0


async def test_kudos_over_the_daily_cap_are_refused_until_the_next_day(town: Community) -> None:
    assert "Posted" in await town.say("ana", "kudos @ben for one")
    assert "Posted" in await town.say("ana", "kudos @cy for two")
    refused = await town.say("ana", "kudos @fay for three")
    assert "most for one day" in refused
    assert len(town.texts("#guild")) == 2
    assert "Posted" in await town.say("ben", "kudos @fay for three")  # the cap is per giver
    await town.wait(timedelta(days=1))
    assert "Posted" in await town.say("ana", "kudos @fay for three, a day later")


async def test_relayed_reason_cannot_carry_a_mention_marker(town: Community) -> None:
    await town.say("ana", f"kudos @ben for pinging {mention('console:cy')} at 3am")
    [post] = town.texts("#guild")
    assert "@cy" not in post  # the marker was stripped: the reason is shown as typed, without a mention


async def test_unknown_member_and_missing_reason_get_actionable_answers(town: Community) -> None:
    assert "I don't know a member called '@zed'" in await town.say("ana", "kudos @zed for things")
    assert "Say what you're thanking them for" in await town.say("ana", "kudos @ben")


async def test_milestone_is_announced_once_when_it_is_reached(town: Community) -> None:
    await town.say("ana", "kudos @ben for one")
    await town.say("cy", "kudos @ben for two")
    assert not any("has now received" in t for t in town.texts("#guild"))
    await town.say("fay", "kudos private @ben for three")
    await town.say("fay", "kudos @ben for four")
    milestones = [t for t in town.texts("#guild") if "has now received" in t]
    assert milestones == ["🌟 @ben has now received 3 kudos from this community. Thank you for all you do!"]


async def test_weekly_digest_lists_public_kudos_of_the_week_only(town: Community, clock: ManualClock) -> None:
    await town.say("ana", "kudos @ben for the runbook")
    await town.say("cy", "kudos private @ben for the secret thing")
    await town.say("ben", "kudos @cy for pairing")
    await town.until(datetime(2027, 1, 8, 15, 30, tzinfo=UTC))  # Friday 16:30 Berlin
    [digest] = [t for t in town.texts("#guild") if t.startswith("*Kudos")]
    assert "2 thank-yous" in digest and "the runbook" in digest and "pairing" in digest
    assert "secret" not in digest
    await town.until(datetime(2027, 1, 15, 15, 30, tzinfo=UTC))  # a quiet week: no empty digest
    assert len([t for t in town.texts("#guild") if t.startswith("*Kudos")]) == 1


async def test_kudos_mine_counts_received_and_given(town: Community) -> None:
    await town.say("ana", "kudos @ben for one")
    await town.say("cy", "kudos @ben for two")
    assert "received 2 kudos and given 0" in await town.say("ben", "kudos mine")


async def test_kudos_count_in_the_report_json_and_in_stats(town: Community, clock: ManualClock) -> None:
    await town.say("ana", "kudos @ben for one")
    await town.say("cy", "kudos private @ben for two")
    await town.say("ben", "kudos @cy for three")
    report = build_report(town.runtime.db, "test-guild", "Europe/Berlin", clock.now())
    by_member = {row["member"]: row for row in report.members}
    assert by_member["console:ben"]["kudos"] == 2  # private kudos count too; only their reason is private
    assert by_member["console:cy"]["kudos"] == 1
    assert "console:ana" not in by_member or by_member["console:ana"]["kudos"] == 0
    assert "2 kudos received" in await town.say("ben", "stats")
    assert "kudos received" not in await town.say("ana", "stats")


async def test_kudos_accept_a_platform_mention_of_the_member(town: Community) -> None:
    await town.say("ana", "kudos <@ben> for the review")  # how Slack and Discord send a picked @mention
    [post] = town.texts("#guild")
    assert "Kudos to @ben" in post
