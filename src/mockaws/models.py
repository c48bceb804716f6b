"""Data models: authored data (questions) are strict; produced data carry a schema version."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=2, max_length=60)
]
Cue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

GRADE_SCHEMA_VERSION = 1
TRANSCRIPT_SCHEMA_VERSION = 1


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class Level(StrEnum):
    JUNIOR = "junior"
    MID = "mid"
    SENIOR = "senior"


class Verdict(StrEnum):
    COVERED = "covered"
    PARTIAL = "partial"
    MISSED = "missed"
    CONTRADICTED = "contradicted"


class Rating(StrEnum):
    """Rating bands, best first; `scoring.rating_for` maps a score to one."""

    STRONG = "strong"
    SOLID = "solid"
    WEAK = "weak"
    POOR = "poor"


# ---------------------------------------------------------------- authored data


class Authored(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RubricPoint(Authored):
    """One idea a strong answer contains, with the cues that evidence it."""

    id: Slug
    point: Text
    weight: int = Field(ge=1, le=3)
    cues: list[Cue] = Field(min_length=1)
    # Set by mockaws on points it derived from the reference answer of a question that came
    # without a rubric (see grading/derive.py); authors leave it out.
    derived: bool = False


class RedFlag(Authored):
    """A misconception or anti-pattern worth catching in an answer."""

    id: Slug
    flag: Text
    cues: list[Cue] = Field(min_length=1)


class Question(Authored):
    """A bank question with its reference answer and rubric."""

    id: Slug
    topic: Slug
    level: Level
    question: Text
    reference_answer: Text
    # May be left out: points are then derived from the reference answer when the bank loads.
    rubric: list[RubricPoint] = Field(default_factory=list, max_length=6)
    red_flags: list[RedFlag] = Field(default_factory=list)
    follow_ups: list[Text] = Field(default_factory=list)
    sources: list[Annotated[str, StringConstraints(pattern=r"^(new|\d{3})$")]] = Field(
        default_factory=lambda: ["new"]
    )
    tags: list[Slug] = Field(default_factory=list)

    @field_validator("rubric", "red_flags")
    @classmethod
    def _unique_ids(cls, items: list[RubricPoint] | list[RedFlag]) -> list[Any]:
        ids = [item.id for item in items]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate id {duplicates[0]!r}")
        return list(items)

    @property
    def rubric_hash(self) -> str:
        """A short hash of what grading depends on, so a grade can name the rubric it used."""
        payload = json.dumps(
            {
                "question": self.question,
                "reference_answer": self.reference_answer,
                # `derived` changes no verdict; leaving it out keeps hashes of older grades valid.
                "rubric": [p.model_dump(exclude={"derived"}) for p in self.rubric],
                "red_flags": [f.model_dump() for f in self.red_flags],
            },
            sort_keys=True,
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    @property
    def rubric_derived(self) -> bool:
        """True when the rubric was derived from the reference answer, not written by hand."""
        return any(p.derived for p in self.rubric)

    def point(self, point_id: str) -> RubricPoint | None:
        """The rubric point with this id, if any."""
        return next((p for p in self.rubric if p.id == point_id), None)


class BankFile(Authored):
    """The shape of one bank file: a list of questions."""

    questions: list[Question] = Field(min_length=1)


# ---------------------------------------------------------------- produced data


class Produced(BaseModel):
    # Produced data must keep loading when a newer version adds fields.
    model_config = ConfigDict(extra="ignore")


class PointVerdict(Produced):
    """A grader's label for one rubric point, with the quote that evidences it."""

    point_id: str
    verdict: Verdict
    evidence: str = ""
    verified: bool = False
    note: str = ""
    claimed: Verdict | None = None  # the grader's label when scoring had to downgrade it


class RedFlagHit(Produced):
    flag_id: str
    evidence: str = ""
    verified: bool = False


class Feedback(Produced):
    strengths: list[str] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)
    outline: list[str] = Field(default_factory=list)


class Usage(Produced):
    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0  # of completion_tokens, where the server reports them
    cost_usd: float | None = None
    estimated: bool = False  # token counts are an estimate, not the provider's figures


class Grade(Produced):
    """One graded answer: labels from a grader, score and rating computed by scoring.py."""

    schema_version: int = GRADE_SCHEMA_VERSION
    grader: str
    model: str | None = None
    base_url_host: str | None = None
    prompt_version: str | None = None
    rubric_hash: str
    points: list[PointVerdict]
    red_flags_hit: list[RedFlagHit] = Field(default_factory=list)
    score: int = Field(ge=0, le=100)
    rating: Rating
    feedback: Feedback = Field(default_factory=Feedback)
    follow_up: str | None = None
    integrity_flags: list[str] = Field(default_factory=list)
    notices: list[str] = Field(default_factory=list)
    usage: Usage | None = None
    latency_s: float = 0.0
    graded_at: datetime = Field(default_factory=utc_now)


class TurnStatus(StrEnum):
    ANSWERED = "answered"
    SKIPPED = "skipped"


class Mode(StrEnum):
    """How a session gives feedback: after each answer (study, drill) or only at the end (real)."""

    STUDY = "study"
    REAL = "real"
    DRILL = "drill"  # `mockaws drill`: study-style feedback, then a spaced-repetition rating


class Delivery(Produced):
    """Observable facts about how an answer would sound spoken aloud (see `delivery.py`)."""

    words: int = 0
    speaking_seconds: float = 0.0  # at `delivery.WORDS_PER_MINUTE`
    fillers: dict[str, int] = Field(default_factory=dict)  # filler -> count, most used first
    hedges: dict[str, int] = Field(default_factory=dict)
    repeated: dict[str, int] = Field(default_factory=dict)  # content words said 3+ times
    services_named: list[str] = Field(default_factory=list)
    services_expected: list[str] = Field(default_factory=list)  # named by the question's rubric

    @property
    def filler_count(self) -> int:
        return sum(self.fillers.values())

    @property
    def hedge_count(self) -> int:
        return sum(self.hedges.values())

    @property
    def services_not_named(self) -> list[str]:
        named = set(self.services_named)
        return [s for s in self.services_expected if s not in named]


class FollowUpTurn(Produced):
    """A follow-up question asked after a main answer, graded against the parent rubric.

    It is saved when asked (`submitted` False, no answer yet), so a session killed while the
    follow-up is on screen resumes at it.
    """

    question: str
    answer: str = ""
    source: str | None = None  # "grader" (aimed at the weakest point) or "authored"
    submitted: bool = True
    skipped: bool = False
    asked_at: datetime | None = None
    seconds: float = 0.0
    delivery: Delivery | None = None
    grade: Grade | None = None
    grade_error: str | None = None

    @property
    def needs_grade(self) -> bool:
        return self.submitted and not self.skipped and self.grade is None


class Turn(Produced):
    """One question asked in a session, with the answer and its grade (or why it has none)."""

    question_id: str
    question: str
    topic: str
    level: Level
    rubric_hash: str
    status: TurnStatus = TurnStatus.ANSWERED
    answer: str = ""
    asked_at: datetime = Field(default_factory=utc_now)
    answered_at: datetime | None = None
    seconds: float = 0.0
    grade: Grade | None = None
    grade_error: str | None = None
    previous_grades: list[Grade] = Field(default_factory=list)  # kept when a turn is regraded
    follow_ups: list[FollowUpTurn] = Field(default_factory=list)
    # False for an answer still being typed when the session was interrupted: kept, not graded.
    submitted: bool = True
    delivery: Delivery | None = None
    hints: list[str] = Field(default_factory=list)  # rubric point ids revealed by /hint
    revealed: bool = False  # the reference answer was shown with /reveal

    @classmethod
    def asking(cls, question: Question, **fields: Any) -> Turn:
        """A turn for `question`, with a snapshot of what it asked and which rubric it used."""
        return cls(
            question_id=question.id,
            question=question.question,
            topic=question.topic,
            level=question.level,
            rubric_hash=question.rubric_hash,
            **fields,
        )

    @property
    def needs_grade(self) -> bool:
        return self.status is TurnStatus.ANSWERED and self.submitted and self.grade is None


class SessionStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


class SessionSettings(Produced):
    topics: list[str] = Field(default_factory=list)
    level: Level | None = None
    count: int = 5
    seed: int | None = None
    mode: Mode = Mode.STUDY
    grader: str = "offline"
    model: str | None = None
    base_url_host: str | None = None
    question_ids: list[str] = Field(default_factory=list)
    follow_ups: int = Field(default=0, ge=0, le=2)
    time_limit_s: int | None = None
    adaptive: bool = False
    banks: list[str] = Field(default_factory=list)  # extra --bank paths, so `resume` finds them


class Transcript(Produced):
    """A whole interview session as saved on disk."""

    schema_version: int = TRANSCRIPT_SCHEMA_VERSION
    id: str
    kind: Literal["interview"] = "interview"
    started_at: datetime = Field(default_factory=utc_now)
    finished_at: datetime | None = None
    status: SessionStatus = SessionStatus.IN_PROGRESS
    settings: SessionSettings = Field(default_factory=SessionSettings)
    turns: list[Turn] = Field(default_factory=list)

    @property
    def graded_turns(self) -> list[Turn]:
        return [t for t in self.turns if t.grade is not None]

    @property
    def average_score(self) -> float | None:
        graded = self.graded_turns
        if not graded:
            return None
        return sum(t.grade.score for t in graded if t.grade) / len(graded)
