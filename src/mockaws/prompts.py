"""The grader's prompt: templates from `prompts/`, rendered in a cache-friendly order.

The system message is the same for every question (instructions, label definitions, graded
examples), so providers can cache it; then the question, its reference answer and rubric; the
candidate's answer comes last, fenced as data. `prompt_version()` hashes the templates, so every
grade names the prompt that produced it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from string import Template
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from mockaws.errors import ConfigError
from mockaws.models import Question, QuestionKind
from mockaws.resources import data_dir

SYSTEM = "grader-system.md"
QUESTION = "grader-question.md"
ANSWER = "grader-answer.md"
JSON_MODE = "grader-json-mode.md"
REPAIR = "grader-repair.md"
KINDS = "grader-kinds.md"
TEMPLATE_NAMES = (SYSTEM, QUESTION, ANSWER, JSON_MODE, REPAIR, KINDS)

ANSWER_TAG = "candidate_answer"
# An answer may not close (or reopen) its own fence and put text outside it.
_FENCE_TAG = re.compile(rf"<\s*/?\s*{ANSWER_TAG}\b[^>]*>", re.IGNORECASE)


VERDICTS = ("covered", "partial", "missed", "contradicted")
# Bounds that keep a rambling model from filling its output cap with one list.
MAX_POINTS = 12  # no question has more rubric points than this
MAX_RED_FLAGS = 5
MAX_FEEDBACK_ITEMS = 2
MAX_OUTLINE_ITEMS = 4


class PointLabel(BaseModel):
    """The grader's label for one rubric point; the quote comes before the verdict on purpose."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    point_id: str
    evidence: str
    note: str
    verdict: Literal["covered", "partial", "missed", "contradicted"]


class RedFlagLabel(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    flag_id: str
    evidence: str


class FeedbackLabels(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    strengths: list[str]
    gaps: list[str]
    outline: list[str]


class GraderReply(BaseModel):
    """The reply the grader must give, fields in the order the model writes them."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    points: list[PointLabel]
    red_flags: list[RedFlagLabel]
    answer_addresses_grader: bool
    feedback: FeedbackLabels
    follow_up: str


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    # The strict form structured outputs require: every field required, nothing else allowed.
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


# Character bounds on the reply's text, for servers whose grammar-constrained decoding enforces
# them (llama.cpp, vLLM, Ollama): a small local model otherwise pads a quote or a note until the
# output cap and never closes the JSON. OpenAI's strict structured outputs take no such bounds,
# so they go only into a schema made for one question (never sent to OpenAI).
TEXT_BOUNDS = {"evidence": 240, "note": 160, "feedback": 200, "follow_up": 240}


def _text(bound: int | None) -> dict[str, Any]:
    return {"type": "string"} if bound is None else {"type": "string", "maxLength": bound}


def _strings(max_items: int, bound: int | None = None) -> dict[str, Any]:
    return {"type": "array", "items": _text(bound), "maxItems": max_items}


def reply_schema(question: Question | None = None) -> dict[str, Any]:
    """The JSON Schema of the reply, labels first: decoders that follow schema order (OpenAI,
    llama.cpp, Ollama, xgrammar) then write every label before any holistic feedback, and the
    evidence of a point before its verdict.

    With a question, point and red-flag ids are constrained to its own and the number of points
    to its rubric's; without one (JSON mode, where the schema sits in the fixed system message)
    only the general bounds apply.
    """
    point_id: dict[str, Any] = {"type": "string"}
    flag_id: dict[str, Any] = {"type": "string"}
    bounds: dict[str, int | None] = dict.fromkeys(TEXT_BOUNDS)
    if question is not None:
        bounds.update(TEXT_BOUNDS)
    points: dict[str, Any] = {"type": "array", "maxItems": MAX_POINTS}
    flags: dict[str, Any] = {"type": "array", "maxItems": MAX_RED_FLAGS}
    if question is not None:
        point_id["enum"] = [point.id for point in question.rubric]
        points["minItems"] = points["maxItems"] = len(question.rubric)
        if question.red_flags:
            flag_id["enum"] = [flag.id for flag in question.red_flags]
        flags["maxItems"] = min(MAX_RED_FLAGS, len(question.red_flags))
    points["items"] = _object(
        {
            "point_id": point_id,
            "evidence": _text(bounds["evidence"]),
            "note": _text(bounds["note"]),
            "verdict": {"type": "string", "enum": list(VERDICTS)},
        }
    )
    flags["items"] = _object({"flag_id": flag_id, "evidence": _text(bounds["evidence"])})
    return _object(
        {
            "points": points,
            "red_flags": flags,
            "answer_addresses_grader": {"type": "boolean"},
            "feedback": _object(
                {
                    "strengths": _strings(MAX_FEEDBACK_ITEMS, bounds["feedback"]),
                    "gaps": _strings(MAX_FEEDBACK_ITEMS, bounds["feedback"]),
                    "outline": _strings(MAX_OUTLINE_ITEMS, bounds["feedback"]),
                }
            ),
            "follow_up": _text(bounds["follow_up"]),
        }
    )


@cache
def _reply_schema_json() -> str:
    import json

    # Sorted for the hash only: a change of content changes the version, not a re-serialisation.
    return json.dumps(reply_schema(), sort_keys=True, separators=(",", ":"))


@cache
def templates() -> dict[str, str]:
    """Every grader template by file name, read once."""
    folder = data_dir("prompts")
    loaded: dict[str, str] = {}
    for name in TEMPLATE_NAMES:
        path = folder / name
        try:
            loaded[name] = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read prompt template: {exc}") from exc
    return loaded


@cache
def prompt_version() -> str:
    """A short hash of the grader templates and reply schema: it changes when any of them does."""
    digest = hashlib.sha256()
    for name, text in sorted(templates().items()):
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    digest.update(_reply_schema_json().encode())
    return digest.hexdigest()[:12]


def _render(name: str, **values: str) -> str:
    try:
        return Template(templates()[name]).substitute(values)
    except (KeyError, ValueError) as exc:
        raise ConfigError(f"prompt template {name}: bad placeholder {exc}") from exc


def fence_answer(answer: str) -> str:
    """The answer, made safe to place between the answer tags."""
    return _FENCE_TAG.sub("[tag removed]", answer.strip())


def system_prompt(json_schema: dict[str, Any] | None = None) -> str:
    """The fixed system message; in JSON mode it also carries the reply schema."""
    text = templates()[SYSTEM]
    if json_schema is not None:
        import json

        # In the order the reply should be written: labels first.
        schema = json.dumps(json_schema, separators=(",", ":"))
        text += "\n\n" + _render(JSON_MODE, schema=schema)
    return text


@cache
def kind_guidance() -> dict[QuestionKind, str]:
    """How to judge each kind of question: the `## kind` sections of the kinds template."""
    sections = re.split(r"^## +(\S+) *$", templates()[KINDS], flags=re.MULTILINE)
    found = {name: text.strip() for name, text in zip(sections[1::2], sections[2::2], strict=True)}
    missing = [kind.value for kind in QuestionKind if not found.get(kind.value)]
    if missing:
        raise ConfigError(f"prompt template {KINDS}: no section for {', '.join(missing)}")
    return {kind: found[kind.value] for kind in QuestionKind}


def _guidance_for(question: Question) -> str:
    principles = ", ".join(p.value.replace("-", " ") for p in question.leadership_principles)
    try:
        return Template(kind_guidance()[question.kind]).substitute(
            leadership_principles=principles or "none named"
        )
    except (KeyError, ValueError) as exc:
        raise ConfigError(f"prompt template {KINDS}: bad placeholder {exc}") from exc


def question_block(question: Question) -> str:
    """The question, reference answer, rubric, red flags and how to judge its kind."""
    rubric = "\n".join(f"- `{p.id}`, {p.weight}: {p.point}" for p in question.rubric)
    flags = "\n".join(f"- `{f.id}`: {f.flag}" for f in question.red_flags) or "(none)"
    return _render(
        QUESTION,
        question_id=question.id,
        topic=question.topic,
        level=question.level.value,
        kind=question.kind.value,
        question=question.question,
        reference_answer=question.reference_answer.strip(),
        rubric=rubric,
        red_flags=flags,
        kind_guidance=_guidance_for(question),
    )


def answer_block(question: Question, answer: str, notes: Sequence[str] = ()) -> str:
    """The candidate's answer, fenced, with any notes about how it was prepared."""
    rendered_notes = "".join(f"\n\n({note})" for note in notes)
    return _render(
        ANSWER, answer=fence_answer(answer), answer_notes=rendered_notes, question_id=question.id
    )


@dataclass(frozen=True)
class GradingPrompt:
    system: str
    user: str

    @property
    def messages(self) -> list[dict[str, str]]:
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": self.user},
        ]


def grading_prompt(
    question: Question,
    answer: str,
    *,
    notes: Sequence[str] = (),
    json_schema: dict[str, Any] | None = None,
) -> GradingPrompt:
    """The whole prompt to grade `answer`: fixed prefix first, the answer last."""
    return GradingPrompt(
        system=system_prompt(json_schema),
        user=question_block(question) + "\n\n" + answer_block(question, answer, notes),
    )


def repair_prompt(error: str) -> str:
    """What to send after a reply that could not be used, to get a corrected one."""
    return _render(REPAIR, error=error)
