from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mockaws.bank import load_bank, validate_paths
from mockaws.cli import app
from mockaws.grading import grade_answer
from mockaws.grading.derive import derive_rubric
from mockaws.grading.offline import OfflineGrader
from mockaws.grading.scoring import DERIVED_RUBRIC_NOTICE
from mockaws.models import Question, Rating
from mockaws.transcripts import render_turn_markdown
from tests.conftest import DATA, MINI_BANK

NO_RUBRIC = DATA / "no_rubric_bank.toml"
GRADER = OfflineGrader()


def question() -> Question:
    return load_bank([NO_RUBRIC], include_shipped=False).get("my-sqs-visibility")


def test_a_question_without_a_rubric_gets_derived_points() -> None:
    derived = question()
    assert 3 <= len(derived.rubric) <= 6
    assert derived.rubric_derived
    assert all(p.derived and p.id.startswith("derived-") for p in derived.rubric)
    cues = {cue for p in derived.rubric for cue in p.cues}
    assert {"visibility timeout", "DeleteMessage", "ChangeMessageVisibility"} & cues
    # each point is one sentence of the reference answer, in order
    reference = " ".join(derived.reference_answer.split())
    positions = [reference.index(p.point.rstrip("…")) for p in derived.rubric]
    assert positions == sorted(positions)


def test_derived_points_grade_answers_and_say_they_were_derived() -> None:
    derived = question()
    strong = grade_answer(GRADER, derived, derived.reference_answer)
    assert strong.rating is Rating.STRONG
    assert DERIVED_RUBRIC_NOTICE in strong.notices
    weak = grade_answer(
        GRADER, derived, "SQS is a queue. I would restart the server and check the logs."
    )
    assert weak.rating is Rating.POOR
    partial = grade_answer(
        GRADER,
        derived,
        "The visibility timeout hides a received message from other consumers until you call "
        "DeleteMessage; if it expires the message becomes visible again.",
    )
    assert partial.rating in {Rating.WEAK, Rating.SOLID}


def test_the_transcript_says_the_points_were_derived() -> None:
    from mockaws.models import Turn

    derived = question()
    answer = "The visibility timeout hides the message until DeleteMessage is called."
    turn = Turn(
        question_id=derived.id,
        question=derived.question,
        topic=derived.topic,
        level=derived.level,
        rubric_hash=derived.rubric_hash,
        answer=answer,
        grade=grade_answer(GRADER, derived, answer),
    )
    assert DERIVED_RUBRIC_NOTICE in render_turn_markdown(1, turn, derived)


def test_grade_command_reports_derived_points() -> None:
    answer = "Visibility timeout hides the message; call DeleteMessage before it expires."
    result = CliRunner().invoke(
        app,
        ["grade", "-q", "my-sqs-visibility", "-g", "offline", "--json", "--bank", str(NO_RUBRIC)],
        input=answer,
    )
    assert result.exit_code == 0, result.stderr
    assert DERIVED_RUBRIC_NOTICE in json.loads(result.stdout)["notices"]


def test_authored_rubrics_are_kept_and_their_hashes_do_not_move() -> None:
    bank = load_bank([MINI_BANK], include_shipped=False)
    sg = bank.get("mini-sg-vs-nacl")
    assert not sg.rubric_derived and sg.rubric[0].id == "sg-stateful"
    # recorded before `derived` existed: old grades still name the same rubric
    assert sg.rubric_hash == "da2cf2c77f2a"
    assert bank.get("mini-s3-consistency").rubric_hash == "72fc44d83b5d"


SHORT_REFERENCES = """
[[questions]]
id = "stack-operations"
topic = "cs"
level = "junior"
question = "What are the two main operations of a stack?"
reference_answer = "push and pop"

[[questions]]
id = "array-passing"
topic = "cs"
level = "junior"
question = "How are arrays passed to functions in C++?"
reference_answer = "By reference."

[[questions]]
id = "what-is-s3"
topic = "storage"
level = "junior"
question = "What is S3?"
reference_answer = "It is object storage."
"""


def test_a_bank_of_short_references_without_rubrics_validates_and_grades(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cs.toml"
    path.write_text(SHORT_REFERENCES)
    assert validate_paths([path]) == (3, [])
    result = CliRunner().invoke(app, ["questions", "validate", str(path)])
    assert result.exit_code == 0, result.stderr
    bank = load_bank([path], include_shipped=False)

    stack = bank.get("stack-operations")
    assert [p.cues for p in stack.rubric] == [["push", "pop"]]
    assert (
        grade_answer(GRADER, stack, "You push onto the top and pop off the top.").rating
        is Rating.STRONG
    )
    assert grade_answer(GRADER, stack, "Push adds an item.").rating is Rating.WEAK
    assert grade_answer(GRADER, stack, "Enqueue and dequeue.").rating is Rating.POOR

    # "arrays", "passed" and "functions" are in the question: saying them again shows nothing
    arrays = bank.get("array-passing")
    assert [p.cues for p in arrays.rubric] == [["reference"]]
    assert grade_answer(GRADER, arrays, "They are passed by reference.").rating is Rating.STRONG
    assert (
        grade_answer(GRADER, arrays, "Arrays are passed to functions by value.").rating
        is Rating.POOR
    )

    s3 = bank.get("what-is-s3")
    assert grade_answer(GRADER, s3, "S3 is object storage for files of any size.").score == 100


def test_only_a_reference_without_any_word_cannot_be_derived_from(tmp_path: Path) -> None:
    path = tmp_path / "thin.toml"
    path.write_text(
        '[[questions]]\nid = "thin"\ntopic = "misc"\nlevel = "junior"\n'
        'question = "What is S3?"\nreference_answer = "..."\n'
    )
    valid, problems = validate_paths([path])
    assert valid == 0
    assert [str(p) for p in problems] == [
        f"{path}: question 'thin': field 'rubric': no rubric, and the reference answer has too "
        "few distinctive terms to derive one from: add rubric points"
    ]


@pytest.mark.parametrize("question_id", ["mini-sg-vs-nacl", "mini-s3-consistency"])
def test_derived_rubrics_cover_their_own_reference(question_id: str) -> None:
    authored = load_bank([MINI_BANK], include_shipped=False).get(question_id)
    bare = authored.model_copy(update={"rubric": [], "red_flags": []})
    derived = bare.model_copy(update={"rubric": derive_rubric(bare)})
    assert derived.rubric
    assert grade_answer(GRADER, derived, derived.reference_answer).rating is Rating.STRONG
