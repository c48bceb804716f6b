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
    listing_format,
    parse_level,
)

if TYPE_CHECKING:
    from mockaws.models import Question

questions_app = App(help="Browse and validate the question bank.")

# The version of the JSON that `questions topics` and `questions show` print (see the README).
JSON_SCHEMA_VERSION = 1


@questions_app.command("list")
def list_questions(
    topic: TopicOption = None,
    level: LevelOption = None,
    output_format: FormatOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Same as --format json.")] = False,
    bank: BankOption = None,
) -> None:
    """List the questions in the bank, optionally filtered by topic and level.

    At a terminal this is a table; piped, one tab-separated record a line (id, topic, level,
    question) with no header, so grep, cut and awk work.

    Examples:
      mockaws questions list --topic networking --level senior
      mockaws questions list | cut -f1 | head
      mockaws questions list --json | jq -r '.[].id'
    """
    from mockaws.bank import load_bank

    chosen_format = listing_format(output_format, as_json=as_json)
    loaded = load_bank(bank or [])
    chosen = sorted(loaded.filter(topic or [], parse_level(level)), key=lambda q: (q.topic, q.id))
    if chosen_format == "json":
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
    elif chosen_format == "tsv":
        from mockaws.records import records

        records((q.id, q.topic, q.level.value, q.question) for q in chosen)
    else:
        from mockaws import ui

        ui.question_table(chosen)


@questions_app.command("topics")
def list_topics(as_json: JsonOption = False, bank: BankOption = None) -> None:
    """List the topics in the bank with how many questions each has per level.

    Examples:
      mockaws questions topics
      mockaws questions topics --json
    """
    from mockaws import ui
    from mockaws.bank import load_bank
    from mockaws.models import Level

    loaded = load_bank(bank or [])
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


def _question_json(question: Question, origin: Path) -> dict[str, Any]:
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "file": str(origin),
        "question": question.model_dump(mode="json"),
    }


@questions_app.command("show")
def show_question(
    question_id: QuestionIdArgument,
    as_json: JsonOption = False,
    bank: BankOption = None,
) -> None:
    """Show one question with its reference answer, rubric, red flags and follow-ups.

    Examples:
      mockaws questions show sg-vs-nacl
      mockaws questions show sg-vs-nacl --json | jq '.question.rubric'
    """
    from mockaws import ui
    from mockaws.bank import load_bank

    loaded = load_bank(bank or [])
    question = loaded.get(question_id)
    if as_json:
        typer.echo(json.dumps(_question_json(question, loaded.origins[question.id]), indent=2))
        return
    ui.question_detail(question)


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
