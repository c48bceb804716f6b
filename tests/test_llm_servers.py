"""What real OpenAI-compatible servers do with a grading request, played by the fake server.

Each behaviour ends in a grade through the right fallback, or in one clear line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from mockaws.bank import load_bank
from mockaws.config import Settings
from mockaws.errors import GradingError
from mockaws.grading import grade_answer
from mockaws.grading.llm import OpenAIGrader, RequestShape, ServerMemory
from mockaws.models import Verdict
from mockaws.prompts import TEXT_BOUNDS, prompt_version
from tests.conftest import MINI_BANK
from tests.conftest import SG_ANSWER as ANSWER
from tests.conftest import SG_HONEST as HONEST
from tests.conftest import SG_HONEST_SCORE as HONEST_SCORE
from tests.fake_openai import (
    FakeOpenAI,
    Reply,
    completion,
    error,
    ignores_max_completion_tokens,
    labels,
    llama_cpp_python_server,
    lm_studio_server,
    refuses_parameters,
    vllm_context_server,
)

BANK = load_bank([MINI_BANK])
SG = BANK.get("mini-sg-vs-nacl")
GOOD = completion(labels(SG, HONEST))
LOCAL = "smollm2-135m"


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def grader_for(server: FakeOpenAI, model: str = LOCAL, **changes: Any) -> OpenAIGrader:
    values: dict[str, Any] = {
        "model": model,
        "base_url": server.url,
        "timeout": 5.0,
        "retries": 2,
        "sources": {"model": "flag", "base_url": "flag"},
    }
    values.update(changes)
    return OpenAIGrader(Settings(**values))


def formats(server: FakeOpenAI) -> list[str | None]:
    return [(r.get("response_format") or {}).get("type") for r in server.requests]


# ------------------------------------------------------------------ labels first, as sent


def test_the_schema_as_sent_puts_labels_before_feedback(server: FakeOpenAI) -> None:
    server.enqueue(GOOD)
    grade_answer(grader_for(server, model="gpt-5.4-nano"), SG, ANSWER)
    schema = server.requests[0]["response_format"]["json_schema"]["schema"]
    assert list(schema["properties"]) == [
        "points",
        "red_flags",
        "answer_addresses_grader",
        "feedback",
        "follow_up",
    ]
    assert schema["required"] == list(schema["properties"])
    points = schema["properties"]["points"]
    assert list(points["items"]["properties"]) == ["point_id", "evidence", "note", "verdict"]
    # Point ids are the question's own, one label for each: nothing left to invent or skip.
    assert points["items"]["properties"]["point_id"]["enum"] == [p.id for p in SG.rubric]
    assert points["minItems"] == points["maxItems"] == len(SG.rubric)
    feedback = schema["properties"]["feedback"]["properties"]
    assert all(isinstance(feedback[name]["maxItems"], int) for name in feedback)


def test_the_prompt_version_does_not_depend_on_the_question() -> None:
    assert prompt_version() == prompt_version()
    assert len(prompt_version()) == 12


# ------------------------------------------------------------------ finding 1, one by one


def test_llama_cpp_python_500_on_json_schema_falls_back_to_json_mode_with_the_schema(
    server: FakeOpenAI,
) -> None:
    server.fallback = llama_cpp_python_server(GOOD)
    grade = grade_answer(grader_for(server), SG, ANSWER)
    assert grade.score == HONEST_SCORE
    assert formats(server) == ["json_schema", "json_object"]  # no retries of the 500
    sent = server.requests[1]
    assert sent["response_format"]["schema"]["properties"]["points"]["maxItems"] == 4
    assert sent["max_tokens"] == 1024 and "max_completion_tokens" not in sent
    assert sent["temperature"] == 0 and isinstance(sent["seed"], int)
    remembered = ServerMemory().shape(server.url, LOCAL)
    assert remembered == RequestShape("json_object_schema")

    server.requests.clear()
    grade_answer(grader_for(server), SG, ANSWER)
    assert formats(server) == ["json_object"]


def test_lm_studio_refusing_json_object_ends_in_the_prompt_mode(server: FakeOpenAI) -> None:
    def no_structured_output(request: dict[str, Any]) -> Reply:
        if (request.get("response_format") or {}).get("type") == "json_schema":
            return error(400, "response_format json_schema: grammar compilation failed")
        return GOOD

    server.fallback = lm_studio_server(no_structured_output)
    assert grade_answer(grader_for(server), SG, ANSWER).score == HONEST_SCORE
    assert formats(server) == ["json_schema", "json_object", "json_object", None]
    assert ServerMemory().shape(server.url, LOCAL) == RequestShape("prompt")
    # With no response_format the schema travels in the (fixed) system message.
    assert '"answer_addresses_grader"' in server.requests[-1]["messages"][0]["content"]


def test_lm_studio_takes_json_schema_at_once(server: FakeOpenAI) -> None:
    server.fallback = lm_studio_server(GOOD)
    assert grade_answer(grader_for(server), SG, ANSWER).score == HONEST_SCORE
    assert formats(server) == ["json_schema"]


def test_a_local_model_gets_an_output_cap_it_honours(server: FakeOpenAI) -> None:
    server.fallback = ignores_max_completion_tokens(GOOD)
    assert grade_answer(grader_for(server, max_output_tokens=700), SG, ANSWER).score == HONEST_SCORE
    assert server.requests[0]["max_tokens"] == 700


def test_a_reasoning_model_gets_max_completion_tokens_and_no_sampling_settings(
    server: FakeOpenAI,
) -> None:
    server.enqueue(GOOD)
    grade_answer(grader_for(server, model="gpt-5.4-nano"), SG, ANSWER)
    sent = server.requests[0]
    assert sent["max_completion_tokens"] == 4096 and "max_tokens" not in sent
    assert "temperature" not in sent and "seed" not in sent
    assert sent["reasoning_effort"] == "low"


@pytest.mark.parametrize(
    ("model", "param", "message"),
    [
        (
            "gpt-5.5",
            "reasoning_effort",
            "Unsupported value: 'reasoning_effort' does not support 'minimal' with this model.",
        ),
        (
            "llama3.1:8b",
            "temperature",
            "Unsupported value: 'temperature' does not support 0 with this model.",
        ),
        ("llama3.1:8b", "seed", "Unrecognized request argument supplied: seed"),
        (
            "gpt-5.4-nano",
            "max_completion_tokens",
            "Unrecognized request argument supplied: max_completion_tokens",
        ),
    ],
)
def test_a_refused_parameter_is_dropped_and_remembered(
    server: FakeOpenAI, model: str, param: str, message: str
) -> None:
    server.fallback = refuses_parameters(GOOD, {param: message})
    effort = {"reasoning_effort": "minimal"} if param == "reasoning_effort" else {}
    grader = grader_for(server, model=model, **effort)
    assert grade_answer(grader, SG, ANSWER).score == HONEST_SCORE
    assert len(server.requests) == 2 and param not in server.requests[1]
    assert ServerMemory().shape(server.url, model) == RequestShape(dropped=frozenset({param}))
    if param == "max_completion_tokens":  # the cap still goes, in the other spelling
        assert server.requests[1]["max_tokens"] == 4096

    server.requests.clear()
    grade_answer(grader, SG, ANSWER)
    assert len(server.requests) == 1 and param not in server.requests[0]


def test_a_context_overflow_shrinks_the_cap_once_when_the_prompt_fits(server: FakeOpenAI) -> None:
    server.fallback = vllm_context_server(GOOD, context=2800, prompt_tokens=2076)
    grade = grade_answer(grader_for(server), SG, ANSWER)
    assert grade.score == HONEST_SCORE
    assert [r["max_tokens"] for r in server.requests] == [1024, 708]
    assert "the reply was capped at 708 tokens to fit the model's context" in grade.notices


def test_a_context_overflow_that_cannot_fit_is_one_line_with_the_numbers(
    server: FakeOpenAI,
) -> None:
    server.fallback = vllm_context_server(GOOD, context=2048, prompt_tokens=2076)
    with pytest.raises(GradingError) as failure:
        grade_answer(grader_for(server), SG, ANSWER)
    message = str(failure.value)
    assert "\n" not in message
    assert "prompt (2,076 tokens)" in message and "reply cap (1,024)" in message
    assert "(2,048 tokens)" in message and "MOCKAWS_MAX_OUTPUT_TOKENS" in message
    assert len(server.requests) == 1  # no format is tried after a context rejection


# ------------------------------------------------------------------ one deadline per grade


def test_a_reply_trickling_in_ends_at_the_grade_deadline(server: FakeOpenAI) -> None:
    server.fallback = Reply(body=GOOD.body, trickle=0.05)
    with pytest.raises(GradingError) as failure:
        grade_answer(grader_for(server, grade_timeout=1.0, timeout=5.0), SG, ANSWER)
    assert "did not finish the grade within the 1 s limit (MOCKAWS_GRADE_TIMEOUT)" in str(
        failure.value
    )
    assert len(server.requests) == 1


def test_a_retry_after_beyond_the_deadline_ends_the_grade_at_once(server: FakeOpenAI) -> None:
    server.fallback = error(429, "Rate limit reached", headers={"retry-after": "60"})
    with pytest.raises(GradingError) as failure:
        grade_answer(grader_for(server, grade_timeout=10.0), SG, ANSWER)
    message = str(failure.value)
    assert "asked to retry after 60 s (HTTP 429)" in message
    assert "of the 10 s limit" in message
    assert len(server.requests) == 1


def test_a_hang_costs_one_deadline_not_one_timeout_per_retry(server: FakeOpenAI) -> None:
    server.fallback = Reply(delay=5.0, body={})
    with pytest.raises(GradingError, match=r"within the 1 s limit|did not answer within"):
        grade_answer(grader_for(server, grade_timeout=1.0, timeout=0.6, retries=5), SG, ANSWER)
    assert len(server.requests) <= 2  # the deadline, not the five retries, ended it


# ------------------------------------------------------------------ tolerant reading


def test_a_fenced_think_prefixed_reply_with_an_omitted_point_and_an_id_variant_grades(
    server: FakeOpenAI,
) -> None:
    reply = json.loads(labels(SG, HONEST))
    reply["points"] = [p for p in reply["points"] if p["point_id"] != "allow-deny"]
    reply["points"][0]["point_id"] = "SG_Stateful"
    reply["points"][1]["verdict"] = "Partial"
    del reply["points"][2]["note"]
    content = (
        '<think>The schema wants {"points": [...]}, so {let me think}.</think>\n'
        "Here is my grade:\n```json\n" + json.dumps(reply) + "\n```\nHope that helps!"
    )
    server.enqueue(completion(content))
    grade = grade_answer(grader_for(server), SG, ANSWER)
    assert len(server.requests) == 1
    verdicts = {p.point_id: p.verdict for p in grade.points}
    assert verdicts["sg-stateful"] is Verdict.COVERED
    assert verdicts["allow-deny"] is Verdict.MISSED
    assert "the grader gave no label for allow-deny: counted as missed" in grade.notices


def test_a_duplicated_point_keeps_the_most_conservative_label(server: FakeOpenAI) -> None:
    reply = json.loads(labels(SG, HONEST))
    reply["points"].append(
        {"point_id": "sg-stateful", "evidence": "", "note": "", "verdict": "missed"}
    )
    server.enqueue(completion(json.dumps(reply)))
    grade = grade_answer(grader_for(server), SG, ANSWER)
    assert {p.point_id: p.verdict for p in grade.points}["sg-stateful"] is Verdict.MISSED
    assert any("labelled sg-stateful 2 times (covered, missed)" in n for n in grade.notices)


def test_unknown_ids_are_listed_in_the_grade(server: FakeOpenAI) -> None:
    reply = json.loads(labels(SG, HONEST))
    reply["points"].append({"point_id": "made-up", "evidence": "", "verdict": "covered"})
    server.enqueue(completion(json.dumps(reply)))
    grade = grade_answer(grader_for(server), SG, ANSWER)
    assert any("points this question does not have: made-up" in n for n in grade.notices)
    assert grade.score == HONEST_SCORE


def test_the_repair_prompt_lists_every_problem(server: FakeOpenAI) -> None:
    useless = {
        "points": [
            {"point_id": "1", "evidence": "1", "note": "", "verdict": "covered"},
            {"point_id": "sg-stateful", "evidence": "x", "note": "", "verdict": "great"},
        ]
    }
    server.enqueue(completion(json.dumps(useless)), GOOD)
    assert grade_answer(grader_for(server), SG, ANSWER).score == HONEST_SCORE
    repair = server.requests[1]["messages"][-1]["content"]
    assert "verdict 'great' is not one of" in repair
    assert "points this question does not have: 1" in repair
    assert "no label for rubric points sg-stateful, sg-instance-level" in repair


def test_a_reply_cut_off_after_its_labels_still_grades(server: FakeOpenAI) -> None:
    whole = labels(SG, HONEST)
    cut = whole[: whole.index('"feedback"') + 20]
    server.enqueue(completion(cut, finish_reason="length"))
    grade = grade_answer(grader_for(server), SG, ANSWER)
    assert grade.score == HONEST_SCORE
    assert any("cut off at its length limit" in n for n in grade.notices)


def test_a_server_that_drops_the_system_message_is_noticed(server: FakeOpenAI) -> None:
    server.enqueue(completion(labels(SG, HONEST), prompt_tokens=200))
    grade = grade_answer(grader_for(server), SG, ANSWER)
    assert any("may drop the grading instructions" in n for n in grade.notices)


# ------------------------------------------------------------------ cost that counts everything


def test_tokens_of_repairs_and_reasoning_are_counted(server: FakeOpenAI) -> None:
    with_reasoning = completion(labels(SG, HONEST), prompt_tokens=1500, completion_tokens=900)
    with_reasoning.body["usage"]["completion_tokens_details"] = {"reasoning_tokens": 600}
    server.enqueue(completion("not json", prompt_tokens=1400, completion_tokens=10), with_reasoning)
    usage = grade_answer(grader_for(server, model="gpt-5.4-nano"), SG, ANSWER).usage
    assert usage is not None
    assert (usage.prompt_tokens, usage.completion_tokens) == (2900, 910)
    assert usage.reasoning_tokens == 600


def test_a_failed_grade_says_what_it_spent(server: FakeOpenAI) -> None:
    server.enqueue(
        completion("not json", prompt_tokens=1400, completion_tokens=10),
        completion("still not json", prompt_tokens=1500, completion_tokens=12),
    )
    with pytest.raises(GradingError, match=r"even after one repair attempt.*2,922 tokens spent"):
        grade_answer(grader_for(server), SG, ANSWER)


def test_openai_itself_gets_one_schema_for_every_question_so_the_prefix_caches() -> None:
    grader = OpenAIGrader(Settings(api_key="sk-test-key-not-real", sources={}))
    params = grader._params(RequestShape(), SG, 4096)
    schema = params["response_format"]["json_schema"]["schema"]
    assert "enum" not in schema["properties"]["points"]["items"]["properties"]["point_id"]
    assert next(iter(schema["properties"])) == "points"
    # OpenAI's strict mode takes no string bounds: none are sent there.
    assert "maxLength" not in json.dumps(schema)


def test_a_local_server_gets_bounded_text_so_a_small_model_closes_its_json(
    server: FakeOpenAI,
) -> None:
    server.enqueue(completion(labels(SG)))
    grade_answer(grader_for(server), SG, ANSWER)
    schema = server.requests[0]["response_format"]["json_schema"]["schema"]
    point = schema["properties"]["points"]["items"]["properties"]
    assert point["evidence"]["maxLength"] == TEXT_BOUNDS["evidence"]
    assert point["note"]["maxLength"] == TEXT_BOUNDS["note"]
    feedback = schema["properties"]["feedback"]["properties"]
    assert feedback["gaps"]["items"]["maxLength"] == TEXT_BOUNDS["feedback"]
    assert schema["properties"]["follow_up"]["maxLength"] == TEXT_BOUNDS["follow_up"]
