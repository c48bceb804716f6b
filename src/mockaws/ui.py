"""Terminal rendering and input: the only module that imports rich."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from mockaws.models import Grade, Question, Rating, Transcript, Turn, TurnStatus, Verdict

if TYPE_CHECKING:
    from mockaws.regrade import RegradeReport

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
    from mockaws.tokens import describe_usage, transcript_usage

    usage = transcript_usage(transcript)
    if usage is not None:
        out.print(f"[dim]Grading cost: {escape(describe_usage(usage))}[/]")
    ungraded = sum(1 for turn in transcript.turns if turn.needs_grade)
    if ungraded:
        out.print(
            f"[yellow]{ungraded} {'answer is' if ungraded == 1 else 'answers are'} not graded "
            f"yet:[/] `mockaws regrade {transcript.id}` grades "
            f"{'it' if ungraded == 1 else 'them'} later."
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


class RegradeProgress:
    """A progress bar on stderr for one transcript's regrade; quiet when stderr is no terminal."""

    def __init__(self, transcript_id: str) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        self.transcript_id = transcript_id
        self._progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        )
        self._task: object | None = None

    def start(self, total: int) -> None:
        if total:
            self._progress.start()
            self._task = self._progress.add_task(f"Grading {self.transcript_id}", total=total)

    def advance(self, _outcome: object = None) -> None:
        if self._task is not None:
            self._progress.advance(self._task)  # type: ignore[arg-type]

    def stop(self) -> None:
        self._progress.stop()


def regrade_report(report: RegradeReport) -> None:
    """Per answer: the old and new score, and the rubric points whose verdict changed."""

    def score(grade: Grade | None) -> str:
        return f"{grade.score} {grade.rating.value}" if grade else "ungraded"

    out.print(f"[bold]{escape(report.transcript_id)}[/]")
    for line in report.skipped:
        out.print(f"  [yellow]skipped[/] {escape(line)}")
    for outcome in sorted(
        report.outcomes, key=lambda o: (o.job.turn_index, o.job.follow_up_index or -1)
    ):
        label = escape(outcome.job.label)
        if outcome.new is None:
            out.print(f"  {label}: [yellow]not graded:[/] {escape(outcome.error or '')}")
            continue
        was, now = score(outcome.old), score(outcome.new)
        style = _RATING_STYLE[outcome.new.rating]
        marker = "" if outcome.old is None or was != now else " [dim](same score)[/]"
        out.print(f"  {label}: {was} → [{style}]{now}[/]{marker}")
        for change in outcome.point_changes:
            out.print(f"      {escape(change.point_id)}: {change.old.value} → {change.new.value}")
        if outcome.rubric_changed:
            out.print("      [dim](the rubric has changed since this answer was given)[/]")
    if report.markdown_path is not None:
        out.print(f"  Saved: {report.json_path}", soft_wrap=True)


def settings_table(rows: Sequence[tuple[str, str, str]]) -> None:
    """Settings as name, value and where the value came from."""
    table = Table(header_style="bold", box=None)
    for column in ("setting", "value", "from"):
        table.add_column(column, overflow="fold")
    for name, value, source in rows:
        table.add_row(name, value, Text(source, style="dim"))
    out.print(table)
