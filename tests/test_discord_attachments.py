"""A message with an attachment (the health report's chart) reaches Discord as a file on the message itself.

The real discord.py client sends a multipart request (``payload_json`` plus ``files[0]``) to the fake Discord.
"""

from __future__ import annotations

from pathlib import Path

from bot.actions import Attachment, Post
from storage.db import Database
from tests.discord_harness import GENERAL, running_bot
from tests.fakes.discord_fake import FakeDiscord

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


async def test_the_chart_travels_with_the_report(fake: FakeDiscord, db: Database, tmp_path: Path) -> None:
    chart = tmp_path / "health.png"
    chart.write_bytes(PNG)
    async with running_bot(fake, db) as bot:
        post = Post(text="*Community health*", channel="general",
                    attachments=(Attachment(path=str(chart), title="Health chart"),))
        await bot.adapter.perform(post, "health:1")
    [sent] = fake.calls_to("POST", rf"/channels/{GENERAL}/messages")
    assert "Community health" in sent.body["content"]
    assert sent.body["attachments"][0]["filename"] == "health.png"
    assert sent.body["attachments"][0]["description"] == "Health chart"
    [file] = sent.body["_files"]
    assert (file["filename"], file["data"]) == ("health.png", PNG)


async def test_a_vanished_file_does_not_block_the_message(fake: FakeDiscord, db: Database, tmp_path: Path) -> None:
    async with running_bot(fake, db) as bot:
        post = Post(text="report", channel="general",
                    attachments=(Attachment(path=str(tmp_path / "gone.png"), title="Health chart"),))
        await bot.adapter.perform(post, "health:2")
    [sent] = fake.calls_to("POST", rf"/channels/{GENERAL}/messages")
    assert sent.body["content"] == "report" and "_files" not in sent.body
