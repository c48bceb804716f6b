"""The interview as a person uses it: in a real pseudo-terminal, driven with pexpect."""

from __future__ import annotations

import json
import os
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
    term.expect("Commands: /hint /reveal /repeat /skip /quit")
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
