"""Data models: authored data (questions) are strict; produced data carry a schema version."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

# Re-exported (hence `as`): the bank's vocabularies live apart, for code that lists questions
# without importing pydantic.
from mockaws.choices import Level as Level  # noqa: PLC0414
from mockaws.choices import QuestionKind as QuestionKind  # noqa: PLC0414
from mockaws.choices import Track as Track  # noqa: PLC0414

Slug = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=2, max_length=60)
]
Cue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]

# 2: a grade may carry a `confidence` (offline grades); version 1 grades load without one.
# 3: a grade may carry a `self_assessment` (the user's own verdicts); older grades have none.
GRADE_SCHEMA_VERSION = 3
# 2: one `state` per answer in place of `status`, `submitted` and `skipped`.
TRANSCRIPT_SCHEMA_VERSION = 2
# Version of a spoken answer's record (`Spoken`); transcripts without one are typed answers.
SPOKEN_SCHEMA_VERSION = 1


def utc_now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class Verdict(StrEnum):
    COVERED = "covered"
    PARTIAL = "partial"
    MISSED = "missed"
    CONTRADICTED = "contradicted"


class LeadershipPrinciple(StrEnum):
    """Amazon's Leadership Principles, which behavioural questions map to."""

    CUSTOMER_OBSESSION = "customer-obsession"
    OWNERSHIP = "ownership"
    INVENT_AND_SIMPLIFY = "invent-and-simplify"
    ARE_RIGHT_A_LOT = "are-right-a-lot"
    LEARN_AND_BE_CURIOUS = "learn-and-be-curious"
    HIRE_AND_DEVELOP = "hire-and-develop-the-best"
    HIGHEST_STANDARDS = "insist-on-the-highest-standards"
    THINK_BIG = "think-big"
    BIAS_FOR_ACTION = "bias-for-action"
    FRUGALITY = "frugality"
    EARN_TRUST = "earn-trust"
    DIVE_DEEP = "dive-deep"
    BACKBONE = "have-backbone-disagree-and-commit"
    DELIVER_RESULTS = "deliver-results"
    EARTHS_BEST_EMPLOYER = "strive-to-be-earths-best-employer"
    SCALE_AND_RESPONSIBILITY = "success-and-scale-bring-broad-responsibility"


class Rating(StrEnum):
    """Rating bands, best first; `scoring.rating_for` maps a score to one."""

    STRONG = "strong"
    SOLID = "solid"
    WEAK = "weak"
    POOR = "poor"


# ---------------------------------------------------------------- authored data


class StoryPart(StrEnum):
    """What a behavioural rubric point asks the story to show, whatever the story is about."""

    SITUATION = "situation"  # where and when, and what was at stake
    ACTIONS = "actions"  # what the candidate did themselves
    RESULT = "result"  # what came of it, measured
    LESSON = "lesson"  # what they learned and now do differently


class Authored(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class RubricPoint(Authored):
    """One idea a strong answer contains, with the cues that evidence it."""

    id: Slug
    point: Text
    weight: int = Field(ge=1, le=3)
    cues: list[Cue] = Field(min_length=1)
    # What /hint says: the area to think about, without giving the point away. Without it,
    # /hint shows the point with its key words held back (see `hints.hint_for`).
    hint: Text | None = None
    # Set by mockaws on points it derived from the reference answer of a question that came
    # without a rubric (see grading/derive.py); authors leave it out.
    derived: bool = False
    # On a behavioural question: the part of any story the point asks for. The offline grader
    # then also reads it from the story's shape ("At my last job ...", "I rolled it back",
    # "errors fell from 8% to 0.1%", "what I took from it ..."), since a candidate's own story
    # shares few words with the reference story.
    story: StoryPart | None = None


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
    kind: QuestionKind = QuestionKind.CONCEPT
    # Roles the question is asked for beyond those of its topic (see `bank.tracks_of`).
    tracks: list[Track] = Field(default_factory=list)
    # Behavioural questions: the Leadership Principles a good story shows.
    leadership_principles: list[LeadershipPrinciple] = Field(default_factory=list)
    # Worth knowing but not expected in an answer (limits, dates, history): shown with the
    # reference answer by /reveal and `questions show`, never graded.
    notes: Text | None = None

    @field_validator("rubric", "red_flags")
    @classmethod
    def _unique_ids(cls, items: list[RubricPoint] | list[RedFlag]) -> list[Any]:
        ids = [item.id for item in items]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate id {duplicates[0]!r}")
        return list(items)

    @model_validator(mode="after")
    def _principles_only_for_stories(self) -> Question:
        if self.leadership_principles and self.kind is not QuestionKind.BEHAVIOURAL:
            raise ValueError("leadership_principles: only behavioural questions map to them")
        if self.kind is not QuestionKind.BEHAVIOURAL:
            told = next((p.id for p in self.rubric if p.story is not None), None)
            if told is not None:
                raise ValueError(
                    f"rubric point '{told}': only behavioural points name a story part"
                )
        return self

    @property
    def rubric_hash(self) -> str:
        """A short hash of what grading depends on, so a grade can name the rubric it used."""
        payload = json.dumps(
            {
                "question": self.question,
                "reference_answer": self.reference_answer,
                # `derived` and `hint` change no verdict; leaving them out keeps older hashes valid.
                # `story` is left out when unset, for the same reason.
                "rubric": [
                    p.model_dump(
                        exclude={"derived", "hint"} | ({"story"} if p.story is None else set())
                    )
                    for p in self.rubric
                ],
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
    model_config = ConfigDict(extra="ignore", defer_build=True)


class Refusal(StrEnum):
    """Why scoring gave a grader's label no credit (the note on the verdict says it in words)."""

    NOT_FOUND = "not_found"  # the quote is not in the answer
    TOO_SLIGHT = "too_slight"  # too few words that are not stopwords to support anything
    OFF_POINT = "off_point"  # shares no term with the point, its cues or the reference answer
    ADDRESSES_GRADER = "addresses_grader"  # its only words are text addressed to the grader
    REUSED = "reused"  # the same quote already earns another point


class PointVerdict(Produced):
    """A grader's label for one rubric point, with the quote that evidences it."""

    point_id: str
    verdict: Verdict
    evidence: str = ""
    verified: bool = False
    note: str = ""
    claimed: Verdict | None = None  # the grader's label when scoring had to downgrade it
    # Why the label was downgraded; grades written before this field was added have None.
    refused: Refusal | None = None


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


class Confidence(StrEnum):
    """How far a grade can be trusted without a second look."""

    HIGH = "high"
    LOW = "low"


class GradeConfidence(Produced):
    """How sure a grader is of a grade, and why."""

    level: Confidence
    reason: str = ""


def mark_command(transcript_id: str, number: int | None = None) -> str:
    """The command that marks the points a user covered in answer `number` of a session."""
    question = f"--question {number}" if number is not None else "--question N"
    return f"mockaws transcripts mark {transcript_id} {question} --covered POINT"


def low_confidence_advice(transcript_id: str | None = None, number: int | None = None) -> str:
    """What a user can do about a grade the grader is unsure of (in this session, if given)."""
    if transcript_id:
        mark = f"mark the points you covered yourself ({mark_command(transcript_id, number)})"
        model = f"grade with a model: mockaws regrade {transcript_id} --grader openai"
    else:
        mark = "mark the points you covered yourself"
        model = "grade it with a model (--grader openai)"
    return f"read the reference answer and {mark}, or {model}"


class SelfAssessment(Produced):
    """The user's own verdicts on a grade's points, kept beside the grader's (which stay as
    they were); `score` and `rating` come from `scoring.self_assess`, like any other score."""

    points: list[
        PointVerdict
    ]  # one a rubric point: the user's where they differ, else the grader's
    changed: list[str] = Field(
        default_factory=list
    )  # ids of the points the user's verdict differs on
    score: int = Field(ge=0, le=100)
    rating: Rating
    marked_at: datetime = Field(default_factory=utc_now)


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
    # Offline grades say how sure they are; None on model grades and on grades made before it.
    confidence: GradeConfidence | None = None
    # The points the user says they covered, and the score that follows; `points`, `score` and
    # `rating` above stay the grader's.
    self_assessment: SelfAssessment | None = None

    @property
    def self_assessed(self) -> bool:
        return self.self_assessment is not None

    @property
    def effective_points(self) -> list[PointVerdict]:
        """The verdicts that count: the user's when they marked the points, else the grader's."""
        return self.self_assessment.points if self.self_assessment else self.points

    @property
    def effective_score(self) -> int:
        """The score stats and drills use: the self-assessed one when there is one."""
        return self.self_assessment.score if self.self_assessment else self.score

    @property
    def effective_rating(self) -> Rating:
        return self.self_assessment.rating if self.self_assessment else self.rating

    @property
    def low_confidence(self) -> bool:
        return self.confidence is not None and self.confidence.level is Confidence.LOW

    def low_confidence_note(
        self, transcript_id: str | None = None, number: int | None = None
    ) -> str | None:
        """The line that says the grade may be wrong and what to do, or None when it is sure.

        Once the user has marked the points themselves there is nothing left to check.
        """
        if self.confidence is None or self.confidence.level is not Confidence.LOW:
            return None
        if self.self_assessment is not None:
            return None
        reason = f": {self.confidence.reason}" if self.confidence.reason else ""
        return f"Low confidence{reason}. Check it: {low_confidence_advice(transcript_id, number)}."


class TurnStatus(StrEnum):
    """A main question answered or skipped (read from `Answer.state`)."""

    ANSWERED = "answered"
    SKIPPED = "skipped"


class AnswerState(StrEnum):
    """Where an answer (to a main question or a follow-up) is in its life."""

    ASKED = "asked"  # on screen, nothing typed yet
    DRAFT = "draft"  # typed, not submitted (saved while typing, or interrupted): never graded
    SUBMITTED = "submitted"  # on disk, its grade on the way
    SKIPPED = "skipped"  # never graded
    GRADED = "graded"
    GRADE_FAILED = "grade_failed"  # `grade_error` says why; `mockaws regrade` tries again


_OPEN_STATES = (AnswerState.ASKED, AnswerState.DRAFT)


class Mode(StrEnum):
    """How a session gives feedback: after each answer (study, drill) or only at the end (real)."""

    STUDY = "study"
    REAL = "real"
    DRILL = "drill"  # `mockaws drill`: study-style feedback, then a spaced-repetition rating


class Pause(Produced):
    """A silence inside a spoken answer longer than the long-pause threshold."""

    start: float  # seconds from the start of the recording
    seconds: float
    after_words: int = 0  # how many words of the answer came before it
    after: str = ""  # the last few words said before it, as transcribed


class WordTime(Produced):
    """One transcribed word with when it was said (when the speech endpoint gives timings)."""

    word: str
    start: float
    end: float


class Spoken(Produced):
    """A spoken answer: the recording, what the audio showed, and its raw transcript.

    `audio_file` is relative to the transcripts folder, or None when recordings are not kept.
    `transcribe_error` holds why transcription failed; `mockaws regrade` transcribes it later.
    """

    schema_version: int = SPOKEN_SCHEMA_VERSION
    audio_file: str | None = None
    audio_bytes: int = 0
    recorded_seconds: float = 0.0
    sample_rate: int = 16_000
    speech_start: float = 0.0  # first and last moments the level shows speech
    speech_end: float = 0.0
    pauses: list[Pause] = Field(default_factory=list)
    raw_transcript: str | None = None  # before the candidate's corrections
    words: list[WordTime] = Field(default_factory=list)
    model: str | None = None
    base_url_host: str | None = None
    transcribe_error: str | None = None
    transcribe_seconds: float | None = None  # how long the speech endpoint took
    # Recorded with --no-keep-audio but not transcribed yet: deleted once transcribed.
    delete_when_transcribed: bool = False
    audio_problem: str | None = None  # why the recording could not be written (disk full...)

    @property
    def speaking_seconds(self) -> float:
        return round(max(0.0, self.speech_end - self.speech_start), 2)

    @property
    def needs_transcript(self) -> bool:
        return self.raw_transcript is None


class Delivery(Produced):
    """Observable facts about how an answer would sound spoken aloud (see `delivery.py`).

    For a spoken answer (`measured`), the speaking time, pace and pauses come from the audio and
    the words and fillers from the raw transcript.
    """

    words: int = 0
    speaking_seconds: float = 0.0  # at `delivery.WORDS_PER_MINUTE`, or measured
    measured: bool = False
    long_pauses: list[Pause] = Field(default_factory=list)
    fillers: dict[str, int] = Field(default_factory=dict)  # filler -> count, most used first
    hedges: dict[str, int] = Field(default_factory=dict)
    repeated: dict[str, int] = Field(default_factory=dict)  # content words said 3+ times
    services_named: list[str] = Field(default_factory=list)
    services_expected: list[str] = Field(default_factory=list)  # named by the question's rubric

    @property
    def filler_count(self) -> int:
        return sum(self.fillers.values())

    @property
    def words_per_minute(self) -> float | None:
        """Measured pace; None for a typed answer (its time is estimated from a fixed pace)."""
        if not self.measured or self.speaking_seconds <= 0:
            return None
        return round(self.words * 60 / self.speaking_seconds, 1)

    @property
    def hedge_count(self) -> int:
        return sum(self.hedges.values())

    @property
    def services_not_named(self) -> list[str]:
        named = set(self.services_named)
        return [s for s in self.services_expected if s not in named]


class Answer(Produced):
    """An answer to a main question or to a follow-up: what was asked, typed and graded.

    `state` is the one record of where it is; a grade (or its failure) is recorded with
    `record_grade`, which keeps the state in step.
    """

    question: str
    answer: str = ""
    state: AnswerState = AnswerState.SUBMITTED
    seconds: float = 0.0
    delivery: Delivery | None = None
    grade: Grade | None = None
    grade_error: str | None = None
    spoken: Spoken | None = None  # set when the answer was spoken (`--voice`)

    @property
    def needs_transcript(self) -> bool:
        """Spoken, but the speech endpoint has not transcribed it yet."""
        return self.spoken is not None and self.spoken.needs_transcript and not self.skipped

    @model_validator(mode="after")
    def _state_follows_grade(self) -> Answer:
        # An answer built with its grade (or its failure) is in the state that says so.
        if self.state is AnswerState.SUBMITTED and self.grade is not None:
            self.state = AnswerState.GRADED
        elif self.state is AnswerState.SUBMITTED and self.grade_error:
            self.state = AnswerState.GRADE_FAILED
        return self

    @property
    def submitted(self) -> bool:
        """True once the answer was submitted or skipped (not while asked or a draft)."""
        return self.state not in _OPEN_STATES

    @property
    def skipped(self) -> bool:
        return self.state is AnswerState.SKIPPED

    @property
    def needs_grade(self) -> bool:
        return (
            self.submitted and not self.skipped and self.grade is None and not self.needs_transcript
        )

    @property
    def ungraded_reason(self) -> str:
        """Why the answer has no grade, in words."""
        if self.state is AnswerState.DRAFT:
            return "interrupted before the answer was submitted (kept as a draft)"
        if self.state is AnswerState.ASKED:
            return "not answered"
        if self.state is AnswerState.SKIPPED:
            return "skipped"
        return self.grade_error or "not graded yet"

    def record_grade(self, grade: Grade | None, error: str | None) -> None:
        """Keep a grade, or why grading failed (a failed regrade keeps the grade it had, as is)."""
        if grade is not None:
            self.grade, self.grade_error, self.state = grade, None, AnswerState.GRADED
        elif self.grade is None:
            self.grade_error, self.state = error, AnswerState.GRADE_FAILED


class FollowUpTurn(Answer):
    """A follow-up question asked after a main answer, judged for what it adds to that answer.

    It is saved when asked (state `asked`), so a session killed while the follow-up is on
    screen resumes at it.
    """

    source: str | None = None  # "grader" (aimed at the weakest point) or "authored"
    asked_at: datetime | None = None


class Turn(Answer):
    """One question asked in a session, with the answer and its grade (or why it has none)."""

    question_id: str
    topic: str
    level: Level
    rubric_hash: str
    kind: QuestionKind | None = None  # None in transcripts saved before questions had kinds
    asked_at: datetime = Field(default_factory=utc_now)
    answered_at: datetime | None = None
    previous_grades: list[Grade] = Field(default_factory=list)  # kept when a turn is regraded
    follow_ups: list[FollowUpTurn] = Field(default_factory=list)
    hints: list[str] = Field(default_factory=list)  # rubric point ids revealed by /hint
    revealed: bool = False  # the reference answer was shown with /reveal

    @property
    def status(self) -> TurnStatus:
        return TurnStatus.SKIPPED if self.skipped else TurnStatus.ANSWERED

    @classmethod
    def asking(cls, question: Question, **fields: Any) -> Turn:
        """A turn for `question`, with a snapshot of what it asked and which rubric it used."""
        return cls(
            question_id=question.id,
            question=question.question,
            topic=question.topic,
            level=question.level,
            rubric_hash=question.rubric_hash,
            kind=question.kind,
            **fields,
        )


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
    tracks: list[Track] = Field(default_factory=list)
    loop: Track | None = None  # `interview --loop TRACK`: the questions and timing of a loop
    # Seconds per kind of question, overriding `time_limit_s`: a loop times a story and a design
    # differently.
    time_limits_s: dict[QuestionKind, int] = Field(default_factory=dict)

    def time_limit_for(self, kind: QuestionKind) -> int | None:
        """The seconds allowed for an answer to a question of this kind, if limited."""
        return self.time_limits_s.get(kind, self.time_limit_s)


class Transcript(Produced):
    """A whole interview session as saved on disk."""

    schema_version: int = TRANSCRIPT_SCHEMA_VERSION
    # File names are made from the id: one from a hand-edited or downloaded file must not be
    # able to name a path ("../../x", "/etc/x").
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")]
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
        return sum(t.grade.effective_score for t in graded if t.grade) / len(graded)
