"""`mockaws questions`: browse and validate the question bank."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mockaws.cli._app import App
from mockaws.cli.options import (
    BankOption,
    FormatOption,
    JsonOption,
    LevelOption,
    QuestionIdArgument,
    TopicOption,
    TrackOption,
    listing_format,
    parse_level,
)

if TYPE_CHECKING:
    from mockaws.choices import Track
    from mockaws.models import Question

questions_app = App(help="Browse and validate the question bank.")

# The version of the JSON that `questions topics` and `questions show` print (see the README).
JSON_SCHEMA_VERSION = 1


@questions_app.command("list")
def list_questions(
    topic: TopicOption = None,
    track: TrackOption = None,
    level: LevelOption = None,
    output_format: FormatOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    bank: BankOption = None,
) -> None:
    """List the questions in the bank with their kind and tracks, filtered by topic, track, level.

    At a terminal this is a table; piped, one tab-separated record a line (id, topic, level,
    kind, tracks separated by commas, question) with no header, so grep, cut and awk work.

    Examples:
      mockaws questions list --topic serverless
      mockaws questions list --track sre --level senior
      mockaws questions list | cut -f1 | head
      mockaws questions list --json | jq -r '.[].id'
    """
    from mockaws.bank import load_catalogue, parse_tracks, tracks_of

    chosen_format = listing_format(output_format, as_json=as_json)
    loaded = load_catalogue(bank or [])
    tracks = parse_tracks(track or [])
    chosen = sorted(
        loaded.filter(topic or [], parse_level(level), tracks), key=lambda q: (q.topic, q.id)
    )
    roles: dict[str, list[Track]] = {q.id: tracks_of(q) for q in chosen}
    if chosen_format == "json":
        rows = [
            {
                "id": q.id,
                "topic": q.topic,
                "level": q.level.value,
                "kind": q.kind.value,
                "tracks": [t.value for t in roles[q.id]],
                "question": q.question,
                "sources": list(q.sources),
                "file": str(q.origin),
            }
            for q in chosen
        ]
        typer.echo(json.dumps(rows, indent=2))
    elif chosen_format == "tsv":
        from mockaws.records import records

        records(
            (
                q.id,
                q.topic,
                q.level.value,
                q.kind.value,
                ",".join(t.value for t in roles[q.id]),
                q.question,
            )
            for q in chosen
        )
    else:
        from mockaws import ui

        ui.question_table(chosen, roles)


@questions_app.command("topics")
def list_topics(as_json: JsonOption = False, bank: BankOption = None) -> None:
    """List the topics in the bank with how many questions each has per level.

    Examples:
      mockaws questions topics
      mockaws questions topics --json
    """
    from mockaws import ui
    from mockaws.bank import load_catalogue
    from mockaws.choices import Level

    loaded = load_catalogue(bank or [])
    topics: list[dict[str, Any]] = []
    for name in loaded.topics:
        in_topic = loaded.filter([name])
        levels = {lv.value: sum(q.level is lv for q in in_topic) for lv in Level}
        topics.append({"topic": name, "questions": len(in_topic), "levels": levels})
    if as_json:
        payload = {"schema_version": JSON_SCHEMA_VERSION, "topics": topics}
        typer.echo(json.dumps(payload, indent=2))
        return
    for row in topics:
        per_level = ", ".join(f"{n} {level}" for level, n in row["levels"].items())
        typer.echo(f"{row['topic']:<14} {ui.count(row['questions'], 'question'):>13} ({per_level})")


@questions_app.command("tracks")
def list_tracks(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    bank: BankOption = None,
) -> None:
    """List the role tracks with how many questions each has, per kind and per level.

    A question's tracks are its topic's and any it names itself; practise one with
    `mockaws interview --track TRACK` or `mockaws interview --loop TRACK`.

    Examples:
      mockaws questions tracks
      mockaws questions tracks --json
    """
    from mockaws.bank import load_catalogue
    from mockaws.choices import Level, QuestionKind, Track

    loaded = load_catalogue(bank or [])
    rows: list[dict[str, Any]] = []
    for track in Track:
        in_track = loaded.filter(tracks=[track])
        kinds = {k.value: sum(q.kind is k for q in in_track) for k in QuestionKind}
        levels = {lv.value: sum(q.level is lv for q in in_track) for lv in Level}
        rows.append(
            {"track": track.value, "questions": len(in_track), "kinds": kinds, "levels": levels}
        )
        if not as_json:
            by_kind = ", ".join(f"{n} {kind}" for kind, n in kinds.items())
            by_level = ", ".join(f"{n} {level}" for level, n in levels.items())
            typer.echo(f"{track.value:<20} {len(in_track):>3} questions ({by_kind}; {by_level})")
    if as_json:
        typer.echo(json.dumps(rows, indent=2))


def _question_json(question: Question, origin: Path, tracks: list[Track]) -> dict[str, Any]:
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "file": str(origin),
        "tracks": [t.value for t in tracks],
        "question": question.model_dump(mode="json"),
    }


@questions_app.command("show")
def show_question(
    question_id: QuestionIdArgument,
    as_json: JsonOption = False,
    bank: BankOption = None,
) -> None:
    """Show one question: its kind, tracks, reference answer, notes, rubric, red flags, follow-ups.

    Behavioural questions also list the Leadership Principles a good story shows.

    Examples:
      mockaws questions show sg-vs-nacl
      mockaws questions show sg-vs-nacl --json | jq '.question.rubric'
      mockaws questions show my-question --bank my-questions.toml
    """
    from mockaws.bank import load_catalogue, tracks_of

    loaded = load_catalogue(bank or [])
    question = loaded.question(question_id)
    tracks = tracks_of(question)
    if as_json:
        payload = _question_json(question, loaded.get(question_id).origin, tracks)
        typer.echo(json.dumps(payload, indent=2))
        return
    from mockaws import ui

    ui.question_detail(question, tracks)


@questions_app.command("validate")
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="[PATH]...",
            help="Bank files or folders to check (default: the shipped bank).",
        ),
    ] = None,
) -> None:
    """Check bank files: every problem in every file, each with its file, question id and field.

    Exits with code 2 when there is any problem, after listing them all.

    Examples:
      mockaws questions validate
      mockaws questions validate my-questions.toml more-questions/
    """
    from mockaws import ui
    from mockaws.bank import shipped_bank_dir, validate_paths
    from mockaws.errors import ExitCode

    targets = paths or [shipped_bank_dir()]
    valid, problems = validate_paths(targets)
    for problem in problems:
        ui.error(problem.message)
    where = ", ".join(str(p) for p in targets)
    if len(problems) > 1:
        files = len({problem.path for problem in problems})
        ui.error(
            f"{ui.count(len(problems), 'problem')} in {ui.count(files, 'file')}; "
            f"{ui.count(valid, 'question')} valid in {where}"
        )
    if problems:
        raise typer.Exit(int(ExitCode.BAD_INPUT))
    typer.echo(f"OK: {ui.count(valid, 'question')} valid in {where}")
