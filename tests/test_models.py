from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mockaws.models import Question


def valid_question(**changes: Any) -> dict[str, Any]:
    question: dict[str, Any] = {
        "id": "sample-question",
        "topic": "storage",
        "level": "junior",
        "question": "What is S3?",
        "reference_answer": "Object storage.",
        "rubric": [{"id": "objects", "point": "Stores objects.", "weight": 2, "cues": ["object"]}],
        "red_flags": [{"id": "disk", "flag": "Calls it a disk.", "cues": ["mount it"]}],
        "follow_ups": ["How is it priced?"],
    }
    question.update(changes)
    return question


def test_a_valid_question_loads_with_defaults() -> None:
    question = Question.model_validate(valid_question())
    assert question.sources == ["new"]
    assert question.rubric[0].weight == 2
    assert len(question.rubric_hash) == 12


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"level": "expert"}, "level"),
        ({"id": "Not A Slug"}, "id"),
        # no rubric is allowed (points are derived on load), but not more than six
        (
            {
                "rubric": [
                    {"id": f"p{i}", "point": "x", "weight": 1, "cues": ["a"]} for i in range(7)
                ]
            },
            "rubric",
        ),
        ({"rubric": [{"id": "p", "point": "x", "weight": 4, "cues": ["a"]}]}, "rubric.0.weight"),
        ({"rubric": [{"id": "p", "point": "x", "weight": 1, "cues": []}]}, "rubric.0.cues"),
        ({"rubric": [{"id": "pp", "point": "x", "weight": 1, "cues": ["a"]}] * 2}, "rubric"),
        ({"surprise": True}, "surprise"),
        ({"sources": ["toptal"]}, "sources.0"),
        ({"question": "   "}, "question"),
    ],
)
def test_invalid_questions_name_the_field(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        Question.model_validate(valid_question(**changes))
    locations = {".".join(str(p) for p in error["loc"]) for error in info.value.errors()}
    assert field in locations


def test_a_missing_field_is_reported() -> None:
    raw = valid_question()
    del raw["reference_answer"]
    with pytest.raises(ValidationError, match="reference_answer"):
        Question.model_validate(raw)


def test_rubric_hash_changes_with_the_rubric() -> None:
    first = Question.model_validate(valid_question())
    changed = valid_question(
        rubric=[{"id": "objects", "point": "Stores objects.", "weight": 3, "cues": ["object"]}]
    )
    assert Question.model_validate(changed).rubric_hash != first.rubric_hash
