"""Every setting community.yaml accepts is read by some code: a documented setting that does nothing is a lie.

The reads are found statically with mypy's type inference (tests/settings_reads.py). A setting that is
retired is refused by ``copbot check`` with what to write instead.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from config.loader import ConfigError, parse_config
from tests.settings_reads import Setting, SettingsReads

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def product() -> SettingsReads:
    return SettingsReads(REPO)


def test_every_setting_in_the_schema_is_read_by_some_code(product: SettingsReads) -> None:
    assert len(product.settings()) > 100  # the walk found the models (a broken walk would find nothing unread)
    unread = [str(s) for s in product.unread()]
    assert unread == [], (
        "these settings are in community.yaml's schema but no code reads them; use them, or retire them "
        f"(config/retired.py) so `copbot check` says what to write instead: {unread}"
    )


def test_reads_are_told_apart_by_model_not_by_name(product: SettingsReads) -> None:
    """``require_ground_rules_ack`` is read on the pairing settings; no other model's field of that name counts."""
    assert Setting("config.pairing.PairingConfig", "require_ground_rules_ack") in product.reads
    assert Setting("config.ladder.LadderConfig", "enabled") in product.reads  # via the Switchable protocol
    assert Setting("config.ladder.Rung", "prompt_replies") in product.reads  # via model_dump


def test_the_walk_finds_a_setting_nobody_reads(tmp_path: Path) -> None:
    """The check can fail: a model with one read field and one unread field, in a module of its own."""
    probe = tmp_path / "config_probe.py"
    probe.write_text(textwrap.dedent('''
        from pydantic import Field, field_validator
        from config.base import Strict


        class ProbeConfig(Strict):
            used: int = Field(default=1)
            checked_only: int = Field(default=2)
            never: bool = Field(default=False)

            @field_validator("checked_only")
            @classmethod
            def _positive(cls, value: int) -> int:
                return value


        def use(probe: ProbeConfig | None) -> int:
            return probe.used if probe is not None else 0
    '''), encoding="utf-8")
    found = SettingsReads(REPO, packages=("config",), extra=(probe,))
    unread = {str(s) for s in found.unread() if s.model.endswith("ProbeConfig")}
    assert unread == {"ProbeConfig.checked_only", "ProbeConfig.never"}


ONBOARDING = """\
community:
  id: guild
  name: Guild
  channels:
    general: guild
rituals:
  onboarding:
    require_ground_rules_ack_for_pairing: {value}
"""


@pytest.mark.parametrize("value", ["true", "false"])
def test_the_retired_onboarding_pairing_switch_is_refused_with_what_to_write(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(ONBOARDING.format(value=value), "community.yaml")
    [problem] = caught.value.problems
    assert (problem.line, problem.col) == (8, 5)
    assert "rituals.onboarding.require_ground_rules_ack_for_pairing" in problem.message
    assert "require_ground_rules_ack: true" in problem.message
    assert "rituals.pairing" in problem.message
