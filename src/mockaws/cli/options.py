"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from mockaws.models import Level

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
    ),
]
TrackOption = Annotated[
    list[str] | None,
    typer.Option(
        "--track",
        metavar="TRACK",
        help="Only questions for this role (repeatable; see `mockaws questions tracks`): "
        "solutions-architect, devops, developer, sre, security, data-engineer, genai.",
    ),
]
LevelOption = Annotated[
    str | None,
    typer.Option("--level", "-l", metavar="LEVEL", help="Only this level: junior, mid or senior."),
]
GraderOption = Annotated[
    str,
    typer.Option(
        "--grader",
        "-g",
        metavar="GRADER",
        help="Grader: auto (a model if one is configured, else offline), openai or offline.",
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
    from mockaws.errors import BadInputError
    from mockaws.models import Level

    if value is None:
        return None
    try:
        return Level(value.lower())
    except ValueError:
        choices = ", ".join(level.value for level in Level)
        raise BadInputError(f"--level: unknown level '{value}' (choose from: {choices})") from None


TranscriptsDirOption = Annotated[
    Path | None,
    typer.Option(
        "--transcripts-dir",
        metavar="DIR",
        help="The transcripts folder to use instead of the one in the home folder.",
    ),
]
