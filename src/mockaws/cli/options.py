"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from mockaws.choices import Level


# Shell completion (Typer's mechanism: `mockaws --install-completion`). A completer never fails:
# a bank or folder it cannot read just offers nothing.


def _matching(values: list[str], incomplete: str) -> list[str]:
    return [value for value in values if value.startswith(incomplete)]


def _bank_from(ctx: typer.Context) -> list[Path]:
    extra = ctx.params.get("bank") or []
    return [Path(p) for p in extra]


def complete_question_id(ctx: typer.Context, incomplete: str) -> list[str]:
    """Question ids of the shipped bank and any `--bank` given before."""
    from mockaws.bank import load_catalogue
    from mockaws.errors import MockawsError

    try:
        ids = sorted(load_catalogue(_bank_from(ctx)).listings)
    except (MockawsError, OSError):
        return []
    return _matching(ids, incomplete)


def complete_topic(ctx: typer.Context, incomplete: str) -> list[str]:
    """Topics of the shipped bank and any `--bank` given before."""
    from mockaws.bank import load_catalogue
    from mockaws.errors import MockawsError

    try:
        topics = load_catalogue(_bank_from(ctx)).topics
    except (MockawsError, OSError):
        return []
    return _matching(topics, incomplete)


def complete_level(incomplete: str) -> list[str]:
    from mockaws.choices import Level

    return _matching([level.value for level in Level], incomplete)


def complete_track(incomplete: str) -> list[str]:
    from mockaws.choices import Track

    return _matching([track.value for track in Track], incomplete)


def complete_grader(incomplete: str) -> list[str]:
    from mockaws.grading import GRADER_NAMES

    return _matching(list(GRADER_NAMES), incomplete)


def complete_transcript_id(ctx: typer.Context, incomplete: str) -> list[str]:
    """'latest' and the ids of the saved transcripts, newest first."""
    from mockaws.config import transcripts_dir

    folder = transcripts_dir(ctx.params.get("transcripts_dir"))
    try:
        ids = sorted((path.stem for path in folder.glob("*.json")), reverse=True)
    except OSError:
        ids = []
    return _matching(["latest", *ids], incomplete)


QuestionIdArgument = Annotated[
    str,
    typer.Argument(metavar="ID", help="The question's id.", autocompletion=complete_question_id),
]

BankOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--bank",
        metavar="PATH",
        help="Extra question bank file or folder, added to the shipped bank (repeatable).",
        envvar="MOCKAWS_BANK",
    ),
]
TopicOption = Annotated[
    list[str] | None,
    typer.Option(
        "--topic",
        "-t",
        metavar="TOPIC",
        help="Only this topic (repeatable; see `mockaws questions topics`).",
        autocompletion=complete_topic,
    ),
]
TrackOption = Annotated[
    list[str] | None,
    typer.Option(
        "--track",
        metavar="TRACK",
        help="Only questions for this role (repeatable; see `mockaws questions tracks`): "
        "solutions-architect, devops, developer, sre, security, data-engineer, genai.",
        autocompletion=complete_track,
    ),
]
LevelOption = Annotated[
    str | None,
    typer.Option(
        "--level",
        "-l",
        metavar="LEVEL",
        help="Only this level: junior, mid or senior.",
        autocompletion=complete_level,
    ),
]
GraderOption = Annotated[
    str,
    typer.Option(
        "--grader",
        "-g",
        metavar="GRADER",
        help="Grader: auto (a model if one is configured, else offline), openai or offline.",
        autocompletion=complete_grader,
    ),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        metavar="MODEL",
        help="Model for the LLM grader (default: $MOCKAWS_MODEL or config file).",
    ),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        metavar="URL",
        help="OpenAI-compatible endpoint, e.g. http://localhost:11434/v1 (default: "
        "$OPENAI_BASE_URL or config file).",
    ),
]


def parse_level(value: str | None) -> Level | None:
    """The Level named by `value`, or a BadInputError naming the choices."""
    from mockaws.choices import Level
    from mockaws.errors import BadInputError, unknown_choice

    if value is None:
        return None
    try:
        return Level(value.lower())
    except ValueError:
        choices = [level.value for level in Level]
        raise BadInputError(unknown_choice("level", value, choices, option="--level")) from None


TranscriptsDirOption = Annotated[
    Path | None,
    typer.Option(
        "--transcripts-dir",
        metavar="DIR",
        help="The transcripts folder to use instead of the one in the home folder.",
    ),
]

FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        metavar="FORMAT",
        help="table, tsv (one tab-separated record a line) or json "
        "(default: table at a terminal, tsv when piped).",
        autocompletion=lambda incomplete: _matching(list(LISTING_FORMATS), incomplete),
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON (the shape is in the README).")
]

LISTING_FORMATS = ("table", "tsv", "json")


def listing_format(value: str | None, *, as_json: bool = False) -> str:
    """The format a listing prints in: `--json`, else `--format`, else by where stdout goes."""
    from mockaws.errors import BadInputError, unknown_choice
    from mockaws.records import piped

    if as_json:
        return "json"
    if value is None:
        return "tsv" if piped() else "table"
    if value.lower() not in LISTING_FORMATS:
        raise BadInputError(unknown_choice("format", value, LISTING_FORMATS, option="--format"))
    return value.lower()
