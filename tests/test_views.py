"""The terminal, Markdown and HTML renderings of one transcript show the same facts."""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

from typer.testing import CliRunner

from mockaws.bank import load_bank
from mockaws.cli import app
from mockaws.export import render_html
from mockaws.grading.offline import OfflineGrader
from mockaws.grading.runner import GradingRunner
from mockaws.models import SessionSettings, Verdict
from mockaws.session import Interview
from mockaws.transcripts import TranscriptStore, render_markdown
from mockaws.views import answer_view
from tests.conftest import MINI_BANK

BANK = load_bank([MINI_BANK], include_shipped=False)
SG = BANK.get("mini-sg-vs-nacl")
ANSWER = (
    "Um, security groups are stateful, so return traffic is allowed automatically. "
    "Basically NACLs are stateful too, um, and they apply per subnet."
)
FOLLOW_UP_ANSWER = "NACLs have deny rules too, evaluated in rule-number order."


def _words(text: str) -> str:
    """Rendered text as a reader sees it: the numbers that tie evidence to its point, tags and
    Markdown escapes dropped, entities decoded, lines unwrapped."""
    text = re.sub(r"<sup[^>]*>.*?</sup>|\[⚑?\d+\]", "", text)
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", text))
    return re.sub(r"\s+", " ", text.replace("\\", "")).replace(" .", ".").replace(" ,", ",")


def test_every_rendering_shows_the_same_facts_and_no_python_repr(home: Path) -> None:
    store = TranscriptStore(home / "transcripts")
    session = Interview([SG], GradingRunner(OfflineGrader()), store, SessionSettings(follow_ups=1))
    assert session.hint() is not None
    session.submit(ANSWER)
    assert session.prompt is not None and session.prompt.is_follow_up
    session.submit(FOLLOW_UP_ANSWER)
    session.wait_for_grades()
    session.finish()
    transcript = session.transcript
    view = answer_view(1, transcript.turns[0], SG)

    shown = CliRunner().invoke(
        app,
        ["transcripts", "show", transcript.id, "--bank", str(MINI_BANK)],
        env={"COLUMNS": "400"},
    )
    assert shown.exit_code == 0, shown.output
    renderings = {
        "terminal": _words(shown.stdout),
        "markdown": _words(render_markdown(transcript, BANK.questions)),
        "html": _words(render_html(transcript, BANK.questions)),
    }
    # The facts, worked out once.
    assert view.hints and view.red_flags and view.follow_ups and view.delivery
    assert {p.verdict for p in view.points} >= {Verdict.COVERED, Verdict.MISSED}
    facts = [
        *(p.point for p in view.points),
        *(p.evidence for p in view.points if p.evidence),
        *(f.flag for f in view.red_flags),
        *(f.sentence for f in view.red_flags),
        *view.hints,
        *(f.added for f in view.follow_ups),
        *view.delivery,
    ]
    for name, text in renderings.items():
        missing = [fact for fact in facts if _words(fact).strip() not in text]
        assert not missing, f"{name} leaves out {missing}"
        assert "{'" not in text and "['" not in text, name
        assert "Follow-up score" not in text, name
    # Each rubric point once, with its verdict beside it (not again as feedback lists); a point a
    # follow-up made is named again in what that follow-up added.
    for point in view.points:
        added = sum(point.point in f.added for f in view.follow_ups)
        for name, text in renderings.items():
            assert text.count(_words(point.point).strip()) == 1 + added, (name, point.point)
