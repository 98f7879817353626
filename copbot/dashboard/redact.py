"""Keep the dashboard token out of logs: aiohttp's access log writes each request line with its query.

Why a log filter: ``/dashboard?token=...`` is how a browser first presents the token, and the access log
(on at ``copbot -v``, or in any deployment that logs aiohttp.access) would otherwise store it in plain
text. Tokens are never logged; the filter rewrites the value to ``[redacted]`` whoever runs the server.
"""

from __future__ import annotations

import logging
import re

ACCESS_LOGGER = "aiohttp.access"
_TOKEN_IN_URL = re.compile(r"([?&]token=)[^&\s\"']*", re.IGNORECASE)


def redact(text: str) -> str:
    """``GET /dashboard?token=abc&x=1`` → ``GET /dashboard?token=[redacted]&x=1``."""
    return _TOKEN_IN_URL.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """Rewrites ``token=`` values in a record's message and in aiohttp's structured ``first_request_line``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "token=" in record.msg.lower():
            record.msg = redact(record.msg)
        line = getattr(record, "first_request_line", None)
        if isinstance(line, str):
            record.first_request_line = redact(line)
        return True


def protect_access_log() -> None:
    """Attach the filter to aiohttp's access logger, once however many apps are built."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactTokens) for f in logger.filters):
        logger.addFilter(RedactTokens())
