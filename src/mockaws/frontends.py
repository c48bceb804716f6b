"""The seam between the interview loop and whoever answers: a terminal editor, a pipe, a voice.

`session.run_interview` asks a `Frontend` for each answer and shows it what happens (events); a
front end never drives the interview, and the interview never knows how answers are typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from mockaws.models import FollowUpTurn, Grade, Mode, Question, RubricPoint, Spoken, Turn


@dataclass(frozen=True)
class Prompt:
    """What the candidate is asked now: a main question, or a follow-up to it."""

    question: Question
    number: int  # 1-based position of the main question in the session
    total: int
    follow_up: FollowUpTurn | None = None
    follow_up_number: int = 0
    draft: str = ""  # text typed before an interruption, to carry on from
    mode: Mode = Mode.STUDY
    time_limit: int | None = None  # seconds allowed for a main answer, if limited

    @property
    def text(self) -> str:
        return self.follow_up.question if self.follow_up is not None else self.question.question

    @property
    def is_follow_up(self) -> bool:
        return self.follow_up is not None


@dataclass(frozen=True)
class Graded:
    """A grade that arrived (or failed) in the background, for a client to show."""

    question: Question
    number: int
    turn: Turn
    follow_up: FollowUpTurn | None = None


@dataclass(frozen=True)
class Interrupt:
    """The user stopped the interview (Ctrl-C) with `draft` typed; `at_once` skips the summary."""

    draft: str
    at_once: bool = False


@dataclass(frozen=True)
class EndOfInput:
    """No more answers will come (the pipe closed with nothing typed)."""


@dataclass(frozen=True)
class SpokenAnswer:
    """An answer spoken aloud: its text (the transcript as corrected) and the recording's record.

    The text may be empty when the speech endpoint could not transcribe a kept recording:
    it is saved with the reason, and `mockaws regrade` transcribes and grades it.
    """

    text: str
    spoken: Spoken


Reply = str | SpokenAnswer | Interrupt | EndOfInput
# The points a user marks covered, and those marked missed (`/mark`).
Marks = tuple[list[str], list[str]]


@dataclass(frozen=True)
class Asked:
    """A prompt put to the user: first asked, or asked again (/repeat)."""

    prompt: Prompt
    again: bool = False


@dataclass(frozen=True)
class Waiting:
    """The next prompt waits for a grade (an adaptive choice, a follow-up from the grader)."""

    message: str


@dataclass(frozen=True)
class AnswerSaved:
    """An answer is on disk; grading has started."""

    prompt: Prompt
    answer: Turn | FollowUpTurn


@dataclass(frozen=True)
class SaveFailed:
    """A save failed (disk full, read-only home): everything is kept in memory meanwhile."""

    message: str


@dataclass(frozen=True)
class HintGiven:
    point: RubricPoint | None
    used: int


@dataclass(frozen=True)
class Revealed:
    question: Question | None


@dataclass(frozen=True)
class StudyOnly:
    """A study-mode command typed in real mode."""

    command: str


@dataclass(frozen=True)
class Notice:
    """Something to tell the user in one line."""

    message: str


@dataclass(frozen=True)
class Marked:
    """The user marked the points answer `number` covered (`grade` carries both verdicts)."""

    question: Question
    grade: Grade
    number: int


Event = (
    Asked
    | Waiting
    | AnswerSaved
    | SaveFailed
    | HintGiven
    | Revealed
    | StudyOnly
    | Notice
    | Marked
    | Graded
)


class LiveSession(Protocol):
    """What a front end may watch of the session while the user types (read only)."""

    @property
    def elapsed(self) -> float: ...

    @property
    def pending_grades(self) -> int: ...

    def take_events(self) -> list[Graded]: ...

    def keep_draft(self, prompt: Prompt, text: str) -> None: ...

    def warm_up(self) -> None:
        """Called once the question is on screen: prepare what submitting will need."""
        ...


class Frontend(Protocol):
    """Whoever answers the interview's questions.

    `live` is True when feedback can appear while the user types (an editor); a front end that is
    not live (a pipe) gets each answer's feedback before the next question, in order.
    """

    live: bool

    def read(self, prompt: Prompt, draft: str) -> Reply:
        """The answer to `prompt` (carrying on from `draft`), or why there is none."""
        ...

    def show(self, event: Event) -> None:
        """Show the user what just happened."""
        ...

    def mark(self, question: Question, grade: Grade, number: int) -> Marks | None:
        """/mark: the points to mark covered and missed, or None to leave the grade as it is."""
        ...
