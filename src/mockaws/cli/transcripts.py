"""`mockaws transcripts`: list, show and export saved sessions."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mockaws.cli._app import App
from mockaws.cli.options import (
    BankOption,
    FormatOption,
    TranscriptsDirOption,
    complete_transcript_id,
    listing_format,
)

if TYPE_CHECKING:
    from mockaws.history import History
    from mockaws.models import FollowUpTurn, Question, Transcript, Turn

transcripts_app = App(
    help="Read saved sessions back: list, show and export transcripts, and correct a grade."
)

ReferenceArgument = Annotated[
    str,
    typer.Argument(
        metavar="ID",
        help="A transcript id (or its unique start), a transcript file, or 'latest'.",
        autocompletion=complete_transcript_id,
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
    output_format: FormatOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every transcript's summary as JSON.")
    ] = False,
    transcripts_dir: TranscriptsDirOption = None,
) -> None:
    """List saved transcripts, newest first: date, answers, average score, grader and status.

    Unreadable files are reported on stderr, one line each, and skipped. Piped, each transcript
    is one tab-separated record (id, started, mode, answered, questions, score, grader, model,
    status, ungraded) with no header.

    Examples:
      mockaws transcripts list
      mockaws transcripts list --all | cut -f1
      mockaws transcripts list --all --json
    """
    from mockaws import ui
    from mockaws.errors import BadInputError

    chosen_format = listing_format(output_format, as_json=as_json)
    if limit < 1:
        raise BadInputError(f"--limit must be at least 1 (got {limit})")
    history = load_user_history(transcripts_dir)
    ui.load_problems(history.problems)
    newest_first = history.sessions[::-1]
    if chosen_format == "json":
        typer.echo(json.dumps([s.to_json() for s in newest_first], indent=2))
        return
    shown = newest_first if show_all else newest_first[:limit]
    if chosen_format == "tsv":
        from mockaws.records import records

        records(
            (
                s.id,
                s.started_at,
                s.mode,
                s.answered,
                s.questions,
                "" if s.average is None else f"{s.average:.0f}",
                s.grader,
                s.model or "",
                s.status,
                s.ungraded,
            )
            for s in shown
        )
        return
    ui.transcript_table(shown, len(newest_first))


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

    Examples:
      mockaws transcripts show latest
      mockaws transcripts show 20260101 --reference
    """
    from mockaws import ui
    from mockaws.views import compare_attempts, previous_attempt

    transcript = resolve_transcript(reference, transcripts_dir)
    questions = _questions(bank)
    history = load_user_history(transcripts_dir)
    progress = {}
    for number, turn in enumerate(transcript.turns, start=1):
        previous = previous_attempt(history, turn, transcript.id)
        if previous is not None:
            question = questions.get(turn.question_id)
            progress[number] = compare_attempts(turn, question, previous)
    ui.transcript_detail(transcript, questions, reference=with_reference, progress=progress)


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
    """Export a transcript as Markdown, JSON or a self-contained HTML page.

    Examples:
      mockaws transcripts export latest --format html
      mockaws transcripts export latest -f md -o -
    """
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


def _point_ids(values: list[str] | None) -> list[str]:
    """Ids given as repeated options, comma-separated, or both."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


@transcripts_app.command("mark")
def mark_transcript(
    reference: ReferenceArgument,
    question: Annotated[
        int,
        typer.Option(
            "--question", "-q", metavar="N", help="Which answer: its number in the transcript."
        ),
    ],
    covered: Annotated[
        list[str] | None,
        typer.Option(
            "--covered",
            "-c",
            metavar="POINT",
            help="A rubric point id your answer did cover (repeat, or separate with commas).",
        ),
    ] = None,
    missed: Annotated[
        list[str] | None,
        typer.Option(
            "--missed",
            "-m",
            metavar="POINT",
            help="A rubric point id your answer did not cover after all.",
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print both verdicts of every point as JSON.")
    ] = False,
    transcripts_dir: TranscriptsDirOption = None,
    bank: BankOption = None,
) -> None:
    """Correct a grade: mark the rubric points an answer did cover, scored as self-assessed.

    The grader's verdicts and score stay on record beside yours; stats and drills use yours.
    Without --covered or --missed, shows the points with their ids and verdicts.

    Examples:

        mockaws transcripts mark latest --question 2

        mockaws transcripts mark latest -q 2 --covered sg-stateful --covered nacl-stateless

        mockaws transcripts mark 20260101-0900 -q 1 --covered a,b --missed c --json
    """
    from mockaws import ui
    from mockaws.config import transcripts_dir as resolve_transcripts_dir
    from mockaws.history import default_cache_dir, find_transcript_path
    from mockaws.transcripts import (
        TranscriptStore,
        graded_turn,
        load_transcript,
        mark_points,
    )

    store = TranscriptStore(resolve_transcripts_dir(transcripts_dir))
    path, problems = find_transcript_path(store, reference, default_cache_dir())
    ui.load_problems(problems)
    questions = _questions(bank)
    covered_ids, missed_ids = _point_ids(covered), _point_ids(missed)
    if covered_ids or missed_ids:
        transcript = mark_points(path, question, questions, covered=covered_ids, missed=missed_ids)
    else:
        transcript = load_transcript(path)
    turn = graded_turn(transcript, question)
    known = questions.get(turn.question_id)
    if as_json:
        typer.echo(json.dumps(marking_json(transcript.id, question, turn, known), indent=2))
        return
    if known is None:
        from mockaws.errors import BadInputError

        raise BadInputError(
            f"--question {question}: question '{turn.question_id}' is not in the bank "
            "(add its bank file with --bank)"
        )
    ui.marking(known, turn, transcript.id, question)
    if covered_ids or missed_ids:
        ui.saved([path])


def marking_json(
    transcript_id: str, number: int, turn: Turn, question: Question | None
) -> dict[str, object]:
    """Both verdicts of every point of a graded answer, and both scores, for scripts."""
    grade = turn.grade
    assert grade is not None
    own = {v.point_id: v.verdict.value for v in grade.effective_points}
    assessment = grade.self_assessment
    return {
        "transcript": transcript_id,
        "question": number,
        "question_id": turn.question_id,
        "grader": {"score": grade.score, "rating": grade.rating.value},
        "self_assessed": (
            {
                "score": assessment.score,
                "rating": assessment.rating.value,
                "changed": assessment.changed,
                "marked_at": assessment.marked_at.isoformat(),
            }
            if assessment
            else None
        ),
        "points": [
            {
                "id": verdict.point_id,
                "point": _point_text(question, verdict.point_id),
                "grader": verdict.verdict.value,
                "self": own.get(verdict.point_id, verdict.verdict.value),
            }
            for verdict in grade.points
        ],
    }


def _point_text(question: Question | None, point_id: str) -> str | None:
    point = question.point(point_id) if question is not None else None
    return point.point if point is not None else None


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
