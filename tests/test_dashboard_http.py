"""The dashboard over real HTTP on 127.0.0.1: the token guards every route, and untrusted names are only shown.

The community behind the page was played on the console (tests/dashboard_seed.py); the app is built by
copbot/web.py's ``build_web_app`` exactly as the live server builds it, and served by aiohttp's test server.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from adapters.console.adapter import ConsoleAdapter
from adapters.console.session import ConsoleSession
from bot.clock import ManualClock
from bot.runtime import Runtime
from copbot.dashboard import install_dashboard
from copbot.dashboard.auth import COOKIE_NAME, TOKEN_ENV
from copbot.dashboard.data import gather
from copbot.dashboard.routes import templates
from copbot.registry import RITUALS
from copbot.web import build_web_app
from rituals.polls.decisions import OptionCount, PollResult
from storage.db import Database, open_database
from tests.conftest import START, make_config
from tests.dashboard_seed import SeededGuild, dashboard_config, reader_runtime, seeded_guild

TOKEN = "s3cret-dashboard-token-for-tests"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="session")
def guild(tmp_path_factory: pytest.TempPathFactory) -> SeededGuild:
    return seeded_guild(tmp_path_factory.getbasetemp())


@pytest.fixture
def guild_db(guild: SeededGuild) -> Iterator[Database]:
    db = open_database(guild.url)
    yield db
    db.dispose()


async def serve(app: web.Application) -> TestClient[web.Request, web.Application]:
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


@pytest.fixture
async def client(
    guild: SeededGuild, guild_db: Database, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    http = await serve(build_web_app(reader_runtime(guild_db, guild.now)))
    yield http
    await http.close()


async def test_without_a_token_in_the_environment_there_is_no_dashboard(
    guild: SeededGuild, guild_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    http = await serve(build_web_app(reader_runtime(guild_db, guild.now)))
    try:
        for path in ("/dashboard", "/dashboard?token=anything", "/dashboard/charts/health.png"):
            assert (await http.get(path)).status == 404, path
    finally:
        await http.close()
    blank = web.Application()
    install_dashboard(blank, reader_runtime(guild_db, guild.now), environ={TOKEN_ENV: "   "})
    assert not [r for r in blank.router.routes() if r.resource and "dashboard" in r.resource.canonical]


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/dashboard", {}),
        ("/dashboard", {"Authorization": "Bearer wrong-token"}),
        ("/dashboard", {"Authorization": f"Basic {TOKEN}"}),  # the right secret under the wrong scheme
        ("/dashboard?token=wrong-token", {}),
        ("/dashboard?token=", {}),
        ("/dashboard/charts/participation.png", {}),
        ("/dashboard/charts/health.png", {"Authorization": "Bearer " + TOKEN[:-1]}),
    ],
)
async def test_a_missing_or_wrong_token_gets_401_saying_how_to_present_it(
    client: TestClient[web.Request, web.Application], path: str, headers: dict[str, str]
) -> None:
    response = await client.get(path, headers=headers, allow_redirects=False)
    body = await response.text()
    assert response.status == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "Authorization: Bearer" in body and "?token=" in body
    assert "Platform Guild" not in body  # nothing of the community leaks
    assert COOKIE_NAME not in response.headers.get("Set-Cookie", "")


async def test_a_bearer_token_opens_the_page_with_strict_headers(
    client: TestClient[web.Request, web.Application],
) -> None:
    response = await client.get("/dashboard", headers={"Authorization": f"Bearer {TOKEN}"})
    body = await response.text()
    assert response.status == 200
    assert response.content_type == "text/html"
    assert "<h1>Platform Guild" in body
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp  # no script may run on this page
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script" not in body.lower()


async def test_token_in_the_query_sets_an_httponly_cookie_and_leaves_the_url(
    client: TestClient[web.Request, web.Application],
) -> None:
    response = await client.get(f"/dashboard?token={TOKEN}", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/dashboard"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie["httponly"] and cookie["path"] == "/dashboard" and cookie["samesite"] == "Lax"
    assert TOKEN not in cookie.value  # a copied cookie jar does not reveal the token
    page = await client.get("/dashboard")  # the client's jar sends the cookie, as a browser would
    assert page.status == 200 and "Facilitator rota" in await page.text()
    for name in ("health.png", "participation.png"):
        chart = await client.get(f"/dashboard/charts/{name}")
        assert chart.status == 200 and chart.content_type == "image/png"
        assert (await chart.read()).startswith(PNG_MAGIC)
    missing = await client.get("/dashboard/charts/secrets.png")
    assert missing.status == 404


async def test_the_footer_says_which_copbot_serves_the_page(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/dashboard", headers={"Authorization": f"Bearer {TOKEN}"})
    footer = re.search(r"<footer>(.*?)</footer>", await response.text(), re.S)
    assert footer is not None and f'<span data-figure="version">{version("copbot")}</span>' in footer.group(1)


async def test_a_forged_cookie_is_refused(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/dashboard", headers={"Cookie": f"{COOKIE_NAME}={TOKEN}"})
    assert response.status == 401


async def test_member_names_are_escaped_never_markup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Mallory joins with markup for a name and gets paired; the page shows her name as text."""
    hostile = '<img src=x onerror="alert(1)">'
    db = open_database(f"sqlite:///{tmp_path / 'escape.db'}")
    clock = ManualClock(START)
    adapter = ConsoleAdapter()
    config = dashboard_config()
    runtime = Runtime(config, db, adapter, clock, RITUALS)
    said: list[str] = []
    session = ConsoleSession(runtime, adapter, clock, said.append, lambda: "")
    await runtime.start(background=False)
    try:
        for line in ("/join ana", "/join ben", f"/join '{hostile}'", "/as ana", "/cop pair now"):
            await session.feed(line)
        clock.advance(timedelta(minutes=5))
        monkeypatch.setenv(TOKEN_ENV, TOKEN)
        http = await serve(build_web_app(runtime))
        try:
            body = await (await http.get("/dashboard", headers={"Authorization": f"Bearer {TOKEN}"})).text()
        finally:
            await http.close()
    finally:
        await runtime.stop()
        db.dispose()
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in body
    assert "<img src=x" not in body


async def test_the_token_never_reaches_the_access_log(
    client: TestClient[web.Request, web.Application], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="aiohttp.access"):
        assert (await client.get(f"/dashboard?token={TOKEN}&x=1", allow_redirects=False)).status == 303
        assert (await client.get("/dashboard?token=guess-1234")).status == 401
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(lines) == 2, lines  # the access log is on in this server: the test can see what it writes
    assert all("token=[redacted]" in line for line in lines)
    assert not any(TOKEN in line or "guess-1234" in line for line in lines)
    assert not any(TOKEN in str(getattr(r, "first_request_line", "")) for r in caplog.records)


def test_recent_polls_show_as_bars_with_escaped_answers(guild: SeededGuild, guild_db: Database) -> None:
    """The health snapshot carries closed polls; the page draws each option's share and quotes open answers."""
    data = gather(reader_runtime(guild_db, guild.now), guild.now)
    poll = PollResult(
        poll_id=3,
        question="How useful was this month's session?",
        options=(OptionCount("1", 0), OptionCount("2", 1), OptionCount("3", 3)),
        responses=5,
        closed_at=guild.now - timedelta(days=2),
        average=2.75,
        open_question="What should we change?",
        open_answers=("More <b>demos</b>", "Shorter intros"),
    )
    with_poll = replace(data, health=replace(data.health, polls=(poll,)))
    html = templates().get_template("dashboard.html").render(d=with_poll)
    card = html[html.index('data-poll="3"'):]
    assert "How useful was this month&#39;s session?" in card
    assert "5 answered · average 2.8" in card and "closed Tue 19 Jan 2027" in card
    assert [int(w) for w in re.findall(r'class="fill" style="width: (\d+)%"', card)] == [0, 25, 75]
    assert "More &lt;b&gt;demos&lt;/b&gt;" in card and "<b>demos" not in card


async def test_a_new_install_with_rituals_off_shows_what_to_switch_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No member, no history, only prompts configured: the page and both charts still answer, and say why empty."""
    db = open_database(f"sqlite:///{tmp_path / 'new.db'}")
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    runtime = Runtime(make_config(), db, ConsoleAdapter(), ManualClock(START), RITUALS)
    http = await serve(build_web_app(runtime))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    try:
        page = await http.get("/dashboard", headers=auth)
        body = await page.text()
        charts = [await http.get(f"/dashboard/charts/{name}", headers=auth) for name in ("health.png",
                                                                                        "participation.png")]
        pngs = [await c.read() for c in charts]
    finally:
        await http.close()
        db.dispose()
    assert page.status == 200
    assert "The facilitator rota is off: add a rituals.facilitator section." in body
    assert "Pairing is off: add a rituals.pairing section." in body
    assert "No participation stored yet." in body and "No question asked yet." in body
    assert 'data-figure="next-question">What did you automate this week?' in body
    assert [c.status for c in charts] == [200, 200] and all(p.startswith(PNG_MAGIC) for p in pngs)
