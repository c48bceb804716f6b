"""`mockaws regrade`: grade saved answers that have no grade yet (or, with --all, grade again)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from pathlib import Path

    from mockaws.models import Grade
    from mockaws.regrade import Regrader, RegradeReport

from mockaws.cli.options import (
    BankOption,
    BaseUrlOption,
    GraderOption,
    ModelOption,
    TranscriptsDirOption,
    complete_transcript_id,
)
from mockaws.cli.voice_options import SpeechBaseUrlOption, SpeechModelOption, speech_settings


def regrade(
    transcript: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID|latest|FILE]",
            help="The transcript: its id (or a unique start of it), 'latest', or a JSON file.",
            autocompletion=complete_transcript_id,
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
    as_json: Annotated[
        bool,
        typer.Option("--json", help="Print what changed as JSON (the shape is in the README)."),
    ] = False,
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
      mockaws regrade --ungraded -j 8
      mockaws regrade --ungraded --speech-base-url http://localhost:8000/v1
      mockaws regrade latest --all --model gpt-5.4-mini --json
    """
    from mockaws import ui
    from mockaws.bank import load_bank
    from mockaws.config import load_settings
    from mockaws.config import transcripts_dir as resolve_transcripts_dir
    from mockaws.errors import BadInputError, GradingError
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
        if as_json:
            _print_json([])
        else:
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
    graded, failed = _regrade_each(regrader, paths, as_json=as_json)
    if failed:
        raise GradingError(
            f"{failed} of {failed + graded} answers could not be graded; they are kept ungraded "
            "(run mockaws regrade again later)"
        )


def _regrade_each(regrader: Regrader, paths: list[Path], *, as_json: bool) -> tuple[int, int]:
    """Regrade each transcript, reporting as it goes: (answers graded, answers still failing)."""
    from mockaws import ui
    from mockaws.errors import SessionBusyError

    failed = graded = 0
    reports: list[dict[str, Any]] = []
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
        graded += len(report.graded)
        failed += len(report.failed)
        if as_json:
            reports.append(_report_json(report))
        elif not report.outcomes and not report.skipped:
            typer.echo(f"{report.transcript_id}: nothing to grade.")
        else:
            ui.regrade_report(report)
    if as_json:
        _print_json(reports)
    return graded, failed


# The version of the JSON `regrade --json` prints (see the README).
JSON_SCHEMA_VERSION = 1


def _print_json(reports: list[dict[str, Any]]) -> None:
    typer.echo(
        json.dumps({"schema_version": JSON_SCHEMA_VERSION, "transcripts": reports}, indent=2)
    )


def _report_json(report: RegradeReport) -> dict[str, Any]:
    def grade(value: Grade | None) -> dict[str, Any] | None:
        if value is None:
            return None
        return {"score": value.score, "rating": value.rating.value, "grader": value.grader}

    return {
        "id": report.transcript_id,
        "path": str(report.json_path) if report.json_path else None,
        "skipped": report.skipped,
        "answers": [
            {
                "turn": o.job.turn_index + 1,
                "follow_up": None if o.job.follow_up_index is None else o.job.follow_up_index + 1,
                "question_id": o.job.question.id,
                "old": grade(o.old),
                "new": grade(o.new),
                "error": o.error,
                "changed_points": [
                    {"point_id": c.point_id, "old": c.old.value, "new": c.new.value}
                    for c in o.point_changes
                ],
                "rubric_changed": o.rubric_changed,
            }
            for o in sorted(
                report.outcomes, key=lambda o: (o.job.turn_index, o.job.follow_up_index or -1)
            )
        ],
    }
