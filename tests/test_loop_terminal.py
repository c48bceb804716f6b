"""A mock loop and a track interview in a real pseudo-terminal, driven with pexpect."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mockaws.bank import load_bank, tracks_of
from mockaws.loops import select_loop
from mockaws.models import Mode, Track, Transcript
from tests.terminal import SUBMIT, Terminal

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX terminal")

BANK = load_bank()


def only_transcript(home: Path) -> Transcript:
    (path,) = (home / "transcripts").glob("*.json")
    return Transcript.model_validate_json(path.read_text())


def by_kind_line(text: str) -> str:
    (line,) = [line for line in text.splitlines() if line.startswith("By kind: ")]
    return line


def test_an_sre_loop_runs_in_a_terminal_and_sums_up_by_kind(home: Path) -> None:
    loop = select_loop(list(BANK.questions.values()), Track.SRE, seed=11)
    term = Terminal.mockaws("interview", "--loop", "sre", "--seed", "11", "--grader", "offline",
                            home=home)  # fmt: skip
    for number, question in enumerate(loop, start=1):
        term.expect(f"Question {number} of 5")
        if number == 1:
            term.expect(" left")  # the loop's time limit counts down in the toolbar
            term.expect("Commands: /repeat /skip /quit")  # real mode: no hints
        term.type(f"My answer about {question.topic}.")
        term.send(SUBMIT)
        term.expect("Interviewer:", times=number)  # a follow-up, as an interviewer asks it
        term.send("/skip" + SUBMIT)
    term.expect("Interview summary")
    assert term.wait_exit() == 0

    kinds = by_kind_line(term.text())
    assert all(question.kind.value in kinds for question in loop)
    transcript = only_transcript(home)
    assert transcript.settings.loop is Track.SRE and transcript.settings.mode is Mode.REAL
    assert [t.question_id for t in transcript.turns] == [q.id for q in loop]


def test_a_data_engineer_track_interview_runs_in_a_terminal(home: Path) -> None:
    term = Terminal.mockaws(
        "interview", "--track", "data-engineer", "-n", "3", "--seed", "5", "--follow-ups", "0",
        "--grader", "offline", home=home,
    )  # fmt: skip
    for number in range(1, 4):
        term.expect(f"Question {number} of 3")
        term.type("I would partition the data by date and check the Glue job logs.")
        term.send(SUBMIT)
    term.expect("Interview summary")
    assert term.wait_exit() == 0

    transcript = only_transcript(home)
    asked = [BANK.get(turn.question_id) for turn in transcript.turns]
    assert all(Track.DATA_ENGINEER in tracks_of(question) for question in asked)
    kinds = by_kind_line(term.text())
    assert all(question.kind.value in kinds for question in asked)
