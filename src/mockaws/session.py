"""The interview engine: asks, grades and saves, with no terminal I/O of its own.

A client (the terminal UI, a test, a script) drives it: read `prompt` (a main question or a
follow-up), then `submit`, `skip` or `finish`. Every submitted answer is on disk (atomic write)
before the next prompt exists; grading runs on background threads, so the next question is ready
at once whatever the grader's latency, and each grade is saved the moment it arrives.
"""

from __future__ import annotations

import contextlib
import queue
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from concurrent.futures import wait as wait_all
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum
from pathlib import Path

from mockaws.bank import filter_questions
from mockaws.delivery import analyse, services_in
from mockaws.errors import GradingError, SaveError, TranscriptError
from mockaws.files import describe_os_error
from mockaws.frontends import (
    AnswerSaved,
    Asked,
    EndOfInput,
    Frontend,
    Graded,
    HintGiven,
    Interrupt,
    Marked,
    Notice,
    Prompt,
    Revealed,
    SaveFailed,
    SpokenAnswer,
    StudyOnly,
    Waiting,
)
from mockaws.grading.runner import GradingRunner
from mockaws.models import (
    AnswerState,
    Delivery,
    FollowUpTurn,
    Grade,
    Level,
    Mode,
    Question,
    Rating,
    RubricPoint,
    SessionSettings,
    SessionStatus,
    Spoken,
    Transcript,
    Turn,
    TurnStatus,
    utc_now,
)
from mockaws.safety import redact
from mockaws.transcripts import TranscriptStore, new_transcript_id

# The longest pause before a follow-up when only the grader can supply one (no authored
# follow-up left): about the beat an interviewer takes to think of the next question.
FOLLOW_UP_WAIT_S = 8.0


class Command(StrEnum):
    """In-answer commands, typed as the whole answer (or as its last line)."""

    SKIP = "/skip"
    QUIT = "/quit"
    HINT = "/hint"
    REVEAL = "/reveal"
    REPEAT = "/repeat"
    MARK = "/mark"


def parse_command(answer: str) -> Command | None:
    """The command an answer consists of, if it is one."""
    text = answer.strip().lower()
    return next((c for c in Command if c.value == text), None)


def split_command(answer: str) -> tuple[Command | None, str]:
    """The command on the answer's last line, and the text typed above it (kept, never lost)."""
    lines = answer.rstrip().splitlines()
    if not lines:
        return None, answer
    command = parse_command(lines[-1])
    if command is None:
        return None, answer
    return command, "\n".join(lines[:-1]).rstrip()


@dataclass(frozen=True)
class SavedPaths:
    json: Path
    markdown: Path


# ---------------------------------------------------------------- choosing questions

_LEVELS = list(Level)


class FixedPlan:
    """Questions chosen up front, asked in order."""

    needs_grades = False

    def __init__(self, questions: Sequence[Question]) -> None:
        self.questions = list(questions)

    @property
    def total(self) -> int:
        return len(self.questions)

    def next_question(self, asked: Sequence[Turn]) -> Question | None:
        return self.questions[len(asked)] if len(asked) < len(self.questions) else None


def step_level(level: Level, turn: Turn) -> Level:
    """The level after `turn`: up after a strong answer, down after a weak one or a skip."""
    index = _LEVELS.index(level)
    if turn.status is TurnStatus.SKIPPED:
        index -= 1
    elif turn.grade is not None:
        if turn.grade.rating is Rating.STRONG:
            index += 1
        elif turn.grade.rating in (Rating.WEAK, Rating.POOR):
            index -= 1
    return _LEVELS[max(0, min(len(_LEVELS) - 1, index))]


class AdaptivePlan:
    """Questions chosen one at a time, the level following the grades so far.

    Each choice depends only on the seed, the position and the earlier turns, so a session is
    reproducible with `--seed` and a resumed session picks what the original would have.
    """

    needs_grades = True

    def __init__(
        self, pool: Sequence[Question], count: int, seed: int, start: Level = Level.MID
    ) -> None:
        self.pool = sorted(pool, key=lambda q: q.id)
        self.count = count
        self.seed = seed
        self.start = start

    @property
    def total(self) -> int:
        return min(self.count, len(self.pool))

    def level_after(self, asked: Sequence[Turn]) -> Level:
        level = self.start
        for turn in asked:
            level = step_level(level, turn)
        return level

    def next_question(self, asked: Sequence[Turn]) -> Question | None:
        if len(asked) >= self.total:
            return None
        asked_ids = {t.question_id for t in asked}
        remaining = [q for q in self.pool if q.id not in asked_ids]
        if not remaining:
            return None
        target = _LEVELS.index(self.level_after(asked))
        # The wanted level if any question is left there, else the nearest, the easier on a tie.
        available = {q.level for q in remaining}
        level = min(available, key=lambda lv: (abs(_LEVELS.index(lv) - target), _LEVELS.index(lv)))
        candidates = [q for q in remaining if q.level is level]
        # A mix of topics: the topics asked least so far first.
        asked_topics = Counter(t.topic for t in asked)
        fewest = min(asked_topics[q.topic] for q in candidates)
        candidates = [q for q in candidates if asked_topics[q.topic] == fewest]
        return random.Random(f"{self.seed}:{len(asked)}").choice(candidates)


QuestionPlan = FixedPlan | AdaptivePlan


GradeTarget = Turn | FollowUpTurn


def _index_of(turns: Sequence[Turn], turn: Turn) -> int | None:
    """Where `turn` itself (not an equal copy) is in `turns`."""
    return next((i for i, t in enumerate(turns) if t is turn), None)


def _same_text(a: str, b: str) -> bool:
    return re.sub(r"\s+", " ", a).strip().lower() == re.sub(r"\s+", " ", b).strip().lower()


class Interview:
    """One interview session: a plan of questions, a grader, and the transcript on disk.

    Pass `transcript` to continue a saved session (see `resume`). Grades arrive on the grading
    runner's threads; each is announced as a `Graded` event in `events`, which the interview
    loop (`run_interview`) hands to its front end. `wait_reason` says when the next prompt
    has to wait for a grade (an adaptive choice, or a follow-up only the grader can supply).
    """

    def __init__(
        self,
        questions: Sequence[Question] | QuestionPlan,
        runner: GradingRunner,
        store: TranscriptStore,
        settings: SessionSettings,
        *,
        clock: Callable[[], float] = time.monotonic,
        transcript: Transcript | None = None,
        known: Iterable[Question] = (),
    ) -> None:
        self.plan: QuestionPlan = (
            questions if isinstance(questions, FixedPlan | AdaptivePlan) else FixedPlan(questions)
        )
        self.runner = runner
        self.store = store
        self.clock = clock
        self.events: queue.SimpleQueue[Graded] = queue.SimpleQueue()
        self.known: dict[str, Question] = {q.id: q for q in known}
        if isinstance(self.plan, FixedPlan):
            self.known.update((q.id, q) for q in self.plan.questions)
        self._lock = threading.RLock()
        self._jobs: list[tuple[GradeTarget, Future[None]]] = []
        self._prompt: Prompt | None = None
        self._open: Turn | None = None  # the answered question whose follow-ups are under way
        self._last_answered: Turn | None = None
        self._hints: list[str] = []
        self._draft: tuple[Question, Turn] | None = None
        self._closed = False
        self._asked_at = clock()
        self._asked_wall: datetime = utc_now()
        self._carried = 0.0  # seconds spent on the current prompt before an interruption
        self._warmed = False  # see `warm_up`
        # Set when a save fails (disk full, read-only home): everything stays in memory and the
        # next save writes it all; the client shows the message.
        self.save_problem: str | None = None
        if transcript is None:
            planned = self.plan.questions if isinstance(self.plan, FixedPlan) else []
            transcript = Transcript(
                id=new_transcript_id(),
                settings=settings.model_copy(update={"question_ids": [q.id for q in planned]}),
            )
            self.transcript = transcript
            self._session_lock = store.take_lock(transcript.id)
        else:
            self._session_lock = store.take_lock(transcript.id)
            # Read the session again now that it is ours: another process may have saved more
            # since `transcript` was read, and continuing the older copy would drop that.
            self.transcript = self._latest(transcript)
            self._reopen()
        store.remove_stale_temps()
        try:
            self._save(strict=True)
        except SaveError:
            self._session_lock.release()
            raise

    # ------------------------------------------------------------ state

    @property
    def settings(self) -> SessionSettings:
        return self.transcript.settings

    @property
    def questions(self) -> list[Question]:
        """The questions of the session known so far (all of them for a fixed plan)."""
        return list(self.known.values())

    @property
    def position(self) -> int:
        """How many questions have been dealt with (answered or skipped)."""
        return len(self._asked())

    @property
    def total(self) -> int:
        return self.plan.total

    @property
    def prompt(self) -> Prompt | None:
        """What to ask now, or None when the interview is over. Computed once per prompt."""
        if self._prompt is None and not self._closed:
            self._prompt = self._next_prompt()
            self._asked_at = self.clock()
            self._asked_wall = utc_now()
            if self._prompt is not None and self._prompt.follow_up is not None:
                self._carried = self._prompt.follow_up.seconds
            else:
                self._carried = self._draft[1].seconds if self._draft is not None else 0.0
        return self._prompt

    @property
    def current(self) -> Question | None:
        """The question being asked now (a follow-up's parent), or None when all are done."""
        prompt = self.prompt
        return prompt.question if prompt is not None else None

    @property
    def elapsed(self) -> float:
        """Seconds since the current prompt was first shown."""
        return self.clock() - self._asked_at

    def take_events(self) -> list[Graded]:
        """The grades that arrived since the last call, to show (thread-safe)."""
        taken: list[Graded] = []
        with contextlib.suppress(queue.Empty):
            while True:
                taken.append(self.events.get_nowait())
        return taken

    @property
    def pending_grades(self) -> int:
        return sum(1 for _, job in self._jobs if not job.done())

    def question_of(self, turn: Turn) -> Question | None:
        return self.known.get(turn.question_id)

    # ------------------------------------------------------------ saving

    def _save(self, *, strict: bool = False) -> None:
        """The one place that writes the transcript; every caller holds or takes the lock.

        A failed write is kept in `save_problem` (and raised as SaveError when `strict`): the
        transcript stays whole in memory, and the next save writes all of it.
        """
        with self._lock:
            path = self.store.json_path(self.transcript.id)
            try:
                self.store.save(self.transcript)
                if self.transcript.finished_at is not None:
                    path = self.store.markdown_path(self.transcript.id)
                    self.store.save_markdown(self.transcript, self.known)
            except OSError as exc:
                self.save_problem = f"cannot save {path}: {describe_os_error(exc)}"
                if strict:
                    raise SaveError(self.save_problem) from None
                return
            self.save_problem = None

    # ------------------------------------------------------------ asking

    def _asked(self) -> list[Turn]:
        """The turns dealt with: all but an interrupted answer waiting to be taken up again."""
        return [t for t in self.transcript.turns if t.submitted]

    def _next_prompt(self) -> Prompt | None:
        if self._open is not None:
            follow_up = self._next_follow_up(self._open)
            if follow_up is not None:
                return Prompt(
                    self.known[self._open.question_id],
                    number=(_index_of(self.transcript.turns, self._open) or 0) + 1,
                    total=self.total,
                    follow_up=follow_up,
                    follow_up_number=len(self._open.follow_ups),
                    draft=follow_up.answer,
                    mode=self.settings.mode,
                )
            self._open = None
        asked = self._asked()
        draft = ""
        if self._draft is not None:
            question, draft_turn = self._draft
            draft = draft_turn.answer
            self._hints = list(draft_turn.hints)
        else:
            if self.plan.needs_grades and asked:
                self._wait_for(asked[-1])
            found = self.plan.next_question(asked)
            if found is None:
                return None
            question = found
            self._hints = []
        if question.id not in self.known:
            self.known[question.id] = question
        with self._lock:
            if question.id not in self.settings.question_ids:
                self.settings.question_ids.append(question.id)
        return Prompt(
            question,
            number=len(asked) + 1,
            total=self.total,
            draft=draft,
            mode=self.settings.mode,
            time_limit=self.settings.time_limit_for(question.kind),
        )

    def _next_follow_up(self, turn: Turn) -> FollowUpTurn | None:
        if turn.follow_ups and not turn.follow_ups[-1].submitted:
            return turn.follow_ups[-1]  # asked before an interruption: ask it again
        if not self._follow_ups_left(turn):
            return None
        question = self.known[turn.question_id]
        text, source = self._follow_up_text(turn, question)
        if text is None:
            return None
        follow_up = FollowUpTurn(
            question=text, source=source, state=AnswerState.ASKED, asked_at=utc_now()
        )
        with self._lock:
            turn.follow_ups.append(follow_up)
            self._save()
        return follow_up

    def _follow_ups_left(self, turn: Turn) -> bool:
        done = len([f for f in turn.follow_ups if f.submitted])
        return done < self.settings.follow_ups and not any(f.skipped for f in turn.follow_ups)

    def _grading(self, turn: Turn) -> list[Future[None]]:
        """The grades of `turn` and its follow-ups still on their way."""
        return [
            job
            for target in _answers_of(turn)
            if (job := self._job_for(target)) is not None and not job.done()
        ]

    @property
    def wait_reason(self) -> str | None:
        """Why the next prompt will wait for a grade, or None when it is ready at once."""
        if self._prompt is not None or self._closed:
            return None
        if self._open is not None:
            turn = self._open
            if turn.follow_ups and not turn.follow_ups[-1].submitted:
                return None
            if not self._follow_ups_left(turn):
                return None
            text, _ = self._follow_up_text(turn, self.known[turn.question_id], wait=False)
            if text is None and self._grading(turn):
                return "Thinking of a follow-up…"
            if text is not None:
                return None
        asked = self._asked()
        if self._draft is None and self.plan.needs_grades and asked:
            job = self._job_for(asked[-1])
            if job is not None and not job.done():
                return "Choosing the next question from your last answer…"
        return None

    def _follow_up_text(
        self, turn: Turn, question: Question, *, wait: bool = True
    ) -> tuple[str | None, str | None]:
        """A follow-up nobody has asked yet: the grader's if it is ready, else an authored one.

        The grader's follow-up aims at the weakest point of the answer; an authored one is
        there at once. Only when no authored follow-up is left does this wait for the grader.
        """
        asked = [f.question for f in turn.follow_ups]

        def fresh(text: str | None) -> bool:
            return bool(text and text.strip()) and not any(_same_text(text or "", a) for a in asked)

        def from_grades() -> str | None:
            answers: list[GradeTarget] = [*reversed(turn.follow_ups), turn]
            for target in answers:
                if target.grade is not None and fresh(target.grade.follow_up):
                    return target.grade.follow_up
            return None

        def source_of(text: str) -> str:
            return "authored" if any(_same_text(text, a) for a in question.follow_ups) else "grader"

        text = from_grades()
        if text is not None:
            return text, source_of(text)
        authored = next((t for t in question.follow_ups if fresh(t)), None)
        if authored is not None:
            return authored, "authored"
        pending = self._grading(turn) if wait else []
        deadline = time.monotonic() + FOLLOW_UP_WAIT_S
        for job in pending:
            wait_all([job], max(0.0, deadline - time.monotonic()))
            text = from_grades()
            if text is not None:
                return text, source_of(text)
        return None, None

    # ------------------------------------------------------------ answering

    def _require_prompt(self) -> Prompt:
        prompt = self.prompt
        if prompt is None:
            raise RuntimeError("the interview has no question left to answer")
        return prompt

    def _seconds(self) -> float:
        """Seconds spent on the current prompt, time before an interruption included."""
        return round(self._carried + self.clock() - self._asked_at, 1)

    def _new_turn(self, prompt: Prompt, state: AnswerState, answer: str) -> Turn:
        question = prompt.question
        return Turn.asking(
            question,
            state=state,
            answer=answer,
            asked_at=self._asked_wall,
            answered_at=utc_now(),
            seconds=self._seconds(),
            hints=list(self._hints),
        )

    def _record(self, turn: Turn) -> Turn:
        with self._lock:
            turns = self.transcript.turns
            draft_at = _index_of(turns, self._draft[1]) if self._draft is not None else None
            if draft_at is not None:
                # The interrupted answer stays on disk until this one takes its place.
                turns[draft_at] = turn
            else:
                turns.append(turn)
            self._save()
            self._draft = None
            self._prompt = None
        return turn

    def submit(self, answer: str, spoken: Spoken | None = None) -> Turn | FollowUpTurn:
        """Save the answer to the current prompt, start grading it, and move on at once.

        `spoken` is the recording's record for a spoken answer; one the speech endpoint could
        not transcribe is saved with its reason and graded once `mockaws regrade` transcribes it.
        """
        prompt = self._require_prompt()
        if prompt.follow_up is not None:
            return self._submit_follow_up(prompt, prompt.follow_up, answer, spoken)
        turn = self._new_turn(prompt, AnswerState.SUBMITTED, answer)
        turn.spoken = spoken
        turn.delivery = _delivery_of(answer, spoken, prompt.question)
        if turn.needs_transcript:
            turn.grade_error = _not_transcribed(spoken)
        # On disk before grading starts: a grader that hangs or crashes cannot cost the answer.
        self._record(turn)
        self._last_answered = turn
        self._open = turn if self.settings.follow_ups and not turn.needs_transcript else None
        if not turn.needs_transcript:
            self._grade_later(turn, prompt.question, answer)
        return turn

    def _submit_follow_up(
        self, prompt: Prompt, follow_up: FollowUpTurn, answer: str, spoken: Spoken | None
    ) -> FollowUpTurn:
        with self._lock:
            follow_up.answer = answer
            follow_up.state = AnswerState.SUBMITTED
            follow_up.seconds = self._seconds()
            follow_up.spoken = spoken
            # The rubric's services belong to the main answer.
            follow_up.delivery = _delivery_of(answer, spoken, None)
            if follow_up.needs_transcript:
                follow_up.grade_error = _not_transcribed(spoken)
            self._save()
        self._prompt = None
        if not follow_up.needs_transcript:
            self._grade_later(follow_up, prompt.question, answer)
        return follow_up

    def skip(self, draft: str = "") -> Turn | FollowUpTurn:
        """Skip the current question (or the rest of its follow-ups); `draft` is kept."""
        prompt = self._require_prompt()
        if prompt.follow_up is not None:
            with self._lock:
                prompt.follow_up.answer = draft
                prompt.follow_up.state = AnswerState.SKIPPED
                prompt.follow_up.seconds = self._seconds()
                self._save()
            self._open = None
            self._prompt = None
            return prompt.follow_up
        return self._record(self._new_turn(prompt, AnswerState.SKIPPED, draft))

    def save_unsent(self, draft: str) -> Turn | FollowUpTurn | None:
        """Keep an answer still being typed when the session was interrupted (not graded)."""
        prompt = self._prompt
        if prompt is None:
            return None
        if prompt.follow_up is not None:
            with self._lock:
                prompt.follow_up.answer = draft
                prompt.follow_up.state = AnswerState.DRAFT if draft.strip() else AnswerState.ASKED
                prompt.follow_up.seconds = self._seconds()
                self._save()
            return prompt.follow_up
        if not draft.strip() and not self._hints and self._draft is None:
            return None
        return self._record(self._new_turn(prompt, AnswerState.DRAFT, draft))

    def warm_up(self) -> None:
        """Prepare, on a background thread, what the first submit would otherwise wait for.

        Front ends call this once a question is on screen: compiling the delivery patterns
        (tens of ms) then overlaps the reading of the question instead of delaying its display
        or the submit. Only the first call does anything.
        """
        with self._lock:
            if self._warmed:
                return
            self._warmed = True
        threading.Thread(
            target=services_in, args=("",), name="mockaws-warm-up", daemon=True
        ).start()

    def keep_draft(self, prompt: Prompt, text: str) -> None:
        """Save `text`, typed so far for `prompt`, as its draft (not graded).

        A front end calls this every few seconds and when typing pauses, off its UI thread, so
        a killed process loses at most those seconds; `resume` puts the draft back. Text for a
        prompt that is no longer the current one (already submitted) is ignored.
        """
        with self._lock:
            if prompt is not self._prompt or self._closed:
                return
            follow_up = prompt.follow_up
            if follow_up is not None:
                if follow_up.answer == text:
                    return
                follow_up.answer = text
                follow_up.state = AnswerState.DRAFT if text.strip() else AnswerState.ASKED
                follow_up.seconds = self._seconds()
            elif self._draft is None:
                if not text.strip():
                    return
                turn = self._new_turn(prompt, AnswerState.DRAFT, text)
                self.transcript.turns.append(turn)
                self._draft = (prompt.question, turn)
            else:
                turn = self._draft[1]
                if turn.answer == text:
                    return
                turn.answer = text
                turn.seconds = self._seconds()
                turn.hints = list(self._hints)
            self._save()

    @property
    def hints_used(self) -> list[str]:
        """Rubric point ids hinted for the current question."""
        prompt = self._prompt
        if prompt is not None and prompt.follow_up is not None and self._open is not None:
            return list(self._open.hints)
        return list(self._hints)

    def hint(self) -> RubricPoint | None:
        """Reveal the weightiest rubric point of the current question not hinted yet."""
        prompt = self._require_prompt()
        hinted = self._open.hints if prompt.follow_up is not None and self._open else self._hints
        remaining = [p for p in prompt.question.rubric if p.id not in hinted]
        if not remaining:
            return None
        point = max(remaining, key=lambda p: p.weight)  # max keeps rubric order on ties
        with self._lock:
            hinted.append(point.id)
            if prompt.follow_up is not None:
                self._save()
        return point

    def reveal(self) -> Question | None:
        """The reference answer of the question answered last; None before any answer."""
        turn = self._last_answered
        if turn is None:
            return None
        with self._lock:
            turn.revealed = True
            self._save()
        return self.known.get(turn.question_id)

    def last_graded(self) -> tuple[int, Turn] | None:
        """The latest main answer with a grade, and its 1-based number: what /mark corrects."""
        for number in range(len(self.transcript.turns), 0, -1):
            turn = self.transcript.turns[number - 1]
            if turn.grade is not None and turn.status is TurnStatus.ANSWERED:
                return number, turn
        return None

    def self_assess(
        self, number: int, *, covered: Iterable[str] = (), missed: Iterable[str] = ()
    ) -> Grade:
        """Record the points the user says answer `number` covered (see `scoring.self_assess`).

        The grader's verdicts stay on the grade; the saved transcript has both at once.
        """
        from mockaws.grading.scoring import self_assess

        with self._lock:
            turn = self.transcript.turns[number - 1]
            question = self.question_of(turn)
            if turn.grade is None or question is None:
                raise TranscriptError(f"answer {number} has no grade to correct")
            turn.grade = self_assess(question, turn.grade, covered=covered, missed=missed)
            self._save()
            return turn.grade

    # ------------------------------------------------------------ grading

    def _job_for(self, target: GradeTarget) -> Future[None] | None:
        return next((job for t, job in self._jobs if t is target), None)

    def _grade_later(self, target: GradeTarget, question: Question, answer: str) -> None:
        turn = self._turn_of(target)
        saved: Future[None] = Future()

        def record(graded: Future[Grade]) -> None:
            grade: Grade | None = None
            error: str | None = None
            try:
                grade = graded.result()
            except GradingError as exc:
                error = str(exc)
            except Exception as exc:  # a grader's bug must not lose the turn or stop the session
                error = redact(f"the grader failed unexpectedly: {exc!r}")
            try:
                with self._lock:
                    target.record_grade(grade, error)
                    self._save()
                number = (_index_of(self.transcript.turns, turn) or 0) + 1
                follow_up = target if isinstance(target, FollowUpTurn) else None
                if self.settings.mode is not Mode.REAL:  # real mode: feedback only at the end
                    self.events.put(Graded(question, number, turn, follow_up))
            finally:
                saved.set_result(None)

        self._jobs.append((target, saved))
        self.runner.submit(question, answer).add_done_callback(record)

    def _turn_of(self, target: GradeTarget) -> Turn:
        if isinstance(target, Turn):
            return target
        return next(t for t in self.transcript.turns if any(f is target for f in t.follow_ups))

    def _wait_for(self, target: GradeTarget, timeout: float | None = None) -> bool:
        job = self._job_for(target)
        if job is None or job.done():
            return True
        return not wait_all([job], timeout).not_done

    def wait_for_grade(self, target: GradeTarget, timeout: float | None = None) -> bool:
        """Block until `target`'s grade (or grading error) is in; False on timeout."""
        return self._wait_for(target, timeout)

    def wait_for_grades(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Block until every grade is in, reporting (done, total) as they arrive."""
        jobs = [job for _, job in self._jobs]
        total = len(jobs)
        for job in jobs:
            if progress is not None:
                progress(sum(1 for j in jobs if j.done()), total)
            wait_all([job])
        if progress is not None:
            progress(total, total)

    # ------------------------------------------------------------ ending and resuming

    def finish(self, status: SessionStatus = SessionStatus.COMPLETED) -> SavedPaths | None:
        """Close the session: final JSON and the annotated Markdown beside it.

        Grades still on their way are saved when they arrive; anything left ungraded is
        graded by `mockaws resume`. A session with nothing answered is not kept: None.
        """
        if not has_answers(self.transcript):
            self._closed = True
            self._prompt = None
            with self._lock:
                try:
                    self.store.discard(self.transcript.id)
                except OSError:
                    pass  # left behind, it is never a resume target (nothing answered)
                finally:
                    self._session_lock.release()
            return None
        self._closed = True
        self._prompt = None
        with self._lock:
            for turn in self.transcript.turns:
                # A follow-up that was asked but got no answer at all carries nothing to keep.
                turn.follow_ups = [f for f in turn.follow_ups if f.submitted or f.answer.strip()]
            self.transcript.status = status
            self.transcript.finished_at = utc_now()
            try:
                self._save(strict=True)
            finally:
                self._session_lock.release()
        transcript_id = self.transcript.id
        return SavedPaths(
            self.store.json_path(transcript_id), self.store.markdown_path(transcript_id)
        )

    def _latest(self, transcript: Transcript) -> Transcript:
        """The session as it is on disk, or `transcript` when it was never saved there."""
        try:
            return self.store.load(transcript.id)
        except TranscriptError:
            return transcript

    def _reopen(self) -> None:
        """Continue a saved transcript: re-ask an interrupted answer, grade what is ungraded."""
        transcript = self.transcript
        transcript.status = SessionStatus.IN_PROGRESS
        transcript.finished_at = None
        turns = transcript.turns
        if turns and not turns[-1].submitted:
            question = self.known.get(turns[-1].question_id)
            if question is not None:
                self._draft = (question, turns[-1])
            turns = turns[:-1]
        for turn in turns:
            question = self.known.get(turn.question_id)
            if question is None:
                continue
            if turn.needs_grade:
                self._grade_later(turn, question, turn.answer)
            for follow_up in turn.follow_ups:
                if follow_up.needs_grade:
                    self._grade_later(follow_up, question, follow_up.answer)
        last = turns[-1] if turns else None
        if (
            self._draft is None
            and last is not None
            and last.status is TurnStatus.ANSWERED
            and self.settings.follow_ups
        ):
            self._open = last  # ask what is left of its follow-ups
        answered = [t for t in turns if t.status is TurnStatus.ANSWERED]
        self._last_answered = answered[-1] if answered else None

    def answers_typed(self) -> list[str]:
        """Every answer and draft of the session, in order: what a failed save must not lose."""
        return [a.answer for a in _answers(self.transcript) if a.answer.strip()]

    @property
    def ungraded(self) -> int:
        """Submitted answers (main and follow-up) that have no grade, spoken ones included."""
        count = 0
        for turn in self.transcript.turns:
            count += turn.needs_grade or turn.needs_transcript
            count += sum(f.needs_grade or f.needs_transcript for f in turn.follow_ups)
        return count


def _not_transcribed(spoken: Spoken | None) -> str:
    reason = spoken.transcribe_error if spoken is not None else None
    return f"not transcribed yet: {reason or 'no transcript'}"


def _delivery_of(answer: str, spoken: Spoken | None, question: Question | None) -> Delivery | None:
    """Delivery facts: from the audio and raw transcript when spoken, else from the text."""
    if spoken is None:
        return analyse(answer, question)
    if spoken.needs_transcript:
        return None
    from mockaws.voice.analyse import spoken_delivery

    return spoken_delivery(spoken, question)


def resume(
    transcript: Transcript,
    questions: Mapping[str, Question],
    runner: GradingRunner,
    store: TranscriptStore,
    plan: QuestionPlan,
    *,
    clock: Callable[[], float] = time.monotonic,
) -> Interview:
    """Continue `transcript` where it stopped, grading in the background what is ungraded."""
    asked = [questions[t.question_id] for t in transcript.turns if t.question_id in questions]
    return Interview(
        plan,
        runner,
        store,
        transcript.settings,
        clock=clock,
        transcript=transcript,
        known=asked,
    )


def _answers_of(turn: Turn) -> list[GradeTarget]:
    """A main answer and its follow-ups."""
    return [turn, *turn.follow_ups]


def _answers(transcript: Transcript) -> list[GradeTarget]:
    """Every answer of a transcript: each main answer and its follow-ups."""
    return [target for turn in transcript.turns for target in _answers_of(turn)]


def has_answers(transcript: Transcript) -> bool:
    """True when something was answered, skipped or typed: a session worth keeping."""
    return any(a.submitted or a.answer.strip() for a in _answers(transcript))


def is_unfinished(transcript: Transcript) -> bool:
    """True when an interview has questions left or answers never graded (killed, quit at once).

    A session with nothing answered is never one to resume.
    """
    if not has_answers(transcript):
        return False
    if transcript.status is not SessionStatus.COMPLETED:
        return True
    return any(a.needs_grade and a.grade_error is None for a in _answers(transcript))


def find_resumable(
    store: TranscriptStore,
    transcript_id: str | None = None,
    unreadable: list[str] | None = None,
) -> Transcript:
    """The interview to resume: `transcript_id` (or a unique prefix), else the latest unfinished.

    Files passed over because they do not load are added to `unreadable` (one line each), so
    the user hears of a session that might have been the one to resume.
    """
    if transcript_id is None:
        skipped: list[str] = []
        for path in reversed(store.paths()):
            try:
                transcript = store.load(path.stem)
            except TranscriptError as exc:
                skipped.append(exc.message)
                continue
            if transcript.kind == "interview" and is_unfinished(transcript):
                if unreadable is not None:
                    unreadable.extend(skipped)
                return transcript
        if unreadable is not None:
            unreadable.extend(skipped)
        found = f"no unfinished interview to resume in {store.folder}"
        if skipped:
            found += f" ({len(skipped)} unreadable, the newest: {skipped[0]})"
        raise TranscriptError(found)
    matches = [p.stem for p in store.paths() if p.stem.startswith(transcript_id)]
    if transcript_id in matches:
        matches = [transcript_id]
    if not matches:
        raise TranscriptError(f"no interview '{transcript_id}' in {store.folder}")
    if len(matches) > 1:
        raise TranscriptError(
            f"'{transcript_id}' matches {len(matches)} interviews ({', '.join(matches[:3])}…); "
            "give more of the id"
        )
    transcript = store.load(matches[0])
    if not is_unfinished(transcript) and not any(a.needs_grade for a in _answers(transcript)):
        raise TranscriptError(f"interview {transcript.id} is complete: nothing to resume")
    return transcript


def plan_for(transcript: Transcript, questions: Mapping[str, Question]) -> QuestionPlan:
    """The question plan of a saved interview, rebuilt from its settings and the bank."""
    settings = transcript.settings
    if settings.adaptive:
        pool = filter_questions(questions.values(), settings.topics, tracks=settings.tracks)
        return AdaptivePlan(pool, settings.count, settings.seed or 0, settings.level or Level.MID)
    missing = [qid for qid in settings.question_ids if qid not in questions]
    if missing:
        raise TranscriptError(
            f"interview {transcript.id}: question '{missing[0]}' is not in the bank "
            "(pass the bank file it came from with --bank)"
        )
    return FixedPlan([questions[qid] for qid in settings.question_ids])


# ---------------------------------------------------------------- the interview loop


class Outcome(Enum):
    """How an interview's question loop ended."""

    DONE = "done"  # every question asked
    QUIT = "quit"  # /quit
    END_OF_INPUT = "end-of-input"
    INTERRUPTED = "interrupted"  # Ctrl-C, confirmed: save, summarise, exit 130
    INTERRUPTED_NOW = "interrupted-now"  # Ctrl-C twice: save and exit 130 at once


def run_interview(
    session: Interview,
    frontend: Frontend,
    *,
    on_answer: Callable[[Question, Turn], None] | None = None,
) -> Outcome:
    """Ask every prompt of `session` through `frontend` until done, quit, or interrupted.

    `on_answer` is called after each main answer once its grade is in (drills use it to ask
    for a rating), so with it the interview waits for each grade. The session is left open:
    the caller finishes it (`Interview.finish`) and reports.
    """
    try:
        while True:
            reason = session.wait_reason
            if reason is not None:
                _show_events(session, frontend)
                frontend.show(Waiting(reason))
            prompt = session.prompt
            if prompt is None:
                return Outcome.DONE
            ended = _ask(session, prompt, frontend, on_answer)
            if ended is not None:
                return ended
    except KeyboardInterrupt:  # outside the front end's read (waiting for a grade)
        session.save_unsent("")
        return Outcome.INTERRUPTED_NOW


def _show_events(session: Interview, frontend: Frontend) -> None:
    for event in session.take_events():
        frontend.show(event)


def _catch_up(session: Interview, prompt: Prompt, frontend: Frontend) -> None:
    """Show the grades that came in; a front end that is not live first waits for them all."""
    if not frontend.live and prompt.mode is not Mode.REAL:
        # Nobody watches a pipe live: keep the output in order, feedback before the next one.
        session.wait_for_grades()
    _show_events(session, frontend)


def _ask(
    session: Interview,
    prompt: Prompt,
    frontend: Frontend,
    on_answer: Callable[[Question, Turn], None] | None,
) -> Outcome | None:
    """Ask one prompt until it is answered or skipped (None), or the interview ends."""
    draft = prompt.draft
    _catch_up(session, prompt, frontend)
    frontend.show(Asked(prompt))
    if not frontend.live:
        session.warm_up()  # the prompt is printed; a live editor says when it has drawn it
    while True:
        _catch_up(session, prompt, frontend)
        reply = frontend.read(prompt, draft)
        if isinstance(reply, EndOfInput):
            return Outcome.END_OF_INPUT
        if isinstance(reply, Interrupt):
            session.save_unsent(reply.draft)
            return Outcome.INTERRUPTED_NOW if reply.at_once else Outcome.INTERRUPTED
        text, spoken = (
            (reply.text, reply.spoken) if isinstance(reply, SpokenAnswer) else (reply, None)
        )
        command, draft = split_command(text) if spoken is None else (None, text)
        if command is None:
            answer = session.submit(text, spoken)
            if session.save_problem:
                frontend.show(SaveFailed(session.save_problem))
            frontend.show(AnswerSaved(prompt, answer))
            if on_answer is not None and isinstance(answer, Turn):
                frontend.show(Waiting("Grading your answer…"))
                session.wait_for_grade(answer)
                _show_events(session, frontend)
                on_answer(prompt.question, answer)
            return None
        if command is Command.SKIP:
            session.skip(draft)
            return None
        if command is Command.QUIT:
            session.save_unsent(draft)
            return Outcome.QUIT
        if command is Command.REPEAT:
            frontend.show(Asked(prompt, again=True))
        elif prompt.mode is Mode.REAL:
            frontend.show(StudyOnly(command.value))
        elif command is Command.HINT:
            point = session.hint()
            frontend.show(HintGiven(point, len(session.hints_used)))
        elif command is Command.REVEAL:
            frontend.show(Revealed(session.reveal()))
        elif command is Command.MARK:
            _mark(session, frontend)


def _mark(session: Interview, frontend: Frontend) -> None:
    """/mark: the user ticks the points the latest graded answer did cover (self-assessed)."""
    found = session.last_graded()
    if found is None:
        frontend.show(Notice("No graded answer to mark yet: its feedback comes first."))
        return
    number, turn = found
    question = session.question_of(turn)
    if question is None or turn.grade is None:
        return
    choice = frontend.mark(question, turn.grade, number)
    if choice is None:
        return
    covered, missed = choice
    grade = session.self_assess(number, covered=covered, missed=missed)
    if session.save_problem:
        frontend.show(SaveFailed(session.save_problem))
    frontend.show(Marked(question, grade, number))
