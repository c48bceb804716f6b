"""Red flags must never fire on a true statement.

`tests/data/true_statements/<topic>.toml` holds, for every shipped question, correct statements a
candidate might make near its misconceptions (``question-id = ["...", ...]``): AWS's own wording,
the right side of each red flag, facts that sound like a misconception but are not. Each is graded
on its own by the offline grader, and no red flag of that question may fire.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from mockaws.bank import load_bank
from mockaws.grading import grade_answer
from mockaws.grading.offline import OfflineGrader

STATEMENTS_DIR = Path(__file__).parent / "data" / "true_statements"
BANK = load_bank()
GRADER = OfflineGrader()
MIN_STATEMENTS = 3


def _statements() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(STATEMENTS_DIR.glob("*.toml")):
        for question_id, items in tomllib.loads(path.read_text(encoding="utf-8")).items():
            assert question_id not in found, f"{path.name}: {question_id} listed twice"
            found[question_id] = list(items)
    return found


STATEMENTS = _statements()
CASES = [(qid, text) for qid, items in sorted(STATEMENTS.items()) for text in items]


def test_every_shipped_question_has_true_statements() -> None:
    missing = sorted(qid for qid in BANK.questions if len(STATEMENTS.get(qid, [])) < MIN_STATEMENTS)
    assert missing == [], f"fewer than {MIN_STATEMENTS} true statements: {missing}"
    unknown = sorted(set(STATEMENTS) - set(BANK.questions))
    assert unknown == [], f"statements for questions not in the bank: {unknown}"


@pytest.mark.parametrize(("question_id", "statement"), CASES)
def test_no_red_flag_fires_on_a_true_statement(question_id: str, statement: str) -> None:
    grade = grade_answer(GRADER, BANK.questions[question_id], statement)
    fired = [hit.flag_id for hit in grade.red_flags_hit]
    assert fired == [], f"{question_id}: {fired} fired on a true statement: {statement!r}"
