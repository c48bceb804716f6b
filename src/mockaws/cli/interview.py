"""`mockaws interview`: a graded mock interview in the terminal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mockaws.cli.options import (
    BankOption,
    BaseUrlOption,
    GraderOption,
    LevelOption,
    ModelOption,
    TopicOption,
    parse_level,
)

if TYPE_CHECKING:
    from mockaws.models import Question, Turn
    from mockaws.session import Interview


def interview(
    topic: TopicOption = None,
    level: LevelOption = None,
    count: Annotated[int, typer.Option("-n", "--count", help="How many questions to ask.")] = 5,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed for the choice of questions (reproducible).")
    ] = None,
    grader: GraderOption = "auto",
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    transcripts_dir: Annotated[
        Path | None,
        typer.Option("--transcripts-dir", help="Save transcripts here instead of the home folder."),
    ] = None,
    bank: BankOption = None,
) -> None:
    """Run a mock interview: answer each question as you would aloud, get graded point by point.

    Answers end at a line holding only '.'. Type /skip or /quit as the whole answer to skip a
    question or stop. The transcript is saved after every answer.
    """
    from mockaws import ui
    from mockaws.bank import load_bank, select_questions
    from mockaws.config import load_settings
    from mockaws.config import transcripts_dir as resolve_transcripts_dir
    from mockaws.grading import make_grader
    from mockaws.models import SessionSettings
    from mockaws.session import Interview
    from mockaws.transcripts import TranscriptStore

    chosen_level = parse_level(level)
    grader_settings = load_settings(model=model, base_url=base_url)
    chosen_grader, notice = make_grader(grader, grader_settings)
    loaded = load_bank(bank or [])
    questions = select_questions(loaded.filter(topic or [], chosen_level), count, seed)
    if notice:
        ui.notice(notice)
    settings = SessionSettings(
        topics=sorted(topic or []),
        level=chosen_level,
        count=count,
        seed=seed,
        grader=chosen_grader.name,
        model=grader_settings.model if chosen_grader.name != "offline" else None,
        base_url_host=grader_settings.base_url_host if chosen_grader.name != "offline" else None,
    )
    session = Interview(
        questions,
        chosen_grader,
        TranscriptStore(resolve_transcripts_dir(transcripts_dir)),
        settings,
    )
    drive(session)


def drive(
    session: Interview,
    *,
    on_answer: Callable[[Question, Turn], None] | None = None,
) -> None:
    """Run `session` at the terminal (or from piped stdin) until done, quit or Ctrl-C; then save.

    `on_answer` is called after each graded answer (drills use it to ask for a rating).
    """
    from mockaws import ui
    from mockaws.errors import SessionInterruptedError
    from mockaws.models import SessionStatus
    from mockaws.session import Command, parse_command

    reader = ui.AnswerReader()
    status = SessionStatus.ABANDONED
    try:
        while (question := session.current) is not None:
            ui.ask(question, session.position + 1, session.total, interactive=reader.interactive)
            answer = reader.read()
            if answer is None:
                break
            command = parse_command(answer)
            if command is Command.QUIT:
                break
            if command is Command.SKIP:
                session.skip()
                continue
            turn = session.submit(answer)
            ui.turn_feedback(question, turn)
            if on_answer is not None:
                on_answer(question, turn)
        else:
            status = SessionStatus.COMPLETED
    except KeyboardInterrupt:
        if reader.pending and session.current is not None:
            session.save_unsent("\n".join(reader.pending))
        paths = session.finish(SessionStatus.ABANDONED)
        ui.saved([paths.json, paths.markdown])
        raise SessionInterruptedError("interrupted: the interview was saved") from None
    paths = session.finish(status)
    ui.summary(session.transcript)
    ui.saved([paths.json, paths.markdown])
