"""Was the browser's request HTTPS? Behind a TLS-terminating reverse proxy the bot itself only sees plain HTTP.

Why it matters: the dashboard's session cookie must be ``Secure`` whenever the browser reached us over HTTPS,
or a later plain-HTTP request (a mistyped link, a downgrade) would send it in the clear. The proxy says which
scheme the browser used (``X-Forwarded-Proto``, or RFC 7239 ``Forwarded: proto=https``), but anyone can send
those headers, so they are believed only from a proxy the operator named in ``COPBOT_TRUSTED_PROXIES``
(addresses or networks, comma-separated). ``COPBOT_PUBLIC_URL=https://...`` says it once for all requests.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Mapping
from dataclasses import dataclass

log = logging.getLogger("copbot.dashboard")

PUBLIC_URL_ENV = "COPBOT_PUBLIC_URL"
TRUSTED_PROXIES_ENV = "COPBOT_TRUSTED_PROXIES"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class SchemePolicy:
    """How to tell an HTTPS request: always (a public https URL), from a trusted proxy's word, or the socket's."""

    public_https: bool = False
    trusted: tuple[Network, ...] = ()

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> SchemePolicy:
        """Read both settings; an entry that is not an address or network is logged and ignored."""
        public = environ.get(PUBLIC_URL_ENV, "").strip().lower().startswith("https://")
        trusted: list[Network] = []
        for entry in environ.get(TRUSTED_PROXIES_ENV, "").split(","):
            if entry.strip():
                try:
                    trusted.append(ipaddress.ip_network(entry.strip(), strict=False))
                except ValueError:
                    log.warning("%s: %r is not an address or network (e.g. 10.0.0.5 or 10.0.0.0/8); ignored",
                                TRUSTED_PROXIES_ENV, entry.strip()[:60])
        return cls(public, tuple(trusted))

    def is_https(self, *, secure: bool, remote: str | None, headers: Mapping[str, str]) -> bool:
        """True when the browser's connection was HTTPS, as far as can be trusted."""
        if secure or self.public_https:
            return True
        if not remote or not self._trusts(remote):
            return False
        return forwarded_proto(headers) == "https"

    def _trusts(self, remote: str) -> bool:
        try:
            address = ipaddress.ip_address(remote)
        except ValueError:
            return False
        return any(address in network for network in self.trusted)


def forwarded_proto(headers: Mapping[str, str]) -> str | None:
    """The scheme the nearest proxy reports: the last ``proto=`` of ``Forwarded``, else the last
    ``X-Forwarded-Proto`` value (the nearest proxy appends its own; earlier ones came from the client)."""
    forwarded = headers.get("Forwarded")
    if forwarded:
        for element in reversed(forwarded.split(",")):
            for pair in element.split(";"):
                name, _, value = pair.strip().partition("=")
                if name.strip().lower() == "proto":
                    return value.strip().strip('"').lower() or None
    legacy = headers.get("X-Forwarded-Proto")
    if legacy:
        return legacy.split(",")[-1].strip().lower() or None
    return None
