"""`mockaws drill`: an interview of the questions that are due, by spaced repetition."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

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
from mockaws.cli.voice_options import (
    AudioDeviceOption,
    KeepAudioOption,
    SpeakQuestionsOption,
    SpeechBaseUrlOption,
    SpeechModelOption,
    VoiceOption,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import datetime

    from mockaws.drill import DrillRating, DueQuestion
    from mockaws.models import Grade, Question, Turn
    from mockaws.session import Interview


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
    as_json: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the questions that would be drilled as JSON; ask nothing."
        ),
    ] = False,
    transcripts_dir: TranscriptsDirOption = None,
    bank: BankOption = None,
    voice: VoiceOption = False,
    keep_audio: KeepAudioOption = True,
    speak_questions: SpeakQuestionsOption = False,
    speech_model: SpeechModelOption = None,
    speech_base_url: SpeechBaseUrlOption = None,
    audio_device: AudioDeviceOption = None,
) -> None:
    """Drill the questions that are due again, weakest first (FSRS spaced repetition).

    Every graded answer schedules its question: answers that missed a rubric point come back
    first. After each answer, confirm the suggested rating (again, hard, good, easy) or pick
    another; with piped input the suggestion is kept. With --voice you speak each answer (see
    `mockaws interview --help`).

    Examples:
      mockaws drill
      mockaws drill -n 2 --topic networking --ahead
      mockaws drill --track security
      mockaws drill --voice --no-keep-audio
      mockaws drill --json
    """
    from mockaws import ui
    from mockaws.bank import load_bank, parse_tracks
    from mockaws.cli.interview import drive
    from mockaws.cli.transcripts import load_user_history
    from mockaws.config import home_dir, load_settings
    from mockaws.config import transcripts_dir as resolve_transcripts_dir
    from mockaws.drill import (
        SCHEDULE_FILE,
        Review,
        add_review,
        due_questions,
        load_schedule,
        next_due,
        save_schedule,
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
    if as_json:
        typer.echo(json.dumps(_due_json(due[:count], next_due(schedule, questions)), indent=2))
        return
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
    session = Interview(chosen, GradingRunner(chosen_grader), TranscriptStore(folder), settings)

    def rate(question: Question, turn: Turn) -> None:
        if turn.grade is None:
            return  # ungraded: the question stays due
        number = _turn_index(session.transcript.turns, turn) + 1
        grade, picked, suggested = _rate(session, question, number, turn.grade)
        review = Review(
            at=turn.answered_at or utc_now(),
            rating=picked,
            suggested=suggested,
            source=f"{session.transcript.id}#{number - 1}",
            score=grade.effective_score,
            missed=[
                p.point_id
                for p in grade.effective_points
                if p.verdict in (Verdict.MISSED, Verdict.CONTRADICTED)
            ],
            grader_score=grade.score if grade.self_assessed else None,
        )
        state = add_review(schedule, question.id, review)
        save_schedule(schedule, schedule_path)
        ui.drill_scheduled(picked.value, suggested.value, state.due)

    from mockaws.cli.voice_options import voice_input

    voice_in = voice_input(
        enabled=voice,
        grader_settings=grader_settings,
        folder=folder,
        keep_audio=keep_audio,
        speak_questions=speak_questions,
        speech_model=speech_model,
        speech_base_url=speech_base_url,
        audio_device=audio_device,
        long_pause=1.0,
        stop_after_silence=None,
    )
    drive(session, on_answer=rate, voice=voice_in)


# The version of the JSON `drill --json` prints (see the README).
JSON_SCHEMA_VERSION = 1


def _due_json(
    due: Sequence[DueQuestion], upcoming: tuple[Question, datetime] | None
) -> dict[str, Any]:
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "due": [
            {
                "question_id": d.question.id,
                "topic": d.question.topic,
                "level": d.question.level.value,
                "due": d.due.isoformat(),
                "missed": list(d.missed),
            }
            for d in due
        ],
        "next_due": (
            {"question_id": upcoming[0].id, "due": upcoming[1].isoformat()} if upcoming else None
        ),
    }


def _rate(
    session: Interview, question: Question, number: int, grade: Grade
) -> tuple[Grade, DrillRating, DrillRating]:
    """The grade as finally marked, the rating picked and the one suggested.

    At a terminal the user may pick another rating, or /mark the points they covered first
    (which changes the score, and so the suggestion); piped, the suggestion is kept.
    """
    from mockaws import ui
    from mockaws.drill import DrillRating, suggest_for_grade

    choices = [r.value for r in DrillRating]
    suggested = suggest_for_grade(grade)
    while sys.stdin.isatty():
        reply = ui.choose_rating(suggested.value, choices, markable=True)
        if reply != ui.MARK_REPLY:
            return grade, DrillRating(reply), suggested
        marking = ui.checklist(question, grade, ui.read_line)
        if marking is not None:
            grade = session.self_assess(number, covered=marking[0], missed=marking[1])
            ui.marked(question, grade, number, session.transcript.id)
        suggested = suggest_for_grade(grade)
    return grade, suggested, suggested


def _turn_index(turns: Sequence[Turn], turn: Turn) -> int:
    return next(index for index, candidate in enumerate(turns) if candidate is turn)
