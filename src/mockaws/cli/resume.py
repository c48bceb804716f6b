"""`mockaws resume`: continue an interrupted interview."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mockaws.cli.options import (
    BankOption,
    BaseUrlOption,
    ModelOption,
    TranscriptsDirOption,
    complete_transcript_id,
)


def resume(
    transcript_id: Annotated[
        str | None,
        typer.Argument(
            metavar="ID",
            help="The interview to continue, or the start of its id "
            "(default: the latest unfinished one).",
            autocompletion=complete_transcript_id,
        ),
    ] = None,
    grader: Annotated[
        str | None,
        typer.Option(
            "--grader",
            "-g",
            metavar="GRADER",
            help="Grade with this grader instead of the one the interview used.",
        ),
    ] = None,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    transcripts_dir: TranscriptsDirOption = None,
    bank: BankOption = None,
) -> None:
    """Continue an interrupted interview where it stopped, grading any answer left ungraded.

    Every answer submitted before the interruption (even a killed process) is kept; an answer
    that was being typed when you pressed Ctrl-C is put back in the editor.

    Examples:
      mockaws resume
      mockaws resume 20260101-0930 --grader offline
    """
    from mockaws import ui
    from mockaws.bank import load_bank
    from mockaws.cli.interview import drive
    from mockaws.config import load_settings
    from mockaws.config import transcripts_dir as resolve_transcripts_dir
    from mockaws.grading import make_grader
    from mockaws.grading.runner import GradingRunner
    from mockaws.session import find_resumable, plan_for
    from mockaws.session import resume as resume_session
    from mockaws.transcripts import TranscriptStore

    store = TranscriptStore(resolve_transcripts_dir(transcripts_dir))
    unreadable: list[str] = []
    transcript = find_resumable(store, transcript_id, unreadable)
    for problem in unreadable:
        ui.notice(f"skipped: {problem}")
    settings = transcript.settings
    # The banks the interview was started with, where they still are, and any given now.
    recorded = [Path(p) for p in settings.banks if Path(p).exists()]
    loaded = load_bank(list(dict.fromkeys([*recorded, *(bank or [])])))
    plan = plan_for(transcript, loaded.questions)
    # The interview's own grader and model, unless told otherwise.
    grader_settings = load_settings(model=model or settings.model, base_url=base_url)
    chosen_grader, notice = make_grader(grader or settings.grader, grader_settings)
    if notice:
        ui.notice(notice)
    session = resume_session(
        transcript, loaded.questions, GradingRunner(chosen_grader), store, plan
    )
    ui.notice(
        f"Resuming {transcript.id}: {session.position} of {session.total} questions done"
        + (f", grading {session.ungraded} answer(s) left ungraded" if session.ungraded else "")
    )
    drive(session)
