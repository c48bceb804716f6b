"""The end-of-interview summary ranks what was missed by what it cost the score."""

from __future__ import annotations

from mockaws.bank import load_bank
from mockaws.grading.scoring import Labels, finalise
from mockaws.models import AnswerState, PointVerdict, Transcript, Turn, Verdict
from mockaws.summary import report
from tests.conftest import MINI_BANK

BANK = load_bank([MINI_BANK], include_shipped=False)


def test_missed_points_come_in_the_order_of_the_score_they_cost() -> None:
    question = BANK.get("mini-sg-vs-nacl")
    answer = (
        "Security groups are stateful. Security groups sit on the instance's network interface "
        "and NACLs on the subnet. NACLs are stateless, so ephemeral ports need their own rule."
    )
    verdicts = {
        # weight 3, a quarter earned: 2.25 lost
        "sg-stateful": (Verdict.PARTIAL, "Security groups are stateful"),
        "sg-instance-level": (Verdict.COVERED, "sit on the instance's network interface"),
        "nacl-stateless": (Verdict.COVERED, "NACLs are stateless, so ephemeral ports"),
        "allow-deny": (Verdict.MISSED, ""),  # weight 2: 2 lost
    }
    labels = Labels(
        points=[
            PointVerdict(point_id=point, verdict=verdict, evidence=quote)
            for point, (verdict, quote) in verdicts.items()
        ]
    )
    turn = Turn.asking(question)
    turn.answer = answer
    turn.state = AnswerState.SUBMITTED
    turn.record_grade(finalise(question, answer, labels, grader="fake"), None)
    summary = report(Transcript(id="t1", turns=[turn]), {question.id: question})
    assert [m.point.id for m in summary.missed] == ["sg-stateful", "allow-deny"]
