"""`mockaws grade`: grade one answer to one question."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mockaws.cli.options import (
    BankOption,
    BaseUrlOption,
    GraderOption,
    ModelOption,
    complete_question_id,
)

if TYPE_CHECKING:
    from mockaws.models import Question


def grade(
    question_id: Annotated[
        str,
        typer.Option(
            "--question",
            "-q",
            metavar="ID",
            help="The question's id.",
            autocompletion=complete_question_id,
        ),
    ],
    answer_file: Annotated[
        Path | None,
        typer.Option(
            "--answer-file",
            "-f",
            metavar="FILE",
            help="Read the answer from this file (default: stdin).",
        ),
    ] = None,
    grader: GraderOption = "auto",
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Grade as JSON.")] = False,
    bank: BankOption = None,
) -> None:
    """Grade one answer to one question and print the verdict on every rubric point.

    Examples:
      mockaws grade -q sg-vs-nacl --answer-file my-answer.txt
      mockaws grade -q sg-vs-nacl --json < my-answer.txt
    """
    from mockaws import ui
    from mockaws.bank import load_bank
    from mockaws.config import home_dir, load_settings
    from mockaws.errors import GradingError, SaveError
    from mockaws.files import atomic_write_text, describe_os_error
    from mockaws.grading import grade_answer, make_grader
    from mockaws.models import utc_now

    question = load_bank(bank or []).get(question_id)
    answer, where = _read_answer(question, answer_file)
    if ui.REPLACEMENT_CHARACTER in answer and not as_json:
        ui.replaced_bytes_notice(where)
    chosen, notice = make_grader(grader, load_settings(model=model, base_url=base_url))
    if notice and not as_json:
        ui.notice(notice)
    from mockaws.grading.llm import OpenAIGrader

    # A model can take a while: show that it is working, and for how long, on stderr.
    waiting: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    if isinstance(chosen, OpenAIGrader) and not as_json:
        limit = chosen.settings.grade_timeout
        waiting = ui.waiting(f"Grading (limit {limit:g} s)…", console=ui.err)
    try:
        with waiting:
            result = grade_answer(chosen, question, answer)
    except GradingError as exc:
        if answer_file is not None:
            raise
        # A typed answer exists nowhere else: keep it so it can be graded again.
        kept = home_dir() / "answers" / f"{utc_now():%Y%m%d-%H%M%S}-{question.id}.txt"
        try:
            atomic_write_text(kept, answer)
        except OSError as save_failure:
            ui.last_resort_copy([answer])
            raise SaveError(
                f"{exc.message}; and your answer could not be kept in {kept}: "
                f"{describe_os_error(save_failure)} (it is printed above to copy)"
            ) from exc
        raise GradingError(
            f"{exc.message}; your answer is saved in {kept}: grade it later with "
            f"`mockaws grade -q {question.id} -f {kept}`"
        ) from exc
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
    else:
        ui.grade_report(question, result)


def _read_answer(question: Question, answer_file: Path | None) -> tuple[str, str]:
    """The answer to grade and where it came from: the file, else the editor at a terminal,
    else standard input."""
    from mockaws import ui
    from mockaws.errors import BadInputError, SessionInterruptedError
    from mockaws.files import describe_os_error, read_bytes

    if answer_file is not None:
        try:
            return read_bytes(answer_file).decode("utf-8", errors="replace"), str(answer_file)
        except OSError as exc:
            raise BadInputError(
                f"--answer-file {answer_file}: cannot read: {describe_os_error(exc)}"
            ) from exc
    if ui.is_interactive():
        # The interview's editor: the same keys submit, and nothing stray enters the answer.
        typed = ui.edit_answer(question)
        if typed is None:
            raise SessionInterruptedError("interrupted: nothing was graded")
        return typed, "standard input"
    return sys.stdin.read(), "standard input"
