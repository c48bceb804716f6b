"""The interview as a person uses it: in a real pseudo-terminal, driven with pexpect."""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import mockaws.grading
from mockaws.cli import app
from mockaws.models import SessionStatus, Transcript, TurnStatus
from tests.banks import isolated_bank_args, only_test_topics
from tests.fakes import ScriptedGrader
from tests.terminal import CTRL_C, CTRL_D, ROOT, SUBMIT, TIMEOUT, Terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")


@pytest.fixture
def banks(tmp_path: Path) -> list[str]:
    """The three test questions, and only them."""
    return [*isolated_bank_args(tmp_path), *only_test_topics()]


def only_transcript(home: Path) -> Transcript:
    (path,) = (home / "transcripts").glob("*.json")
    return Transcript.model_validate_json(path.read_text())


def test_answer_hint_skip_and_quit_in_a_terminal(home: Path, banks: list[str]) -> None:
    term = Terminal.mockaws(
        "interview", "-n", "3", "--mode", "study", "--seed", "1", *banks, home=home
    )
    term.expect("Question 1 of 3")
    # The way to submit and the commands are on screen.
    term.expect("Submit: Esc then Enter (or Alt-Enter, Ctrl-D) · Enter: new line · Ctrl-C: quit")
    term.expect("Commands: /hint /reveal /mark /repeat /skip /quit")
    term.send("/hint" + SUBMIT)
    term.expect("Hint 1:")
    term.expect("Question 1 of 3", times=2)
    answer = "Um, first line of my answer,\nand a second line about provisioned concurrency."
    term.type(answer)
    term.send(SUBMIT)
    term.expect("Saved · answered in")
    term.expect("Follow-up 1")
    term.type("When latency matters more than cost.")
    term.send(CTRL_D)
    term.expect("Question 2 of 3")
    term.type("/skip\n.\n")  # a last line holding only '.' submits too
    term.expect("Question 3 of 3")
    term.send("/quit" + SUBMIT)
    term.expect("Interview summary")
    assert term.wait_exit() == 0
    assert "Feedback on question 1" in term.text()

    transcript = only_transcript(home)
    assert transcript.status is SessionStatus.ABANDONED
    first, second = transcript.turns
    assert first.answer == answer
    assert len(first.hints) == 1 and first.grade is not None
    assert first.delivery is not None and first.delivery.fillers == {"um": 1}
    (follow_up,) = first.follow_ups
    assert follow_up.answer == "When latency matters more than cost."
    assert follow_up.grade is not None
    assert second.status is TurnStatus.SKIPPED


def test_ctrl_c_asks_once_then_twice_quits_keeping_the_draft(home: Path, banks: list[str]) -> None:
    term = Terminal.mockaws(
        "interview", "-n", "2", "--follow-ups", "0", "--seed", "1", *banks, home=home
    )
    term.expect("Question 1 of 2")
    term.expect("Ctrl-C: quit")
    term.type("I was typing")
    term.send(CTRL_C)
    term.expect("Quit the interview?")
    term.send("n\r")
    term.expect("Question 1 of 2", times=2)
    term.type(" and kept going")
    term.send(CTRL_C)
    term.expect("Quit the interview?", times=2)
    term.send(CTRL_C)
    assert term.wait_exit() == 130
    (draft,) = only_transcript(home).turns
    assert draft.answer == "I was typing and kept going"
    assert not draft.submitted
    (markdown,) = (home / "transcripts").glob("*.md")
    assert "`mockaws resume` puts it back in the editor" in markdown.read_text()


def _wait_for_turns(home: Path, count: int) -> dict[str, Any]:
    """The transcript once it holds `count` turns (polling the file the way a user would)."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        paths = list((home / "transcripts").glob("*.json"))
        if paths:
            data: dict[str, Any] = json.loads(paths[0].read_text())
            if len(data["turns"]) >= count:
                return data
        time.sleep(0.05)
    raise AssertionError(f"the transcript never had {count} turns")


def test_a_killed_interview_keeps_its_answers_and_the_draft_and_resumes(
    home: Path, banks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The grader hangs, like a model that never answers: nothing gets graded before the kill.
    launch = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
        "from tests.fakes import run_cli_with_blocking_grader; run_cli_with_blocking_grader()"
    )
    args = ["interview", "-n", "3", "--follow-ups", "0", "--seed", "1", *banks]
    term = Terminal(["-c", launch, *args], home=home)
    term.expect("Question 1 of 3")
    term.send("My first answer." + SUBMIT)
    term.expect("Question 2 of 3")
    term.send("My second answer." + SUBMIT)
    term.expect("Question 3 of 3")
    term.type("half of a third")
    # Typing pauses: the draft is saved without Ctrl-C or /quit, so kill -9 cannot lose it.
    draft = _wait_for_turns(home, 3)["turns"][2]
    assert draft["state"] == "draft" and draft["answer"] == "half of a third"
    os.kill(term.child.pid, signal.SIGKILL)
    assert term.wait_exit() is None
    assert term.child.signalstatus == signal.SIGKILL

    killed = only_transcript(home)
    assert killed.status is SessionStatus.IN_PROGRESS
    assert [t.answer for t in killed.turns] == [
        "My first answer.",
        "My second answer.",
        "half of a third",
    ]
    assert all(t.grade is None for t in killed.turns)

    # `mockaws resume` grades both with the session's grader, then carries on from the draft.
    grader = ScriptedGrader("fake")
    monkeypatch.setattr(mockaws.grading, "make_grader", lambda *_, **__: (grader, None))
    result = CliRunner().invoke(app, ["resume"], input="and its other half.\n.\n")
    assert result.exit_code == 0, result.output
    assert "2 of 3 questions done" in result.stderr
    resumed = only_transcript(home)
    assert resumed.id == killed.id
    assert [t.answer for t in resumed.turns] == [
        "My first answer.",
        "My second answer.",
        "half of a third\nand its other half.",
    ]
    assert all(t.grade is not None and t.grade.grader == "fake" for t in resumed.turns)
    assert resumed.status is SessionStatus.COMPLETED


def test_grade_at_a_terminal_uses_the_interview_editor(home: Path, tmp_path: Path) -> None:
    from tests.conftest import MINI_BANK

    term = Terminal.mockaws(
        "grade", "-q", "mini-sg-vs-nacl", "--grader", "offline", "--bank", str(MINI_BANK), home=home
    )
    term.expect("How do security groups and network ACLs differ?")
    term.type("Security groups are stateful.\nNACLs are stateless.")
    # Esc then Enter submits, as in the interview (it used to put an ESC into the answer).
    term.send(SUBMIT)
    term.expect("Score ")
    assert term.wait_exit() == 0
    assert "“Security groups are stateful.”" in term.text()


def test_marking_two_missed_points_after_feedback_shows_everywhere(
    home: Path, tmp_path: Path
) -> None:
    from tests.banks import NETWORKING, STORAGE

    banks = isolated_bank_args(tmp_path)
    term = Terminal.mockaws(
        "interview", "-n", "2", "--seed", "5", "--follow-ups", "0", "--grader", "offline",
        "--topic", NETWORKING, "--topic", STORAGE, *banks, home=home,
    )  # fmt: skip
    term.expect("Question 1 of 2")
    term.expect("How do security groups and network ACLs differ?")
    term.type("Security groups are stateful: return traffic is allowed automatically.")
    term.send(SUBMIT)
    term.expect("Question 2 of 2")
    term.expect("Feedback on question 1")
    term.expect("Type /mark to tick the points you did cover")
    term.send("/mark" + SUBMIT)
    term.expect("Which points did your answer cover?")
    term.type("2 3\n")  # the two points the grader missed
    term.expect("tick>", times=2)
    term.type("\n")
    term.expect("self-assessed (the grader gave")
    term.expect("stats and drills use this score")
    term.send("/quit" + SUBMIT)
    term.expect("Interview summary")
    assert term.wait_exit() == 0
    summary = term.text().split("Interview summary")[-1]
    assert "self-assessed (grader:" in summary

    transcript = only_transcript(home)
    grade = transcript.turns[0].grade
    assert grade is not None and grade.self_assessment is not None
    graders = {v.point_id: v.verdict.value for v in grade.points}
    own = {v.point_id: v.verdict.value for v in grade.self_assessment.points}
    assert graders["sg-instance-level"] == graders["nacl-stateless"] == "missed"
    assert own["sg-instance-level"] == own["nacl-stateless"] == "covered"
    assert grade.self_assessment.changed == ["sg-instance-level", "nacl-stateless"]
    assert grade.self_assessment.score > grade.score
    _review_shows_the_correction(transcript, home, tmp_path, banks)


def _review_shows_the_correction(
    transcript: Transcript, home: Path, tmp_path: Path, banks: list[str]
) -> None:
    """`transcripts show`, the HTML export, stats and drill: both scores, both verdicts."""
    from mockaws.drill import Schedule, sync
    from mockaws.history import load_history

    grade = transcript.turns[0].grade
    assert grade is not None and grade.self_assessment is not None
    cli = CliRunner()
    shown = cli.invoke(app, ["transcripts", "show", transcript.id, *banks])
    assert shown.exit_code == 0, shown.output
    assert f"Score {grade.self_assessment.score}/100" in shown.stdout
    assert f"the grader gave {grade.score}/100" in shown.stdout
    assert shown.stdout.count("marked by you; the grader said ✘ missed") == 2

    page = tmp_path / "page.html"
    exported = cli.invoke(
        app, ["transcripts", "export", transcript.id, "-f", "html", "-o", str(page), *banks]
    )
    assert exported.exit_code == 0, exported.output
    html = page.read_text()
    assert f"The grader gave {grade.score} · {grade.rating.value}" in html
    assert html.count("Marked by you; the grader said") == 2

    stats = cli.invoke(app, ["stats", "--json", *banks])
    figures = json.loads(stats.stdout)
    assert figures["average_score"] == grade.self_assessment.score
    assert figures["grader_average_score"] == grade.score
    assert figures["self_assessed_answers"] == 1

    schedule = Schedule()
    sync(schedule, load_history(home / "transcripts", home / "cache"))
    (review,) = schedule.questions["mini-sg-vs-nacl"].reviews
    assert review.score == grade.self_assessment.score and review.grader_score == grade.score


def test_a_dumb_terminal_still_says_how_to_submit(home: Path, banks: list[str]) -> None:
    term = Terminal.mockaws(
        "interview", "-n", "1", "--follow-ups", "0", "--grader", "offline", *banks,
        home=home, term="dumb",
    )  # fmt: skip
    term.expect("Question 1 of 1")
    term.expect("Submit: Ctrl-D")
    # A last line holding only '.' submits: unlike Ctrl-D, it survives keys typed before the
    # editor has the terminal.
    term.type("/quit\n.\n")
    assert term.wait_exit() == 0


@pytest.mark.parametrize(("rows", "columns"), [(20, 60), (24, 80), (40, 120)])
def test_question_headers_and_ids_are_not_split_mid_word(
    home: Path, banks: list[str], rows: int, columns: int
) -> None:
    term = Terminal.mockaws(
        "interview", "-n", "1", "--follow-ups", "0", "--grader", "offline", *banks,
        home=home, rows=rows, columns=columns,
    )  # fmt: skip
    term.expect("Question 1 of 1")
    term.send("Security groups are stateful." + SUBMIT)
    term.expect("Interview summary")
    assert term.wait_exit() == 0
    lines = term.text().splitlines()
    question_id = only_transcript(home).turns[0].question_id
    # An id is shown whole (or cut with an ellipsis) and a header whole: never broken across
    # lines, the way a narrow table folds a word ("quest" over "ion", in a cell or at the edge).
    for word in (question_id, "question", "rating", "score", "fillers"):
        for line, following in itertools.pairwise(lines):
            for cut in range(2, len(word) - 1):
                assert not _split_at(word[:cut], word[cut:], line, following), (
                    f"{word!r} split at {columns} columns:\n{line}\n{following}"
                )


def _split_at(head: str, tail: str, line: str, following: str) -> bool:
    """True when `line` ends a word with `head` and `following` carries on with `tail` at the
    same column (a folded table cell), or at the start of the line (a wrapped line)."""
    for found in re.finditer(r"[\w.-]+", line):
        if found.group() != head and not found.group().endswith(head):
            continue
        start = found.end() - len(head)
        below = re.match(r"[\w.-]+", following[start:])
        # The rest of the word (or its next piece, when it folds over several lines) below.
        if below is not None and len(below.group()) >= 2 and tail.startswith(below.group()):
            return True
        if found.end() == len(line.rstrip()) and following.startswith(tail):
            return True
    return False
