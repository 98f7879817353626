"""`copbot simulate` with the shipped community and a local window (community.yaml shows it commented out): every
DM reaches its member in their own daytime, which the same simulation without the window does not manage."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import copbot.simulate as simulate
from config.loader import load_config
from config.local_window import LocalWindow
from config.models import CommunityConfig

ROOT = Path(__file__).resolve().parents[1]


def with_window(config: CommunityConfig, window: LocalWindow | None) -> CommunityConfig:
    dms = config.delivery.direct_messages.model_copy(update={"local_window": window})
    return config.model_copy(update={"delivery": config.delivery.model_copy(update={"direct_messages": dms})})


def test_no_dm_reaches_a_member_outside_their_daytime(tmp_path: Path, scenario_start: datetime) -> None:
    config = with_window(load_config(ROOT / "community.yaml"), LocalWindow())  # 09:00-18:00 local, weekdays
    summary = asyncio.run(simulate._simulate(config, 2, 40, 3, None, False, tmp_path / "on.db", scenario_start))
    dms = summary["direct_messages"]
    assert dms["sent"] > 50
    assert dms["outside_local_window"] == 0
    plain = asyncio.run(
        simulate._simulate(with_window(config, None), 2, 40, 3, None, False, tmp_path / "off.db", scenario_start)
    )
    assert plain["direct_messages"]["outside_local_window"] > 0  # the measure can see DMs at 3 a.m.
