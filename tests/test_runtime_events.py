"""Inbound events: participation stored once, commands role-checked, bad input answered helpfully."""

from __future__ import annotations

from datetime import timedelta

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import CommandInvoked, MemberJoined, MessagePosted, ReactionAdded, ReplyPosted
from bot.runtime import Runtime
from storage import prompts as prompt_store
from storage import queries
from storage.db import Database
from tests.conftest import posts


def _command(member: str, text: str, event_id: str, clock: ManualClock) -> CommandInvoked:
    return CommandInvoked(platform="console", event_id=event_id, member=member, at=clock.now(), text=text)


async def _post_prompt(runtime: Runtime, clock: ManualClock) -> str:
    answer = await runtime.handle_event(_command("console:fay", "prompt now", "cmd-1", clock))
    assert answer == "Posting the next question now."
    await runtime.settle()
    adapter = runtime.adapter
    assert isinstance(adapter, ConsoleAdapter)
    return adapter.transcript[-1].ref


async def test_a_reaction_delivered_four_times_is_stored_once(runtime: Runtime, clock: ManualClock,
                                                            db: Database) -> None:
    ref = await _post_prompt(runtime, clock)
    reaction = ReactionAdded(platform="console", event_id="ev-7", member="console:ana", at=clock.now(),
                             message_ref=ref, emoji="+1")
    for _ in range(4):
        await runtime.handle_event(reaction)
    await runtime.settle()
    with db.session() as tx:
        stored = queries.participation(tx, "test-guild")
    assert [(e.member, e.kind) for e in stored] == [("console:ana", "reaction")]
    assert runtime.writer.duplicates == 3


async def test_every_reply_is_activity_and_only_the_prompt_thread_counts_as_a_prompt_reply(
    runtime: Runtime, clock: ManualClock, db: Database
) -> None:
    ref = await _post_prompt(runtime, clock)
    for n, thread in enumerate([ref, "m999"]):
        await runtime.handle_event(ReplyPosted(platform="console", event_id=f"r{n}", member="console:ben",
                                               at=clock.now(), channel="guild-weekly", thread_ref=thread,
                                               message_ref=f"x{n}", text="we use renovate"))
    await runtime.settle()
    with db.session() as tx:
        stored = [(e.kind, e.ritual, e.subject) for e in queries.participation(tx, "test-guild")]
        prompt = prompt_store.asked_prompts(tx, "test-guild")[0]
    assert stored == [("reply", "prompts", f"prompt:{prompt.id}"), ("reply", "core", "thread:m999")]


async def test_a_member_cannot_run_a_facilitator_command(runtime: Runtime, clock: ManualClock,
                                                        adapter: ConsoleAdapter, db: Database) -> None:
    answer = await runtime.handle_event(_command("console:ana", "prompt now", "cmd-9", clock))
    await runtime.settle()
    assert answer is not None and answer.startswith("Only facilitators can run `/cop prompt now`")
    assert posts(adapter) == []
    with db.session() as tx:
        assert prompt_store.asked_prompts(tx, "test-guild") == []


async def test_an_admin_can_run_facilitator_commands(runtime: Runtime, clock: ManualClock,
                                                    adapter: ConsoleAdapter) -> None:
    answer = await runtime.handle_event(_command("console:dana", "prompt now", "cmd-2", clock))
    await runtime.settle()
    assert answer == "Posting the next question now."
    assert len(posts(adapter)) == 1


async def test_unknown_and_malformed_commands_get_a_helpful_answer(runtime: Runtime, clock: ManualClock) -> None:
    unknown = await runtime.handle_event(_command("console:ana", "promt now", "c1", clock))
    assert unknown is not None and "Did you mean `/cop prompt" in unknown
    unclosed = await runtime.handle_event(_command("console:fay", 'prompt add "half a question', "c2", clock))
    assert unclosed is not None and "quote is not closed" in unclosed
    missing = await runtime.handle_event(_command("console:fay", "prompt add", "c3", clock))
    assert missing is not None and 'Usage: `/cop prompt add "question"`' in missing
    extra = await runtime.handle_event(_command("console:fay", "prompt now please", "c4", clock))
    assert extra is not None and "got more than it takes" in extra


async def test_help_lists_only_what_the_invoker_may_run(runtime: Runtime, clock: ManualClock) -> None:
    member_help = await runtime.handle_event(_command("console:ana", "help", "h1", clock))
    admin_help = await runtime.handle_event(_command("console:dana", "help", "h2", clock))
    assert member_help is not None and admin_help is not None
    assert "`prompt add|now`" not in member_help and "`reload`" not in member_help
    assert "`prompt add|now`" in admin_help and "`reload`" in admin_help  # (help folds a family on one line)


async def test_a_retried_join_is_acted_on_once(runtime: Runtime, clock: ManualClock, db: Database) -> None:
    join = MemberJoined(platform="console", event_id="join-1", member="console:ana", at=clock.now(), name="Ana",
                        tz="Europe/Lisbon")
    await runtime.handle_event(join)
    await runtime.handle_event(join)
    with db.session() as tx:
        rows = queries.members(tx, "test-guild")
        handled = queries.claim_event(tx, "test-guild", "console", "join-1", "MemberJoined", clock.now())
    assert [(m.key, m.tz) for m in rows] == [("console:ana", "Europe/Lisbon")]
    assert handled is False


async def test_queued_questions_go_first_and_the_bank_rotates_without_repeats(
    runtime: Runtime, clock: ManualClock, adapter: ConsoleAdapter
) -> None:
    await runtime.handle_event(_command("console:fay", 'prompt add "What did you learn from an outage?"', "q", clock))
    for week in range(5):
        clock.advance(timedelta(weeks=1) if week else timedelta(hours=3))
        runtime.tick()
        await runtime.settle()
    asked = [text.splitlines()[1] for text in posts(adapter)]
    assert asked == [
        "What did you learn from an outage?",
        "What did you automate this week?",
        "Which alert woke you up for nothing?",
        "What would you delete from our platform?",
        "What did you automate this week?",  # the bank was exhausted: a new round
    ]


async def test_a_plain_post_counts_whichever_rituals_are_on(runtime: Runtime, clock: ManualClock,
                                                            db: Database) -> None:
    """The conftest community has only prompts on (no health report): Ana's post in a channel still counts,
    once, however often the platform delivers it."""
    assert runtime.config.rituals.health is None
    post = MessagePosted(platform="console", event_id="post-1", member="console:ana", at=clock.now(),
                         channel="guild", message_ref="m77", text="Anyone tried Karpenter?")
    for _ in range(2):
        await runtime.handle_event(post)
    await runtime.settle()
    with db.session() as tx:
        stored = queries.participation(tx, "test-guild")
    assert [(e.member, e.kind, e.subject) for e in stored] == [("console:ana", "post", "channel:guild")]
