"""The interview engine: asks, grades and saves, with no terminal I/O of its own.

A client (the terminal UI, a test, a script) drives it: read `current`, then `submit`, `skip` or
`finish`. Every submitted answer is on disk before the next question is asked.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from mockaws.errors import GradingError
from mockaws.grading import Grader, grade_answer
from mockaws.models import (
    Question,
    SessionSettings,
    SessionStatus,
    Transcript,
    Turn,
    TurnStatus,
    utc_now,
)
from mockaws.transcripts import TranscriptStore, new_transcript_id


class Command(StrEnum):
    """In-answer commands, typed as the whole answer."""

    SKIP = "/skip"
    QUIT = "/quit"


def parse_command(answer: str) -> Command | None:
    """The command an answer consists of, if it is one."""
    text = answer.strip().lower()
    return next((c for c in Command if c.value == text), None)


@dataclass(frozen=True)
class SavedPaths:
    json: Path
    markdown: Path


class Interview:
    """One interview session over a fixed list of questions."""

    def __init__(
        self,
        questions: Sequence[Question],
        grader: Grader,
        store: TranscriptStore,
        settings: SessionSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.questions = list(questions)
        self.grader = grader
        self.store = store
        self.clock = clock
        self.transcript = Transcript(
            id=new_transcript_id(),
            settings=settings.model_copy(update={"question_ids": [q.id for q in questions]}),
        )
        self._asked_at = clock()
        self.store.save(self.transcript)

    @property
    def position(self) -> int:
        """How many questions have been dealt with (answered or skipped)."""
        return len(self.transcript.turns)

    @property
    def current(self) -> Question | None:
        """The question to ask now, or None when all have been asked."""
        if self.position >= len(self.questions):
            return None
        return self.questions[self.position]

    @property
    def total(self) -> int:
        return len(self.questions)

    def _new_turn(self, question: Question, status: TurnStatus, answer: str = "") -> Turn:
        now = utc_now()
        return Turn(
            question_id=question.id,
            question=question.question,
            topic=question.topic,
            level=question.level,
            rubric_hash=question.rubric_hash,
            status=status,
            answer=answer,
            answered_at=now,
            seconds=round(self.clock() - self._asked_at, 1),
        )

    def _record(self, turn: Turn) -> Turn:
        self.transcript.turns.append(turn)
        self.store.save(self.transcript)
        self._asked_at = self.clock()
        return turn

    def submit(self, answer: str) -> Turn:
        """Record, save, grade and save again the answer to the current question."""
        question = self._require_current()
        turn = self._new_turn(question, TurnStatus.ANSWERED, answer)
        # Saved before grading: a grader that hangs or crashes cannot cost the user the answer.
        self._record(turn)
        try:
            turn.grade = grade_answer(self.grader, question, answer)
        except GradingError as exc:
            turn.grade_error = str(exc)
        self.store.save(self.transcript)
        return turn

    def save_unsent(self, draft: str) -> Turn:
        """Keep an answer that was still being typed when the session was interrupted."""
        turn = self._new_turn(self._require_current(), TurnStatus.ANSWERED, draft)
        turn.grade_error = "interrupted before the answer was submitted"
        return self._record(turn)

    def skip(self) -> Turn:
        """Record that the current question was skipped."""
        return self._record(self._new_turn(self._require_current(), TurnStatus.SKIPPED))

    def finish(self, status: SessionStatus = SessionStatus.COMPLETED) -> SavedPaths:
        """Close the session: final JSON and the annotated Markdown beside it."""
        self.transcript.status = status
        self.transcript.finished_at = utc_now()
        json_path = self.store.save(self.transcript)
        questions = {q.id: q for q in self.questions}
        markdown_path = self.store.save_markdown(self.transcript, questions)
        return SavedPaths(json_path, markdown_path)

    def _require_current(self) -> Question:
        question = self.current
        if question is None:
            raise RuntimeError("the interview has no question left to answer")
        return question
