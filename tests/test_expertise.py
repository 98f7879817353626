"""Who knows what: `/cop who knows terraform` answers privately with a few names and why, naming only members
who listed the skill, mentor on it or agreed to be named for what they harvested and answered."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import CommandInvoked, MemberJoined, MessagePosted, ReplyPosted
from bot.runtime import Runtime
from config.loader import parse_config
from copbot.registry import RITUALS
from rituals.expertise.decisions import mentions, who_knows
from storage.db import Database, open_database
from tests.conftest import COMMUNITY_YAML
from tests.discord_harness import BEN, FIXTURES, running_bot
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_harness import CONFIG, MEMBER, slack_world


def test_a_skill_is_mentioned_as_a_whole_word_in_any_spelling() -> None:
    assert mentions("terraform", "We moved to Terraform modules")
    assert mentions("ci-cd", "our CI/CD is slow... ci cd, CI-CD")
    assert not mentions("go", "we are going to do it")


def test_only_members_who_agreed_are_named_and_the_rest_are_counted() -> None:
    library = [("ana", ("ana", "ben", "cai"), "terraform state locking"), ("dev", ("dev",), "kubernetes")]
    answers = [("cai", "I wrote our terraform modules"), ("eve", "terraform: use workspaces")]
    named, others = who_knows("terraform", {"fay": {"terraform"}}, {"gus": frozenset({"terraform"})}, library,
                              answers, sharing={"ana"}, limit=5)  # fmt: skip
    assert [e.member for e in named] == ["fay", "gus", "ana"]  # listed, mentors, shares what she did
    assert others == 3  # ben and cai answered, eve too: not asked to be named
    assert who_knows("terraform", {}, {}, library, answers, set(), limit=5)[0] == []


EXPERTISE_YAML = COMMUNITY_YAML + """\
  expertise: {}
  resources: {}
"""


async def test_who_knows_in_the_console(tmp_path: Path) -> None:
    db = open_database(f"sqlite:///{tmp_path / 'expertise.db'}")
    clock = ManualClock(datetime(2027, 1, 4, 9, 0, tzinfo=UTC))
    runtime = Runtime(parse_config(EXPERTISE_YAML, "community.yaml"), db, ConsoleAdapter(), clock, RITUALS)
    await runtime.start(background=False)
    ids = iter(range(100))

    async def say(member: str, text: str) -> str:
        return str(await runtime.handle_event(CommandInvoked(platform="console", event_id=f"c{next(ids)}",
                                              member=f"console:{member}", at=clock.now(), text=text)))  # fmt: skip

    for name in ("ana", "ben", "cai", "fay"):
        await runtime.handle_event(MemberJoined(platform="console", event_id=f"j-{name}", member=f"console:{name}",
                                                at=clock.now(), name=name.title()))  # fmt: skip
    await runtime.handle_event(MessagePosted(platform="console", event_id="p1", member="console:ana", at=clock.now(),
                                             channel="guild", message_ref="t1", text="How do you lock state?"))
    for who, ref in (("ben", "r1"), ("cai", "r2")):
        await runtime.handle_event(ReplyPosted(platform="console", event_id=f"p-{ref}", member=f"console:{who}",
                                               at=clock.now(), channel="guild", thread_ref="t1", message_ref=ref,
                                               text="Terraform remote state with DynamoDB locks"))  # fmt: skip
    assert "Added: terraform" in await say("fay", "skills add Terraform")
    assert "Nobody has said they know kubernetes" in await say("ana", "who knows kubernetes")
    answer = await say("ana", "who knows terraform")
    assert "Fay: listed it" in answer and "2 more seem to know it" in answer
    assert "Ben" not in answer and "Cai" not in answer
    await say("ben", "skills share on")
    answer = await say("ana", "who knows terraform")
    assert "Ben: answered 1 thread on it" in answer and "1 more seem" in answer
    assert "Your skills: terraform. Named for what you did: off" in await say("fay", "skills list")
    await runtime.stop()
    db.dispose()


async def test_who_knows_on_slack_answers_only_the_asker(tmp_path: Path) -> None:
    async with slack_world(tmp_path, config=CONFIG + "  expertise: {}\n") as world:
        await world.sender.command("skills add terraform", user_id="UFAC")
        answer = await world.sender.command("who knows terraform", user_id=MEMBER)
        body = answer.json()
        assert body["response_type"] == "ephemeral"
        assert "Who knows terraform" in body["text"] and "listed it" in body["text"]
        async with asyncio.timeout(5):
            await world.all_sent()
        assert world.fake.calls_to("chat.postMessage") == []  # nothing said in public


async def test_who_knows_on_discord(fake: FakeDiscord, db: Database) -> None:
    yaml = (FIXTURES / "community.yaml").read_text() + "  expertise: {}\n"
    async with running_bot(fake, db, yaml):
        await fake.slash(BEN, ["skills", "add"], "kubernetes")
        interaction = await fake.slash(100000000000000001, ["who", "knows"], "kubernetes")
        path = rf"/interactions/{interaction['id']}/[^/]+/callback"
        [call] = await fake.wait_for(lambda: fake.calls_to("POST", path))
    assert "listed it" in call.body["data"]["content"]
    assert call.body["data"]["flags"] == 64  # ephemeral
