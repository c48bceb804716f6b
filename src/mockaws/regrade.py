"""Regrade saved answers: grade a transcript's ungraded answers, or on request all of them.

Answers are graded concurrently; each result is written back at once (atomically, onto the file
as it is on disk then, so nothing else written meanwhile is lost), an old grade is kept in
`Turn.previous_grades`, and a failure leaves the answer as it was. Running it again only picks
up what is still ungraded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mockaws.errors import BadInputError, GradingError, TranscriptError
from mockaws.files import atomic_write_text
from mockaws.grading import Grader
from mockaws.grading.runner import GradingRunner
from mockaws.grading.scoring import carry_self_assessment
from mockaws.models import AnswerState, FollowUpTurn, Grade, Question, Transcript, Turn, Verdict
from mockaws.transcripts import TranscriptStore, load_transcript

if TYPE_CHECKING:
    from mockaws.voice.settings import SpeechSettings

MAX_CONCURRENCY = 32


@dataclass(frozen=True)
class Job:
    """One answer to grade: a turn, or one of its follow-ups."""

    turn_index: int
    follow_up_index: int | None
    question: Question
    answer: str

    @property
    def label(self) -> str:
        number = f"{self.turn_index + 1}"
        if self.follow_up_index is not None:
            number += f".{self.follow_up_index + 1} (follow-up)"
        return f"{number} {self.question.id}"


@dataclass(frozen=True)
class PointChange:
    point_id: str
    old: Verdict
    new: Verdict


@dataclass(frozen=True)
class Outcome:
    """What regrading one answer gave: a new grade, or why there is none."""

    job: Job
    old: Grade | None
    new: Grade | None
    error: str | None = None
    rubric_changed: bool = False

    @property
    def point_changes(self) -> list[PointChange]:
        """Rubric points whose verdict differs between the old grade and the new one."""
        if self.old is None or self.new is None:
            return []
        before = {v.point_id: v.verdict for v in self.old.points}
        return [
            PointChange(v.point_id, before[v.point_id], v.verdict)
            for v in self.new.points
            if v.point_id in before and before[v.point_id] is not v.verdict
        ]


@dataclass
class RegradeReport:
    transcript_id: str
    outcomes: list[Outcome] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # answers that could not be attempted
    json_path: Path | None = None
    markdown_path: Path | None = None

    @property
    def graded(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.new is not None]

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.new is None]


def needs_regrade(transcript: Transcript) -> bool:
    """True when some answer in the transcript has no grade (or no transcript yet)."""
    return any(
        turn.needs_grade
        or turn.needs_transcript
        or any(f.needs_grade or f.needs_transcript for f in turn.follow_ups)
        for turn in transcript.turns
        if turn.submitted and not turn.skipped
    )


def transcribe_pending(
    transcript: Transcript,
    folder: Path,
    speech: SpeechSettings,
    questions: Mapping[str, Question],
) -> list[str]:
    """Transcribe spoken answers whose transcription failed; one line per one that failed again.

    A transcribed answer takes its raw transcript as the answer (it was never edited) and its
    delivery facts, so it is graded like any other.
    """
    from mockaws.errors import TranscriptionError
    from mockaws.voice.analyse import spoken_delivery
    from mockaws.voice.answer import transcribe_kept

    problems: list[str] = []
    for index, turn in enumerate(transcript.turns):
        answers: list[Turn | FollowUpTurn] = [turn, *turn.follow_ups]
        for number, answer in enumerate(answers):
            if not answer.needs_transcript or answer.spoken is None:
                continue
            label = f"{index + 1}{f'.{number}' if number else ''} {turn.question_id}"
            try:
                transcribe_kept(answer.spoken, folder, speech)
            except TranscriptionError as exc:
                problems.append(f"{label}: not transcribed: {exc.message}")
                answer.grade_error = f"not transcribed yet: {exc.message}"
                continue
            answer.answer = answer.spoken.raw_transcript or ""
            answer.grade_error, answer.state = None, AnswerState.SUBMITTED
            question = questions.get(turn.question_id) if number == 0 else None
            answer.delivery = spoken_delivery(answer.spoken, question)
    return problems


def plan(
    transcript: Transcript, questions: Mapping[str, Question], *, include_graded: bool = False
) -> tuple[list[Job], list[str]]:
    """The answers to grade (ungraded ones, or all with `include_graded`) and those skipped."""
    jobs: list[Job] = []
    skipped: list[str] = []
    for index, turn in enumerate(transcript.turns):
        if not turn.submitted or turn.skipped:
            continue  # a draft or a skipped question has nothing to grade
        wanted = (turn.grade is None or include_graded) and not turn.needs_transcript
        # Follow-ups keep no grade history, so only ungraded ones are graded; a skipped one never.
        follow_ups = [i for i, f in enumerate(turn.follow_ups) if f.needs_grade]
        if not wanted and not follow_ups:
            continue
        question = questions.get(turn.question_id)
        if question is None:
            skipped.append(
                f"{index + 1} {turn.question_id}: the question is not in the bank "
                "(add its file with --bank)"
            )
            continue
        if wanted:
            jobs.append(Job(index, None, question, turn.answer))
        jobs += [Job(index, i, question, turn.follow_ups[i].answer) for i in follow_ups]
    return jobs, skipped


def _target(turn: Turn, job: Job) -> bool:
    """The turn on disk is still the one the job was planned from."""
    if turn.question_id != job.question.id:
        return False
    if job.follow_up_index is None:
        return turn.answer == job.answer
    return (
        job.follow_up_index < len(turn.follow_ups)
        and turn.follow_ups[job.follow_up_index].answer == job.answer
    )


def _apply(transcript: Transcript, job: Job, grade: Grade | None, error: str | None) -> bool:
    """Write one result into the transcript; False when the turn is no longer there."""
    if job.turn_index >= len(transcript.turns):
        return False
    turn = transcript.turns[job.turn_index]
    if not _target(turn, job):
        return False
    if job.follow_up_index is not None:
        turn.follow_ups[job.follow_up_index].record_grade(grade, error)
        return True
    if grade is not None and turn.grade is not None:
        turn.previous_grades.append(turn.grade)
        grade = carry_self_assessment(job.question, turn.grade, grade)
    turn.record_grade(grade, error)  # a failed regrade of a graded turn keeps its grade
    return True


class Regrader:
    """Grades the planned answers of one transcript with `grader`, `concurrency` at a time."""

    def __init__(
        self,
        store: TranscriptStore,
        questions: Mapping[str, Question],
        grader: Grader,
        *,
        concurrency: int = 4,
        include_graded: bool = False,
        speech: SpeechSettings | None = None,
    ) -> None:
        if not 1 <= concurrency <= MAX_CONCURRENCY:
            raise BadInputError(f"--concurrency must be between 1 and {MAX_CONCURRENCY}")
        self.store = store
        self.questions = questions
        self.grader = grader
        # The runner grades side by side only with a grader that declares itself thread-safe.
        self.runner = GradingRunner(grader, concurrency)
        self.include_graded = include_graded
        self.speech = speech  # transcribes spoken answers whose transcription failed

    def plan(self, transcript: Transcript) -> tuple[list[Job], list[str]]:
        return plan(transcript, self.questions, include_graded=self.include_graded)

    def run(
        self,
        path: Path,
        *,
        on_start: Callable[[int], None] | None = None,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> RegradeReport:
        """Grade what the plan picks in the transcript at `path`, saving after every answer."""
        store = self.store if path.parent == self.store.folder else TranscriptStore(path.parent)
        transcript = load_transcript(path)
        untranscribed: list[str] = []
        if self.speech is not None and any(
            t.needs_transcript or any(f.needs_transcript for f in t.follow_ups)
            for t in transcript.turns
        ):
            lock = store.take_lock(transcript.id)
            try:
                transcript = load_transcript(path)
                untranscribed = transcribe_pending(
                    transcript, path.parent, self.speech, self.questions
                )
                atomic_write_text(path, transcript.model_dump_json(indent=2) + "\n")
            finally:
                lock.release()
        jobs, skipped = self.plan(transcript)
        report = RegradeReport(transcript.id, skipped=untranscribed + skipped)
        if on_start is not None:
            on_start(len(jobs))
        if not jobs:
            return report
        # A live interview (or another regrade) writes this session: its next save would drop
        # grades written here, so one process at a time.
        lock = store.take_lock(transcript.id)
        try:
            return self._run_jobs(store, path, transcript, jobs, report, on_outcome)
        finally:
            lock.release()

    def _run_jobs(
        self,
        store: TranscriptStore,
        path: Path,
        transcript: Transcript,
        jobs: list[Job],
        report: RegradeReport,
        on_outcome: Callable[[Outcome], None] | None,
    ) -> RegradeReport:
        pending: dict[Future[Grade], Job] = {
            self.runner.submit(job.question, job.answer): job for job in jobs
        }
        try:
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    job = pending.pop(future)
                    outcome = self._record(store, path, transcript, job, future)
                    report.outcomes.append(outcome)
                    if on_outcome is not None:
                        on_outcome(outcome)
        finally:
            # On Ctrl-C: what finished is saved; drop what has not started.
            for future in pending:
                future.cancel()
        latest = load_transcript(path)
        report.json_path = path
        report.markdown_path = store.save_markdown(latest, self.questions)
        return report

    def _record(
        self,
        store: TranscriptStore,
        path: Path,
        transcript: Transcript,
        job: Job,
        future: Future[Grade],
    ) -> Outcome:
        turn = transcript.turns[job.turn_index]
        old = turn.grade if job.follow_up_index is None else None
        grade: Grade | None = None
        error: str | None = None
        try:
            grade = future.result()
        except GradingError as exc:
            error = exc.message
        # Apply onto the file as it is now: an interview may have saved more turns meanwhile.
        try:
            on_disk = load_transcript(path)
        except TranscriptError:
            on_disk = transcript
        if _apply(on_disk, job, grade, error):
            if path == store.json_path(on_disk.id):
                store.save(on_disk)
            else:
                atomic_write_text(path, on_disk.model_dump_json(indent=2) + "\n")
        else:
            error, grade = "the answer changed on disk while it was being graded; not saved", None
        return Outcome(
            job,
            old,
            grade,
            error,
            rubric_changed=turn.rubric_hash != job.question.rubric_hash,
        )


def transcripts_needing_grades(store: TranscriptStore) -> tuple[list[Path], list[str]]:
    """Paths of transcripts with ungraded answers, and one line per file that would not load."""
    found: list[Path] = []
    problems: list[str] = []
    for path in store.paths():
        try:
            transcript = load_transcript(path)
        except TranscriptError as exc:
            problems.append(exc.message)
            continue
        if needs_regrade(transcript):
            found.append(path)
    return found, problems
