"""Interest groups end to end on the console adapter: a guild's members join groups, each group gets its own
question and pairs among its own members, its participation counts for it, and a quiet group is flagged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.console.adapter import ConsoleAdapter
from bot.clock import ManualClock
from bot.events import ButtonClicked, ReplyPosted
from bot.runtime import Runtime
from config.loader import ConfigError
from rituals.groups.decisions import Listed, check_name, join_buttons, listing, quiet_groups
from storage import groups as store
from storage import queries
from storage.db import Database
from tests.conftest import COMMUNITY_YAML, START, make_config
from tests.practice_helpers import advance, ask, start

GROUPS_YAML = """\
  groups:
    quiet_after_weeks: 2
    check:
      cron: "0 9 * * mon"
    groups:
      - name: kubernetes
        description: clusters, operators and the pain of upgrades
        prompt:
          schedule:
            cron: "0 10 * * wed"
          questions:
            - Which operator would you never run again?
            - How do you test upgrades?
        pairing:
          schedule:
            cron: "0 9 * * tue"
      - name: finops
        channel: "#cost"
"""

@pytest.fixture
async def guild(db: Database, adapter: ConsoleAdapter, clock: ManualClock) -> AsyncIterator[Runtime]:
    bot = await start(make_config(COMMUNITY_YAML + GROUPS_YAML), db, adapter, clock)
    yield bot
    await bot.stop()


def test_the_list_shows_each_group_and_offers_buttons_for_the_others() -> None:
    shown = [Listed("kubernetes", "clusters", 3, mine=True), Listed("finops", "", 1, mine=False)]
    text = listing(shown)
    assert "*kubernetes*: clusters (3 members) (you're in)" in text
    assert "*finops* (1 member)" in text
    assert join_buttons(shown) == ["finops"]
    assert "no interest groups yet" in listing([])


def test_a_group_name_is_a_short_slug() -> None:
    assert check_name("#Kubernetes") == "kubernetes"
    with pytest.raises(ValueError, match="lowercase letters"):
        check_name("platform engineering!")


def test_a_bad_group_name_in_community_yaml_is_explained_in_words() -> None:
    with pytest.raises(ConfigError, match="short name of lowercase letters, digits and dashes"):
        make_config(COMMUNITY_YAML + GROUPS_YAML + "      - name: Platform Engineering\n")


def test_duplicate_group_names_are_refused_with_their_line() -> None:
    with pytest.raises(ConfigError, match="kubernetes appears more than once"):
        make_config(COMMUNITY_YAML + GROUPS_YAML + "      - name: kubernetes\n")


async def test_members_join_and_leave_and_the_adapter_is_asked_to_add_them(
        guild: Runtime, adapter: ConsoleAdapter) -> None:
    listed = await ask(guild, "ana", "groups")
    assert "*kubernetes*: clusters, operators" in listed and "(0 members)" in listed
    [offer] = [m for m in adapter.transcript if m.where == "only @ana"]
    assert offer.buttons == ["Join finops [groups.join]", "Join kubernetes [groups.join]"]
    assert [m.where for m in adapter.transcript if m.where.startswith("setup")] == ["setup #grp-kubernetes",
                                                                                    "setup #cost"]
    assert await ask(guild, "ana", "group join Kubernetes") == "You joined *kubernetes*. Say hello in #grp-kubernetes!"
    assert "already in" in await ask(guild, "ana", "group join kubernetes")
    await guild.handle_event(ButtonClicked(platform="console", event_id="b1", member="console:ben",
                                           at=guild.clock.now(), action_id="groups.join", value="kubernetes"))
    await guild.settle()
    assert "(@ben joined #grp-kubernetes)" in [m.text for m in adapter.transcript]
    assert "Did you mean `finops`?" in await ask(guild, "ana", "group join finop")
    assert "You left *kubernetes*" in await ask(guild, "ana", "group leave kubernetes")
    assert "(@ana left #grp-kubernetes)" in [m.text for m in adapter.transcript]
    with guild.db.session() as tx:
        assert store.members_of(tx, guild.community, "kubernetes") == ["console:ben"]
    assert "in 1 group (kubernetes)" in await ask(guild, "ben", "stats")


async def test_only_facilitators_create_groups_and_the_channel_is_made(guild: Runtime, adapter: ConsoleAdapter) -> None:
    assert (await ask(guild, "ben", 'group create rust "crabs"')).startswith("Only facilitators")
    answer = await ask(guild, "fay", 'group create rust "systems programming, carefully"')
    assert "Created the *rust* group with its channel #grp-rust" in answer
    assert "already a group" in await ask(guild, "fay", "group create rust")
    assert "setup #grp-rust" in [m.where for m in adapter.transcript]
    with guild.db.session() as tx:
        row = store.group(tx, guild.community, "rust")
        assert row is not None and row.channel_ref == "grp-rust" and row.source == "chat"
        assert store.members_of(tx, guild.community, "rust") == ["console:fay"]


async def test_a_group_has_its_own_question_and_pairs_only_its_members(
        guild: Runtime, adapter: ConsoleAdapter, clock: ManualClock) -> None:
    for name in ("ana", "ben", "chen"):
        await ask(guild, name, "group join kubernetes")
    await advance(guild, clock, datetime(2027, 1, 6, 10, 30, tzinfo=UTC))  # Wednesday 11:30 Berlin
    [question] = [m for m in adapter.transcript if m.where == "#grp-kubernetes" and "This week in" in m.text]
    assert "Which operator would you never run again?" in question.text
    await guild.handle_event(ReplyPosted(platform="console", event_id="r1", member="console:ben", at=clock.now(),
                                         channel="grp-kubernetes", thread_ref=question.ref, message_ref="x1",
                                         text="the one that ate our etcd"))
    await guild.settle()
    await advance(guild, clock, datetime(2027, 1, 12, 9, 0, tzinfo=UTC))  # Tuesday: the group's pairing
    pairs = [m for m in adapter.transcript if m.where.startswith("group DM") and "paired in *kubernetes*" in m.text]
    assert len(pairs) == 1  # three members: one trio
    assert sorted(pairs[0].where.removeprefix("group DM ").split(", ")) == ["@ana", "@ben", "@chen"]
    await guild.handle_event(ButtonClicked(platform="console", event_id="m1", member="console:chen", at=clock.now(),
                                           action_id="groups.met", value=pairs[0].buttons[0] and "1"))
    await guild.settle()
    with guild.db.session() as tx:
        rows = [(e.member, e.kind) for e in queries.participation(tx, guild.community)
                if e.subject == "group:kubernetes"]
        figures = {f.name: f for f in store.figures(tx, guild.community, clock.now())}
    assert sorted(rows) == [("console:ana", "met"), ("console:ben", "met"), ("console:ben", "reply"),
                            ("console:chen", "met")]
    assert figures["kubernetes"].members == 3 and figures["kubernetes"].active_members == 3
    assert figures["kubernetes"].trend == "up" and figures["finops"].recent == 0


async def test_a_quiet_group_is_flagged_to_the_facilitators_once_a_week(
        guild: Runtime, adapter: ConsoleAdapter, clock: ManualClock) -> None:
    await ask(guild, "ana", "group join finops")
    await advance(guild, clock, START + timedelta(days=20))

    def flags() -> list[str]:
        return [m.text for m in adapter.transcript if m.where == "DM @dana" and "*finops* group" in m.text]

    assert len(flags()) == 1  # the checks of weeks 0 and 1 found it quiet for less than 2 weeks
    assert "quiet for 2 weeks" in flags()[0]
    await advance(guild, clock, START + timedelta(days=21, hours=3))
    assert len(flags()) == 2 and "quiet for 3 weeks" in flags()[1]


def test_quiet_groups_decision() -> None:
    now = datetime(2027, 2, 1, tzinfo=UTC)
    figures = [store.GroupFigures("a", 3, 0, 0, 0, now - timedelta(weeks=3)),
               store.GroupFigures("b", 3, 1, 1, 0, now - timedelta(days=2))]
    assert [(q.name, q.weeks) for q in quiet_groups(figures, now, 2)] == [("a", 3)]


async def test_a_group_added_to_community_yaml_is_there_at_once_and_gets_its_channel_when_first_needed(
        guild: Runtime, adapter: ConsoleAdapter, clock: ManualClock) -> None:
    assert "rust" not in await ask(guild, "ana", "groups")
    guild.apply_config(make_config(COMMUNITY_YAML + GROUPS_YAML + "      - name: rust\n"))  # hot reload
    assert "*rust* (0 members)" in await ask(guild, "ana", "groups")
    assert "You joined *rust*" in await ask(guild, "ana", "group join rust")
    assert [m.where for m in adapter.transcript].count("setup #grp-rust") == 1


async def test_the_dashboard_and_the_health_report_show_each_group(guild: Runtime, clock: ManualClock) -> None:
    from copbot.dashboard.data import gather
    from copbot.dashboard.routes import templates
    from rituals.health.texts import groups_text

    await ask(guild, "ana", "group join kubernetes")
    await ask(guild, "ben", "group join kubernetes")
    html = templates().get_template("dashboard.html").render(d=gather(guild, clock.now()))
    assert '<section id="groups">' in html
    assert '<tr data-group="kubernetes"><td>kubernetes</td><td>2</td>' in html
    with guild.db.session() as tx:
        text = groups_text(store.figures(tx, guild.community, clock.now()))
    assert "• kubernetes: 2 members, 0 active, 0 contributions → (4 weeks before: 0)" in text


async def test_what_the_bot_says_on_joining_is_the_admins_to_change(guild: Runtime) -> None:
    own = GROUPS_YAML.replace("  groups:\n    quiet", '  groups:\n    texts:\n      joined: "Welcome to {group}, '
                              'see you in {channel}"\n    quiet', 1)
    guild.apply_config(make_config(COMMUNITY_YAML + own))  # hot reload
    assert await ask(guild, "ana", "group join finops") == "Welcome to finops, see you in #cost"
