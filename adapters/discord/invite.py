"""``copbot discord invite``: the OAuth2 URL that adds the bot to a server with exactly what it needs."""

from __future__ import annotations

import os
import sys
from urllib.parse import urlencode

import discord

SCOPES = ("bot", "applications.commands")


def needed_permissions() -> discord.Permissions:
    """What the rituals use, and nothing more: see channels, post (with the footer embed that names a delivery,
    and the health report's chart as a file), open threads on prompts and post in them, read history (a
    delivery looked up after a crash, thread replies), react."""
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        create_public_threads=True,
        read_message_history=True,
        add_reactions=True,
        embed_links=True,
        attach_files=True,
    )


def invite_url(client_id: str) -> str:
    query = {"client_id": client_id, "scope": " ".join(SCOPES), "permissions": str(needed_permissions().value)}
    return "https://discord.com/oauth2/authorize?" + urlencode(query)


def print_invite(client_id: str | None) -> int:
    """Print the URL; exit 2 with a hint when the application id is unknown."""
    client_id = (client_id or os.environ.get("DISCORD_APPLICATION_ID", "")).strip()
    if not client_id.isdigit():
        print(
            "copbot discord invite needs the application id: pass --client-id or set DISCORD_APPLICATION_ID "
            "(https://discord.com/developers/applications → your application → General Information → Application ID)",
            file=sys.stderr,
        )
        return 2
    print(invite_url(client_id))
    return 0
