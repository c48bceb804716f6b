from __future__ import annotations

import pytest

from mockaws.bank import load_bank
from mockaws.grading import grade_answer
from mockaws.grading.offline import OfflineGrader
from mockaws.grading.scoring import quote_in_answer
from mockaws.models import Rating, Verdict
from tests.conftest import MINI_BANK

BANK = load_bank([MINI_BANK], include_shipped=False)
GRADER = OfflineGrader()


def verdict_of(question_id: str, answer: str) -> dict[str, Verdict]:
    grade = GRADER.grade(BANK.get(question_id), answer)
    return {p.point_id: p.verdict for p in grade.points}


@pytest.mark.parametrize(
    ("answer", "point", "expected"),
    [
        ("SGs are stateful so return traffic just works.", "sg-stateful", Verdict.COVERED),
        ("Security groups are stateful.", "sg-stateful", Verdict.PARTIAL),
        ("They're applied at the subnet level, not per ENI.", "sg-instance-level", Verdict.COVERED),
        (
            "Network ACLs are stateless, you need ephemeral ports open.",
            "nacl-stateless",
            Verdict.COVERED,
        ),
        ("A firewall.", "nacl-stateless", Verdict.MISSED),
        ("S3 is strongly consistent since 2020", "strong-consistency", Verdict.PARTIAL),
        ("strong read-after-write, strongly consistent", "strong-consistency", Verdict.COVERED),
    ],
)
def test_point_verdicts(answer: str, point: str, expected: Verdict) -> None:
    question_id = "mini-s3-consistency" if point == "strong-consistency" else "mini-sg-vs-nacl"
    assert verdict_of(question_id, answer)[point] is expected


def test_evidence_is_a_quote_from_the_answer() -> None:
    answer = "Well. Security groups are stateful, so return traffic is allowed. NACLs differ."
    grade = GRADER.grade(BANK.get("mini-sg-vs-nacl"), answer)
    evidence = grade.points[0].evidence
    assert evidence == "Security groups are stateful, so return traffic is allowed."
    assert all(quote_in_answer(p.evidence, answer) for p in grade.points if p.evidence)


@pytest.mark.parametrize(
    ("answer", "fires"),
    [
        ("S3 is eventually consistent for overwrites.", True),
        ("S3 is no longer eventually consistent; it is strongly consistent.", False),
        ("People think S3 is eventually consistent but that isn't true any more.", False),
    ],
)
def test_red_flags_respect_negation(answer: str, fires: bool) -> None:
    grade = GRADER.grade(BANK.get("mini-s3-consistency"), answer)
    assert bool(grade.red_flags_hit) is fires


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ("", "empty"),
        ("   \n\t", "empty"),
        ("asdfgh qwrtzx zxcvbn", "gibberish"),
        ("?!... ---", "no words"),
    ],
)
def test_answers_with_nothing_to_grade_score_zero(answer: str, reason: str) -> None:
    grade = grade_answer(GRADER, BANK.get("mini-sg-vs-nacl"), answer)
    assert grade.score == 0 and grade.rating is Rating.POOR
    assert reason in grade.notices[0]


def test_terse_acronyms_are_not_gibberish() -> None:
    grade = grade_answer(GRADER, BANK.get("mini-sg-vs-nacl"), "SG stateful, NACL stateless")
    assert grade.score > 0


def test_grading_is_deterministic() -> None:
    answer = "Security groups are stateful at the ENI; NACLs are stateless per subnet."
    first = GRADER.grade(BANK.get("mini-sg-vs-nacl"), answer)
    second = GRADER.grade(BANK.get("mini-sg-vs-nacl"), answer)
    assert first.model_dump(exclude={"graded_at"}) == second.model_dump(exclude={"graded_at"})
