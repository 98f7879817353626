"""Buttons as persistent components: the click is understood from its ``custom_id`` alone.

A ``DynamicItem`` is matched by a pattern on the ``custom_id`` rather than by a view kept in memory,
so a button on a message sent last month still works after any number of restarts. The ``custom_id``
carries the neutral :class:`bot.actions.Button`'s ``action_id`` and ``value``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol

import discord

from bot.actions import Button

PREFIX = "cop:"
MAX_CUSTOM_ID = 100


class ClickSink(Protocol):
    async def on_button(self, interaction: discord.Interaction, action_id: str, value: str) -> None: ...


def custom_id(button: Button) -> str:
    """``cop:<action_id>|<value>``; Discord allows 100 characters, so a longer one is a loud error."""
    if "|" in button.action_id:
        raise ValueError(f"button action_id {button.action_id!r} may not contain '|'")
    text = f"{PREFIX}{button.action_id}|{button.value}"
    if len(text) > MAX_CUSTOM_ID:
        raise ValueError(f"button custom_id is {len(text)} characters; Discord allows {MAX_CUSTOM_ID}")
    return text


class CopButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"cop:(?P<action>[^|]*)\|(?P<value>.*)"):
    """One copbot button; registered once with ``client.add_dynamic_items`` at start."""

    def __init__(self, label: str, action_id: str, value: str) -> None:
        self.action_id = action_id
        self.value = value
        super().__init__(
            discord.ui.Button(
                label=label[:80] or action_id,
                style=discord.ButtonStyle.primary,
                custom_id=custom_id(Button(label, action_id, value)),
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CopButton:
        label = getattr(item, "label", None) or match["action"]
        return cls(label, match["action"], match["value"])

    async def callback(self, interaction: discord.Interaction) -> None:
        sink: ClickSink | None = getattr(interaction.client, "copbot", None)
        if sink is None:
            await interaction.response.defer()
            return
        await sink.on_button(interaction, self.action_id, self.value)


def view_for(buttons: Sequence[Button]) -> discord.ui.View | None:
    """A view without timeout holding the buttons (None when there are none)."""
    if not buttons:
        return None
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(CopButton(button.label, button.action_id, button.value))
    return view
