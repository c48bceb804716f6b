"""Every shipped question renders into a grading prompt with the fixed part first."""

from __future__ import annotations

import pytest

from mockaws.bank import load_bank
from mockaws.models import Question
from mockaws.prompts import (
    ANSWER_TAG,
    GraderReply,
    grading_prompt,
    prompt_version,
    reply_schema,
    system_prompt,
)
from mockaws.tokens import count_tokens

QUESTIONS = sorted(load_bank().questions.values(), key=lambda q: q.id)


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_every_question_renders(question: Question) -> None:
    prompt = grading_prompt(question, "My answer.")
    assert prompt.system == system_prompt()
    slots = ("$question", "$topic", "$level", "$reference_answer", "$rubric", "$red_flags")
    assert not any(slot in prompt.user for slot in (*slots, "$answer"))
    for point in question.rubric:
        assert f"`{point.id}`" in prompt.user and point.point in prompt.user
    for flag in question.red_flags:
        assert f"`{flag.id}`" in prompt.user
    assert prompt.user.rstrip().endswith(
        f"question `{question.id}`, list any red flags, and write the feedback."
    )
    assert prompt.user.index(question.reference_answer.strip()) < prompt.user.index(
        f"<{ANSWER_TAG}>"
    )


def test_the_fixed_prefix_is_long_enough_to_be_cached() -> None:
    # Providers cache prompt prefixes from 1,024 tokens; estimates run high, so leave margin.
    assert count_tokens(system_prompt()).tokens >= 1100


def test_json_mode_carries_the_schema_and_the_version_tracks_it() -> None:
    with_schema = system_prompt(reply_schema())
    assert with_schema.startswith(system_prompt())
    assert '"answer_addresses_grader"' in with_schema
    schema = reply_schema()
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(GraderReply.model_fields)
    assert len(prompt_version()) == 12
