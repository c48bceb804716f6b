"""`mockaws questions`: browse and validate the question bank."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from mockaws.cli._app import App
from mockaws.cli.options import BankOption, LevelOption, TopicOption, TrackOption, parse_level

questions_app = App(help="Browse and validate the question bank.")


@questions_app.command("list")
def list_questions(
    topic: TopicOption = None,
    track: TrackOption = None,
    level: LevelOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    bank: BankOption = None,
) -> None:
    """List the questions in the bank with their kind and tracks, filtered by topic, track, level.

    Examples:

    \b
        mockaws questions list --topic serverless
        mockaws questions list --track sre --level senior
        mockaws questions list --json
    """
    from mockaws import ui
    from mockaws.bank import load_bank, parse_tracks, tracks_of

    loaded = load_bank(bank or [])
    tracks = parse_tracks(track or [])
    chosen = sorted(
        loaded.filter(topic or [], parse_level(level), tracks), key=lambda q: (q.topic, q.id)
    )
    if as_json:
        rows = [
            {
                "id": q.id,
                "topic": q.topic,
                "level": q.level.value,
                "kind": q.kind.value,
                "tracks": [t.value for t in tracks_of(q)],
                "question": q.question,
                "sources": q.sources,
                "file": str(loaded.origins[q.id]),
            }
            for q in chosen
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    ui.question_table(chosen, {q.id: tracks_of(q) for q in chosen})


@questions_app.command("topics")
def list_topics(bank: BankOption = None) -> None:
    """List the topics in the bank with how many questions each has per level."""
    from mockaws.bank import load_bank
    from mockaws.models import Level

    loaded = load_bank(bank or [])
    for name in loaded.topics:
        in_topic = loaded.filter([name])
        counts = ", ".join(f"{sum(q.level is lv for q in in_topic)} {lv.value}" for lv in Level)
        typer.echo(f"{name:<14} {len(in_topic):>3} questions ({counts})")


@questions_app.command("tracks")
def list_tracks(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    bank: BankOption = None,
) -> None:
    """List the role tracks with how many questions each has, per kind and per level.

    A question's tracks are its topic's and any it names itself; practise one with
    `mockaws interview --track TRACK` or `mockaws interview --loop TRACK`.

    Examples:

    \b
        mockaws questions tracks
        mockaws questions tracks --json
    """
    from mockaws.bank import load_bank
    from mockaws.models import Level, QuestionKind, Track

    loaded = load_bank(bank or [])
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


@questions_app.command("show")
def show_question(
    question_id: Annotated[str, typer.Argument(metavar="ID", help="The question's id.")],
    bank: BankOption = None,
) -> None:
    """Show one question: its kind, tracks, reference answer, notes, rubric, red flags, follow-ups.

    Behavioural questions also list the Leadership Principles a good story shows.

    Examples:

    \b
        mockaws questions show sg-vs-nacl
        mockaws questions show my-question --bank my-questions.toml
    """
    from mockaws import ui
    from mockaws.bank import load_bank, tracks_of

    question = load_bank(bank or []).get(question_id)
    ui.question_detail(question, tracks_of(question))


@questions_app.command("validate")
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Bank files or folders to check (default: the shipped bank)."),
    ] = None,
) -> None:
    """Check bank files: every problem is reported with its file, question id and field."""
    from mockaws import ui
    from mockaws.bank import shipped_bank_dir, validate_paths
    from mockaws.errors import ExitCode

    targets = paths or [shipped_bank_dir()]
    valid, problems = validate_paths(targets)
    for problem in problems:
        ui.error(problem.message)
    if problems:
        raise typer.Exit(int(ExitCode.BAD_INPUT))
    typer.echo(f"OK: {valid} questions valid in {', '.join(str(p) for p in targets)}")
