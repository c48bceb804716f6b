"""`mockaws drill`: an interview of the questions that are due, by spaced repetition."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from mockaws.cli.options import (
    BankOption,
    BaseUrlOption,
    GraderOption,
    LevelOption,
    ModelOption,
    TopicOption,
    TrackOption,
    TranscriptsDirOption,
    parse_level,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from mockaws.models import Question, Turn


def drill(
    count: Annotated[
        int, typer.Option("-n", "--count", metavar="N", help="At most this many due questions.")
    ] = 5,
    ahead: Annotated[
        bool,
        typer.Option("--ahead", help="Fill up with questions not due yet, soonest first."),
    ] = False,
    topic: TopicOption = None,
    track: TrackOption = None,
    level: LevelOption = None,
    grader: GraderOption = "auto",
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    transcripts_dir: TranscriptsDirOption = None,
    bank: BankOption = None,
) -> None:
    """Drill the questions that are due again, weakest first (FSRS spaced repetition).

    Every graded answer schedules its question: answers that missed a rubric point come back
    first. After each answer, confirm the suggested rating (again, hard, good, easy) or pick
    another; with piped input the suggestion is kept.

    Examples:

    \b
        mockaws drill
        mockaws drill -n 2 --topic networking --ahead
        mockaws drill --track security
    """
    from mockaws import ui
    from mockaws.bank import load_bank, parse_tracks
    from mockaws.cli.interview import drive
    from mockaws.cli.transcripts import load_user_history
    from mockaws.config import home_dir, load_settings
    from mockaws.config import transcripts_dir as resolve_transcripts_dir
    from mockaws.drill import (
        SCHEDULE_FILE,
        DrillRating,
        Review,
        add_review,
        due_questions,
        load_schedule,
        next_due,
        save_schedule,
        suggest_for_grade,
        sync,
    )
    from mockaws.errors import BadInputError
    from mockaws.grading import make_grader
    from mockaws.grading.runner import GradingRunner
    from mockaws.models import SessionSettings, Verdict, utc_now
    from mockaws.session import Interview
    from mockaws.transcripts import TranscriptStore

    if count < 1:
        raise BadInputError(f"-n must be at least 1 (got {count})")
    chosen_level = parse_level(level)
    tracks = parse_tracks(track or [])
    grader_settings = load_settings(model=model, base_url=base_url)
    chosen_grader, notice = make_grader(grader, grader_settings)
    loaded = load_bank(bank or [])
    questions = {q.id: q for q in loaded.filter(tracks=tracks)} if tracks else loaded.questions
    folder = resolve_transcripts_dir(transcripts_dir)
    history = load_user_history(folder)
    ui.load_problems(history.problems)
    schedule_path = home_dir() / SCHEDULE_FILE
    schedule = load_schedule(schedule_path)
    if sync(schedule, history):
        save_schedule(schedule, schedule_path)
    due = due_questions(schedule, questions, topics=topic or [], level=chosen_level, ahead=ahead)
    if not due:
        ui.nothing_due(next_due(schedule, questions))
        return
    if notice:
        ui.notice(notice)
    chosen = [d.question for d in due[:count]]
    settings = SessionSettings(
        topics=sorted(topic or []),
        tracks=tracks,
        level=chosen_level,
        count=len(chosen),
        mode="drill",
        grader=chosen_grader.name,
        model=grader_settings.model if chosen_grader.name != "offline" else None,
        base_url_host=grader_settings.base_url_host if chosen_grader.name != "offline" else None,
    )
    runner = GradingRunner(chosen_grader)
    session = Interview(chosen, runner, TranscriptStore(folder), settings)
    choices = [r.value for r in DrillRating]

    def rate(question: Question, turn: Turn) -> None:
        if turn.grade is None:
            return  # ungraded: the question stays due
        suggested = suggest_for_grade(turn.grade)
        picked = suggested
        if sys.stdin.isatty():
            picked = DrillRating(ui.choose_rating(suggested.value, choices))
        review = Review(
            at=turn.answered_at or utc_now(),
            rating=picked,
            suggested=suggested,
            source=f"{session.transcript.id}#{_turn_index(session.transcript.turns, turn)}",
            score=turn.grade.score,
            missed=[
                p.point_id
                for p in turn.grade.points
                if p.verdict in (Verdict.MISSED, Verdict.CONTRADICTED)
            ],
        )
        state = add_review(schedule, question.id, review)
        save_schedule(schedule, schedule_path)
        ui.drill_scheduled(picked.value, suggested.value, state.due)

    drive(session, on_answer=rate)


def _turn_index(turns: Sequence[Turn], turn: Turn) -> int:
    return next(index for index, candidate in enumerate(turns) if candidate is turn)
