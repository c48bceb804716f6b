from __future__ import annotations

import pytest

from mockaws.evidence import Mark, MarkKind, grade_marks, locate_quote, segments
from mockaws.models import Grade, PointVerdict, Rating, RedFlagHit, Verdict

ANSWER = "Security  Groups are\nstateful. NACLs don't track “connections”; they are stateless."


@pytest.mark.parametrize(
    ("quote", "expected"),
    [
        ("security groups are stateful", "Security  Groups are\nstateful"),
        # Like scoring, surrounding quote marks and punctuation are not part of the match.
        ('NACLs don\'t track "connections"', "NACLs don't track “connections"),
        ("  they are stateless.  ", "they are stateless"),
        ("stateful. NACLs", "stateful. NACLs"),
        ("not in the answer", None),
        ("...", None),
    ],
)
def test_quotes_are_found_as_the_user_typed_them(quote: str, expected: str | None) -> None:
    span = locate_quote(quote, ANSWER)
    assert (ANSWER[span[0] : span[1]] if span else None) == expected


def test_marks_cover_points_and_red_flags_but_not_missed_points() -> None:
    grade = Grade(
        grader="test",
        rubric_hash="x",
        score=50,
        rating=Rating.WEAK,
        points=[
            PointVerdict(point_id="a", verdict=Verdict.COVERED, evidence="Groups are stateful"),
            PointVerdict(point_id="b", verdict=Verdict.MISSED, evidence="stateful"),
            PointVerdict(point_id="c", verdict=Verdict.PARTIAL, evidence="not there at all"),
            PointVerdict(point_id="d", verdict=Verdict.CONTRADICTED, evidence="they are stateless"),
        ],
        red_flags_hit=[RedFlagHit(flag_id="f", evidence="NACLs don't track")],
    )
    marks = grade_marks(grade, ANSWER)
    assert [(m.label, m.kind) for m in marks] == [
        ("1", MarkKind.COVERED),
        ("4", MarkKind.CONTRADICTED),
        ("⚑1", MarkKind.RED_FLAG),
    ]


def test_overlapping_marks_split_the_answer_and_the_strongest_kind_wins() -> None:
    text = "one two three four"
    marks = [Mark("1", MarkKind.COVERED, 0, 13), Mark("⚑1", MarkKind.RED_FLAG, 4, 7)]
    pieces = segments(text, marks)
    assert "".join(p.text for p in pieces) == text
    assert [(p.text, p.kind, [m.label for m in p.closing]) for p in pieces] == [
        ("one ", MarkKind.COVERED, []),
        ("two", MarkKind.RED_FLAG, ["⚑1"]),
        (" three", MarkKind.COVERED, ["1"]),
        (" four", None, []),
    ]
