"""Discord identities as copbot stores them: member keys, message references and delivery nonces.

Only this adapter parses these strings. A member is ``discord:<guild_id>:<user_id>``; a message is
``<channel_id>:<message_id>`` (a thread started from a message has the message's id, so a prompt's
reference also names its thread).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

PLATFORM = "discord"
NONCE_LENGTH = 25  # Discord refuses longer nonces


def member_key(guild_id: int | None, user_id: int) -> str:
    return f"{PLATFORM}:{guild_id or 0}:{user_id}"


def guild_of(key: str) -> int | None:
    """The server in a member key (``None`` for a key without one, or of another platform)."""
    parts = key.split(":")
    if len(parts) != 3 or parts[0] != PLATFORM or not parts[1].isdigit():
        return None
    return int(parts[1]) or None


def guild_for_dm(
    *, configured: int | None, remembered: int | None, guilds_with_user: Sequence[int], guilds: Sequence[int]
) -> int | None:
    """The server a button pressed (or a command run) in a DM belongs to; Discord sends no ``guild_id`` there.

    The community's server when one is configured (``DISCORD_GUILD_ID``); else the server the DM's message was
    sent for (remembered when it was sent); else the server the bot shares with the member; else the first
    server the bot is in. ``None`` only when the bot is in no server at all.
    """
    for choice in (configured, remembered, *guilds_with_user, *guilds):
        if choice:
            return choice
    return None


def user_id_of(key: str) -> int:
    """The Discord user id in a member key; a key from another platform is a loud error."""
    parts = key.split(":")
    if len(parts) != 3 or parts[0] != PLATFORM or not parts[2].isdigit():
        raise ValueError(f"{key!r} is not a Discord member key (discord:<guild_id>:<user_id>)")
    return int(parts[2])


def message_ref(channel_id: int, message_id: int) -> str:
    return f"{channel_id}:{message_id}"


def parse_ref(ref: str) -> tuple[int, int]:
    """``channel_id:message_id`` → the two ids."""
    channel, _, message = ref.partition(":")
    if not channel.isdigit() or not message.isdigit():
        raise ValueError(f"{ref!r} is not a Discord message reference (<channel_id>:<message_id>)")
    return int(channel), int(message)


def part_label(recipient: int, number: int) -> str:
    """Which message of a delivery: the recipient (a group message is one DM each) and the part of a long text.

    The first part of each recipient keeps the bare recipient number, as before long texts were split, so a
    message sent by an older copbot is still found after an upgrade.
    """
    return str(recipient) if number == 0 else f"{recipient}.{number}"


def nonce_for(delivery_id: str, part: int | str = 0) -> str:
    """A 25-character nonce derived from the outbox delivery id (and a part, for one DM per group member).

    Same delivery → same nonce, so Discord's ``enforce_nonce`` returns the first message instead of
    creating a second one when a send is repeated after a crash.
    """
    digest = hashlib.sha256(f"{delivery_id}#{part}".encode()).hexdigest()
    return digest[:NONCE_LENGTH]


MARKER_PREFIX = "copbot · ref "


def delivery_marker(delivery_id: str, part: int | str = 0) -> str:
    """The footer text that names a message's delivery, found again in the channel's history after a crash.

    Why a footer and not the nonce: Discord returns the nonce only when the message is created (and in the
    gateway event), never when history is read, and enforces it for a few minutes only. The footer comes
    back with every fetched message for as long as the message exists. Twelve hex digits of the nonce's
    hash: short in small grey type, and no collision among a channel's recent messages. An admin can also
    match it to the outbox row (``nonce_for(delivery id)`` starts with it).
    """
    return MARKER_PREFIX + nonce_for(delivery_id, part)[:12]
