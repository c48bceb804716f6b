"""Each kind of question reaches the grader with its own guidance and is graded end to end."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mockaws.bank import load_bank
from mockaws.cli import app
from mockaws.models import Question, QuestionKind
from mockaws.prompts import grading_prompt
from tests.conftest import DATA
from tests.fake_openai import FakeOpenAI, completion, labels, user_message

KINDS_BANK = DATA / "kinds_bank.toml"
BY_KIND = {q.kind: q for q in load_bank([KINDS_BANK], include_shipped=False).questions.values()}
SHIPPED = sorted(load_bank().questions.values(), key=lambda q: q.id)
runner = CliRunner()

# What the grader is told to look for in each kind of answer, and only in that kind.
GUIDANCE = {
    QuestionKind.CONCEPT: "explains an idea and when to use it",
    QuestionKind.SCENARIO: "the options they weigh, the choice they make and why",
    QuestionKind.TROUBLESHOOTING: "Judge the order of diagnosis",
    QuestionKind.DESIGN: "the failure modes and how the design survives them",
    QuestionKind.BEHAVIOURAL: '"We" with no "I" is a gap',
}


def test_the_test_bank_has_one_question_of_each_kind() -> None:
    assert set(BY_KIND) == set(QuestionKind)


@pytest.mark.parametrize("kind", list(QuestionKind), ids=str)
def test_each_kind_renders_its_own_guidance(kind: QuestionKind) -> None:
    question = BY_KIND[kind]
    user = grading_prompt(question, "My answer.").user
    assert f"(test-kinds, {question.level.value}, {kind.value})" in user
    assert f"## Judging a {kind.value} question" in user
    assert GUIDANCE[kind] in user
    others = [text for other, text in GUIDANCE.items() if other is not kind]
    assert not any(text in user for text in others)
    # The guidance applies the rubric: it comes before the answer, never inside its fence.
    assert user.index(GUIDANCE[kind]) < user.index("<candidate_answer>")


def test_a_behavioural_prompt_names_the_story_and_its_leadership_principles() -> None:
    user = grading_prompt(BY_KIND[QuestionKind.BEHAVIOURAL], "My answer.").user
    assert "STAR form" in user
    assert "Leadership Principles a good story shows here: ownership, earn trust." in user
    assert "judge theirs against the rubric points, not against the reference's facts" in user


@pytest.mark.parametrize("question", SHIPPED, ids=lambda q: q.id)
def test_every_shipped_question_renders_with_its_kind(question: Question) -> None:
    user = grading_prompt(question, "My answer.").user
    assert f"## Judging a {question.kind.value} question" in user
    assert GUIDANCE[question.kind] in user
    assert not re.search(r"\$[a-z_]+", user.split("<candidate_answer>")[0])


def grade_cli(question: Question, answer: str, *grader: str) -> dict[str, object]:
    result = runner.invoke(
        app,
        ["grade", "-q", question.id, "--json", "--bank", str(KINDS_BANK), *grader],
        input=answer,
    )
    assert result.exit_code == 0, result.stderr
    grade: dict[str, object] = json.loads(result.stdout)
    return grade


@pytest.mark.parametrize("kind", list(QuestionKind), ids=str)
def test_each_kind_is_graded_end_to_end_offline(kind: QuestionKind) -> None:
    question = BY_KIND[kind]
    strong = grade_cli(question, question.reference_answer, "--grader", "offline")
    assert (strong["score"], strong["rating"]) == (100, "strong")
    weak = grade_cli(question, "I would restart it and see.", "--grader", "offline")
    assert weak["rating"] == "poor"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        yield fake


def sentence_with(answer: str, cues: list[str]) -> str:
    """The sentence of `answer` that says the point: the one holding one of its cues."""
    sentences = [s.strip() for s in re.split(r"(?<=[.:;])\s+", answer.strip())]
    return next(s for s in sentences for cue in cues if cue in s)


@pytest.mark.parametrize("kind", list(QuestionKind), ids=str)
def test_each_kind_is_graded_end_to_end_by_the_llm(kind: QuestionKind, server: FakeOpenAI) -> None:
    question = BY_KIND[kind]
    answer = question.reference_answer.strip()
    verdicts = {p.id: ("covered", sentence_with(answer, p.cues)) for p in question.rubric}
    # One missed point, so the score shows it was computed from these labels.
    missed = min(question.rubric, key=lambda p: p.weight)
    verdicts.pop(missed.id)
    server.enqueue(completion(labels(question, verdicts)))

    grade = grade_cli(question, answer, "--grader", "openai", "--model", "fake-model")

    (request,) = server.requests
    sent = user_message(request)
    assert f"## Judging a {kind.value} question" in sent and GUIDANCE[kind] in sent
    total = sum(p.weight for p in question.rubric)
    assert grade["score"] == round(100 * (total - missed.weight) / total)
    points = {p["point_id"]: p for p in grade["points"]}  # type: ignore[attr-defined]
    assert points[missed.id]["verdict"] == "missed"
    assert all(points[p]["verified"] for p in verdicts)


def test_notes_are_shown_with_the_question_and_never_graded(tmp_path: Path) -> None:
    question = BY_KIND[QuestionKind.CONCEPT]
    assert question.notes is not None
    shown = runner.invoke(app, ["questions", "show", question.id, "--bank", str(KINDS_BANK)])
    assert shown.exit_code == 0
    assert "Notes" in shown.stdout and "must also be a FIFO queue" in shown.stdout
    assert question.notes not in grading_prompt(question, "My answer.").user


def test_reveal_in_the_interview_shows_the_notes(home: Path) -> None:
    args = ["interview", "--bank", str(KINDS_BANK), "--topic", "test-kinds", "-n", "5"]
    args += ["--seed", "1", "--follow-ups", "0", "--grader", "offline"]
    result = runner.invoke(app, args, input="My answer.\n.\n/reveal\n.\n" * 5)
    assert result.exit_code == 0, result.stderr
    (path,) = (home / "transcripts").glob("*.json")
    asked = [turn["question_id"] for turn in json.loads(path.read_text())["turns"]]
    concept = BY_KIND[QuestionKind.CONCEPT]
    assert concept.notes is not None
    assert asked.index(concept.id) < len(asked) - 1  # answered before the last question
    flat = " ".join(result.stdout.split())
    assert f"Reference answer ({concept.id})" in flat
    assert f"Notes (worth knowing, not expected in an answer) {concept.notes.strip()}" in flat
