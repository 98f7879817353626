"""Who may see the dashboard: whoever presents the token from ``COPBOT_DASHBOARD_TOKEN``.

Why a shared token and not accounts: the page is read-only and meant for a handful of facilitators; a
long random token in the environment is simple to rotate and needs no user table. It is accepted as
``Authorization: Bearer <token>`` (scripts, monitoring) or once as ``?token=`` (a bookmark), which sets an
HttpOnly cookie so the page's chart images load without the token in their links. Every comparison is
constant-time, and the cookie holds a keyed digest of the token, never the token itself.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

TOKEN_ENV = "COPBOT_DASHBOARD_TOKEN"
COOKIE_NAME = "copbot_dashboard"
MIN_TOKEN_LENGTH = 16  # shorter tokens still work, but the bot warns: they can be guessed


def configured_token(environ: Mapping[str, str]) -> str | None:
    """The token from the environment, or None (blank counts as unset: no dashboard at all)."""
    token = environ.get(TOKEN_ENV, "").strip()
    return token or None


def token_matches(presented: str | None, expected: str) -> bool:
    """Constant-time equality of a presented token with the configured one."""
    if presented is None:
        return False
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


def cookie_value(token: str) -> str:
    """What the session cookie holds: a digest keyed by the token, so a leaked cookie jar leaks no token."""
    return hmac.new(token.encode("utf-8"), b"copbot dashboard session", hashlib.sha256).hexdigest()


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (scheme case-insensitive), else None."""
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def is_authorised(
    expected: str, *, authorization: str | None, query_token: str | None, cookie: str | None
) -> bool:
    """True if any of the three ways of presenting the token carries the right one."""
    if token_matches(bearer_token(authorization), expected):
        return True
    if token_matches(query_token, expected):
        return True
    return cookie is not None and hmac.compare_digest(cookie.encode("utf-8"), cookie_value(expected).encode("utf-8"))
