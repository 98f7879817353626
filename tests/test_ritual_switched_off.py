"""Every ritual that can be switched off says so the same way, naming the setting an admin would change."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest

from bot.commands import CommandError
from bot.configured_ritual import ConfiguredRitual
from bot.ritual import RitualContext
from config.models import CommunityConfig
from copbot.registry import RITUALS
from tests.conftest import make_config

PINNED = {
    "prompts": "Weekly prompts are switched off here (rituals.prompts in community.yaml).",
    "onboarding": "Welcome onboarding is switched off here (rituals.onboarding in community.yaml).",
    "pairing": "Pairing is switched off here (rituals.pairing in community.yaml).",
    "facilitator": "The facilitator rota is switched off here (rituals.facilitator in community.yaml).",
    "polls": "Polls are switched off here (rituals.polls in community.yaml).",
    "kudos": "Kudos are switched off here (rituals.kudos in community.yaml).",
    "resources": "The resource library is switched off here (rituals.resources in community.yaml).",
    "ladder": "The member ladder is switched off here (rituals.ladder in community.yaml).",
}
SWITCHABLE = [r for r in RITUALS if isinstance(r, type) and issubclass(r, ConfiguredRitual)]


def without(config: CommunityConfig, section: str) -> CommunityConfig:
    return config.model_copy(update={"rituals": config.rituals.model_copy(update={section: None})})


def test_the_pinned_messages_belong_to_switchable_rituals() -> None:
    assert set(PINNED) <= {r.section for r in SWITCHABLE}


@pytest.mark.parametrize("ritual_class", SWITCHABLE, ids=lambda r: r.section)
def test_a_ritual_left_out_of_community_yaml_is_off_and_says_where_to_switch_it_on(
    ritual_class: type[ConfiguredRitual[Any]],
) -> None:
    config = without(make_config(), ritual_class.section)
    ritual = ritual_class(RitualContext(SimpleNamespace(config=config)))  # type: ignore[arg-type]
    assert not ritual.enabled()
    with pytest.raises(CommandError) as refused:
        ritual._on()
    section = ritual_class.section
    assert re.fullmatch(rf"[A-Z].* (is|are) switched off here \(rituals\.{section} in community\.yaml\)\.",
                        str(refused.value))
    if section in PINNED:  # the wording members already know stays as it is
        assert str(refused.value) == PINNED[section]
