"""Build transcripts for tests: real models, with the grades a test chooses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from mockaws.bank import Bank, load_bank
from mockaws.grading.scoring import rating_for
from mockaws.models import (
    AnswerState,
    Grade,
    PointVerdict,
    Question,
    RedFlagHit,
    SessionSettings,
    SessionStatus,
    Transcript,
    Turn,
    Verdict,
)
from mockaws.transcripts import TranscriptStore
from tests.conftest import MINI_BANK

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday


def mini_bank() -> Bank:
    return load_bank([MINI_BANK], include_shipped=False)


def grade_for(
    question: Question, score: int, missed: Sequence[str] = (), *, red_flag: bool = False
) -> Grade:
    """A grade of `score` with the named rubric points missed and the rest covered."""
    points = [
        PointVerdict(
            point_id=p.id,
            verdict=Verdict.MISSED if p.id in missed else Verdict.COVERED,
            evidence="" if p.id in missed else "an answer",
            verified=True,
        )
        for p in question.rubric
    ]
    flags = [RedFlagHit(flag_id=question.red_flags[0].id)] if red_flag else []
    return Grade(
        grader="offline",
        rubric_hash=question.rubric_hash,
        points=points,
        red_flags_hit=flags,
        score=score,
        rating=rating_for(score),
    )


def answered(
    question: Question,
    score: int | None,
    at: datetime,
    missed: Sequence[str] = (),
    *,
    red_flag: bool = False,
) -> Turn:
    return Turn.asking(
        question,
        answer="an answer",
        asked_at=at - timedelta(minutes=2),
        answered_at=at,
        grade=grade_for(question, score, missed, red_flag=red_flag) if score is not None else None,
        grade_error=None if score is not None else "the grader timed out",
    )


def skipped(question: Question, at: datetime) -> Turn:
    return Turn.asking(
        question,
        state=AnswerState.SKIPPED,
        asked_at=at,
        answered_at=at,
    )


def save_session(
    store: TranscriptStore,
    started: datetime,
    turns: Sequence[Turn],
    *,
    status: SessionStatus = SessionStatus.COMPLETED,
    suffix: str = "0000",
    mode: str = "study",
) -> Transcript:
    transcript = Transcript(
        id=f"{started:%Y%m%d-%H%M%S}-{suffix}",
        started_at=started,
        finished_at=started + timedelta(minutes=10),
        status=status,
        settings=SessionSettings(
            grader="offline", mode=mode, question_ids=[t.question_id for t in turns]
        ),
        turns=list(turns),
    )
    store.save(transcript)
    return transcript
