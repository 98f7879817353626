"""The member ladder, run by the real runtime on a crafted history: suggestions, a facilitator's yes, the member's.

Ana, Ben and Cy joined three weeks ago; Dee three days ago. Ana and Ben answered prompts enough to be regulars;
Ben also got two kudos. Nobody moves a rung until a facilitator (Fay) invites and the member accepts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.clock import ManualClock
from bot.events import MemberJoined
from bot.runtime import Runtime
from config.models import CommunityConfig
from rituals.ladder.decisions import Candidate
from rituals.ladder.ritual import ACCEPT, DECLINE, DISMISS, INVITE, LadderRitual
from storage import facilitator as rota_store
from storage import ladder as store
from storage import onboarding as onboarding_store
from tests.conftest import make_config
from tests.recognition_helpers import YAML, Community

LADDER_YAML = YAML + """\
  onboarding:
    buddies:
      volunteers: []
  facilitator:
    sessions:
      cron: "0 16 * * thu"
"""


@pytest.fixture
def config() -> CommunityConfig:
    return make_config(LADDER_YAML)


@pytest.fixture
async def town(runtime: Runtime, clock: ManualClock) -> Community:
    community = Community(runtime, clock)
    for name, days in (("ana", 21), ("ben", 21), ("cy", 21), ("dee", 3), ("fay", 400)):
        await runtime.handle_event(MemberJoined(platform="console", event_id=f"join-{name}", member=f"console:{name}",
                                                at=clock.now() - timedelta(days=days), name=name))
    await runtime.settle()
    await community.say("fay", "prompt now")
    [prompt] = [m for m in community.bot_messages() if m.where.startswith("#") and "Terraform" in m.text]
    for who, replies in (("ana", 2), ("ben", 3), ("cy", 1), ("dee", 6)):
        for i in range(replies):
            await community.reply(who, prompt.ref, f"answer {i} from {who}")
    await community.say("ana", "kudos @ben for the runbook")
    await community.say("cy", "kudos @ben for the review")
    return community


def _suggestions(town: Community) -> list[store.LadderSuggestion]:
    with town.runtime.db.session() as tx:
        return list(store.suggestions(tx, "test-guild"))


def _steps(town: Community) -> dict[str, str]:
    with town.runtime.db.session() as tx:
        return store.steps(tx, "test-guild")


async def test_weekly_pass_suggests_exactly_the_members_past_their_thresholds_privately(town: Community) -> None:
    await town.until(datetime(2027, 1, 11, 8, 30, tzinfo=UTC))  # next Monday 09:30 Berlin
    assert {(s.member, s.rung) for s in _suggestions(town)} == {("console:ana", "regular"),
                                                                ("console:ben", "regular")}
    notes = [m for m in town.bot_messages("#facil") if m.text.startswith("🪜")]
    assert len(notes) == 2 and all("may be ready to become a *regular*" in n.text for n in notes)
    ben = next(n for n in notes if n.text.startswith("🪜 ben"))
    assert "3 prompt replies (needs 2)" in ben.text and "2 kudos received" in ben.text
    assert [b.split(" [")[1] for b in ben.buttons] == [f"{INVITE}]", f"{DISMISS}]"]
    assert not any("ladder" in m.where or "may be ready" in m.text for m in town.bot_messages("#guild"))
    assert _steps(town) == {}  # a suggestion promotes nobody


async def test_nobody_moves_without_the_facilitators_and_the_members_yes(town: Community) -> None:
    await town.say("fay", "ladder check")
    ben = next(s for s in _suggestions(town) if s.member == "console:ben")
    await town.click("ben", INVITE, str(ben.id))  # a member cannot invite themselves
    assert "Only facilitators" in town.texts("DM @ben")[-1]
    assert _steps(town) == {} and not any("would love you" in t for t in town.texts("DM @ben"))
    await town.click("fay", INVITE, str(ben.id))
    invitation = next(m for m in town.bot_messages("DM @ben") if "would love you to become a regular" in m.text)
    assert [b.split(" [")[1] for b in invitation.buttons] == [f"{ACCEPT}]", f"{DECLINE}]"]
    assert _steps(town) == {}  # invited is not promoted
    await town.click("ana", ACCEPT, str(ben.id))  # someone else's invitation
    assert _steps(town) == {}
    await town.click("ben", ACCEPT, str(ben.id))
    assert _steps(town) == {"console:ben": "regular"}
    assert any("ben accepted" in t for t in town.texts("#facil"))


async def test_accepting_the_buddy_step_joins_the_buddy_pool(town: Community) -> None:
    await town.say("fay", "ladder check")
    ben = next(s for s in _suggestions(town) if s.member == "console:ben")
    await town.click("fay", INVITE, str(ben.id))
    await town.click("ben", ACCEPT, str(ben.id))
    await town.say("fay", "ladder check")  # ben is a regular now, with the figures of a buddy
    buddy = next(s for s in _suggestions(town) if s.member == "console:ben" and s.status == "suggested")
    assert buddy.rung == "buddy"
    assert "Invited ben" in await town.say("fay", "ladder invite @ben")
    with town.runtime.db.session() as tx:
        assert "console:ben" not in onboarding_store.buddy_pool(tx, "test-guild", [])
    await town.click("ben", ACCEPT, str(buddy.id))
    with town.runtime.db.session() as tx:
        assert "console:ben" in onboarding_store.buddy_pool(tx, "test-guild", [])
        assert rota_store.volunteer(tx, "test-guild", "console:ben") is None  # not the facilitator pool
    assert _steps(town) == {"console:ben": "buddy"}


async def test_a_decline_changes_nothing_and_quiets_the_suggestions(town: Community) -> None:
    await town.say("fay", "ladder check")
    ana = next(s for s in _suggestions(town) if s.member == "console:ana")
    await town.say("fay", "ladder invite ana")
    await town.click("ana", DECLINE, str(ana.id))
    assert _steps(town) == {}
    assert "Everything stays as it is" in town.texts("DM @ana")[-1]
    assert "No one new" in await town.say("fay", "ladder check")


async def test_not_now_and_lapsed_invitations(town: Community) -> None:
    await town.say("fay", "ladder check")
    assert "not now for ana" in await town.say("fay", "ladder dismiss @ana")
    assert "no open ladder suggestion" in await town.say("fay", "ladder invite @ana")
    await town.say("fay", "ladder invite @ben")
    await town.wait(timedelta(days=15))  # the invitation lapses at the next weekly pass after 14 days
    ben = next(s for s in _suggestions(town) if s.member == "console:ben" and s.rung == "regular")
    assert ben.status == "expired"
    await town.click("ben", ACCEPT, str(ben.id))
    assert _steps(town) == {}


async def test_ladder_commands_are_for_facilitators(town: Community) -> None:
    assert "Only facilitators" in await town.say("ana", "ladder")
    assert "Only facilitators" in await town.say("ana", "ladder invite @ben")


async def test_accepting_co_host_joins_the_facilitator_pool_and_the_ladder_sees_a_co_host(town: Community) -> None:
    with town.runtime.db.session() as tx:
        store.set_step(tx, "test-guild", "console:cy", "buddy", "console:fay", town.clock.now())
        tx.commit()
    for i in range(5):
        await town.reply("cy", town.bot_messages("#guild")[0].ref, f"more from cy {i}")
    with town.runtime.db.session() as tx:
        now = town.clock.now()
        row = onboarding_store.sequence(tx, "test-guild", "console:dee") or onboarding_store.start_sequence(
            tx, "test-guild", "console:dee", anchor_at=now, now=now, started_by="join")
        assert row is not None
        onboarding_store.set_buddy(tx, row, "console:cy", town.clock.now())
        tx.commit()
    await town.wait(timedelta(days=10))  # cy: 31 days, 6 replies, buddy to one newcomer
    await town.say("fay", "ladder check")
    cy = next(s for s in _suggestions(town) if s.member == "console:cy" and s.status == "suggested")
    assert cy.rung == "co_host"
    await town.click("fay", INVITE, str(cy.id))
    await town.click("cy", ACCEPT, str(cy.id))
    with town.runtime.db.session() as tx:
        volunteer = rota_store.volunteer(tx, "test-guild", "console:cy")
        assert volunteer is not None and not volunteer.retired
    candidates = {c.member: c.current for c in _candidates(town)}
    assert candidates["console:cy"] == "co_host"  # in the pool, not yet a host: co-host, not facilitator
    assert candidates["console:fay"] == "facilitator"  # under roles.facilitators


def _candidates(town: Community) -> list[Candidate]:
    ladder = next(r for r in town.runtime.rituals if isinstance(r, LadderRitual))
    with town.runtime.db.session() as tx:
        return ladder.candidates(tx, town.clock.now())
