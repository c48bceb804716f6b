"""Exports: Markdown as the tool writes it, JSON that loads back, HTML that stands alone."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from mockaws.errors import BadInputError
from mockaws.export import export_text, outline_items
from mockaws.models import Feedback, Transcript, Usage
from mockaws.transcripts import load_transcript, render_markdown
from tests.conftest import DATA
from tests.factories import mini_bank

BANK = mini_bank().questions


@pytest.fixture
def transcript() -> Transcript:
    loaded = load_transcript(DATA / "transcripts" / "v1.json")
    # Answers are data: markup in them must come out as text.
    loaded.turns[1].answer = "S3 is <b>strong</b> & <script>alert(1)</script> now"
    return loaded


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_one_self_contained_page(transcript: Transcript) -> None:
    html = export_text(transcript, BANK, "html")
    page = Page()
    page.feed(html)
    names = [tag for tag, _ in page.tags]
    assert html.startswith("<!DOCTYPE html>") and names.count("style") == 1
    assert "script" not in names and "link" not in names and "img" not in names
    for _, attrs in page.tags:
        for name in ("src", "href"):
            assert not (attrs.get(name) or "").startswith(("http", "//")), attrs
    assert "@import" not in html and "url(" not in html
    text = "".join(page.text)
    assert "S3 is <b>strong</b> & <script>alert(1)</script> now" in text


def test_html_highlights_evidence_and_shows_every_verdict(transcript: Transcript) -> None:
    html = export_text(transcript, BANK, "html")
    marks = re.findall(r'<mark class="(\w+)">([^<]*)</mark>', html)
    assert (
        "covered",
        "Security groups are stateful and sit on the ENI, so return traffic is allowed",
    ) in marks
    assert any(kind == "red_flag" and text.startswith("NACLs are stateful") for kind, text in marks)
    sg = BANK["mini-sg-vs-nacl"]
    for point in sg.rubric:
        assert point.point in html
    assert sg.red_flags[0].flag in html
    assert 'class="pill missed"' in html and 'class="pill covered"' in html
    assert "Not graded: interrupted before the answer was submitted" in html
    assert (
        "How would you block a single abusive IP address?" in html
    )  # the follow-up to think about
    assert sg.reference_answer.strip()[:40] in html


def test_markdown_is_the_tools_own_rendering(transcript: Transcript) -> None:
    assert export_text(transcript, BANK, "md") == render_markdown(transcript, BANK)


def test_json_loads_back_unchanged(transcript: Transcript) -> None:
    assert Transcript.model_validate_json(export_text(transcript, BANK, "json")) == transcript


def test_unknown_format(transcript: Transcript) -> None:
    with pytest.raises(BadInputError, match="unknown export format 'pdf'"):
        export_text(transcript, BANK, "pdf")


def test_outline_items_keep_the_graders_markers() -> None:
    feedback = Feedback(outline=["✓ covered idea", "• missing idea", "Plain sentence"])
    assert outline_items(feedback) == ["✓ covered idea", "• missing idea", "• Plain sentence"]


def test_the_repository_samples_load_and_one_is_exported_as_html() -> None:
    samples = DATA.parents[1] / "transcripts"
    loaded = [load_transcript(path) for path in sorted(samples.glob("*.json"))]
    assert 2 <= len(loaded) <= 3
    for transcript in loaded:
        assert (samples / f"{transcript.id}.md").is_file()
        assert transcript.settings.grader == "offline" and transcript.graded_turns
    assert len(list(samples.glob("*.html"))) == 1


def test_html_says_what_grading_cost(transcript: Transcript) -> None:
    grade = transcript.turns[0].grade
    assert grade is not None
    grade.model = "gpt-4o-mini"
    grade.usage = Usage(prompt_tokens=1200, completion_tokens=300, cost_usd=0.0012)
    html = export_text(transcript, BANK, "html")
    assert "offline, gpt-4o-mini, $0.0012" in html
    assert "grading cost: $0.0012 for 1,200 tokens in" in html
