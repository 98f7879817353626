"""The dashboard in a real headless Chromium: what a facilitator sees matches what the database holds.

Three weeks of a guild are played on the console (tests/dashboard_seed.py); the page is served by
``build_web_app`` on 127.0.0.1 and opened with ``?token=`` exactly as a bookmark would. Every figure read
off the page is compared with storage or with what the bot answers in chat. A screenshot is saved to
artifacts/dashboard.png for a reviewer.

Chromium and chromedriver are Debian's (.ci/setup.d/chromium.sh installs them); one browser serves the
whole session. Selenium calls block, so they run in a worker thread while the event loop serves the page.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestServer
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.remote.webdriver import WebDriver

from copbot.dashboard.auth import TOKEN_ENV
from copbot.web import build_web_app
from storage import pairing as pairing_store
from storage import polls as polls_store
from storage import prompts as prompt_store
from storage import queries
from storage.db import Database, open_database
from tests.dashboard_seed import SeededGuild, reader_runtime, seeded_guild

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
TOKEN = "browser-test-token-0123456789abcdef"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
WIDTH = 1280


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """One headless Chromium for the session, with a fresh profile and nothing that calls home."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
        f"--window-size={WIDTH},900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="session")
def guild(tmp_path_factory: pytest.TempPathFactory) -> SeededGuild:
    return seeded_guild(tmp_path_factory.getbasetemp())


@pytest.fixture
def guild_db(guild: SeededGuild) -> Iterator[Database]:
    db = open_database(guild.url)
    yield db
    db.dispose()


@pytest.fixture
async def base_url(guild: SeededGuild, guild_db: Database, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[str]:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    server = TestServer(build_web_app(reader_runtime(guild_db, guild.now)), host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("")).rstrip("/")
    await server.close()


async def visit(browser: WebDriver, url: str) -> None:
    await asyncio.to_thread(browser.get, url)


async def run(browser: WebDriver, script: str, *args: Any) -> Any:
    return await asyncio.to_thread(browser.execute_script, script, *args)


async def texts(browser: WebDriver, css: str) -> list[str]:
    return await run(browser, "return [...document.querySelectorAll(arguments[0])].map(e => e.textContent.trim())", css)


async def figure(browser: WebDriver, name: str) -> str:
    (value,) = await texts(browser, f'[data-figure="{name}"]')
    return value


async def screenshot(browser: WebDriver, path: Path) -> Path:
    """The whole page, not just the first screen: grow the window to the document's height first."""
    height = await run(browser, "return document.documentElement.scrollHeight")
    await asyncio.to_thread(browser.set_window_size, WIDTH, min(int(height) + 120, 6000))
    path.parent.mkdir(parents=True, exist_ok=True)
    assert await asyncio.to_thread(browser.save_screenshot, str(path))
    await asyncio.to_thread(browser.set_window_size, WIDTH, 900)
    return path


async def test_the_page_shows_what_the_database_holds(
    browser: WebDriver, base_url: str, guild: SeededGuild, guild_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    await visit(browser, f"{base_url}/dashboard?token={TOKEN}")
    assert browser.current_url == f"{base_url}/dashboard"  # the token left the address bar
    assert "Platform Guild" in browser.title

    community = "dash-guild"
    with guild_db.session() as tx:
        present = queries.members(tx, community)
        names = {m.key: m.name for m in queries.members(tx, community, active_only=False)}
        events = list(queries.participation(tx, community))
        prompts = list(prompt_store.asked_prompts(tx, community))
        cycle = pairing_store.latest_cycle(tx, community)
        assert cycle is not None and cycle.id is not None
        groups = list(pairing_store.groups(tx, community, [cycle.id]))
        left_out = list(pairing_store.left_out(tx, community, cycle.id))

    # health: members now, and distinct members who took part in the last 30 days
    assert int(await figure(browser, "members")) == len(present) == 6  # dee left
    month_ago = guild.now - timedelta(days=30)
    active = {e.member for e in events if e.at.replace(tzinfo=guild.now.tzinfo) >= month_ago}
    assert int(await figure(browser, "active")) == len(active)
    assert (await figure(browser, "stage")) in {"beginning", "expansion", "maturation", "change"}

    # participation per week: the table's cells add up to every stored event
    cells = await texts(browser, "#weeks tbody td[data-kind]:not([data-kind=active])")
    assert sum(int(c) for c in cells) == len(events)

    # the rota says exactly what /cop facilitator next said in chat, in the same order
    hosts = await texts(browser, '#rota td[data-role="host"]')
    asked_in_chat = re.findall(r"• [^:]+:\d\d: (\w+)", guild.facilitator_next)
    assert len(asked_in_chat) == 4, guild.facilitator_next
    assert len(hosts) == 8 and hosts[:4] == asked_in_chat
    (pool,) = await texts(browser, "#pool")
    assert re.sub(r"\s+", " ", pool) == "In the pool: ana, fay · away: ben (back Fri 5 Feb) · stepped down: dee"

    # the pairing cycle: matched, met, did not meet, left out
    answers = Counter(g.answer or "waiting" for g in groups)
    assert int((await figure(browser, "matched")).split()[0]) == len({k for g in groups for k in g.member_keys()})
    assert int((await figure(browser, "met")).split()[0]) == answers["met"] == 1
    assert int((await figure(browser, "skipped")).split()[0]) == answers["skipped"] == 1
    assert int((await figure(browser, "waiting")).split()[0]) == answers["waiting"]
    assert await texts(browser, "#left-out tbody td:first-child") == [names[o.member] for o in left_out] == ["eli"]

    with guild_db.session() as tx:
        every = list(pairing_store.cycles(tx, community))
        met_per_cycle = [sum(1 for g in pairing_store.groups(tx, community, [c.id or 0]) if g.answer == "met")
                         for c in reversed(every)]
    assert [int(m) for m in await texts(browser, '#cycles td[data-kind="met"]')] == met_per_cycle
    assert len(met_per_cycle) == 3 and sum(met_per_cycle) >= 2

    # what was asked when, newest first, with the replies each prompt drew
    asked = await texts(browser, "#asked tbody tr td:nth-child(2)")
    assert [a.removesuffix("queued").strip() for a in asked] == [p.question for p in reversed(prompts)]
    replies = [int(r) for r in await texts(browser, '#asked td[data-kind="replies"]')]
    stored = [sum(1 for e in events if e.kind == "reply" and e.subject == f"prompt:{p.id}") for p in reversed(prompts)]
    assert replies == stored and sum(stored) > 0
    assert (await figure(browser, "next-question")) == "What would you delete from our platform?"

    # the closed poll: each option's votes as stored, and the open answers quoted
    with guild_db.session() as tx:
        (poll,) = polls_store.closed_polls(tx, community, guild.now - timedelta(days=60))
        assert poll.id is not None
        votes = Counter(r.choice for r in polls_store.responses(tx, poll.id) if r.choice is not None)
    shown = [int(v) for v in await texts(browser, f'[data-poll="{poll.id}"] [data-votes]')]
    assert shown == [votes[i] for i in range(len(poll.labels()))] and sum(shown) == 3
    assert "“More live demos, please”" in await texts(browser, f'[data-poll="{poll.id}"] li')

    # the charts loaded through the cookie set by ?token= (an image that failed has no natural width)
    widths = await run(browser, "return [...document.images].map(i => i.complete ? i.naturalWidth : 0)")
    assert len(widths) == 2 and all(w > 100 for w in widths)

    path = await screenshot(browser, ARTIFACTS / "dashboard.png")
    with capsys.disabled():  # shown even when pytest captures output: a reviewer should open it
        print(f"\ndashboard screenshot: {path}")


async def test_the_browser_without_the_token_gets_the_401_page(browser: WebDriver, base_url: str) -> None:
    await asyncio.to_thread(browser.delete_all_cookies)
    await visit(browser, f"{base_url}/dashboard")
    assert await texts(browser, "h1") == ["This dashboard needs its token."]
    await visit(browser, f"{base_url}/dashboard?token=not-the-token")
    assert await texts(browser, "h1") == ["That token is not the dashboard's."]
    status = await run(browser, "return performance.getEntriesByType('navigation')[0].responseStatus")
    assert status == 401
    assert "Platform Guild" not in browser.page_source
