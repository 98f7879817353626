"""The digest: the week's questions and their liveliest threads, newcomers, kudos, new resources and the next
session, in a few short lines; in the channel and by DM to those who asked; nothing when nothing happened."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import CommandInvoked, MemberJoined, ReplyPosted
from bot.runtime import Runtime
from config.loader import parse_config
from copbot.registry import RITUALS
from rituals.digest.decisions import Digest, PromptLine, digest_text
from storage.db import Database, open_database
from tests.conftest import COMMUNITY_YAML
from tests.discord_harness import ANA, BEN, FIXTURES, running_bot
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_events import fixture
from tests.fakes.slack_harness import CONFIG, MEMBER, slack_world


def test_nothing_happened_means_no_digest() -> None:
    assert digest_text(Digest("Guild", "the week of 04 Jan", sessions=[("Thu 07 Jan 16:00", "ana")]), 3) is None


def test_the_liveliest_threads_come_first_and_each_section_is_short() -> None:
    digest = Digest(
        "Guild", "the week of 04 Jan",
        prompts=[PromptLine("Quiet one?", 0, 1), PromptLine("Lively one?", 5, 2, "https://x/t1")],
        newcomers=[f"m{i}" for i in range(12)],
        kudos=[("ana", "ben", "for the runbook " * 20)],
        resources=[("Remote state", None)],
    )  # fmt: skip
    text = digest_text(digest, 3)
    assert text is not None
    lines = text.splitlines()
    assert lines[0] == "*Guild: the week of 04 Jan in brief*"
    assert lines[2].startswith("\u2022 Lively one? (https://x/t1): 5 replies")
    assert "m8 and 3 more!" in text and "\u2026" in text  # nine names, a long reason cut short


DIGEST_YAML = COMMUNITY_YAML + """\
  kudos: {digest: null}
  digest:
    schedule:
      cron: "0 9 * * mon"
"""


async def test_the_weekly_digest_in_the_channel_and_by_dm_to_who_asked(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'digest.db'}")
    clock = ManualClock(datetime(2027, 1, 4, 8, 0, tzinfo=UTC))
    adapter = ConsoleAdapter()
    runtime = Runtime(parse_config(DIGEST_YAML, "community.yaml"), db, adapter, clock, RITUALS)
    await runtime.start(background=False)
    ids = iter(range(100))

    async def say(member: str, text: str) -> str:
        answer = await runtime.handle_event(CommandInvoked(platform="console", event_id=f"c{next(ids)}",
                                            member=f"console:{member}", at=clock.now(), text=text))  # fmt: skip
        await runtime.settle()
        return str(answer)

    for name in ("ana", "ben", "fay"):
        await runtime.handle_event(MemberJoined(platform="console", event_id=f"j-{name}", member=f"console:{name}",
                                                at=clock.now(), name=name.title()))  # fmt: skip
    assert "digest by DM" in await say("ben", "dm digest on")
    clock.advance(timedelta(hours=1, minutes=5))  # Monday 10:05 Berlin: the week's question
    runtime.tick()
    await runtime.settle()
    prompt = next(m for m in adapter.transcript if m.where == "#guild-weekly")
    await runtime.handle_event(ReplyPosted(platform="console", event_id="r1", member="console:ana", at=clock.now(),
                                           channel="guild-weekly", thread_ref=prompt.ref, message_ref="r1",
                                           text="Spot instances"))  # fmt: skip
    await say("ana", "kudos @ben for the runbook")
    clock.advance(timedelta(days=7))
    runtime.tick()  # the next Monday 09:00 Berlin: the digest (then the next question)
    await runtime.settle()
    [post] = [m for m in adapter.transcript if m.where == "#guild" and "in brief" in m.text]
    assert "What did you automate this week?" in post.text and "1 reply" in post.text
    assert "Welcome to Ana, Ben, Fay!" in post.text and "Ana to Ben, for the runbook" in post.text
    assert [m.text for m in adapter.transcript if m.where == "DM @ben"] == [post.text]
    assert "Only facilitators" in await say("ben", "digest now")
    assert "Sending the digest now" in await say("fay", "digest now")  # the new week's question is news
    assert "Nothing new since the last digest" in await say("fay", "digest now")
    await runtime.stop()
    db.dispose()


async def test_the_digest_on_slack(tmp_path: Path) -> None:
    async with slack_world(tmp_path, config=CONFIG + "  digest: {}\n") as world:
        join = fixture("team_join")
        join["event_time"] = int(world.runtime.clock.now().timestamp()) - 60
        assert (await world.sender.event(join)).status == 200  # ana joins: news
        async with asyncio.timeout(5):
            await world.adapter.processed(1)
        await world.sender.command("dm digest on", user_id=MEMBER)
        answer = await world.sender.command("digest now", user_id="UFAC")
        assert answer.json()["text"] == "Sending the digest now."
        async with asyncio.timeout(5):
            await world.all_sent()
        [post] = [c.body["text"] for c in world.fake.calls_to("chat.postMessage") if "in brief" in c.body["text"]
                  and not c.body["channel"].startswith("D")]  # fmt: skip
        assert "Slack Guild" in post and "Welcome to ana!" in post
        dms = [c for c in world.fake.calls_to("chat.postMessage") if c.body["channel"].startswith("D")]
        assert [d.body["text"] for d in dms] == [post]


async def test_the_digest_on_discord(fake: FakeDiscord, db: Database) -> None:
    yaml = (FIXTURES / "community.yaml").read_text() + "  digest: {}\n"
    async with running_bot(fake, db, yaml) as bot:
        await fake.member_joins(100000000000000003, "Chidi")
        await bot.wait_event(lambda e: isinstance(e, MemberJoined))
        await fake.slash(BEN, ["dm", "digest"], "on")
        await fake.slash(ANA, ["digest", "now"])  # /cop-admin digest now
        posts = await fake.wait_for(lambda: [c for c in fake.calls_to("POST", r"/channels/\d+/messages")
                                             if "in brief" in c.body.get("content", "")] or None)  # fmt: skip
        dm = await fake.wait_for(lambda: fake.calls_to("POST", rf"/channels/{BEN + 7}/messages"))
    assert "Welcome to Chidi!" in posts[0].body["content"]
    assert dm[0].body["content"] == posts[0].body["content"]
