"""The drill schedule: when to ask each question again, by the FSRS spaced-repetition algorithm.

Every graded answer is a review of its question, rated again / hard / good / easy (suggested from
the grade; in a drill the user may change it). The reviews are the record, kept in
`<MOCKAWS_HOME>/drill-schedule.json` with a schema version; each question's FSRS memory state is
derived from them and stored beside them as a cache. When the scheduler changes (a new `fsrs`
release, other settings), the states are rebuilt by replaying the reviews, so an upgrade never
loses a schedule.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationError

from mockaws.errors import BadInputError
from mockaws.files import atomic_write_text, describe_os_error, loads_json, read_text
from mockaws.history import History
from mockaws.models import Grade, Level, Produced, Question, Rating, Verdict, utc_now

if TYPE_CHECKING:
    import fsrs

SCHEDULE_SCHEMA_VERSION = 1
SCHEDULE_FILE = "drill-schedule.json"
# One short step: a failed answer comes back ten minutes later, a good one in days. FSRS's two
# default steps (1 and 10 minutes) suit flashcards more than spoken answers of a minute or two.
LEARNING_STEPS = (timedelta(minutes=10),)
RELEARNING_STEPS = (timedelta(minutes=10),)


class DrillRating(StrEnum):
    """How well a question was recalled, in FSRS's four grades."""

    AGAIN = "again"
    HARD = "hard"
    GOOD = "good"
    EASY = "easy"


class DrillScheduleError(BadInputError):
    """The schedule file cannot be read; it is left untouched."""


def suggest_rating(rating: Rating | str, *, missed: bool, red_flags: int) -> DrillRating:
    """The drill rating a grade suggests: a red flag or a poor answer means "again"."""
    band = Rating(rating)
    if red_flags or band is Rating.POOR:
        return DrillRating.AGAIN
    if band is Rating.WEAK:
        return DrillRating.HARD
    if band is Rating.SOLID or missed:
        return DrillRating.GOOD
    return DrillRating.EASY


def suggest_for_grade(grade: Grade) -> DrillRating:
    """`suggest_rating` for a full grade."""
    missed = any(
        p.verdict in (Verdict.MISSED, Verdict.CONTRADICTED) for p in grade.effective_points
    )
    return suggest_rating(grade.effective_rating, missed=missed, red_flags=len(grade.red_flags_hit))


class Review(Produced):
    """One graded answer to a question, as a review in the schedule."""

    at: datetime
    rating: DrillRating
    suggested: DrillRating
    source: str  # "<transcript id>#<turn index>": each answer counts once
    score: int | None = None  # the self-assessed score when the user marked the points
    missed: list[str] = Field(default_factory=list)  # rubric point ids missed or contradicted
    grader_score: int | None = None  # the grader's own score, when it is not `score`


class MemoryState(Produced):
    """A question's FSRS state in the schedule's own terms, so a library change cannot strand it."""

    phase: str  # learning | review | relearning
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    due: datetime
    last_review: datetime | None = None


class QuestionSchedule(Produced):
    reviews: list[Review] = Field(default_factory=list)
    state: MemoryState | None = None

    @property
    def last(self) -> Review | None:
        return max(self.reviews, key=lambda r: r.at) if self.reviews else None


class Schedule(Produced):
    """Every question's reviews and memory state."""

    schema_version: int = SCHEDULE_SCHEMA_VERSION
    scheduler: str = ""  # fingerprint of the scheduler that computed the states
    questions: dict[str, QuestionSchedule] = Field(default_factory=dict)

    def sources(self) -> set[str]:
        return {r.source for q in self.questions.values() for r in q.reviews}


@cache
def _scheduler() -> fsrs.Scheduler:
    import fsrs

    # No fuzzing: replaying the same reviews must give the same schedule.
    return fsrs.Scheduler(
        learning_steps=LEARNING_STEPS, relearning_steps=RELEARNING_STEPS, enable_fuzzing=False
    )


@cache
def scheduler_fingerprint() -> str:
    """Names the algorithm and settings that computed the stored states."""
    from importlib.metadata import version

    settings = json.dumps(_scheduler().to_dict(), sort_keys=True)
    digest = hashlib.sha256(settings.encode()).hexdigest()[:12]
    return f"fsrs {version('fsrs')} {digest}"


_PHASES = ("learning", "review", "relearning")  # fsrs.State values 1, 2, 3


def _to_card(state: MemoryState | None) -> fsrs.Card:
    import fsrs

    if state is None:
        return fsrs.Card(card_id=1)
    return fsrs.Card(
        card_id=1,
        state=fsrs.State(_PHASES.index(state.phase) + 1),
        step=state.step,
        stability=state.stability,
        difficulty=state.difficulty,
        due=state.due.astimezone(UTC),
        last_review=state.last_review.astimezone(UTC) if state.last_review else None,
    )


def _from_card(card: fsrs.Card) -> MemoryState:
    return MemoryState(
        phase=_PHASES[int(card.state) - 1],
        step=card.step,
        stability=card.stability,
        difficulty=card.difficulty,
        due=card.due,
        last_review=card.last_review,
    )


def _apply(state: MemoryState | None, review: Review) -> MemoryState:
    import fsrs

    rating = fsrs.Rating[review.rating.value.capitalize()]
    card, _ = _scheduler().review_card(
        _to_card(state), rating, review_datetime=review.at.astimezone(UTC)
    )
    return _from_card(card)


def _replay(reviews: Iterable[Review]) -> MemoryState | None:
    state = None
    for review in sorted(reviews, key=lambda r: r.at):
        state = _apply(state, review)
    return state


def add_review(schedule: Schedule, question_id: str, review: Review) -> MemoryState:
    """Record a review and move the question's memory state on; returns the new state."""
    entry = schedule.questions.setdefault(question_id, QuestionSchedule())
    in_order = entry.state is not None and all(r.at <= review.at for r in entry.reviews)
    entry.reviews.append(review)
    # An answer older than the last review (a transcript copied in late) needs a full replay.
    entry.state = _apply(entry.state, review) if in_order else _replay(entry.reviews)
    assert entry.state is not None
    return entry.state


def load_schedule(path: Path) -> Schedule:
    """The schedule at `path` (empty when there is none yet), with states fit for this version."""
    try:
        text = read_text(path)
    except FileNotFoundError:
        return Schedule(scheduler=scheduler_fingerprint())
    except (OSError, UnicodeDecodeError) as exc:
        reason = describe_os_error(exc) if isinstance(exc, OSError) else "not UTF-8 text"
        raise DrillScheduleError(f"{path}: cannot read the drill schedule: {reason}") from exc
    try:
        document: Any = loads_json(text)
    except json.JSONDecodeError as exc:
        raise DrillScheduleError(
            f"{path}: the drill schedule is not valid JSON ({exc.msg} at line {exc.lineno}); "
            "move it aside to rebuild it from your transcripts"
        ) from exc
    version = document.get("schema_version") if isinstance(document, dict) else None
    if isinstance(version, int) and version > SCHEDULE_SCHEMA_VERSION:
        raise DrillScheduleError(
            f"{path}: written by a newer mockaws (schema_version {version}; this version reads "
            f"up to {SCHEDULE_SCHEMA_VERSION}): upgrade mockaws to use it"
        )
    try:
        schedule = Schedule.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DrillScheduleError(
            f"{path}: not a valid drill schedule ({where}: {first['msg']}); "
            "move it aside to rebuild it from your transcripts"
        ) from exc
    if schedule.scheduler != scheduler_fingerprint():
        for entry in schedule.questions.values():
            entry.state = _replay(entry.reviews)
        schedule.scheduler = scheduler_fingerprint()
    return schedule


def save_schedule(schedule: Schedule, path: Path) -> None:
    """Write the schedule atomically."""
    atomic_write_text(path, schedule.model_dump_json(indent=1) + "\n")


def sync(schedule: Schedule, history: History) -> int:
    """Bring `history`'s graded answers into the schedule; returns how many were added or changed.

    An answer the user marked since it was scheduled (`transcripts mark`) updates its review: the
    score, the missed points and the suggested rating follow the self-assessment, and so does
    the rating unless the user picked another than the one suggested.
    """
    reviews = {
        review.source: (question_id, review)
        for question_id, entry in schedule.questions.items()
        for review in entry.reviews
    }
    changed = 0
    for session in history.sessions:
        for answer in session.answers:
            source = f"{session.id}#{answer.turn}"
            if answer.score is None or answer.rating is None:
                continue
            suggested = suggest_rating(
                answer.rating, missed=bool(answer.missed), red_flags=answer.red_flags
            )
            known = reviews.get(source)
            if known is None:
                review = Review(
                    at=datetime.fromisoformat(answer.answered_at),
                    rating=suggested,
                    suggested=suggested,
                    source=source,
                    score=answer.score,
                    missed=list(answer.missed),
                    grader_score=answer.grader_score,
                )
                add_review(schedule, answer.question_id, review)
                reviews[source] = (answer.question_id, review)
                changed += 1
                continue
            question_id, review = known
            if review.score == answer.score and review.missed == list(answer.missed):
                continue
            if review.rating == review.suggested:
                review.rating = suggested
            review.suggested = suggested
            review.score = answer.score
            review.missed = list(answer.missed)
            review.grader_score = answer.grader_score
            schedule.questions[question_id].state = _replay(schedule.questions[question_id].reviews)
            changed += 1
    return changed


@dataclass(frozen=True)
class DueQuestion:
    question: Question
    due: datetime
    missed: tuple[str, ...]  # rubric points missed in the latest answer


def due_questions(
    schedule: Schedule,
    bank: Mapping[str, Question],
    *,
    now: datetime | None = None,
    topics: Sequence[str] = (),
    level: Level | None = None,
    ahead: bool = False,
) -> list[DueQuestion]:
    """Questions due by `now`: those whose last answer missed a point first, then most overdue.

    With `ahead`, questions not due yet follow in the same order.
    """
    moment = now or utc_now()
    wanted = {t.lower() for t in topics}
    due: list[DueQuestion] = []
    later: list[DueQuestion] = []
    for question_id, entry in schedule.questions.items():
        question = bank.get(question_id)
        last = entry.last
        if question is None or entry.state is None or last is None:
            continue  # a question no longer in the bank cannot be asked
        if (wanted and question.topic not in wanted) or (level and question.level is not level):
            continue
        item = DueQuestion(question, entry.state.due, tuple(last.missed))
        (due if item.due <= moment else later).append(item)
    due.sort(key=lambda d: (not d.missed, d.due, d.question.id))
    later.sort(key=lambda d: (not d.missed, d.due, d.question.id))
    return due + later if ahead else due


def next_due(schedule: Schedule, bank: Mapping[str, Question]) -> tuple[Question, datetime] | None:
    """The question that falls due soonest, if any question in the bank is scheduled."""
    upcoming = [
        (entry.state.due, question_id)
        for question_id, entry in schedule.questions.items()
        if entry.state is not None and question_id in bank
    ]
    if not upcoming:
        return None
    when, question_id = min(upcoming)
    return bank[question_id], when
