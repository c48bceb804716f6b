"""`mockaws questions`: browse and validate the question bank."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from mockaws.cli._app import App
from mockaws.cli.options import BankOption, LevelOption, TopicOption, parse_level

questions_app = App(help="Browse and validate the question bank.")


@questions_app.command("list")
def list_questions(
    topic: TopicOption = None,
    level: LevelOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    bank: BankOption = None,
) -> None:
    """List the questions in the bank, optionally filtered by topic and level."""
    from mockaws import ui
    from mockaws.bank import load_bank

    loaded = load_bank(bank or [])
    chosen = sorted(loaded.filter(topic or [], parse_level(level)), key=lambda q: (q.topic, q.id))
    if as_json:
        rows = [
            {
                "id": q.id,
                "topic": q.topic,
                "level": q.level.value,
                "question": q.question,
                "sources": q.sources,
                "file": str(loaded.origins[q.id]),
            }
            for q in chosen
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    ui.question_table(chosen)


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


@questions_app.command("show")
def show_question(
    question_id: Annotated[str, typer.Argument(metavar="ID", help="The question's id.")],
    bank: BankOption = None,
) -> None:
    """Show one question with its reference answer, rubric, red flags and follow-ups."""
    from mockaws import ui
    from mockaws.bank import load_bank

    ui.question_detail(load_bank(bank or []).get(question_id))


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
