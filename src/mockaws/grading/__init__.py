"""Graders label answers; `scoring` turns labels into grades. `make_grader` picks one by name."""

from __future__ import annotations

from typing import Protocol

from mockaws.errors import ConfigError
from mockaws.models import Grade, Question

GRADER_NAMES = ("auto", "offline")


class Grader(Protocol):
    """Anything that grades one answer to one question."""

    name: str

    def grade(self, question: Question, answer: str) -> Grade: ...


def grade_answer(grader: Grader, question: Question, answer: str) -> Grade:
    """Grade one answer; one with nothing to grade scores 0 without calling the grader."""
    from mockaws.grading.scoring import zero_grade
    from mockaws.grading.screening import screen_answer

    reason = screen_answer(answer)
    if reason:
        return zero_grade(question, reason, grader=grader.name)
    return grader.grade(question, answer)


def make_grader(name: str) -> tuple[Grader, str | None]:
    """The grader called `name`, and a one-line notice to show the user (or None)."""
    from mockaws.grading.offline import OfflineGrader

    if name == "offline":
        return OfflineGrader(), None
    if name == "auto":
        return OfflineGrader(), "No model configured: grading with the offline grader."
    raise ConfigError(f"unknown grader '{name}' (choose from: {', '.join(GRADER_NAMES)})")
