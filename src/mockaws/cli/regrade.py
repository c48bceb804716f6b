"""`mockaws regrade`: grade saved answers that have no grade yet (or, with --all, grade again)."""

from __future__ import annotations

from typing import Annotated

import typer

from mockaws.cli.options import (
    BankOption,
    BaseUrlOption,
    GraderOption,
    ModelOption,
    TranscriptsDirOption,
)
from mockaws.cli.voice_options import SpeechBaseUrlOption, SpeechModelOption, speech_settings


def regrade(
    transcript: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID|latest|FILE]",
            help="The transcript: its id (or a unique start of it), 'latest', or a JSON file.",
        ),
    ] = None,
    ungraded: Annotated[
        bool,
        typer.Option("--ungraded", help="Every transcript that has ungraded answers."),
    ] = False,
    regrade_all: Annotated[
        bool,
        typer.Option(
            "--all", help="Also grade answers that have a grade again (the old one is kept)."
        ),
    ] = False,
    grader: GraderOption = "auto",
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", "-j", metavar="N", help="Answers graded at the same time."),
    ] = 4,
    transcripts_dir: TranscriptsDirOption = None,
    bank: BankOption = None,
    speech_model: SpeechModelOption = None,
    speech_base_url: SpeechBaseUrlOption = None,
) -> None:
    """Grade the ungraded answers of a saved interview, e.g. after the model server was down.

    Spoken answers the speech endpoint could not transcribe are transcribed from their kept
    recordings first, then graded. With --all, answers that already have a grade are graded
    again; the old grade is kept in the transcript and the changes are shown. Safe to run
    again: only what is still ungraded is picked up.

    Examples:

        mockaws regrade latest
        mockaws regrade --ungraded --speech-base-url http://localhost:8000/v1
    """
    from mockaws import ui
    from mockaws.bank import load_bank
    from mockaws.config import load_settings
    from mockaws.config import transcripts_dir as resolve_transcripts_dir
    from mockaws.errors import BadInputError, GradingError, SessionBusyError
    from mockaws.grading import make_grader
    from mockaws.history import default_cache_dir, find_transcript_path
    from mockaws.regrade import Regrader, transcripts_needing_grades
    from mockaws.transcripts import TranscriptStore

    if (transcript is None) == (not ungraded):
        raise BadInputError("give a transcript (an id, 'latest' or a file) or --ungraded, not both")
    store = TranscriptStore(resolve_transcripts_dir(transcripts_dir))
    if ungraded:
        paths, problems = transcripts_needing_grades(store)
        for problem in problems:
            ui.notice(f"skipped: {problem}")
    else:
        assert transcript is not None
        path, unreadable = find_transcript_path(store, transcript, default_cache_dir())
        ui.load_problems(unreadable)
        paths = [path]
    if not paths:
        typer.echo("Nothing to grade: every answer has a grade.")
        return
    grader_settings = load_settings(model=model, base_url=base_url)
    chosen, notice = make_grader(grader, grader_settings)
    if notice:
        ui.notice(notice)
    questions = load_bank(bank or []).questions
    regrader = Regrader(
        store,
        questions,
        chosen,
        concurrency=concurrency,
        include_graded=regrade_all,
        speech=speech_settings(grader_settings, speech_model, speech_base_url),
    )
    failed = graded = 0
    for path in paths:
        progress = ui.RegradeProgress(path.stem)
        try:
            report = regrader.run(path, on_start=progress.start, on_outcome=progress.advance)
        except SessionBusyError as busy:
            if len(paths) == 1:
                raise
            ui.notice(f"skipped: {busy.message}")
            continue
        finally:
            progress.stop()
        if not report.outcomes and not report.skipped:
            typer.echo(f"{report.transcript_id}: nothing to grade.")
            continue
        ui.regrade_report(report)
        graded += len(report.graded)
        failed += len(report.failed)
    if failed:
        raise GradingError(
            f"{failed} of {failed + graded} answers could not be graded; they are kept ungraded "
            "(run mockaws regrade again later)"
        )
