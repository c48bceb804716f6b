"""Regrading transcripts: ungraded answers get grades, old grades are kept, reruns are safe."""

from __future__ import annotations

import threading
from collections import deque
from pathlib import Path

import pytest

from mockaws.bank import load_bank
from mockaws.errors import BadInputError, GradingError, TranscriptError
from mockaws.grading import grade_answer
from mockaws.grading.offline import OfflineGrader
from mockaws.grading.scoring import Labels
from mockaws.history import find_transcript_path
from mockaws.models import (
    AnswerState,
    FollowUpTurn,
    Grade,
    Question,
    SessionStatus,
    Transcript,
    Turn,
    Verdict,
)
from mockaws.regrade import Regrader, plan, transcripts_needing_grades
from mockaws.transcripts import TranscriptStore, load_transcript
from tests.conftest import MINI_BANK

QUESTIONS = load_bank([MINI_BANK]).questions
SG = QUESTIONS["mini-sg-vs-nacl"]
S3 = QUESTIONS["mini-s3-consistency"]
SG_ANSWER = (
    "Security groups are stateful. NACLs are stateless, with deny rules in rule number order."
)
S3_ANSWER = "S3 has strong read-after-write consistency since December 2020, at no extra cost."


class FakeGrader:
    """Grades with the offline grader unless a test enqueued an error (or a grade) first."""

    name = "fake"
    thread_safe = True

    def __init__(self) -> None:
        self.queue: deque[Exception | Labels] = deque()
        self.history: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def enqueue(self, *outcomes: Exception | Labels) -> FakeGrader:
        self.queue.extend(outcomes)
        return self

    def label(self, question: Question, answer: str) -> Labels:
        with self._lock:
            self.history.append((question.id, answer))
            scripted = self.queue.popleft() if self.queue else None
        if isinstance(scripted, Exception):
            raise scripted
        if scripted is not None:
            return scripted
        with self._lock:  # the offline grader is not thread-safe
            return OfflineGrader().label(question, answer)


def turn(question: Question, answer: str, grade: Grade | None = None, **changes: object) -> Turn:
    made = Turn.asking(
        question,
        answer=answer,
        grade=grade,
        grade_error=None if grade else "cannot reach the model server",
    )
    return made.model_copy(update=changes)


@pytest.fixture
def store(tmp_path: Path) -> TranscriptStore:
    return TranscriptStore(tmp_path / "transcripts")


def saved(
    store: TranscriptStore, *turns: Turn, transcript_id: str = "20260101-090000-abcd"
) -> Path:
    transcript = Transcript(id=transcript_id, status=SessionStatus.COMPLETED, turns=list(turns))
    return store.save(transcript)


def test_ungraded_answers_get_grades_and_reruns_do_nothing(store: TranscriptStore) -> None:
    graded = grade_answer(OfflineGrader(), S3, S3_ANSWER)
    path = saved(
        store,
        turn(SG, SG_ANSWER),
        turn(S3, S3_ANSWER, graded),
        turn(S3, "", state=AnswerState.SKIPPED),
    )
    grader = FakeGrader()
    report = Regrader(store, QUESTIONS, grader).run(path)
    assert [o.job.turn_index for o in report.outcomes] == [0]
    assert grader.history == [(SG.id, SG_ANSWER)]
    after = load_transcript(path)
    assert after.turns[0].grade is not None and after.turns[0].grade_error is None
    assert after.turns[1].grade == graded and after.turns[1].previous_grades == []
    assert report.markdown_path is not None and "Score" in report.markdown_path.read_text()

    again = Regrader(store, QUESTIONS, grader).run(path)
    assert again.outcomes == [] and len(grader.history) == 1


def test_all_regrades_graded_answers_and_keeps_the_old_grade(store: TranscriptStore) -> None:
    old = grade_answer(OfflineGrader(), SG, SG_ANSWER).model_copy(update={"grader": "old"})
    path = saved(store, turn(SG, SG_ANSWER, old))
    changed = Labels(
        points=[
            old.points[0].model_copy(update={"verdict": Verdict.CONTRADICTED}),
            *old.points[1:],
        ]
    )
    report = Regrader(store, QUESTIONS, FakeGrader().enqueue(changed), include_graded=True).run(
        path
    )
    (outcome,) = report.outcomes
    assert outcome.old == old and outcome.new is not None
    assert outcome.new.grader == "fake" and outcome.new.score < old.score
    assert [(c.point_id, c.old, c.new) for c in outcome.point_changes] == [
        ("sg-stateful", old.points[0].verdict, Verdict.CONTRADICTED)
    ]
    after = load_transcript(path).turns[0]
    assert after.grade is not None and after.grade.grader == "fake"
    assert [g.grader for g in after.previous_grades] == ["old"]


def test_a_failure_keeps_the_answer_ungraded_with_the_new_reason(store: TranscriptStore) -> None:
    path = saved(store, turn(SG, SG_ANSWER), turn(S3, S3_ANSWER))
    grader = FakeGrader().enqueue(GradingError("server still down"))
    report = Regrader(store, QUESTIONS, grader, concurrency=1).run(path)
    assert len(report.graded) == 1 and len(report.failed) == 1
    after = load_transcript(path)
    failed = next(t for t in after.turns if t.grade is None)
    assert failed.grade_error == "server still down" and failed.answer
    # The next run picks up only what is still ungraded.
    assert [job.turn_index for job in plan(after, QUESTIONS)[0]] == [after.turns.index(failed)]


def test_a_failed_regrade_of_a_graded_answer_keeps_its_grade(store: TranscriptStore) -> None:
    old = grade_answer(OfflineGrader(), SG, SG_ANSWER)
    path = saved(store, turn(SG, SG_ANSWER, old))
    grader = FakeGrader().enqueue(GradingError("rate limited"))
    Regrader(store, QUESTIONS, grader, include_graded=True).run(path)
    after = load_transcript(path).turns[0]
    assert after.grade == old and after.grade_error is None and after.previous_grades == []


def test_ungraded_follow_ups_are_graded_against_the_parent_rubric(store: TranscriptStore) -> None:
    graded = grade_answer(OfflineGrader(), SG, SG_ANSWER)
    follow_up = FollowUpTurn(question="How would you block one IP?", answer="A NACL deny rule.")
    path = saved(store, turn(SG, SG_ANSWER, graded, follow_ups=[follow_up]))
    grader = FakeGrader()
    Regrader(store, QUESTIONS, grader).run(path)
    assert grader.history == [(SG.id, "A NACL deny rule.")]
    after = load_transcript(path).turns[0]
    assert after.follow_ups[0].grade is not None and after.grade == graded


def test_a_question_missing_from_the_bank_is_skipped_with_a_reason(
    store: TranscriptStore,
) -> None:
    path = saved(store, turn(SG, SG_ANSWER).model_copy(update={"question_id": "gone-question"}))
    report = Regrader(store, QUESTIONS, FakeGrader()).run(path)
    assert report.outcomes == []
    assert "gone-question: the question is not in the bank" in report.skipped[0]


def test_turns_saved_meanwhile_by_an_interview_are_not_lost(store: TranscriptStore) -> None:
    path = saved(store, turn(SG, SG_ANSWER))

    class AppendingGrader(FakeGrader):
        def label(self, question: Question, answer: str) -> Labels:
            on_disk = load_transcript(path)
            on_disk.turns.append(turn(S3, "typed while grading"))
            store.save(on_disk)
            return super().label(question, answer)

    Regrader(store, QUESTIONS, AppendingGrader()).run(path)
    after = load_transcript(path)
    assert [t.answer for t in after.turns] == [SG_ANSWER, "typed while grading"]
    assert after.turns[0].grade is not None


def test_an_answer_changed_on_disk_is_not_overwritten(store: TranscriptStore) -> None:
    path = saved(store, turn(SG, SG_ANSWER))

    class EditingGrader(FakeGrader):
        def label(self, question: Question, answer: str) -> Labels:
            on_disk = load_transcript(path)
            on_disk.turns[0].answer = "edited"
            store.save(on_disk)
            return super().label(question, answer)

    report = Regrader(store, QUESTIONS, EditingGrader()).run(path)
    assert report.failed and "changed on disk" in (report.failed[0].error or "")
    assert load_transcript(path).turns[0].grade is None


def test_many_answers_in_parallel_all_land(store: TranscriptStore) -> None:
    path = saved(store, *[turn(SG, f"{SG_ANSWER} ({n})") for n in range(20)])
    report = Regrader(store, QUESTIONS, FakeGrader(), concurrency=8).run(path)
    assert len(report.graded) == 20
    assert all(t.grade is not None for t in load_transcript(path).turns)


def test_finding_transcripts(store: TranscriptStore) -> None:
    first = saved(store, turn(SG, SG_ANSWER), transcript_id="20260101-090000-aaaa")
    second = saved(
        store,
        turn(SG, SG_ANSWER, grade_answer(OfflineGrader(), SG, SG_ANSWER)),
        transcript_id="20260102-090000-bbbb",
    )
    assert find_transcript_path(store, "latest") == (second, [])
    assert find_transcript_path(store, "20260101") == (first, [])
    assert find_transcript_path(store, str(first)) == (first, [])
    with pytest.raises(TranscriptError, match="ambiguous"):
        find_transcript_path(store, "2026")
    with pytest.raises(TranscriptError, match="no transcript 'nope'"):
        find_transcript_path(store, "nope")
    (store.folder / "broken.json").write_text("{")
    found, problems = transcripts_needing_grades(store)
    assert found == [first] and len(problems) == 1 and "broken.json" in problems[0]


def test_a_grader_that_is_not_thread_safe_grades_one_answer_at_a_time(
    store: TranscriptStore,
) -> None:
    path = saved(store, *[turn(SG, f"{SG_ANSWER} ({n})") for n in range(30)])
    report = Regrader(store, QUESTIONS, OfflineGrader(), concurrency=8).run(path)
    assert len(report.graded) == 30


def test_concurrency_is_bounded(store: TranscriptStore) -> None:
    with pytest.raises(BadInputError, match="--concurrency"):
        Regrader(store, QUESTIONS, FakeGrader(), concurrency=0)


def test_skipped_follow_ups_and_drafts_are_never_graded(store: TranscriptStore) -> None:
    graded = grade_answer(OfflineGrader(), SG, SG_ANSWER)
    follow_ups = [
        FollowUpTurn(question="Ephemeral ports?", answer="", state=AnswerState.SKIPPED),
        FollowUpTurn(question="Rule order?", answer="Lowest number first.", grade_error="500"),
    ]
    path = saved(
        store,
        turn(SG, SG_ANSWER, graded, follow_ups=follow_ups),
        turn(S3, "half a thou", state=AnswerState.DRAFT, grade_error=None),
    )
    grader = FakeGrader()
    Regrader(store, QUESTIONS, grader).run(path)
    assert grader.history == [(SG.id, "Lowest number first.")]
    after = load_transcript(path)
    skipped, answered = after.turns[0].follow_ups
    assert skipped.state is AnswerState.SKIPPED and skipped.grade is None
    assert answered.state is AnswerState.GRADED
    assert after.turns[1].state is AnswerState.DRAFT and after.turns[1].grade is None
