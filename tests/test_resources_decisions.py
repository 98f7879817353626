"""Resource drafting and the Markdown export, pure: title, summary, contributors, tags, files and links."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.text import mention
from rituals.resources.decisions import ThreadLine, draft, normalise_tags, suggest_tags, summarise, title_for
from rituals.resources.export import ExportedResource, file_name, render_library

LINES = [
    ThreadLine("ana", "Our CI runners keep dying mid-build.\nAny ideas?"),
    ThreadLine("ben", "Spot instances with a drain hook fixed the runners for us."),
    ThreadLine("ana", "Thanks! What about runners memory?"),
    ThreadLine("cy", f"Set memory limits on runners, {mention('console:dee')} knows more."),
]


def test_title_is_the_prompt_question_else_the_first_line_shortened_on_a_word() -> None:
    assert title_for(LINES, "How do you keep state safe?") == "How do you keep state safe?"
    assert title_for(LINES, None) == "Our CI runners keep dying mid-build."
    long = [ThreadLine("a", "word " * 40)]
    assert len(title_for(long, None)) <= 91 and title_for(long, None).endswith("word…")


def test_summary_keeps_the_first_lines_and_marks_that_there_is_more() -> None:
    assert summarise(LINES, 2).splitlines() == ["Our CI runners keep dying mid-build.", "Any ideas?", "…"]


def test_contributors_in_order_of_first_message_and_markers_are_stripped_from_the_body() -> None:
    result = draft(LINES, question=None, summary_lines=3, given_tags=(), known_tags=())
    assert result.contributors == ("ana", "ben", "cy")
    assert "\ue000" not in result.body and "console:dee" in result.body


def test_given_tags_win_and_are_normalised() -> None:
    assert normalise_tags(["#CI", "Runners,ci", " #k8s "]) == ("ci", "runners", "k8s")
    with pytest.raises(ValueError, match="is not a tag"):
        normalise_tags(["a/b"])


def test_suggested_tags_prefer_known_tags_named_in_the_prompt_then_frequent_words() -> None:
    tags = suggest_tags("How do you run Terraform in CI?", LINES, known=["terraform", "ci", "kubernetes"])
    assert tags[:2] == ("ci", "terraform") or tags[:2] == ("terraform", "ci")
    assert "kubernetes" not in tags  # known, but never mentioned
    assert "runners" in tags  # frequent in the thread
    assert "with" not in tags and "what" not in tags


def _resource(i: int, title: str, tags: tuple[str, ...], link: str | None) -> ExportedResource:
    return ExportedResource(i, title, link, tags, ("ana",), "first line", "first line\nsecond line",
                            datetime(2027, 1, 8, tzinfo=UTC))


def test_export_has_one_file_per_resource_and_every_index_link_points_at_one() -> None:
    resources = [_resource(1, "CI runners: keep them alive", ("ci",), "https://x.example/t/1"),
                 _resource(2, "CI runners: keep them alive", ("ci", "cost"), None),  # same title, distinct file
                 _resource(3, "Untagged wisdom [draft]", (), None)]
    files = render_library(resources, "Guild", lambda key: key.upper())
    assert len(files) == 4 and "index.md" in files
    assert len({file_name(r) for r in resources}) == 3
    links = re.findall(r"\]\(([^)#]+\.md)\)", files["index.md"])
    assert set(links) == set(files) - {"index.md"}
    assert "<https://x.example/t/1>" in files[file_name(resources[0])]
    assert "gave no link" in files[file_name(resources[1])]
    assert "Untagged wisdom \\[draft\\]" in files[file_name(resources[2])]  # member text cannot break the Markdown
    assert "## untagged" in files["index.md"]
