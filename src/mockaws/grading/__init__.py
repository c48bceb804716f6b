"""Graders label answers; `scoring` turns labels into grades. `make_grader` picks one by name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from mockaws.errors import ConfigError
from mockaws.models import Grade, Question

if TYPE_CHECKING:
    from mockaws.config import Settings
    from mockaws.grading.scoring import Labels

GRADER_NAMES = ("auto", "offline", "openai")
# About 2,000 words, a quarter of an hour spoken: far past any interview answer. Longer text
# (a paste, a runaway dictation) is saved whole and graded on its first part, so grading stays
# fast and bounded whatever is submitted.
MAX_GRADED_CHARS = 12_000


class Grader(Protocol):
    """Anything that labels one answer to one question; `grade_answer` scores the labels.

    `thread_safe` says whether `label` may run for several answers at once: the grading runner
    then grades side by side (the LLM grader, which waits on the network); otherwise one at a time.
    """

    name: str
    thread_safe: bool

    def label(self, question: Question, answer: str) -> Labels: ...


def grade_answer(grader: Grader, question: Question, answer: str) -> Grade:
    """Label one answer with `grader` and score it; an answer with nothing to grade scores 0
    without calling the grader."""
    from mockaws.grading.scoring import finalise, zero_grade
    from mockaws.grading.screening import screen_answer

    reason = screen_answer(answer[:MAX_GRADED_CHARS])
    if reason:
        return zero_grade(question, reason, grader=grader.name)
    if len(answer) <= MAX_GRADED_CHARS:
        return finalise(question, answer, grader.label(question, answer), grader=grader.name)
    graded = answer[:MAX_GRADED_CHARS].rsplit(None, 1)[0]
    grade = finalise(question, graded, grader.label(question, graded), grader=grader.name)
    notice = (
        f"the answer is {len(answer):,} characters long: only its first {len(graded):,} were "
        "graded (all of it is saved)"
    )
    return grade.model_copy(update={"notices": [*grade.notices, notice]})


def make_grader(name: str, settings: Settings | None = None) -> tuple[Grader, str | None]:
    """The grader called `name`, and a one-line notice to show the user (or None).

    `auto` is the LLM grader when a model or endpoint is configured, else the offline grader.
    """
    from mockaws.config import load_settings
    from mockaws.grading.offline import OfflineGrader

    if name not in GRADER_NAMES:
        raise ConfigError(f"unknown grader '{name}' (choose from: {', '.join(GRADER_NAMES)})")
    if name == "offline":
        return OfflineGrader(), None
    settings = settings or load_settings()
    if name == "openai" or settings.model_configured:
        from mockaws.grading.llm import OpenAIGrader

        grader = OpenAIGrader(settings)
        return grader, f"Grading with {settings.model} at {settings.base_url_host}."
    if settings.api_key:
        return OfflineGrader(), (
            "OPENAI_API_KEY is set but no model is configured: grading with the offline grader "
            "(set MOCKAWS_MODEL or pass --grader openai to use a model)."
        )
    return OfflineGrader(), "No model configured: grading with the offline grader."
