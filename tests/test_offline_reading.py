"""The offline grader reads meaning where words allow: plain speech, lists, repeats, versions."""

from __future__ import annotations

import pytest

from mockaws.grading import grade_answer
from mockaws.grading.offline import OfflineGrader
from mockaws.models import Level, Question, Rating, RedFlag, RubricPoint, Verdict
from tests.factories import mini_bank

GRADER = OfflineGrader()
SG = mini_bank().get("mini-sg-vs-nacl")


def question(points: list[RubricPoint], flags: list[RedFlag] | None = None) -> Question:
    return Question(
        id="inline-question",
        topic="misc",
        level=Level.MID,
        question="A question?",
        reference_answer="A reference answer.",
        rubric=points,
        red_flags=flags or [],
    )


def verdicts(q: Question, answer: str) -> dict[str, Verdict]:
    return {v.point_id: v.verdict for v in grade_answer(GRADER, q, answer).points}


LEAKED_KEY = question(
    [
        RubricPoint(
            id="deactivate",
            point="Deactivate the leaked key immediately.",
            weight=2,
            cues=["deactivate", "immediately"],
        ),
        RubricPoint(
            id="inbound",
            point="The database's security group must allow inbound traffic from the app.",
            weight=1,
            cues=["allow inbound", "database port"],
        ),
    ]
)


@pytest.mark.parametrize(
    ("answer", "point"),
    [
        ("First I'd disable the key right away.", "deactivate"),
        ("Switch off the key straight away.", "deactivate"),
        ("Its security group has to let in traffic on the database port.", "inbound"),
    ],
)
def test_plain_speech_covers_what_the_cues_say_in_textbook_words(answer: str, point: str) -> None:
    assert verdicts(LEAKED_KEY, answer)[point] is Verdict.COVERED


def test_a_keyword_list_is_never_above_weak_while_terse_notes_still_rate_well() -> None:
    keywords = (
        "Stateful, return traffic, ENI, instance level, stateless, ephemeral ports, subnet level, "
        "both directions, allow rules, deny rules, rule number, only allow."
    )
    listed = grade_answer(GRADER, SG, keywords)
    assert listed.rating in {Rating.WEAK, Rating.POOR}
    assert all(v.verdict is not Verdict.COVERED for v in listed.points)
    assert any("list of terms" in v.note for v in listed.points)
    terse = (
        "SG: stateful, return traffic allowed, per-ENI, only allow rules. "
        "NACL: stateless, per-subnet, ephemeral ports open in both directions, "
        "allow and deny rules by rule number."
    )
    assert grade_answer(GRADER, SG, terse).rating in {Rating.SOLID, Rating.STRONG}


def test_an_answer_pasted_five_times_gains_nothing() -> None:
    once = (
        "NACLs are stateless at the subnet level. "
        "Security groups are stateful, so return traffic is allowed."
    )
    for joiner in (" ", "\n\n"):
        graded_once, graded_five = (
            grade_answer(GRADER, SG, once),
            grade_answer(GRADER, SG, joiner.join([once] * 5)),
        )
        assert graded_five.score == graded_once.score
        assert graded_five.points == graded_once.points
        assert graded_five.confidence == graded_once.confidence


def test_another_generation_of_the_named_thing_does_not_cover_the_point() -> None:
    gp3 = question(
        [
            RubricPoint(
                id="gp3-default",
                point="gp3 is the default general purpose SSD.",
                weight=1,
                cues=["gp3", "general purpose SSD", "default"],
            )
        ]
    )
    grade = grade_answer(GRADER, gp3, "gp2 is the default general purpose SSD.")
    assert grade.points[0].verdict is Verdict.MISSED
    assert "names gp2" in grade.points[0].note
    assert verdicts(gp3, "gp3 is the default general purpose SSD.")["gp3-default"] is (
        Verdict.COVERED
    )
    assert (
        verdicts(gp3, "gp3 replaced gp2 as the default general purpose SSD.")["gp3-default"]
        is Verdict.COVERED
    )


def test_cues_on_either_side_of_a_contrast_are_not_one_idea() -> None:
    lambda_state = question(
        [
            RubricPoint(
                id="stateless",
                point="A Lambda function is stateless: its local disk is ephemeral.",
                weight=1,
                cues=["stateless", "ephemeral"],
            )
        ]
    )
    apart = "Lambda is stateless, whereas containers keep ephemeral disks."
    assert verdicts(lambda_state, apart)["stateless"] is Verdict.PARTIAL
    together = "Lambda is stateless and its disk is ephemeral."
    assert verdicts(lambda_state, together)["stateless"] is Verdict.COVERED


REPLICAS = question(
    [RubricPoint(id="async", point="Read replicas are asynchronous.", weight=1, cues=["async"])],
    [
        RedFlag(
            id="sync-replicas",
            flag="Says read replicas are synchronous.",
            cues=["read replicas are synchronous"],
        ),
        RedFlag(id="one-account", flag="One account for everything.", cues=["one account for all"]),
    ],
)


@pytest.mark.parametrize(
    ("answer", "fired"),
    [
        ("Read replicas get every write synchronously.", ["sync-replicas"]),
        ("Synchronous writes reach each read replica.", ["sync-replicas"]),
        ("Read replicas do not get writes synchronously.", []),
        ("Read replicas are asynchronous, unlike Multi-AZ which is synchronous.", []),
        ("I've seen one account for all workloads, and it was a mess.", []),
    ],
)
def test_misconceptions_worded_freely(answer: str, fired: list[str]) -> None:
    assert [h.flag_id for h in grade_answer(GRADER, REPLICAS, answer).red_flags_hit] == fired
