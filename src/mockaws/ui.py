"""Terminal rendering and input: the only module that imports rich."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from mockaws.models import Grade, Question, Rating, Transcript, Turn, TurnStatus, Verdict

if TYPE_CHECKING:
    from mockaws.evaluation import EvalReport

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


# ---------------------------------------------------------------- progress and `mockaws eval`


@contextmanager
def progress(description: str, total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr for `total` steps; yields the function that advances it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress(
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with bar:
        task = bar.add_task(escape(description), total=total)
        yield lambda: bar.advance(task)


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _matrix(title: str, labels: Sequence[str], matrix: Sequence[Sequence[int]]) -> Table:
    table = Table(title=title, title_justify="left", header_style="bold")
    table.add_column("human ↓ / grader →")
    for label in labels:
        table.add_column(label, justify="right")
    for label, row in zip(labels, matrix, strict=True):
        table.add_row(label, *(str(count) if count else "·" for count in row))
    return table


def eval_report(report: EvalReport) -> None:
    """The agreement report of `mockaws eval`, for reading in a terminal."""
    from mockaws.evaluation import BANDS, VERDICTS

    model = f" ({report.model})" if report.model else ""
    out.print(f"[bold]Grader {report.grader}{model}[/] against {escape(report.labels)}")
    headline = Table(header_style="bold")
    headline.add_column("")
    for name in report.splits:
        headline.add_column(name, justify="right")
    splits = list(report.splits.values())
    rows: list[tuple[str, list[str]]] = [
        ("answers (questions)", [f"{s.answers} ({s.questions})" for s in splits]),
        ("points: accuracy", [_figure(s.point_accuracy) for s in splits]),
        ("points: Cohen's kappa", [_figure(s.point_kappa) for s in splits]),
        ("rating: quadratic kappa", [_figure(s.rating_qwk) for s in splits]),
        ("rating: exact", [_figure(s.rating_exact) for s in splits]),
        ("rating: within one band", [_figure(s.rating_within_one) for s in splits]),
        ("score vs band: Spearman", [_figure(s.score_spearman) for s in splits]),
        (
            "red flags: precision",
            [
                f"{_figure(s.red_flag_precision)} "
                f"({s.red_flag_true_positives}/"
                f"{s.red_flag_true_positives + s.red_flag_false_positives})"
                for s in splits
            ],
        ),
        (
            "red flags: recall",
            [
                f"{_figure(s.red_flag_recall)} "
                f"({s.red_flag_true_positives}/"
                f"{s.red_flag_true_positives + s.red_flag_false_negatives})"
                for s in splits
            ],
        ),
    ]
    if any(s.failed for s in splits):
        rows.append(("not graded (grader failed)", [str(s.failed) for s in splits]))
    for label, cells in rows:
        headline.add_row(label, *cells)
    out.print(headline)
    out.print(_matrix("Ratings", [b.value for b in BANDS], report.rating_confusion))
    out.print(_matrix("Point verdicts", [v.value for v in VERDICTS], report.point_confusion))
    kinds = Table(title="By kind of answer", title_justify="left", header_style="bold")
    for column in ("kind", "answers", "exact", "within one", "band error", "weak or poor"):
        kinds.add_column(column, justify="left" if column == "kind" else "right")
    for kind in report.kinds:
        kinds.add_row(
            kind.kind,
            str(kind.answers),
            _figure(kind.rating_exact),
            _figure(kind.rating_within_one),
            "—" if kind.mean_band_error is None else f"{kind.mean_band_error:+.2f}",
            _figure(kind.bottom_two_bands),
        )
    out.print(kinds)
    lowest = sorted(
        ((kappa, question) for question, kappa in report.point_kappa_by_question.items()),
        key=lambda item: -2.0 if item[0] is None else item[0],
    )[:5]
    if lowest:
        out.print(
            "Lowest point kappa by question: "
            + ", ".join(f"{question} {_figure(kappa)}" for kappa, question in lowest)
        )
    if report.worst:
        out.print("\n[bold]Worst disagreements[/]")
    for number, case in enumerate(report.worst, start=1):
        kind_note = f", {case.kind}" if case.kind else ""
        out.print(
            f"{number}. [bold]{case.question_id}[/] ({case.split}{kind_note}): human "
            f"[bold]{case.human_rating.value}[/], grader [bold]{case.grader_rating.value}[/]"
            f" (score {case.score})"
        )
        excerpt = " ".join(case.answer.split())
        if len(excerpt) > 240:
            excerpt = excerpt[:239] + "…"
        out.print(f"   [dim]“{escape(excerpt)}”[/]", soft_wrap=True)
        for point in case.points:
            out.print(
                f"   {escape(point.point_id)}: human {point.human.value}, "
                f"grader {point.grader.value}"
            )
        if case.red_flags_missed:
            missed = ", ".join(case.red_flags_missed)
            out.print(f"   red flags the grader missed: {escape(missed)}")
        if case.red_flags_extra:
            extra = ", ".join(case.red_flags_extra)
            out.print(f"   red flags the human did not see: {escape(extra)}")
    usage = report.usage
    if usage is not None:
        cost = "unknown" if usage.cost_usd is None else f"${usage.cost_usd:.4f}"
        out.print(
            f"\nTokens: {usage.prompt_tokens} in ({usage.cached_tokens} cached), "
            f"{usage.completion_tokens} out · cost {cost} · latency mean "
            f"{_figure(usage.latency_mean_s)} s, p95 {_figure(usage.latency_p95_s)} s"
        )
    for failure in report.failures:
        out.print(f"[yellow]not graded:[/] {escape(failure)}")
