"""Library search on both backends: SQLite FTS5 and PostgreSQL full-text search give the same answers.

Each test runs against a fresh SQLite file and a fresh database on the test PostgreSQL server
(tests/postgres_server.py): a body word finds its resource, prefixes match, a title match ranks above a body
match, communities never see each other's library, and member text cannot inject query syntax.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import resources as store
from storage.db import Database, open_database

AT = datetime(2027, 1, 8, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def library(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    url = f"sqlite:///{tmp_path / 'lib.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    db = open_database(url)
    with db.session() as tx:
        for i, (community, title, body, tags) in enumerate([
            ("guild", "Runner survival guide", "Spot instances with a drain hook; OOM killer limits", "ci,runners"),
            ("guild", "Terraform state, safely", "Versioned bucket, locking table; never apply from laptops",
             "terraform"),
            ("guild", "Dashboards we read", "Only the SLO one. Runner dashboards are noise", "observability"),
            ("other", "Runner secrets of another guild", "Never seen by guild", "ci"),
        ]):
            store.add_resource(tx, store.Resource(
                community=community, title=title, link=None, channel="general", thread_ref=f"t{i}",
                contributors="console:ana", tags=tags, summary=body.split(";")[0], body=body, harvested_by="ana",
                via="command", harvested_at=AT))
        tx.commit()
    yield db
    db.dispose()


def _titles(db: Database, words: str, community: str = "guild") -> list[str]:
    with db.session() as tx:
        return [r.title for r in store.search(tx, community, words, 5)]


def test_a_word_from_the_body_finds_its_resource(library: Database) -> None:
    assert _titles(library, "laptops") == ["Terraform state, safely"]
    assert _titles(library, "locking bucket") == ["Terraform state, safely"]  # every word must match


def test_prefixes_match_and_a_title_match_ranks_above_a_body_match(library: Database) -> None:
    assert _titles(library, "runn") == ["Runner survival guide", "Dashboards we read"]


def test_tags_are_searchable(library: Database) -> None:
    assert _titles(library, "observability") == ["Dashboards we read"]


def test_communities_do_not_see_each_others_library(library: Database) -> None:
    assert "Runner secrets of another guild" not in _titles(library, "runner")
    assert _titles(library, "secrets", community="other") == ["Runner secrets of another guild"]


def test_query_syntax_in_member_text_is_inert(library: Database) -> None:
    assert _titles(library, 'laptops" OR "runner') == []  # quotes and OR are just words (no resource has "or")
    assert _titles(library, "laptops & !x | y':*") == []
    assert _titles(library, "***") == []


def test_edits_and_removals_keep_the_index_in_step(library: Database) -> None:
    with library.session() as tx:
        [row] = store.search(tx, "guild", "laptops", 5)
        store.update_resource(tx, row, title="State files without tears", tags="terraform,state")
        tx.commit()
    assert _titles(library, "tears") == ["State files without tears"]
    assert _titles(library, "safely") == []
    with library.session() as tx:
        [row] = store.search(tx, "guild", "tears", 5)
        store.remove_resource(tx, row)
        tx.commit()
    assert _titles(library, "laptops") == []
