"""Behind a TLS-terminating proxy the dashboard's session cookie is ``Secure``, on the word of a trusted proxy only.

Real HTTP on 127.0.0.1 (aiohttp's test server) in front of the app copbot/web.py builds; the "proxy" is this
test's client, which sends the headers nginx or Traefik would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from copbot.dashboard.auth import COOKIE_NAME, TOKEN_ENV
from copbot.dashboard.proxy import PUBLIC_URL_ENV, TRUSTED_PROXIES_ENV, SchemePolicy, forwarded_proto
from copbot.web import build_web_app
from storage.db import Database, open_database
from tests.dashboard_seed import SeededGuild, reader_runtime, seeded_guild

TOKEN = "s3cret-dashboard-token-for-tests"


@pytest.fixture(scope="module")
def guild(tmp_path_factory: pytest.TempPathFactory) -> SeededGuild:
    return seeded_guild(tmp_path_factory.mktemp("proxy"))


@pytest.fixture
def guild_db(guild: SeededGuild) -> Iterator[Database]:
    db = open_database(guild.url)
    yield db
    db.dispose()




async def _cookie_secure(guild: SeededGuild, db: Database, monkeypatch: pytest.MonkeyPatch,
                         environ: dict[str, str], headers: dict[str, str]) -> bool:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    for name in (PUBLIC_URL_ENV, TRUSTED_PROXIES_ENV):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    client = TestClient(TestServer(build_web_app(reader_runtime(db, guild.now)), host="127.0.0.1"))
    await client.start_server()
    try:
        response = await client.get(f"/dashboard?token={TOKEN}", allow_redirects=False, headers=headers)
        assert response.status == 303
        return bool(response.cookies[COOKIE_NAME]["secure"])
    finally:
        await client.close()


HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.mark.parametrize(
    ("environ", "headers", "secure"),
    [
        ({TRUSTED_PROXIES_ENV: "127.0.0.1"}, HTTPS, True),  # the proxy we trust says HTTPS
        ({TRUSTED_PROXIES_ENV: "10.0.0.0/8, 127.0.0.0/8"}, {"Forwarded": "for=1.2.3.4;proto=https"}, True),
        ({}, HTTPS, False),  # nobody trusted: a client can send that header too
        ({TRUSTED_PROXIES_ENV: "10.0.0.5"}, HTTPS, False),  # another address is trusted, not this one
        ({TRUSTED_PROXIES_ENV: "127.0.0.1"}, {}, False),  # the trusted proxy says nothing: plain HTTP
        ({TRUSTED_PROXIES_ENV: "127.0.0.1"}, {"X-Forwarded-Proto": "https, http"}, False),  # nearest hop: http
        ({PUBLIC_URL_ENV: "https://copbot.example.org"}, {}, True),  # served at an https URL: always
        ({PUBLIC_URL_ENV: "http://localhost:3000"}, HTTPS, False),
    ],
)
async def test_the_session_cookie_is_secure_exactly_when_the_browser_used_https(
    guild: SeededGuild, guild_db: Database, monkeypatch: pytest.MonkeyPatch,
    environ: dict[str, str], headers: dict[str, str], secure: bool,
) -> None:
    assert await _cookie_secure(guild, guild_db, monkeypatch, environ, headers) is secure


def test_forwarded_headers_are_read_from_the_nearest_proxy() -> None:
    assert forwarded_proto({"Forwarded": 'for=1.1.1.1;proto=http, for=2.2.2.2;proto="https"'}) == "https"
    assert forwarded_proto({"X-Forwarded-Proto": "http, HTTPS"}) == "https"
    assert forwarded_proto({}) is None


def test_a_bad_trusted_proxy_entry_is_ignored_not_fatal() -> None:
    policy = SchemePolicy.from_environ({TRUSTED_PROXIES_ENV: "not-an-ip, 192.168.1.0/24"})
    assert [str(n) for n in policy.trusted] == ["192.168.1.0/24"]
