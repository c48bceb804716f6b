"""The interview screen: prompts, what happens after each answer, feedback as it arrives."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from rich.text import Text

from mockaws.frontends import (
    AnswerSaved,
    Asked,
    Event,
    HintGiven,
    Marked,
    Notice,
    Revealed,
    SaveFailed,
    StudyOnly,
    Waiting,
)
from mockaws.hints import hint_for
from mockaws.models import (
    FollowUpTurn,
    Mode,
    Question,
    RubricPoint,
    Turn,
    Verdict,
)
from mockaws.safety import clean

if TYPE_CHECKING:
    from mockaws.frontends import Graded, Prompt
from mockaws.ui.console import clock, escape, notice, out, save_problem
from mockaws.ui.reports import delivery_line, follow_up_result, marked, services_line, turn_feedback

SUBMIT_KEYS = "Esc then Enter (or Alt-Enter, Ctrl-D)"


def _commands_for(prompt: Prompt, mode: Mode) -> list[str]:
    commands = ["/hint", "/reveal", "/mark"] if mode is not Mode.REAL else []
    return [*commands, "/repeat", "/skip", "/quit"]


def prompt_header(prompt: Prompt, mode: Mode) -> Text:
    """The question (or follow-up) as shown above the answer."""
    header = Text()
    if prompt.follow_up is not None:
        follow_up = prompt.follow_up
        # The question it follows, so a follow-up makes sense after a resume or a /repeat.
        header.append(
            f"── Following up question {prompt.number} · {prompt.question.topic} ──\n",
            style="dim",
        )
        header.append(clean(prompt.question.question) + "\n", style="dim")
        if mode is Mode.REAL:
            header.append("Interviewer: ", style="bold cyan")
        else:
            aim = " · aimed at what your answer left out" if follow_up.source == "grader" else ""
            header.append(f"Follow-up {prompt.follow_up_number}{aim}\n", style="cyan")
        header.append(clean(prompt.text), style="bold")
        return header
    question = prompt.question
    # A behavioural question's topic already says its kind.
    kind = f" · {question.kind.value}" if question.kind.value != question.topic else ""
    header.append(
        f"── Question {prompt.number} of {prompt.total} · {question.topic} · "
        f"{question.level.value}{kind} ──\n",
        style="dim",
    )
    header.append(clean(question.question), style="bold")
    return header


def ask_prompt(prompt: Prompt, mode: Mode, *, interactive: bool) -> None:
    """Print the prompt for answers typed (or piped) line by line."""
    out.print()
    out.print(prompt_header(prompt, mode))
    if interactive:
        commands = " ".join(_commands_for(prompt, mode))
        out.print(
            "[dim]Answer as you would out loud. End with a line holding only '.'; "
            f"type {commands} as the whole answer.[/]"
        )


def hint(point: RubricPoint | None, used: int) -> None:
    if point is None:
        out.print("[yellow]No hints left: every rubric point has been shown.[/]")
        return
    out.print(f"[yellow]Hint {used}:[/] {escape(hint_for(point))}  [dim](weight {point.weight})[/]")


def reveal(question: Question | None) -> None:
    if question is None:
        out.print("[yellow]/reveal shows the reference answer once you have answered.[/]")
        return
    out.print(f"[bold]Reference answer[/] [dim]({question.id})[/]")
    out.print(escape(question.reference_answer.strip()))
    if question.notes:
        out.print("[bold]Notes[/] [dim](worth knowing, not expected in an answer)[/]")
        out.print(escape(question.notes.strip()))


def study_only(command: str) -> None:
    out.print(f"[yellow]{command} is for study mode; in real mode you are on your own.[/]")


def nothing_to_submit() -> None:
    out.print(
        "[yellow]Nothing to submit yet: type your answer, or /skip to move on.[/]",
    )


def answer_saved(turn: Turn | FollowUpTurn, mode: Mode, time_limit: int | None) -> None:
    """What the candidate sees at once after submitting: saved, the time, delivery facts."""
    line = f"Saved · answered in {clock(turn.seconds)}"
    if time_limit and isinstance(turn, Turn) and turn.seconds > time_limit:
        line += f" (over the {clock(time_limit)} limit by {clock(turn.seconds - time_limit)})"
    out.print(f"[dim]{escape(line)}[/]")
    if mode is not Mode.REAL and turn.delivery is not None:
        out.print(f"[dim]Delivery: {escape(delivery_line(turn.delivery))}[/]")
        services = services_line(turn.delivery)
        if services:
            out.print(f"[dim]{escape(services)}[/]")


def graded_feedback(graded: Graded, transcript_id: str | None = None) -> None:
    """Feedback on an answer whose grade has just arrived (study mode)."""
    question, turn, follow_up = graded.question, graded.turn, graded.follow_up
    out.print()
    if follow_up is None:
        out.rule(f"Feedback on question {graded.number} · {question.id}", style="dim")
        # Its "think about next" is left out when it is a follow-up already asked.
        turn_feedback(question, turn, transcript_id=transcript_id, number=graded.number)
        grade = turn.grade
        if grade is not None and any(v.verdict is not Verdict.COVERED for v in grade.points):
            out.print(
                "  [dim]Covered a point it missed? Type /mark to tick the points you did cover.[/]"
            )
        return
    result = follow_up_result(question, turn, follow_up)
    out.print(f"[cyan]Follow-up to question {graded.number}:[/] {escape(result)}")


@contextlib.contextmanager
def grading_progress() -> Iterator[Callable[[int, int], None]]:
    """A progress bar while the last grades come in; yields the (done, total) callback."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("[dim]Grading your answers[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        console=out,
        transient=True,
    ) as progress:
        task = progress.add_task("grading", total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


def show_event(event: Event, transcript_id: str | None = None) -> None:
    """What the user sees of something that happened in the interview."""
    match event:
        case Asked(prompt=prompt):
            out.print()
            out.print(prompt_header(prompt, prompt.mode))
        case Waiting(message=message):
            out.print(f"[dim]{escape(message)}[/]")
        case AnswerSaved(prompt=prompt, answer=answer):
            answer_saved(answer, prompt.mode, prompt.time_limit)
        case SaveFailed(message=message):
            save_problem(message)
        case HintGiven(point=point, used=used):
            hint(point, used)
        case Revealed(question=question):
            reveal(question)
        case StudyOnly(command=command):
            study_only(command)
        case Notice(message=message):
            notice(message)
        case Marked(question=question, grade=grade, number=number):
            marked(question, grade, number, transcript_id or "")
        case _:
            graded_feedback(event, transcript_id)
