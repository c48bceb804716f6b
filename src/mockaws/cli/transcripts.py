"""`mockaws transcripts`: list, show and export saved sessions."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mockaws.cli._app import App
from mockaws.cli.options import BankOption, TranscriptsDirOption

if TYPE_CHECKING:
    from mockaws.history import History
    from mockaws.models import FollowUpTurn, Question, Transcript, Turn

transcripts_app = App(help="Read saved sessions back: list, show and export transcripts.")

ReferenceArgument = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="A transcript id (or its unique start), a transcript file, or 'latest'.",
    ),
]


@transcripts_app.command("list")
def list_transcripts(
    limit: Annotated[
        int,
        typer.Option(
            "--limit", "-n", metavar="N", help="How many of the newest to show in the table."
        ),
    ] = 20,
    show_all: Annotated[bool, typer.Option("--all", "-a", help="Show every transcript.")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every transcript's summary as JSON.")
    ] = False,
    transcripts_dir: TranscriptsDirOption = None,
) -> None:
    """List saved transcripts, newest first: date, answers, average score, grader and status.

    Unreadable files are reported on stderr, one line each, and skipped.
    """
    from mockaws import ui
    from mockaws.errors import BadInputError

    if limit < 1:
        raise BadInputError(f"--limit must be at least 1 (got {limit})")
    history = load_user_history(transcripts_dir)
    ui.load_problems(history.problems)
    newest_first = history.sessions[::-1]
    if as_json:
        typer.echo(json.dumps([s.to_json() for s in newest_first], indent=2))
        return
    ui.transcript_table(newest_first if show_all else newest_first[:limit], len(newest_first))


@transcripts_app.command("show")
def show_transcript(
    reference: ReferenceArgument = "latest",
    with_reference: Annotated[
        bool, typer.Option("--reference", "-r", help="Also print each question's model answer.")
    ] = False,
    transcripts_dir: TranscriptsDirOption = None,
    bank: BankOption = None,
) -> None:
    """Show a transcript: answers with evidence highlighted, verdicts, red flags and feedback.

    Each rubric point is marked covered, partial, missed or contradicted, numbered as its quote
    is in the answer; follow-ups and delivery notes follow.
    """
    from mockaws import ui

    transcript = resolve_transcript(reference, transcripts_dir)
    ui.transcript_detail(transcript, _questions(bank), reference=with_reference)


@transcripts_app.command("export")
def export_transcript(
    reference: ReferenceArgument = "latest",
    output_format: Annotated[
        str,
        typer.Option(
            "--format", "-f", metavar="FORMAT", help="md, json or html (one self-contained page)."
        ),
    ] = "md",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="FILE",
            help="Write here ('-' for stdout; default: ./<id>.<format>).",
        ),
    ] = None,
    transcripts_dir: TranscriptsDirOption = None,
    bank: BankOption = None,
) -> None:
    """Export a transcript as Markdown, JSON or a self-contained HTML page."""
    from mockaws import ui
    from mockaws.errors import BadInputError
    from mockaws.export import EXPORT_FORMATS, export_text
    from mockaws.safety import clean

    chosen = output_format.lower().lstrip(".")
    if chosen not in EXPORT_FORMATS:
        choices = ", ".join(EXPORT_FORMATS)
        raise BadInputError(f"--format: unknown format '{output_format}' (choose from: {choices})")
    transcript = resolve_transcript(reference, transcripts_dir)
    text = export_text(transcript, _questions(bank), chosen)
    if output is not None and str(output) == "-":
        # A transcript can hold anything a file or a server put in it: not for a terminal raw.
        sys.stdout.write(clean(text) if sys.stdout.isatty() else text)
        return
    target = output or Path(f"{transcript.id}.{chosen}")
    if target.is_dir():
        target = target / f"{transcript.id}.{chosen}"
    write_export(target, text)
    ui.saved([target.resolve()])
    if chosen == "html":
        from mockaws.config import transcripts_dir as resolve_transcripts_dir

        _copy_recordings(transcript, resolve_transcripts_dir(transcripts_dir), target.parent)


def _copy_recordings(transcript: Transcript, folder: Path, beside: Path) -> None:
    """Put the kept recordings beside an HTML export, where its <audio> elements find them.

    Like the page itself, a copy never replaces anything but a regular file.
    """
    from mockaws import ui
    from mockaws.files import describe_os_error
    from mockaws.voice.store import playable, resolve, write_audio

    answers: list[Turn | FollowUpTurn] = []
    for turn in transcript.turns:
        answers += [turn, *turn.follow_ups]
    for answer in answers:
        spoken = answer.spoken
        name = playable(spoken.audio_file) if spoken is not None else None
        if spoken is None or spoken.audio_file is None or name is None:
            continue
        source = resolve(folder, spoken.audio_file)
        if source is None or not source.is_file():
            ui.warning(f"recording {spoken.audio_file} is missing; the page cannot play it")
            continue
        target = beside / name
        if target.is_symlink() or (target.exists() and not target.is_file()):
            ui.warning(f"{target} exists and is not a regular file; the recording is not copied")
            continue
        try:
            if target.resolve() != source:
                write_audio(target, source.read_bytes())
        except OSError as exc:
            ui.warning(f"{target}: cannot copy the recording: {describe_os_error(exc)}")


def write_export(target: Path, text: str) -> None:
    """Write an export the way the shell's `>` would, but atomically for a regular file.

    A symlink is followed (the link stays), a FIFO or device is written through (never replaced
    by a file), and a missing folder is an error rather than created unasked.
    """
    import stat

    from mockaws.errors import BadInputError
    from mockaws.files import atomic_write_text, describe_os_error

    resolved = target.resolve()
    try:
        mode = resolved.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise BadInputError(f"--output {target}: cannot write: {describe_os_error(exc)}") from exc
    try:
        if mode is not None and stat.S_ISDIR(mode):
            raise BadInputError(f"--output {target}: is a folder")
        if mode is not None and not stat.S_ISREG(mode):
            with open(resolved, "w", encoding="utf-8") as stream:
                stream.write(text)
            return
        if not resolved.parent.is_dir():
            raise BadInputError(
                f"--output {target}: the folder {resolved.parent} does not exist (create it first)"
            )
        atomic_write_text(resolved, text, make_parents=False)
    except OSError as exc:
        raise BadInputError(f"--output {target}: cannot write: {describe_os_error(exc)}") from exc


def load_user_history(transcripts_dir: Path | None = None) -> History:
    """Every transcript's summary from the chosen folder, through the cache in the home folder."""
    from mockaws.config import transcripts_dir as resolve_transcripts_dir
    from mockaws.history import default_cache_dir, load_history

    return load_history(resolve_transcripts_dir(transcripts_dir), default_cache_dir())


def resolve_transcript(reference: str, transcripts_dir: Path | None = None) -> Transcript:
    """The transcript `reference` names; for 'latest', files that do not load are reported."""
    from mockaws import ui
    from mockaws.config import transcripts_dir as resolve_transcripts_dir
    from mockaws.history import default_cache_dir, find_transcript_path
    from mockaws.transcripts import TranscriptStore, load_transcript

    store = TranscriptStore(resolve_transcripts_dir(transcripts_dir))
    path, problems = find_transcript_path(store, reference, default_cache_dir())
    ui.load_problems(problems)
    return load_transcript(path)


def _questions(bank: list[Path] | None) -> dict[str, Question]:
    from mockaws.bank import load_bank

    return load_bank(bank or []).questions
