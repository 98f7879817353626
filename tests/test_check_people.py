"""`copbot check --platform slack|discord` warns about the people community.yaml names as that platform sees them.

Without a token it checks their form: a console key on Slack, a role on Slack, an email address on Discord.
With the platform's token set it looks everyone up in the live workspace, as the bot does when it starts.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from copbot.cli import main
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_api import FakeSlack

ROOT = Path(__file__).resolve().parents[1]
PEOPLE = """\
community:
  id: guild
  name: Guild
  channels:
    general: general
roles:
  admins: [console:dana, "role:Hosts"]
  facilitators: ["@ana", "email:ben@example.org", "@nobody"]
"""


@pytest.fixture
def no_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN"):
        monkeypatch.delenv(variable, raising=False)


def check(path: Path, platform: str) -> tuple[int, list[str], str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["check", "--config", str(path), "--platform", platform])
    return code, err.getvalue().splitlines(), out.getvalue()


def test_without_a_token_the_forms_of_another_platform_are_warnings(tmp_path: Path, no_tokens: None) -> None:
    config = tmp_path / "community.yaml"
    config.write_text(PEOPLE)
    code, warnings, out = check(config, "slack")
    assert code == 0 and "people: 2 warnings; every name checked for slack" in out
    assert warnings[0].startswith(f"{config}:7:12: warning: 'console:dana' (roles.admins[0]) is a console member key, "
                                  "but this bot runs on slack")
    assert warnings[1].startswith(f"{config}:7:26: warning: 'role:Hosts' (roles.admins[1]) names a role, and slack "
                                  "has no roles")
    code, warnings, _ = check(config, "discord")
    assert [w.split(": warning: ")[1].split(")")[0] for w in warnings] == [
        "'console:dana' (roles.admins[0]", "'email:ben@example.org' (roles.facilitators[1]"]


def test_the_shipped_community_yaml_has_nothing_of_another_platform(no_tokens: None) -> None:
    for platform in ("slack", "discord", "console"):
        code, warnings, out = check(ROOT / "community.yaml", platform)
        assert (code, warnings) == (0, []) and "people: 0 warnings" in out


async def test_with_a_slack_token_everyone_is_looked_up_in_the_workspace(
    tmp_path: Path, no_tokens: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeSlack()
    fake.add_user("UANA", "ana")
    fake.add_user("UBEN", "Ben", email="ben@example.org")
    await fake.start()
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-0001-test-token")
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    config = tmp_path / "community.yaml"
    config.write_text(PEOPLE)
    try:
        code, warnings, out = await asyncio.to_thread(check, config, "slack")
    finally:
        await fake.stop()
    assert code == 0 and "people: 3 warnings; every name looked up on slack" in out
    assert [w.split(" (")[0].split("warning: ")[1] for w in warnings] == ["'console:dana'", "'role:Hosts'", "'@nobody'"]
    assert "matches nobody in the Slack workspace" in warnings[2]
    assert fake.calls_to("users.list") and not fake.calls_to("users.lookupByEmail")  # Ben's email was in the list


async def test_with_a_discord_token_everyone_is_looked_up_in_the_server(
    tmp_path: Path, no_tokens: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import discord

    fake = FakeDiscord()
    fake.add_role(500000000000000001, "Hosts", [100000000000000002])
    await fake.start()
    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    monkeypatch.setenv("DISCORD_API_URL", fake.api_url)
    monkeypatch.setenv("DISCORD_GATEWAY_URL", fake.gateway_url)
    before = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    config = tmp_path / "community.yaml"
    config.write_text(PEOPLE)
    try:
        code, warnings, out = await asyncio.to_thread(check, config, "discord")
    finally:
        discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = before
        await fake.stop()
    assert code == 0 and "people: 3 warnings; every name looked up on discord" in out
    assert [w.split(" (")[0].split("warning: ")[1] for w in warnings] == [
        "'console:dana'", "'email:ben@example.org'", "'@nobody'"]
    assert not fake.calls_to("PUT", r"/applications/\d+/commands")  # a check registers nothing
