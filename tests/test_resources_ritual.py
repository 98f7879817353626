"""The resource library, run by the real runtime: threads harvested by reaction, command and nudge; search; export."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.runtime import Runtime
from config.models import CommunityConfig
from copbot.resources_export import export_library
from rituals.resources.ritual import HARVEST_BUTTON
from storage import resources as store
from tests.conftest import make_config
from tests.recognition_helpers import YAML, Community

LINK = "https://chat.example/archives/guild/p100"


@pytest.fixture
def config() -> CommunityConfig:
    return make_config(YAML)


@pytest.fixture
async def town(runtime: Runtime, clock: ManualClock) -> Community:
    community = Community(runtime, clock)
    await community.join("ana", "ben", "cy", "fay", "dana")
    return community


async def _runner_thread(town: Community) -> str:
    root = await town.post("ana", "Our CI runners keep dying mid-build. Ideas?", link=LINK)
    await town.reply("ben", root, "We moved our runners to spot instances with a drain hook.", thread_link=LINK)
    await town.reply("cy", root, "Check the OOM killer: ephemeral runners need memory limits.", thread_link=LINK)
    return root


async def test_a_pushpin_reaction_harvests_the_thread_and_a_word_from_its_body_finds_it(town: Community) -> None:
    root = await _runner_thread(town)
    await town.react("cy", root, "pushpin")
    [note] = town.texts(f"thread {root}")
    assert "saved this thread" in note and "@cy" in note
    answer = await town.say("dana", "resources killer")  # a word only in a reply, not in the title or summary
    assert "Our CI runners keep dying mid-build" in answer and LINK in answer
    assert "Nothing in the library" in await town.say("dana", "resources kubernetes")


async def test_harvested_resource_keeps_title_link_contributors_summary_and_tags(town: Community) -> None:
    root = await _runner_thread(town)
    answer = await town.say("ben", f"harvest {root} #ci #Runners")
    assert "Saved “Our CI runners keep dying mid-build. Ideas?”" in answer
    with town.runtime.db.session() as tx:
        [row] = store.resources(tx, "test-guild")
    assert row.link == LINK
    assert row.contributors == "console:ana,console:ben,console:cy"
    assert row.tags == "ci,runners"
    assert row.summary.splitlines() == ["Our CI runners keep dying mid-build. Ideas?",
                                        "We moved our runners to spot instances with a drain hook.", "…"]
    assert row.harvested_by == "console:ben" and row.via == "command"


async def test_harvest_inside_the_thread_uses_the_adapters_thread_reference(town: Community) -> None:
    root = await _runner_thread(town)
    answer = await town.say("ben", "harvest Runner survival guide", thread_ref=root)
    assert "Saved “Runner survival guide”" in answer


async def test_a_thread_is_harvested_once(town: Community) -> None:
    root = await _runner_thread(town)
    await town.say("ben", f"harvest {root}")
    assert "already in the library" in await town.say("cy", f"harvest {root}")
    await town.react("ana", root, "📌")
    with town.runtime.db.session() as tx:
        assert len(store.resources(tx, "test-guild")) == 1


async def test_harvest_without_a_thread_or_of_an_unknown_one_says_what_to_do(town: Community) -> None:
    assert "Which thread?" in await town.say("ana", "harvest")
    assert "I don't know a thread" in await town.say("ana", "harvest m999")
    assert "is not a tag" in await town.say("ana", f"harvest {await _runner_thread(town)} #a/b")


async def test_other_reactions_do_not_harvest(town: Community) -> None:
    root = await _runner_thread(town)
    await town.react("cy", root, "+1")
    with town.runtime.db.session() as tx:
        assert store.resources(tx, "test-guild") == []


async def test_prompt_thread_nudge_asks_facilitators_and_their_click_harvests_it(town: Community) -> None:
    await town.until(datetime(2027, 1, 4, 9, 30, tzinfo=UTC))  # Monday 10:30 Berlin: the prompt is out
    [prompt] = [m for m in town.bot_messages("#guild-weekly")] or [m for m in town.bot_messages("#guild")]
    await town.reply("ben", prompt.ref, "We keep state in a versioned bucket with locking in a table.")
    await town.reply("cy", prompt.ref, "And we never run apply from laptops, only from the pipeline.")
    await town.until(datetime(2027, 1, 8, 14, 30, tzinfo=UTC))  # Friday 15:30 Berlin: the nudge went out
    [nudge] = town.bot_messages("#facil")
    assert "How do you keep Terraform state safe?" in nudge.text and f"[{HARVEST_BUTTON}]" in nudge.buttons[0]
    with town.runtime.db.session() as tx:
        prompt_id = store.resources(tx, "test-guild")  # nothing yet
        assert prompt_id == []
    await town.click("ben", HARVEST_BUTTON, "1")  # a member cannot use the facilitators' button
    await town.click("fay", HARVEST_BUTTON, "1")
    with town.runtime.db.session() as tx:
        [row] = store.resources(tx, "test-guild")
    assert row.title == "How do you keep Terraform state safe?" and row.via == "nudge"
    assert "terraform" in row.tags.split(",")  # suggested from the prompt
    assert "Only facilitators" in town.texts("DM @ben")[-1]


async def test_thread_text_is_pruned_after_the_keeping_time(town: Community) -> None:
    root = await _runner_thread(town)
    await town.wait(timedelta(days=32))
    assert "I don't know a thread" in await town.say("ben", f"harvest {root}")


async def test_export_writes_one_markdown_file_per_resource_and_an_index_with_working_links(
        town: Community, tmp_path: Path) -> None:
    root = await _runner_thread(town)
    await town.say("ben", f"harvest {root} #ci")
    other = await town.post("cy", "Which dashboards do you actually look at?")
    await town.reply("ana", other, "Only the SLO one, honestly.")
    await town.say("ana", f"harvest {other} #observability #slo")
    out = tmp_path / "library"
    written = export_library(town.runtime.db, town.runtime.config, out)
    files = sorted(p.name for p in out.iterdir())
    assert len(written) == 3 and files == sorted(["index.md", *[p.name for p in written if p.name != "index.md"]])
    index = (out / "index.md").read_text()
    targets = re.findall(r"\]\(([^)#]+\.md)\)", index)
    assert sorted(set(targets)) == sorted(f for f in files if f != "index.md")  # every link resolves to a file
    for name in targets:
        assert (out / name).is_file()
    runner = next(out / f for f in files if "runners" in f)
    text = runner.read_text()
    assert f"<{LINK}>" in text and "](index.md)" in text
    assert "## ci" in index and "## observability" in index and "## slo" in index


async def test_a_reply_after_the_harvest_joins_the_resource(town: Community) -> None:
    root = await _runner_thread(town)
    await town.say("ben", f"harvest {root}")
    assert "Nothing in the library" in await town.say("dana", "resources karpenter")
    await town.reply("dana", root, "Late to this, but Karpenter consolidation solved it for us.")
    assert "Our CI runners keep dying mid-build" in await town.say("ana", "resources karpenter")
    with town.runtime.db.session() as tx:
        [row] = store.resources(tx, "test-guild")
    assert row.contributors == "console:ana,console:ben,console:cy,console:dana"


async def test_facilitators_curate_the_library(town: Community) -> None:
    root = await _runner_thread(town)
    await town.react("cy", root, "pushpin")
    assert "Only facilitators" in await town.say("cy", "resources retag 1 #ci")
    assert "is now tagged #ci, #runners" in await town.say("fay", "resources retag 1 #CI #runners")
    renamed = await town.say("fay", "resources rename 1 Keeping CI runners alive")
    assert "is now called “Keeping CI runners alive”" in renamed
    assert "Keeping CI runners alive" in await town.say("ana", "resources alive")
    assert "There is no resource number 7" in await town.say("fay", "resources remove 7")
    assert "Removed “Keeping CI runners alive”" in await town.say("fay", "resources remove 1")
    assert "Nothing in the library" in await town.say("ana", "resources runners")
