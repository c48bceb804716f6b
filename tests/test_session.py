"""The interview engine without a terminal: saving, background grading, follow-ups, resume."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from mockaws.bank import load_bank
from mockaws.grading.runner import GradingRunner
from mockaws.models import (
    AnswerState,
    Level,
    Mode,
    Question,
    SessionSettings,
    SessionStatus,
    Transcript,
    TurnStatus,
    Verdict,
)
from mockaws.session import (
    AdaptivePlan,
    Command,
    Interview,
    find_resumable,
    plan_for,
    resume,
    split_command,
)
from mockaws.transcripts import TranscriptStore, load_transcript
from tests.conftest import DATA, MINI_BANK
from tests.fakes import SG_FULL_ANSWER, ScriptedGrader

BANK = load_bank([MINI_BANK, DATA / "extra_bank.toml"], include_shipped=False).questions
SG = BANK["mini-sg-vs-nacl"]
S3 = BANK["mini-s3-consistency"]
LAMBDA = BANK["extra-lambda-cold-start"]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def start(
    tmp_path: Path,
    questions: list[Question] | AdaptivePlan,
    grader: ScriptedGrader,
    *,
    follow_ups: int = 0,
    workers: int = 1,
    **settings: Any,
) -> Interview:
    store = TranscriptStore(tmp_path / "transcripts")
    return Interview(
        questions,
        GradingRunner(grader, workers),
        store,
        SessionSettings(grader=grader.name, follow_ups=follow_ups, **settings),
    )


def on_disk(session: Interview) -> Transcript:
    return load_transcript(session.store.json_path(session.transcript.id))


@pytest.mark.parametrize(
    ("typed", "command", "rest"),
    [
        ("/skip", Command.SKIP, ""),
        ("  /HINT  \n", Command.HINT, ""),
        ("my half answer\n/hint", Command.HINT, "my half answer"),
        ("line one\nline two\n/quit\n", Command.QUIT, "line one\nline two"),
        ("/reveal is what I would type", None, "/reveal is what I would type"),
        ("use /skip when stuck", None, "use /skip when stuck"),
        ("/repeat\nmore text", None, "/repeat\nmore text"),
        ("", None, ""),
    ],
)
def test_split_command_keeps_the_text_above_it(
    typed: str, command: Command | None, rest: str
) -> None:
    assert split_command(typed) == (command, rest)


def test_an_answer_is_on_disk_and_the_next_question_ready_while_grading_hangs(
    tmp_path: Path,
) -> None:
    grader = ScriptedGrader()
    gate = threading.Event()
    grader.enqueue(Verdict.COVERED, gate=gate)
    session = start(tmp_path, [SG, S3], grader)
    turn = session.submit(SG_FULL_ANSWER)
    # The grader is still blocked: the answer is saved, and the next question is already there.
    assert turn.grade is None
    assert on_disk(session).turns[0].answer == SG_FULL_ANSWER
    prompt = session.prompt
    assert prompt is not None and prompt.question is S3 and prompt.number == 2
    gate.set()
    session.wait_for_grades()
    saved = on_disk(session).turns[0]
    assert saved.grade is not None and saved.grade.grader == "fake" and saved.grade.score == 100


def test_a_grading_error_keeps_the_answer_and_the_session_goes_on(tmp_path: Path) -> None:
    grader = ScriptedGrader()
    grader.enqueue(error="model unavailable (HTTP 503)")
    grader.enqueue(Verdict.COVERED)
    session = start(tmp_path, [SG, S3], grader)
    session.submit("first answer")
    session.submit("second answer")
    session.wait_for_grades()
    first, second = on_disk(session).turns
    assert first.grade is None and first.grade_error == "model unavailable (HTTP 503)"
    assert first.answer == "first answer"
    assert second.grade is not None


def test_background_saves_never_interleave(tmp_path: Path) -> None:
    class CheckingStore(TranscriptStore):
        """Fails if two saves overlap (widening the window with a short pause)."""

        def __init__(self, folder: Path) -> None:
            super().__init__(folder)
            self.inside = 0
            self.overlaps = 0
            self.guard = threading.Lock()

        def save(self, transcript: Transcript) -> Path:
            with self.guard:
                self.inside += 1
                self.overlaps += self.inside > 1
            threading.Event().wait(0.002)
            try:
                return super().save(transcript)
            finally:
                with self.guard:
                    self.inside -= 1

    grader = ScriptedGrader()
    questions = [SG, S3, LAMBDA]
    store = CheckingStore(tmp_path)
    session = Interview(questions, GradingRunner(grader, 4), store, SessionSettings())
    for question in questions:
        grader.enqueue(Verdict.COVERED, delay=0.01)
        session.submit(f"an answer to {question.id}")
    session.wait_for_grades()
    session.finish()
    assert store.overlaps == 0
    assert all(t.grade is not None for t in on_disk(session).turns)


def test_time_per_answer_is_recorded(tmp_path: Path) -> None:
    clock = FakeClock()
    session = Interview(
        [SG, S3],
        GradingRunner(ScriptedGrader()),
        TranscriptStore(tmp_path),
        SessionSettings(time_limit_s=60),
        clock=clock,
    )
    assert session.prompt is not None
    clock.now += 75
    assert session.elapsed == 75
    turn = session.submit("an answer")
    assert turn.seconds == 75
    assert session.prompt is not None
    clock.now += 12
    assert session.skip().seconds == 12


def test_an_authored_follow_up_is_asked_at_once_and_graded_against_the_parent(
    tmp_path: Path,
) -> None:
    grader = ScriptedGrader()
    gate = threading.Event()
    grader.enqueue(Verdict.MISSED, gate=gate, follow_up="What about deny rules?")
    grader.enqueue({"allow-deny": Verdict.COVERED})
    session = start(tmp_path, [SG, S3], grader, follow_ups=1, workers=2)
    session.submit("Security groups filter traffic.")
    prompt = session.prompt
    # The grader has not answered, so the question's own follow-up comes without waiting.
    assert prompt is not None and prompt.is_follow_up and prompt.question is SG
    assert prompt.text == SG.follow_ups[0]
    assert on_disk(session).turns[0].follow_ups[0].question == SG.follow_ups[0]
    follow_up = session.submit("Use a NACL deny rule for the IP.")
    gate.set()
    session.wait_for_grades()
    assert follow_up.grade is not None
    assert [v.verdict for v in follow_up.grade.points if v.point_id == "allow-deny"] == [
        Verdict.COVERED
    ]
    assert grader.history[1] == ("mini-sg-vs-nacl", "Use a NACL deny rule for the IP.")
    next_prompt = session.prompt
    assert next_prompt is not None and next_prompt.question is S3 and not next_prompt.is_follow_up
    saved = on_disk(session).turns[0].follow_ups[0]
    assert saved.source == "authored" and saved.submitted and saved.grade is not None


def test_the_graders_follow_up_is_preferred_once_its_grade_is_in(tmp_path: Path) -> None:
    grader = ScriptedGrader()
    grader.enqueue(Verdict.PARTIAL, follow_up="Which rule would you add for return traffic?")
    grader.enqueue(Verdict.MISSED)
    session = start(tmp_path, [SG], grader, follow_ups=2)
    turn = session.submit("Security groups are stateful.")
    session.wait_for_grade(turn)
    first = session.prompt
    assert first is not None and first.text == "Which rule would you add for return traffic?"
    assert first.follow_up is not None and first.follow_up.source == "grader"
    session.submit("An ephemeral port rule.")
    second = session.prompt
    assert second is not None and second.text == SG.follow_ups[0]
    session.submit("A deny rule.")
    assert session.prompt is None


def test_without_authored_follow_ups_the_session_waits_for_the_graders(tmp_path: Path) -> None:
    no_follow_ups = SG.model_copy(update={"follow_ups": []})
    grader = ScriptedGrader()
    step = grader.enqueue(Verdict.MISSED, follow_up="What is an ephemeral port?", delay=0.05)
    session = start(tmp_path, [no_follow_ups], grader, follow_ups=1)
    session.submit("Security groups.")
    step.started.wait()
    assert session.wait_reason == "Thinking of a follow-up…"
    prompt = session.prompt
    assert prompt is not None and prompt.text == "What is an ephemeral port?"
    assert session.wait_reason is None


def test_skipping_a_follow_up_moves_on(tmp_path: Path) -> None:
    session = start(tmp_path, [SG, S3], ScriptedGrader(), follow_ups=2)
    session.submit("an answer")
    assert session.prompt is not None and session.prompt.is_follow_up
    skipped = session.skip("half a thought")
    assert getattr(skipped, "skipped", False)
    prompt = session.prompt
    assert prompt is not None and prompt.question is S3 and not prompt.is_follow_up
    saved = on_disk(session).turns[0].follow_ups
    assert len(saved) == 1 and saved[0].skipped and saved[0].answer == "half a thought"


def test_hints_reveal_the_weightiest_points_first_and_are_recorded(tmp_path: Path) -> None:
    session = start(tmp_path, [SG], ScriptedGrader())
    shown = [session.hint() for _ in range(len(SG.rubric) + 1)]
    ids = [p.id if p else None for p in shown]
    assert ids == ["sg-stateful", "nacl-stateless", "sg-instance-level", "allow-deny", None]
    turn = session.submit("my answer")
    assert turn.hints == ids[:-1]


def test_reveal_needs_an_answer_first(tmp_path: Path) -> None:
    session = start(tmp_path, [SG, S3], ScriptedGrader())
    assert session.reveal() is None
    session.submit("an answer")
    assert session.reveal() is SG
    assert on_disk(session).turns[0].revealed


def test_delivery_notes_are_saved_with_the_answer(tmp_path: Path) -> None:
    session = start(tmp_path, [S3], ScriptedGrader())
    session.submit("Um, S3 is, like, strongly consistent. I think CloudFront caches though.")
    delivery = on_disk(session).turns[0].delivery
    assert delivery is not None
    assert delivery.fillers == {"um": 1, "like": 1}
    assert delivery.hedges == {"I think": 1}
    assert delivery.services_named == ["S3", "CloudFront"]


def _pool() -> list[Question]:
    pool = []
    for level in Level:
        for n in range(3):
            pool.append(
                SG.model_copy(
                    update={"id": f"q-{level.value}-{n}", "level": level, "topic": f"t{n}"}
                )
            )
    return pool


def test_adaptive_steps_up_after_strong_and_down_after_weak(tmp_path: Path) -> None:
    grader = ScriptedGrader()
    plan = AdaptivePlan(_pool(), count=5, seed=7, start=Level.JUNIOR)
    session = start(tmp_path, plan, grader, adaptive=True, seed=7)
    levels = []
    for labels in (Verdict.COVERED, Verdict.COVERED, Verdict.MISSED, Verdict.COVERED):
        prompt = session.prompt
        assert prompt is not None
        levels.append(prompt.question.level)
        grader.enqueue(labels)
        session.submit(SG_FULL_ANSWER)
    prompt = session.prompt
    assert prompt is not None
    levels.append(prompt.question.level)
    assert levels == [Level.JUNIOR, Level.MID, Level.SENIOR, Level.MID, Level.SENIOR]
    session.skip()
    assert session.prompt is None
    asked = [t.question_id for t in session.transcript.turns]
    assert len(set(asked)) == 5
    assert session.transcript.settings.question_ids == asked


def test_adaptive_choice_is_reproducible_with_a_seed(tmp_path: Path) -> None:
    def run(seed: int) -> list[str]:
        grader = ScriptedGrader()
        session = start(tmp_path, AdaptivePlan(_pool(), 4, seed), grader)
        for _ in range(4):
            grader.enqueue(Verdict.PARTIAL)
            session.submit("stateful")
        return [t.question_id for t in session.transcript.turns]

    assert run(3) == run(3)
    assert len({tuple(run(seed)) for seed in range(6)}) > 1


def test_resume_grades_what_is_ungraded_and_continues(tmp_path: Path) -> None:
    grader = ScriptedGrader()
    gate = threading.Event()  # never set: the "process" dies with grading under way
    grader.enqueue(gate=gate)
    grader.enqueue(gate=gate)
    session = start(tmp_path, [SG, S3, LAMBDA], grader)
    session.submit("first")
    session.submit("second")
    saved = on_disk(session)
    assert saved.status is SessionStatus.IN_PROGRESS and not saved.graded_turns

    later = ScriptedGrader()
    later.enqueue(Verdict.COVERED)
    later.enqueue(Verdict.PARTIAL)
    store = TranscriptStore(tmp_path / "transcripts")
    found = find_resumable(store)
    assert found.id == saved.id
    again = resume(found, BANK, GradingRunner(later), store, plan_for(found, BANK))
    prompt = again.prompt
    assert prompt is not None and prompt.question is LAMBDA and prompt.number == 3
    again.submit("third")
    again.wait_for_grades()
    again.finish()
    done = on_disk(again)
    assert [t.answer for t in done.turns] == ["first", "second", "third"]
    assert all(t.grade is not None and t.grade.grader == "fake" for t in done.turns)
    assert sorted(answer for _, answer in later.history) == ["first", "second", "third"]
    assert done.status is SessionStatus.COMPLETED
    with pytest.raises(Exception, match="no unfinished interview"):
        find_resumable(store)


def test_resume_puts_an_interrupted_draft_back_and_keeps_it_if_quit_again(
    tmp_path: Path,
) -> None:
    session = start(tmp_path, [SG, S3], ScriptedGrader())
    assert session.prompt is not None
    session.save_unsent("half of my answer")
    session.finish(SessionStatus.ABANDONED)
    store = session.store
    draft = on_disk(session).turns[0]
    assert not draft.submitted and draft.answer == "half of my answer"

    found = find_resumable(store)
    again = resume(found, BANK, GradingRunner(ScriptedGrader()), store, plan_for(found, BANK))
    prompt = again.prompt
    assert prompt is not None and prompt.question is SG and prompt.draft == "half of my answer"
    # Quitting again at once keeps the draft on disk.
    again.finish(SessionStatus.ABANDONED)
    assert on_disk(again).turns[0].answer == "half of my answer"

    third = resume(
        find_resumable(store), BANK, GradingRunner(ScriptedGrader()), store, plan_for(found, BANK)
    )
    assert third.prompt is not None
    third.submit("half of my answer, finished")
    turns = on_disk(third).turns
    assert len(turns) == 1 and turns[0].submitted and turns[0].status is TurnStatus.ANSWERED


def test_resume_asks_an_unanswered_follow_up_again(tmp_path: Path) -> None:
    session = start(tmp_path, [SG, S3], ScriptedGrader(), follow_ups=1)
    session.submit("an answer")
    assert session.prompt is not None and session.prompt.is_follow_up
    session.wait_for_grades()  # a killed process writes nothing more; this one must not either
    store = session.store  # killed here: the follow-up is on disk, unanswered
    found = find_resumable(store)
    again = resume(found, BANK, GradingRunner(ScriptedGrader()), store, plan_for(found, BANK))
    prompt = again.prompt
    assert prompt is not None and prompt.is_follow_up and prompt.text == SG.follow_ups[0]
    again.submit("a deny rule in the NACL")
    assert [f.answer for f in on_disk(again).turns[0].follow_ups] == ["a deny rule in the NACL"]


def test_old_transcripts_still_load(tmp_path: Path) -> None:
    old = (
        '{"schema_version": 1, "id": "20240101-000000-abcd", "status": "completed",'
        ' "settings": {"mode": "study", "grader": "offline"},'
        ' "turns": [{"question_id": "q", "question": "Q?", "topic": "t", "level": "mid",'
        ' "rubric_hash": "x", "answer": "a", "follow_ups": [{"question": "F?", "answer": "b"}]}]}'
    )
    path = tmp_path / "old.json"
    path.write_text(old)
    transcript = load_transcript(path)
    assert transcript.settings.mode is Mode.STUDY and transcript.settings.follow_ups == 0
    turn = transcript.turns[0]
    assert turn.submitted and turn.delivery is None and turn.follow_ups[0].submitted


def test_a_grader_not_marked_thread_safe_grades_one_answer_at_a_time(tmp_path: Path) -> None:
    class OneAtATime(ScriptedGrader):
        thread_safe = False

        def __init__(self) -> None:
            super().__init__()
            self.inside = 0
            self.most = 0
            self.guard = threading.Lock()

        def label(self, question: Question, answer: str) -> Any:
            with self.guard:
                self.inside += 1
                self.most = max(self.most, self.inside)
            try:
                return super().label(question, answer)
            finally:
                with self.guard:
                    self.inside -= 1

    grader = OneAtATime()
    session = start(tmp_path, [SG, S3, LAMBDA], grader, workers=4)
    for question in (SG, S3, LAMBDA):
        grader.enqueue(Verdict.COVERED, delay=0.02)
        session.submit(f"an answer to {question.id}")
    session.wait_for_grades()
    assert grader.most == 1
    assert all(t.grade is not None for t in session.transcript.turns)


def test_a_draft_kept_while_typing_is_on_disk_and_resumes(tmp_path: Path) -> None:
    clock = FakeClock()
    store = TranscriptStore(tmp_path)
    session = Interview(
        [SG, S3], GradingRunner(ScriptedGrader()), store, SessionSettings(), clock=clock
    )
    prompt = session.prompt
    assert prompt is not None
    clock.now += 30
    session.keep_draft(prompt, "Security groups are")
    session.keep_draft(prompt, "Security groups are stateful")
    (draft,) = on_disk(session).turns
    assert draft.state is AnswerState.DRAFT and draft.answer == "Security groups are stateful"
    assert draft.seconds == 30 and not draft.needs_grade

    # Picked up again after the process died: the draft comes back, its time carried on.
    found = find_resumable(store)
    again = resume(found, BANK, GradingRunner(ScriptedGrader()), store, plan_for(found, BANK))
    resumed = again.prompt
    assert resumed is not None and resumed.draft == "Security groups are stateful"
    turn = again.submit("Security groups are stateful; NACLs are not.")
    assert turn.seconds >= 30
    assert [t.answer for t in on_disk(again).turns] == [
        "Security groups are stateful; NACLs are not."
    ]
    # Text that arrives for a prompt already answered is not saved as a new draft.
    again.keep_draft(resumed, "late text")
    assert len(on_disk(again).turns) == 1


def test_what_submitting_needs_is_prepared_once_the_question_is_shown(tmp_path: Path) -> None:
    from mockaws import delivery

    delivery._service_patterns.cache_clear()
    session = start(tmp_path, [S3], ScriptedGrader())
    # Starting the session leaves it to the front end: the first question is not held up.
    assert delivery._service_patterns.cache_info().currsize == 0
    session.warm_up()
    session.warm_up()
    warming = [t for t in threading.enumerate() if t.name == "mockaws-warm-up"]
    assert len(warming) <= 1  # the second call started nothing
    for thread in warming:
        thread.join(timeout=30)
    assert delivery._service_patterns.cache_info().currsize == 1
    session.submit("S3 is strongly consistent; CloudFront caches.")
    delivery_notes = on_disk(session).turns[0].delivery
    assert delivery_notes is not None and delivery_notes.services_named == ["S3", "CloudFront"]
