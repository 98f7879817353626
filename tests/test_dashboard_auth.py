"""The dashboard's token rules, as pure functions: which presentations of the token open the page."""

from __future__ import annotations

import pytest

from copbot.dashboard.auth import (
    TOKEN_ENV,
    bearer_token,
    configured_token,
    cookie_value,
    is_authorised,
    token_matches,
)

TOKEN = "correct-horse-battery-staple-42"


@pytest.mark.parametrize(("environ", "expected"), [
    ({}, None),
    ({TOKEN_ENV: ""}, None),
    ({TOKEN_ENV: "  \n"}, None),  # a blank line in an env file is not a token
    ({TOKEN_ENV: f" {TOKEN}\n"}, TOKEN),
    ({"OTHER": TOKEN}, None),
])
def test_only_a_non_blank_variable_turns_the_dashboard_on(environ: dict[str, str], expected: str | None) -> None:
    assert configured_token(environ) == expected


@pytest.mark.parametrize(("header", "expected"), [
    (f"Bearer {TOKEN}", TOKEN),
    (f"bearer {TOKEN}", TOKEN),  # the scheme is case-insensitive (RFC 7235)
    (f"Bearer   {TOKEN}  ", TOKEN),
    (f"Basic {TOKEN}", None),
    ("Bearer", None),
    ("Bearer ", None),
    ("", None),
    (None, None),
])
def test_bearer_header_parsing(header: str | None, expected: str | None) -> None:
    assert bearer_token(header) == expected


def test_token_comparison_is_exact() -> None:
    assert token_matches(TOKEN, TOKEN)
    assert not token_matches(TOKEN + "x", TOKEN)
    assert not token_matches(TOKEN[:-1], TOKEN)
    assert not token_matches(TOKEN.upper(), TOKEN)
    assert not token_matches("", TOKEN)
    assert not token_matches(None, TOKEN)
    assert not token_matches("ünïcode", TOKEN)


def test_the_cookie_is_a_digest_bound_to_the_token() -> None:
    value = cookie_value(TOKEN)
    assert TOKEN not in value and len(value) == 64
    assert value == cookie_value(TOKEN)  # stable: a browser's cookie survives a bot restart
    assert value != cookie_value(TOKEN + "-rotated")  # rotating the token ends every session


@pytest.mark.parametrize(("authorization", "query", "cookie", "allowed"), [
    (f"Bearer {TOKEN}", None, None, True),
    (None, TOKEN, None, True),
    (None, None, cookie_value(TOKEN), True),
    (None, None, None, False),
    ("Bearer nope", None, None, False),
    (None, "nope", None, False),
    (None, None, TOKEN, False),  # the raw token is not a valid cookie
    (None, None, cookie_value("another-token-entirely"), False),
])
def test_any_one_right_presentation_is_enough(
    authorization: str | None, query: str | None, cookie: str | None, allowed: bool
) -> None:
    assert is_authorised(TOKEN, authorization=authorization, query_token=query, cookie=cookie) is allowed
