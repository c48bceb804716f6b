from __future__ import annotations

import pytest

from mockaws.evidence import Mark, MarkKind, QuoteIndex, grade_marks, locate_quote, segments
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


@pytest.mark.parametrize(
    ("answer", "quote", "expected"),
    [
        # what transcription changes is tolerated, and the span is the user's own text
        ("So it's stateful, yes.", "it is stateful", "it's stateful"),
        ("Ports 1,024 to 65,535.", "ports 1024 to 65535", "Ports 1,024 to 65,535"),
        ("A read\u2011after\u2011write model.", "read-after-write", "read\u2011after\u2011write"),
        ("NACLs are, um, stateless.", "NACLs are stateless", "NACLs are, um, stateless"),
        (
            "S\u0435curity groups track state.",
            "security groups track",
            "S\u0435curity groups track",
        ),
        # near-verbatim: the grader added a word
        (
            "Security groups are stateful, they track the connection for you.",
            "security groups are stateful and they track the connection",
            "Security groups are stateful, they track the connection",
        ),
    ],
)
def test_quotes_are_found_as_spoken_and_shown_as_typed(
    answer: str, quote: str, expected: str
) -> None:
    span = locate_quote(quote, answer)
    assert span is not None and answer[span[0] : span[1]] == expected


def test_the_near_verbatim_search_is_bounded_on_a_huge_answer() -> None:
    index = QuoteIndex("NACLs are stateless and need rules both ways. " * 50_000)
    # Every word of this quote is everywhere, but it is nowhere near-verbatim.
    assert index.find("both ways need rules and NACLs are stateless") is None
    assert index.find("NACLs are stateless and need rules both ways") is not None
