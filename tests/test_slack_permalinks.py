"""The Slack adapter fills the neutral permalink fields the resource library links harvested threads with."""

from __future__ import annotations

import asyncio

from bot.events import ReplyPosted
from tests.fakes.slack_events import fixture
from tests.test_slack_inbound import bolt


async def test_a_thread_reply_carries_its_own_and_its_threads_permalinks() -> None:
    async with bolt() as (_fake, adapter, sender, recorder):
        await sender.event(fixture("message_thread_reply"))
        async with asyncio.timeout(5):
            await adapter.processed(1)
    [reply] = recorder.events
    assert isinstance(reply, ReplyPosted)
    # The workspace address comes from auth.test; the shapes are those chat.getPermalink returns.
    assert reply.thread_link == "https://copbot-test.slack.com/archives/C123ABC456/p1482960000000200"
    assert reply.link == ("https://copbot-test.slack.com/archives/C123ABC456/p1482960137003543"
                          "?thread_ts=1482960000.000200&cid=C123ABC456")
