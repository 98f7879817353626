"""A message with an attachment (the health report's chart) reaches Slack as a file in the message's thread.

Through the real ``slack_sdk`` ``files_upload_v2``: files.getUploadURLExternal, the upload itself, then
files.completeUploadExternal, all answered by the fake Slack on 127.0.0.1.
"""

from __future__ import annotations

from pathlib import Path

from bot.actions import Attachment, DirectMessage, Post
from tests.fakes.slack_harness import FACILITATOR, TEAM, slack_world

DANA = f"slack:{TEAM}:{FACILITATOR}"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


async def test_the_chart_is_uploaded_into_the_reports_thread(tmp_path: Path) -> None:
    chart = tmp_path / "health.png"
    chart.write_bytes(PNG)
    async with slack_world(tmp_path) as world:
        adapter, fake = world.adapter, world.fake
        ref = await adapter.perform(
            Post(text="*Community health*", channel="community",
                 attachments=(Attachment(path=str(chart), title="Health chart"),)),
            "d1",
        )
        channel, ts = (ref or ":").split(":")
        [asked] = fake.calls_to("files.getUploadURLExternal")
        assert asked.body["filename"] == "health.png" and int(asked.body["length"]) == len(PNG)
        [upload] = fake.uploads
        assert upload["data"] == PNG
        assert (upload["channel"], upload["thread_ts"], upload["title"]) == (channel, ts, "Health chart")
        # the message itself went out once, before the file
        assert len(fake.calls_to("chat.postMessage")) == 1


async def test_a_missing_file_is_named_instead_of_failing_the_message(tmp_path: Path) -> None:
    async with slack_world(tmp_path) as world:
        adapter, fake = world.adapter, world.fake
        await adapter.perform(
            DirectMessage(text="report", member=DANA,
                          attachments=(Attachment(path=str(tmp_path / "gone.png"), title="Health chart"),)),
            "d1",
        )
        assert fake.uploads == []
        texts = [c.body["text"] for c in fake.calls_to("chat.postMessage")]
        assert texts[0] == "report" and "Health chart" in texts[1] and "gone" in texts[1]
