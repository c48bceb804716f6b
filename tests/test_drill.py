"""The drill schedule: ratings suggested from grades, FSRS due dates, persistence."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from mockaws.drill import (
    DrillRating,
    DrillScheduleError,
    Review,
    Schedule,
    add_review,
    due_questions,
    load_schedule,
    next_due,
    save_schedule,
    scheduler_fingerprint,
    suggest_for_grade,
    suggest_rating,
    sync,
)
from mockaws.history import load_history
from mockaws.models import Level, Rating
from mockaws.transcripts import TranscriptStore
from tests.factories import START, answered, grade_for, mini_bank, save_session, skipped

BANK = mini_bank()
SG = BANK.get("mini-sg-vs-nacl")  # networking, junior
S3 = BANK.get("mini-s3-consistency")  # storage, mid


@pytest.mark.parametrize(
    ("rating", "missed", "red_flags", "expected"),
    [
        (Rating.STRONG, False, 0, DrillRating.EASY),
        (Rating.STRONG, True, 0, DrillRating.GOOD),
        (Rating.SOLID, False, 0, DrillRating.GOOD),
        (Rating.WEAK, True, 0, DrillRating.HARD),
        (Rating.POOR, True, 0, DrillRating.AGAIN),
        (Rating.STRONG, False, 1, DrillRating.AGAIN),
        ("solid", True, 0, DrillRating.GOOD),
    ],
)
def test_suggested_rating(
    rating: Rating | str, missed: bool, red_flags: int, expected: DrillRating
) -> None:
    assert suggest_rating(rating, missed=missed, red_flags=red_flags) is expected


def test_suggestion_from_a_full_grade() -> None:
    assert suggest_for_grade(grade_for(SG, 95)) is DrillRating.EASY
    assert suggest_for_grade(grade_for(SG, 85, ["allow-deny"])) is DrillRating.GOOD
    assert suggest_for_grade(grade_for(SG, 85, red_flag=True)) is DrillRating.AGAIN


def review(
    at: datetime, rating: DrillRating, source: str, missed: list[str] | None = None
) -> Review:
    return Review(at=at, rating=rating, suggested=rating, source=source, missed=missed or [])


def test_fsrs_spaces_reviews_by_rating() -> None:
    schedule = Schedule(scheduler=scheduler_fingerprint())
    failed = add_review(schedule, SG.id, review(START, DrillRating.AGAIN, "a#0"))
    assert failed.due - START == timedelta(minutes=10)
    easy = add_review(schedule, S3.id, review(START, DrillRating.EASY, "b#0"))
    assert easy.phase == "review" and easy.due - START >= timedelta(days=3)
    again_later = add_review(
        schedule, SG.id, review(START + timedelta(minutes=10), DrillRating.GOOD, "c#0")
    )
    assert again_later.phase == "review" and again_later.due - START >= timedelta(days=1)


def test_an_older_review_arriving_late_replays_the_question() -> None:
    in_order = Schedule(scheduler=scheduler_fingerprint())
    late = Schedule(scheduler=scheduler_fingerprint())
    first = review(START, DrillRating.AGAIN, "a#0")
    second = review(START + timedelta(days=1), DrillRating.GOOD, "b#0")
    add_review(in_order, SG.id, first)
    add_review(in_order, SG.id, second)
    add_review(late, SG.id, second)
    add_review(late, SG.id, first)
    assert late.questions[SG.id].state == in_order.questions[SG.id].state


def sessions(tmp_path: Path) -> TranscriptStore:
    store = TranscriptStore(tmp_path / "transcripts")
    save_session(
        store,
        START,
        [
            answered(SG, 90, START),  # strong, nothing missed: easy, due in days
            answered(S3, 20, START + timedelta(minutes=3), ["strong-consistency"]),  # poor
            skipped(SG, START + timedelta(minutes=5)),
            answered(SG, None, START + timedelta(minutes=6)),  # ungraded: not a review
        ],
    )
    return store


def test_sync_adds_each_graded_answer_once(tmp_path: Path) -> None:
    store = sessions(tmp_path)
    schedule = Schedule(scheduler=scheduler_fingerprint())
    history = load_history(store.folder)
    assert sync(schedule, history) == 2
    assert sync(schedule, history) == 0
    (s3_review,) = schedule.questions[S3.id].reviews
    assert s3_review.rating is DrillRating.AGAIN and s3_review.missed == ["strong-consistency"]
    assert s3_review.source.endswith("#1") and s3_review.score == 20


def test_due_questions_put_missed_points_first(tmp_path: Path) -> None:
    schedule = Schedule(scheduler=scheduler_fingerprint())
    add_review(schedule, SG.id, review(START, DrillRating.HARD, "a#0"))
    add_review(
        schedule, S3.id, review(START + timedelta(minutes=1), DrillRating.HARD, "a#1", ["x"])
    )
    add_review(schedule, "gone-from-bank", review(START, DrillRating.AGAIN, "a#2", ["y"]))
    assert due_questions(schedule, BANK.questions, now=START) == []
    later = START + timedelta(days=30)
    assert [d.question.id for d in due_questions(schedule, BANK.questions, now=later)] == [
        S3.id,  # missed a point last time, although due later than SG
        SG.id,
    ]
    only_junior = due_questions(schedule, BANK.questions, now=later, level=Level.JUNIOR)
    assert [d.question.id for d in only_junior] == [SG.id]
    storage = due_questions(schedule, BANK.questions, now=later, topics=["Storage"])
    assert [d.question.id for d in storage] == [S3.id]
    ahead = due_questions(schedule, BANK.questions, now=START, ahead=True)
    assert [d.question.id for d in ahead] == [S3.id, SG.id]
    upcoming = next_due(schedule, BANK.questions)
    assert upcoming is not None and upcoming[0].id == SG.id


def test_the_schedule_survives_a_save_and_a_scheduler_change(tmp_path: Path) -> None:
    path = tmp_path / "drill-schedule.json"
    assert load_schedule(path).questions == {}
    schedule = Schedule(scheduler=scheduler_fingerprint())
    add_review(schedule, SG.id, review(START, DrillRating.AGAIN, "a#0", ["allow-deny"]))
    add_review(schedule, SG.id, review(START + timedelta(hours=1), DrillRating.GOOD, "b#0"))
    save_schedule(schedule, path)
    assert load_schedule(path) == schedule
    # As if written by a release with another scheduler: states are rebuilt from the reviews.
    document = json.loads(path.read_text())
    document["scheduler"] = "fsrs 1.0 old"
    document["questions"][SG.id]["state"] = {"phase": "review", "due": "2000-01-01T00:00:00Z"}
    document["future_field"] = "ignored"
    path.write_text(json.dumps(document))
    rebuilt = load_schedule(path)
    assert rebuilt.scheduler == scheduler_fingerprint()
    assert rebuilt.questions[SG.id].state == schedule.questions[SG.id].state


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"schema_version": 2', "not valid JSON"),
        ('{"schema_version": 7, "questions": {}}', "written by a newer mockaws (schema_version 7"),
        ('{"schema_version": 1, "questions": []}', "not a valid drill schedule (questions:"),
    ],
)
def test_a_bad_schedule_is_reported_and_left_alone(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "drill-schedule.json"
    path.write_text(text)
    with pytest.raises(DrillScheduleError, match=message.replace("(", r"\(")):
        load_schedule(path)
    assert path.read_text() == text
