"""Red flags must fire on misconceptions said the way candidates say them.

`tests/data/misconception_statements/<topic>.toml` holds, per question, sentences that assert one
of its red flags in free wording, not a cue's: a plan built on it, a reason given with "because",
a hedge, a non-native phrasing (``[question-id]`` then ``flag-id = ["...", ...]``). Each is graded
on its own by the offline grader and must fire that flag. The true statements beside them
(`test_true_statements.py`) keep the cues from reaching too far.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from mockaws.bank import load_bank
from mockaws.grading import grade_answer
from mockaws.grading.offline import OfflineGrader

STATEMENTS_DIR = Path(__file__).parent / "data" / "misconception_statements"
BANK = load_bank()
GRADER = OfflineGrader()


def _cases() -> list[tuple[str, str, str]]:
    cases: list[tuple[str, str, str]] = []
    for path in sorted(STATEMENTS_DIR.glob("*.toml")):
        for question_id, flags in tomllib.loads(path.read_text(encoding="utf-8")).items():
            for flag_id, sentences in flags.items():
                cases += [(question_id, flag_id, sentence) for sentence in sentences]
    return cases


CASES = _cases()


def test_every_listed_flag_is_in_the_bank() -> None:
    unknown = sorted(
        f"{question_id}:{flag_id}"
        for question_id, flag_id, _ in CASES
        if question_id not in BANK.questions
        or flag_id not in {flag.id for flag in BANK.questions[question_id].red_flags}
    )
    assert unknown == [], f"misconception statements for flags not in the bank: {unknown}"


@pytest.mark.parametrize(("question_id", "flag_id", "statement"), CASES)
def test_red_flag_fires_on_a_misconception_in_free_wording(
    question_id: str, flag_id: str, statement: str
) -> None:
    if question_id not in BANK.questions:
        pytest.fail(f"{question_id} is not in the bank")
    grade = grade_answer(GRADER, BANK.questions[question_id], statement)
    fired = [hit.flag_id for hit in grade.red_flags_hit]
    assert flag_id in fired, f"{question_id}: {flag_id} did not fire on {statement!r}"
