"""Terminal rendering and input: the only module that imports rich."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from mockaws.models import Grade, Question, Rating, Transcript, Turn, TurnStatus, Verdict

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False, soft_wrap=True)

_RATING_STYLE = {
    Rating.STRONG: "bold green",
    Rating.SOLID: "green",
    Rating.WEAK: "yellow",
    Rating.POOR: "red",
}
_VERDICT_STYLE = {
    Verdict.COVERED: ("✔ covered", "green"),
    Verdict.PARTIAL: ("◑ partial", "yellow"),
    Verdict.MISSED: ("✘ missed", "red"),
    Verdict.CONTRADICTED: ("⚠ contradicted", "bold red"),
}
END_OF_ANSWER = "."


def error(message: str) -> None:
    """One line on stderr: what went wrong and where."""
    err.print(f"[bold red]error:[/] {escape(message)}")


def notice(message: str) -> None:
    err.print(f"[dim]{escape(message)}[/]")


def question_table(questions: Sequence[Question]) -> None:
    table = Table(show_lines=False, header_style="bold")
    for column in ("id", "topic", "level", "question"):
        table.add_column(column, overflow="fold")
    for q in questions:
        table.add_row(q.id, q.topic, q.level.value, q.question)
    out.print(table)
    out.print(f"{len(questions)} questions")


def question_detail(question: Question, *, with_answer: bool = True) -> None:
    out.print(f"[bold]{escape(question.question)}[/]")
    out.print(f"[dim]{question.id} · {question.topic} · {question.level.value}[/]\n")
    if with_answer:
        out.print("[bold]Reference answer[/]")
        out.print(escape(question.reference_answer) + "\n")
        out.print("[bold]Rubric[/]")
        for point in question.rubric:
            out.print(
                f"  • ({point.weight}) {escape(point.point)}"
                f"  [dim]{escape(', '.join(point.cues))}[/]"
            )
        if question.red_flags:
            out.print("[bold]Red flags[/]")
            for flag in question.red_flags:
                out.print(f"  ⚑ {escape(flag.flag)}")
        if question.follow_ups:
            out.print("[bold]Follow-ups[/]")
            for follow_up in question.follow_ups:
                out.print(f"  → {escape(follow_up)}")


def grade_report(question: Question, grade: Grade) -> None:
    """The per-point verdicts with evidence, red flags, score and rating."""
    style = _RATING_STYLE[grade.rating]
    out.print(
        f"[{style}]Score {grade.score}/100 · {grade.rating.value}[/]"
        f"  [dim](grader: {grade.grader})[/]"
    )
    for verdict in grade.points:
        point = question.point(verdict.point_id)
        label, colour = _VERDICT_STYLE[verdict.verdict]
        out.print(
            f"  [{colour}]{label:<15}[/] {escape(point.point if point else verdict.point_id)}"
        )
        if verdict.evidence:
            out.print(f"  {'':15} [dim]“{escape(verdict.evidence)}”[/]")
        if verdict.note and not verdict.verified:
            out.print(f"  {'':15} [dim italic]{escape(verdict.note)}[/]")
    flags = {f.id: f.flag for f in question.red_flags}
    for hit in grade.red_flags_hit:
        out.print(f"  [bold red]⚑ red flag[/]      {escape(flags.get(hit.flag_id, hit.flag_id))}")
        out.print(f"  {'':15} [dim]“{escape(hit.evidence)}”[/]")
    for line in grade.notices + grade.integrity_flags:
        out.print(f"  [yellow]note:[/] {escape(line)}")
    if grade.follow_up:
        out.print(f"  [cyan]Think about next:[/] {escape(grade.follow_up)}")


def ask(question: Question, number: int, total: int, *, interactive: bool) -> None:
    out.print()
    out.rule(f"Question {number} of {total} · {question.topic} · {question.level.value}")
    out.print(f"[bold]{escape(question.question)}[/]")
    if interactive:
        out.print(
            "[dim]Answer as you would out loud. End with a line holding only '.'; "
            "type /skip or /quit as the whole answer to skip or stop.[/]"
        )


def turn_feedback(question: Question, turn: Turn) -> None:
    if turn.grade is not None:
        grade_report(question, turn.grade)
    elif turn.grade_error:
        out.print(f"[yellow]Not graded:[/] {escape(turn.grade_error)} (your answer is saved)")


def summary(transcript: Transcript) -> None:
    """The closing table: one row per question, then the average."""
    table = Table(title="Interview summary", header_style="bold")
    for column in ("#", "question", "topic", "level", "score", "rating"):
        table.add_column(column, overflow="fold")
    for number, turn in enumerate(transcript.turns, start=1):
        if turn.status is TurnStatus.SKIPPED:
            score, rating = "—", Text("skipped", style="dim")
        elif turn.grade is None:
            score, rating = "—", Text("ungraded", style="yellow")
        else:
            score = str(turn.grade.score)
            rating = Text(turn.grade.rating.value, style=_RATING_STYLE[turn.grade.rating])
        table.add_row(str(number), turn.question_id, turn.topic, turn.level.value, score, rating)
    out.print()
    out.print(table)
    average = transcript.average_score
    if average is not None:
        out.print(
            f"Average score: [bold]{average:.0f}/100[/]"
            f" over {len(transcript.graded_turns)} graded answers"
        )


def saved(paths: Iterable[object]) -> None:
    for path in paths:
        out.print(f"Saved: {path}", soft_wrap=True)


class AnswerReader:
    """Reads one multi-line answer at a time, each ending at a line holding only '.'.

    `pending` keeps what was typed of the current answer, so an interruption loses nothing.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdin
        self.pending: list[str] = []

    @property
    def interactive(self) -> bool:
        return self.stream.isatty()

    def read(self) -> str | None:
        """The next answer, or None at end of input with nothing typed."""
        self.pending = []
        while True:
            line = self.stream.readline()
            if not line:
                return "\n".join(self.pending) if self.pending else None
            line = line.rstrip("\r\n")
            if line.strip() == END_OF_ANSWER:
                answer = "\n".join(self.pending)
                self.pending = []
                return answer
            self.pending.append(line)
