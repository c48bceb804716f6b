"""Terminal rendering and input: the only module that imports rich or the line editor.

prompt_toolkit (the answer editor) is imported only when an interactive interview starts.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.markup import escape as escape_markup
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from mockaws.frontends import (
    AnswerSaved,
    Asked,
    EndOfInput,
    Event,
    Frontend,
    HintGiven,
    Interrupt,
    LiveSession,
    Marked,
    Marks,
    Notice,
    Reply,
    Revealed,
    SaveFailed,
    StudyOnly,
    Waiting,
)
from mockaws.hints import hint_for
from mockaws.models import (
    Delivery,
    FollowUpTurn,
    Grade,
    Level,
    Mode,
    Question,
    Rating,
    RubricPoint,
    Track,
    Transcript,
    Turn,
    TurnStatus,
    Verdict,
    low_confidence_advice,
    mark_command,
    utc_now,
)
from mockaws.safety import clean
from mockaws.views import (
    answer_view,
    feedback_beyond_rubric,
    follow_up_contribution,
    think_about_next,
)

if TYPE_CHECKING:
    from mockaws.evaluation import EvalReport
    from mockaws.evidence import Mark
    from mockaws.frontends import Graded, Prompt
    from mockaws.history import LoadProblem, SessionSummary, Stats
    from mockaws.regrade import RegradeReport
    from mockaws.session import Interview
    from mockaws.summary import Report
    from mockaws.ui_voice import VoiceInput
    from mockaws.views import Progress


def escape(text: str) -> str:
    """Text from a file, a server or the user, safe to print: no markup, no control codes."""
    return escape_markup(clean(text))


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # The reader went away (`| head`): the command layer ends quietly with exit 0.
        self.quiet = True
        raise BrokenPipeError


out = _Console(highlight=False, soft_wrap=False)
err = _Console(stderr=True, highlight=False, soft_wrap=True)


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


def tracks_label(tracks: Sequence[Track]) -> str:
    """A question's tracks, short: "all" when every role asks it."""
    return "all" if set(tracks) == set(Track) else ", ".join(t.value for t in tracks)


def question_table(
    questions: Sequence[Question], tracks: Mapping[str, Sequence[Track]] | None = None
) -> None:
    """id, topic, level, kind and tracks in columns; long questions wrap in their own column.

    Drawn by hand rather than with a rich Table: measuring every cell of a bank of hundreds of
    questions took longer than everything else the command does.
    """
    import textwrap

    header = ("id", "topic", "level", "kind", "tracks", "question")
    rows = [
        (
            clean(q.id),
            clean(q.topic),
            q.level.value,
            q.kind.value,
            tracks_label((tracks or {}).get(q.id, ())),
            clean(q.question),
        )
        for q in questions
    ]
    columns = len(header) - 1
    widths = [max([len(header[i]), *(len(row[i]) for row in rows)]) for i in range(columns)]
    indent = sum(widths) + 2 * columns
    room = max(out.width - indent, 30)
    text = Text()
    text.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False)), style="bold")
    text.append("  question\n", style="bold")
    for *cells, question in rows:
        lines = textwrap.wrap(question, room) or [""]
        text.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + "  ")
        text.append(lines[0] + "\n")
        for line in lines[1:]:
            text.append(" " * indent + line + "\n")
    text.append(count(len(questions), "question"), style="dim")
    out.print(text, soft_wrap=True)


def question_detail(
    question: Question, tracks: Sequence[Track] = (), *, with_answer: bool = True
) -> None:
    out.print(f"[bold]{escape(question.question)}[/]")
    line = f"{question.id} · {question.topic} · {question.level.value} · {question.kind.value}"
    if tracks:
        line += f" · tracks: {tracks_label(tracks)}"
    out.print(f"[dim]{escape(line)}[/]")
    if question.leadership_principles:
        principles = ", ".join(p.value for p in question.leadership_principles)
        out.print(f"[dim]Leadership Principles: {principles}[/]")
    out.print()
    if with_answer:
        out.print("[bold]Reference answer[/]")
        out.print(escape(question.reference_answer) + "\n")
        if question.notes:
            out.print("[bold]Notes[/] [dim](worth knowing, not expected in an answer)[/]")
            out.print(escape(question.notes.strip()) + "\n")
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


def _low_confidence(
    grade: Grade, transcript_id: str | None, indent: str = "", number: int | None = None
) -> None:
    note = grade.low_confidence_note(transcript_id, number)
    if note is not None:
        out.print(f"{indent}[bold yellow]⚠[/] [yellow]{escape(note)}[/]")


def score_line(grade: Grade) -> str:
    """The score as rich markup: the self-assessed one, when there is one, then the grader's."""
    style = _RATING_STYLE[grade.effective_rating]
    line = f"[{style}]Score {grade.effective_score}/100 · {grade.effective_rating.value}[/]"
    if grade.self_assessed:
        line += (
            f" · [bold]self-assessed[/] [dim](the grader gave {grade.score}/100 · "
            f"{grade.rating.value})[/]"
        )
    return line


def _grader_said(grade: Grade, point_id: str) -> Text | None:
    """'grader: ✘ missed · you: covered' for a point the user re-marked, else None."""
    if grade.self_assessment is None or point_id not in grade.self_assessment.changed:
        return None
    original = next((v for v in grade.points if v.point_id == point_id), None)
    if original is None:
        return None
    label, colour = _VERDICT_STYLE[original.verdict]
    text = Text("marked by you; the grader said ", style="dim italic")
    text.append(label, style=colour)
    return text


def grade_report(
    question: Question,
    grade: Grade,
    *,
    show_follow_up: bool = True,
    transcript_id: str | None = None,
    number: int | None = None,
) -> None:
    """The per-point verdicts with evidence, red flags, score and rating."""
    out.print(f"{score_line(grade)}  [dim](grader: {grade.grader})[/]")
    # Said first and again last: a user who stops reading at the score still sees it.
    _low_confidence(grade, transcript_id, "  ", number)
    # A grid keeps wrapped point text and quotes aligned under their column.
    rows = Table.grid(padding=(0, 1))
    rows.add_column(width=15, no_wrap=True)
    rows.add_column(overflow="fold")
    for verdict in grade.effective_points:
        point = question.point(verdict.point_id)
        label, colour = _VERDICT_STYLE[verdict.verdict]
        rows.add_row(Text(label, style=colour), escape(point.point if point else verdict.point_id))
        if verdict.evidence:
            rows.add_row("", Text(clean(f"“{verdict.evidence}”"), style="dim"))
        said = _grader_said(grade, verdict.point_id)
        if said is not None:
            rows.add_row("", said)
        elif verdict.note and not verdict.verified:
            rows.add_row("", Text(clean(verdict.note), style="dim italic"))
    flags = {f.id: f.flag for f in question.red_flags}
    for hit in grade.red_flags_hit:
        flag = escape(flags.get(hit.flag_id, hit.flag_id))
        rows.add_row(Text("⚑ red flag", style="bold red"), flag)
        rows.add_row("", Text(clean(f"“{hit.evidence}”"), style="dim"))
    out.print(Padding(rows, (0, 0, 0, 2)))
    for line in grade.notices + grade.integrity_flags:
        out.print(f"  [yellow]note:[/] {escape(line)}")
    if grade.low_confidence:
        out.print(f"  [dim]The reference answer: mockaws questions show {question.id}[/]")
    if grade.follow_up and show_follow_up:
        out.print(f"  [cyan]Think about next:[/] {escape(grade.follow_up)}")


def turn_feedback(
    question: Question,
    turn: Turn,
    *,
    show_follow_up: bool = True,
    transcript_id: str | None = None,
    number: int | None = None,
) -> None:
    if turn.grade is not None:
        grade_report(
            question,
            turn.grade,
            show_follow_up=False,
            transcript_id=transcript_id,
            number=number,
        )
        suggestion = think_about_next(turn) if show_follow_up else None
        if suggestion:
            out.print(f"  [cyan]Think about next:[/] {escape(suggestion)}")
    elif turn.grade_error:
        out.print(f"[yellow]Not graded:[/] {escape(turn.grade_error)} (your answer is saved)")


def save_problem(message: str) -> None:
    """A save failed; nothing is lost yet (it is all in memory and the next save retries)."""
    err.print(
        f"[bold yellow]warning:[/] {escape(message)}; your answers are kept in memory and "
        "saved as soon as the disk allows"
    )


def last_resort_copy(answers: Iterable[str]) -> None:
    """Print what could not be saved, so the user can copy it before the process ends."""
    out.print("[bold]Your answers could not be saved. Here they are, to copy:[/]")
    for number, answer in enumerate(answers, start=1):
        out.print(f"\n--- answer {number} ---")
        out.print(escape(answer), soft_wrap=True)


def saved(paths: Iterable[object]) -> None:
    for path in paths:
        out.print(f"Saved: {path}", soft_wrap=True)


REPLACEMENT_CHARACTER = "\ufffd"


def replaced_bytes_notice(where: str) -> None:
    """Say once that bytes which were not UTF-8 were kept as U+FFFD."""
    notice(f"{where}: bytes that are not UTF-8 text were replaced with {REPLACEMENT_CHARACTER}")


class AnswerReader:
    """Reads one multi-line answer at a time, each ending at a line holding only '.'.

    `pending` keeps what was typed of the current answer, so an interruption loses nothing.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdin
        self.pending: list[str] = []
        self._told_of_bad_bytes = False

    @property
    def interactive(self) -> bool:
        return self.stream.isatty()

    def read(self, draft: str = "") -> str | None:
        """The next answer (after `draft`, if any), or None at end of input with nothing typed."""
        self.pending = draft.splitlines()
        while True:
            line = self.stream.readline()
            if not line:
                return "\n".join(self.pending) if self.pending else None
            line = line.rstrip("\r\n")
            if REPLACEMENT_CHARACTER in line and not self._told_of_bad_bytes:
                self._told_of_bad_bytes = True
                replaced_bytes_notice("standard input")
            if line.strip() == END_OF_ANSWER:
                answer = "\n".join(self.pending)
                self.pending = []
                return answer
            self.pending.append(line)


# ---------------------------------------------------------------- progress and `mockaws eval`


@contextlib.contextmanager
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
    if any(s.low_confidence_share is not None for s in splits):
        rows.append(
            ("grades marked low confidence", [_figure(s.low_confidence_share) for s in splits])
        )
        rows.append(
            (
                "large errors (2+ bands) so marked",
                [f"{_figure(s.large_errors_low_confidence)} (of {s.large_errors})" for s in splits],
            )
        )
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
            escape(kind.kind),
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
        kind_note = f", {escape(case.kind)}" if case.kind else ""
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


# ---------------------------------------------------------------- the interview at the terminal


def clock(seconds: float) -> str:
    """Seconds as m:ss."""
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def is_interactive() -> bool:
    """True when a person is at a terminal: both stdin and stdout are terminals."""
    return sys.stdin.isatty() and sys.stdout.isatty()


SUBMIT_KEYS = "Esc then Enter (or Alt-Enter, Ctrl-D)"
# The draft being typed is saved when typing pauses this long, and at least this often while
# it goes on: a killed terminal loses a few seconds of typing at most.
DRAFT_PAUSE_S = 1.0
DRAFT_EVERY_S = 4.0


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


def delivery_line(delivery: Delivery) -> str:
    """One line of delivery facts for an answer."""
    from mockaws.delivery import describe

    return describe(delivery)


def delivery_summary_lines(delivery: Delivery, answers: int) -> list[str]:
    """The session's delivery facts: per answer on average, and the totals that add up."""
    from mockaws.delivery import TARGET_SECONDS, pace

    low, high = (s // 60 for s in TARGET_SECONDS)
    each = delivery.speaking_seconds / answers
    lines = [
        f"~{clock(each)} spoken per answer on average ({pace(each)} the {low}-{high} min "
        f"target), {delivery.words} words in all"
    ]
    per_hundred = 100 * delivery.filler_count / delivery.words
    fillers = ", ".join(f"{w} x{n}" if n > 1 else w for w, n in delivery.fillers.items())
    line = f"fillers {delivery.filler_count} ({per_hundred:.1f} per 100 words)"
    lines.append(line + (f": {fillers}" if fillers else ""))
    if delivery.hedges:
        hedges = ", ".join(f"{w} x{n}" if n > 1 else w for w, n in delivery.hedges.items())
        lines.append(f"hedges {delivery.hedge_count}: {hedges}")
    if delivery.measured and delivery.words_per_minute is not None:
        pauses = delivery.long_pauses
        longest = max((p.seconds for p in pauses), default=0.0)
        line = f"spoken at {delivery.words_per_minute:.0f} words a minute (measured)"
        line += f", {len(pauses)} long pauses" + (f" (longest {longest:.1f} s)" if pauses else "")
        lines.append(line)
    services = services_line(delivery)
    if services:
        lines.append(services)
    return lines


def services_line(delivery: Delivery) -> str | None:
    from mockaws.delivery import describe_services

    return describe_services(delivery)


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


def _made(grade: Grade | None) -> set[str]:
    if grade is None:
        return set()
    return {
        v.point_id
        for v in grade.effective_points
        if v.verdict in (Verdict.COVERED, Verdict.PARTIAL)
    }


def follow_up_result(question: Question, turn: Turn, follow_up: FollowUpTurn) -> str:
    """What a follow-up answer added: the rubric points it made that the answer had not."""
    return follow_up_contribution(question, turn, follow_up)


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
def waiting(message: str, console: Console | None = None) -> Iterator[None]:
    """A spinner and the seconds waited so far, while a grade (or a follow-up) is on its way:
    a slow local model shows it is working, and how long it has taken."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn("dots"),
        TextColumn(f"[dim]{escape(message)}[/]"),
        TimeElapsedColumn(),
        console=console or out,
        transient=True,
    ) as progress:
        progress.add_task("waiting", total=None)
        yield


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


def final_feedback(session: Interview) -> None:
    """Every graded answer with its verdicts, as shown at the end of a real-mode interview."""
    for number, turn in enumerate(session.transcript.turns, start=1):
        question = session.question_of(turn)
        if question is None or turn.status is TurnStatus.SKIPPED or not turn.submitted:
            continue
        out.print()
        out.rule(f"Question {number} · {question.id}", style="dim")
        out.print(f"[bold]{escape(question.question)}[/]")
        turn_feedback(question, turn, transcript_id=session.transcript.id)
        if turn.delivery is not None:
            out.print(f"  [dim]Delivery: {escape(delivery_line(turn.delivery))}[/]")
        for follow_up in turn.follow_ups:
            if not follow_up.submitted or follow_up.skipped:
                continue
            out.print(f"  [cyan]Follow-up:[/] {escape(follow_up.question)}")
            result = follow_up_result(question, turn, follow_up)
            out.print(f"  {'':2}[dim]{escape(result)}[/]")


def _score_cell(turn: Turn) -> tuple[str, Text]:
    if turn.status is TurnStatus.SKIPPED:
        return "—", Text("skipped", style="dim")
    if not turn.submitted:
        return "—", Text("unsent", style="dim")
    grade = turn.grade
    if grade is None:
        return "—", Text("ungraded", style="yellow")
    style = _RATING_STYLE[grade.effective_rating]
    if grade.self_assessed:
        rating = Text(grade.effective_rating.value, style=style)
        rating.append(f" · self-assessed (grader: {grade.score})", style="dim")
        return str(grade.effective_score), rating
    return str(grade.score), Text(grade.rating.value, style=style)


def count(n: int, noun: str) -> str:
    """`n` and the noun, plural unless n is 1: "1 question", "3 questions"."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _work_on_next(report: Report) -> None:
    """The weightiest points missed and the misconceptions stated, as bullets that wrap under
    their text."""
    if report.missed or report.misconceptions:
        out.print(
            "[bold]Work on next[/] (the weightiest rubric points your answers missed, and what "
            "they said that is not so):"
        )
        rows: list[tuple[str | Text, ...]] = []
        for missed in report.missed:
            text = Text(clean(missed.point.point))
            text.append(
                f" (weight {missed.point.weight}, {missed.verdict.value}; question "
                f"{missed.number}: {clean(missed.turn.question_id)})",
                style="dim",
            )
            rows.append(("", "•", text))
        for wrong in report.misconceptions:
            text = Text(f"Misconception: {clean(wrong.flag)}")
            text.append(f" “{clean(wrong.sentence)}”", style="dim")
            text.append(f" (question {wrong.number}: {clean(wrong.question_id)})", style="dim")
            rows.append(("", Text("⚑", style="bold red"), text))
        # Continuation lines stay under the text, not back at the left margin.
        out.print(_hanging(rows, (1, 1)))


def interview_summary(report: Report, transcript: Transcript) -> None:
    """The closing summary: per question, per topic, delivery, and what to practise next."""
    table = Table(title="Interview summary", header_style="bold")
    for column in ("#", "question", "topic", "level", "score", "rating", "time", "fillers"):
        table.add_column(column, overflow="fold")
    for number, turn in enumerate(report.turns, start=1):
        score, rating = _score_cell(turn)
        added = set().union(*(_made(f.grade) for f in turn.follow_ups)) - _made(turn.grade)
        if added:
            score += f" (+{len(added)} in follow-up)"
        if turn.hints:
            rating.append(f" · {len(turn.hints)} hint" + ("s" if len(turn.hints) > 1 else ""))
        if turn.grade is not None and turn.grade.low_confidence and not turn.grade.self_assessed:
            rating.append(" · unsure", style="bold yellow")
        fillers = str(turn.delivery.filler_count) if turn.delivery else "—"
        seconds = clock(turn.seconds) if turn.status is TurnStatus.ANSWERED else "—"
        table.add_row(
            str(number), escape(turn.question_id), escape(turn.topic), turn.level.value, score,
            rating, seconds,
            fillers,
        )  # fmt: skip
    out.print()
    out.print(table)
    unsure = report.low_confidence
    if unsure:
        numbers = ", ".join(str(n) for n in unsure)
        only = unsure[0] if len(unsure) == 1 else None
        which = (
            f"grade of question {numbers} is"
            if len(unsure) == 1
            else f"grades of questions {numbers} are"
        )
        out.print(
            f"[bold yellow]⚠[/] [yellow]The {which} unsure (low confidence): "
            f"{escape(low_confidence_advice(transcript.id, only))}.[/]"
        )
    graded = [t.grade.effective_score for t in report.turns if t.grade is not None]
    if graded:
        out.print(
            f"Average score: [bold]{sum(graded) / len(graded):.0f}/100[/]"
            f" over {count(len(graded), 'graded answer')}"
        )
    if report.kinds:
        out.print(
            "By kind: "
            + " · ".join(f"{k.kind.value} {k.average:.0f} ({k.answers})" for k in report.kinds)
        )
    if len(report.topics) > 1:
        out.print(
            "By topic: "
            + " · ".join(f"{t.topic} {t.average:.0f} ({t.answers})" for t in report.topics)
        )
    if report.answers and report.delivery.words:
        out.print(f"[bold]Delivery[/] over {count(report.answers, 'answer')}:")
        for line in delivery_summary_lines(report.delivery, report.answers):
            out.print(f"  {escape(line)}")
    _work_on_next(report)
    from mockaws.tokens import describe_usage, transcript_usage

    usage = transcript_usage(transcript)
    if usage is not None:
        out.print(f"[dim]Grading cost: {escape(describe_usage(usage))}[/]")
    ungraded = report.ungraded
    if ungraded:
        out.print(
            f"[yellow]{ungraded} {'answer is' if ungraded == 1 else 'answers are'} not graded "
            f"yet:[/] `mockaws regrade {transcript.id}` grades "
            f"{'it' if ungraded == 1 else 'them'} later."
        )
    for step in report.next_steps:
        out.print(f"{step.label}: [bold]{escape(step.command)}[/]")


# ---------------------------------------------------------------- the answer editor


class QuitChoice(Enum):
    CONTINUE = "continue"
    QUIT = "quit"
    QUIT_NOW = "quit-now"


@dataclass(frozen=True)
class Interrupted:
    """Ctrl-C in the editor, with what had been typed."""

    draft: str


class AnswerEditor:
    """A multi-line answer editor for a person at a terminal (prompt_toolkit).

    Enter makes a new line and pastes keep their lines; Esc then Enter (Alt-Enter) or Ctrl-D
    submits; Ctrl-C returns `Interrupted` with the text so far. A toolbar shows the keys, the
    in-answer commands and the time; grades arriving in the background are printed above.
    """

    live = True

    def __init__(
        self, session: LiveSession | None = None, transcript_id: str | None = None
    ) -> None:
        from prompt_toolkit import PromptSession

        self.live_session = session
        self.transcript_id = transcript_id  # named in advice on grades to check
        self.session: PromptSession[str] = PromptSession()
        self._interrupted_with: str | None = None
        self._shown_at = time.monotonic()

    def read(self, prompt: Prompt, draft: str = "") -> Reply:
        """The answer (never empty), or an Interrupt once the user confirms quitting."""
        while True:
            typed = self.edit(prompt, draft)
            if isinstance(typed, Interrupted):
                choice = self.confirm_quit()
                if choice is QuitChoice.CONTINUE:
                    draft = typed.draft
                    continue
                return Interrupt(typed.draft, at_once=choice is QuitChoice.QUIT_NOW)
            if not typed.strip():
                nothing_to_submit()
                draft = ""
                continue
            return typed

    def show(self, event: Event) -> None:
        if not isinstance(event, Asked):  # the editor shows its prompt itself
            show_event(event, self.transcript_id)

    def _elapsed(self) -> float:
        if self.live_session is not None:
            return self.live_session.elapsed
        return time.monotonic() - self._shown_at

    def edit(self, prompt: Prompt, draft: str = "") -> str | Interrupted:
        """One editing of an answer: the text submitted, or `Interrupted` with the text so far."""
        from prompt_toolkit.formatted_text import ANSI, StyleAndTextTuples
        from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
        from prompt_toolkit.styles import Style

        mode = prompt.mode
        limit = None if prompt.is_follow_up else prompt.time_limit
        keys = KeyBindings()

        @keys.add("c-d")
        def _submit(event: KeyPressEvent) -> None:
            event.current_buffer.validate_and_handle()

        @keys.add("enter")
        @keys.add("c-j")
        def _newline(event: KeyPressEvent) -> None:
            # A last line holding only '.' submits, as it does for piped answers.
            buffer = event.current_buffer
            document = buffer.document
            if document.is_cursor_at_the_end and document.current_line.strip() == END_OF_ANSWER:
                buffer.text = "\n".join(document.lines[:-1])
                buffer.validate_and_handle()
            else:
                buffer.newline(copy_margin=False)

        @keys.add("c-c")
        def _interrupt(event: KeyPressEvent) -> None:
            self._interrupted_with = event.current_buffer.text
            event.app.exit(exception=KeyboardInterrupt())

        def toolbar() -> StyleAndTextTuples:
            elapsed = self._elapsed()
            timer = f"⏱ {clock(elapsed)}"
            style = "class:bottom-toolbar"
            if limit:
                left = limit - elapsed
                if left >= 0:
                    timer += f" · {clock(left)} left"
                else:
                    timer += " · time is up: wrap up"
                    style = "class:bottom-toolbar.over"
            live = self.live_session
            grading = live.pending_grades if live is not None and mode is not Mode.REAL else 0
            commands = " ".join(_commands_for(prompt, mode))
            return [
                (
                    "class:bottom-toolbar",
                    f" Submit: {SUBMIT_KEYS} · Enter: new line · Ctrl-C: quit\n",
                ),
                ("class:bottom-toolbar", f" Commands: {commands}   "),
                (style, timer),
                ("class:bottom-toolbar", f" · grading {grading}" if grading else ""),
            ]

        with out.capture() as captured:
            out.print(prompt_header(prompt, mode))
        message = ANSI("\n" + captured.get())
        style = Style.from_dict(
            {
                "bottom-toolbar": "noreverse bg:#303030 #d0d0d0",
                "bottom-toolbar.over": "noreverse bg:#303030 #ff8700 bold",
                "placeholder": "#808080 italic",
            }
        )
        self._interrupted_with = None
        try:
            return self.session.prompt(
                message,
                default=draft,
                multiline=True,
                key_bindings=keys,
                bottom_toolbar=toolbar,
                refresh_interval=0.5,
                style=style,
                prompt_continuation="",
                placeholder=[("class:placeholder", "Answer as you would say it out loud…")],
                pre_run=lambda: self._start_feed(prompt),
            )
        except KeyboardInterrupt:
            return Interrupted(self._interrupted_with or "")
        except EOFError:
            return Interrupted(draft)

    def _start_feed(self, prompt: Prompt) -> None:
        if self.live_session is not None:
            self.session.app.create_background_task(self._show_feed())
            self.session.app.create_background_task(self._keep_drafts(prompt))

    async def _keep_drafts(self, prompt: Prompt) -> None:
        """Save the text typed, on every pause in typing and every few seconds, off this thread."""
        import asyncio

        assert self.live_session is not None
        keep = self.live_session.keep_draft
        buffer = self.session.default_buffer
        loop = asyncio.get_running_loop()
        saved = buffer.text
        changed_at = saved_at = loop.time()
        seen = saved
        while True:
            await asyncio.sleep(DRAFT_PAUSE_S / 4)
            text, now = buffer.text, loop.time()
            if text != seen:
                seen, changed_at = text, now
            paused = now - changed_at >= DRAFT_PAUSE_S
            if text != saved and (paused or now - saved_at >= DRAFT_EVERY_S):
                saved, saved_at = text, now
                # An atomic write of the session file: not on the thread that draws the editor.
                await loop.run_in_executor(None, keep, prompt, text)

    async def _show_feed(self) -> None:
        """Print grades above the editor as they arrive, without touching what is typed."""
        import asyncio

        from prompt_toolkit.application import run_in_terminal

        assert self.live_session is not None
        while True:
            await asyncio.sleep(0.2)
            items = self.live_session.take_events()
            if items:

                def show(items: list[Graded] = items) -> None:
                    for graded in items:
                        graded_feedback(graded, self.transcript_id)
                    out.print()

                await run_in_terminal(show)

    def read_line(self, message: str) -> str | None:
        return read_line(message)

    def mark(self, question: Question, grade: Grade, number: int) -> Marks | None:
        """The checklist of the question's points, ticked as the grade has them now."""
        out.print(f"[bold]Question {number}[/] · {escape(question.id)}")
        return checklist(question, grade, self.read_line)

    def confirm_quit(self) -> QuitChoice:
        """Ask once whether to quit; Ctrl-C again quits at once."""
        from prompt_toolkit import prompt as ask_line
        from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

        keys = KeyBindings()

        @keys.add("c-c")
        def _again(event: KeyPressEvent) -> None:
            event.app.exit(result="\x03")

        try:
            reply = ask_line(
                "Quit the interview? Everything so far is saved. [y/N] (Ctrl-C again: quit now) ",
                key_bindings=keys,
            )
        except EOFError:
            return QuitChoice.QUIT_NOW
        if reply == "\x03":
            return QuitChoice.QUIT_NOW
        return QuitChoice.QUIT if reply.strip().lower() in {"y", "yes"} else QuitChoice.CONTINUE


def read_line(message: str) -> str | None:
    """One line typed at the terminal (the checklist); None at Ctrl-D or Ctrl-C."""
    from prompt_toolkit import prompt as ask_line

    try:
        return ask_line(message)
    except (EOFError, KeyboardInterrupt):
        return None


CHECKLIST_HELP = (
    "Type the numbers of points to tick or untick (e.g. 2 3), Enter to save, /cancel to leave it."
)


def _checklist_rows(question: Question, grade: Grade, ticked: set[str]) -> None:
    graders = {v.point_id: v.verdict for v in grade.points}
    rows: list[tuple[str | Text, ...]] = []
    for number, point in enumerate(question.rubric, start=1):
        box = Text(
            "[x]" if point.id in ticked else "[ ]", style="bold green" if point.id in ticked else ""
        )
        said = graders.get(point.id, Verdict.MISSED)
        label, colour = _VERDICT_STYLE[said]
        text = Text(clean(point.point))
        text.append("  (grader: ", style="dim")
        text.append(label, style=colour)
        text.append(f"; id {clean(point.id)})", style="dim")
        rows.append((Text(str(number), style="dim"), box, text))
    out.print(_hanging(rows, (3, 3)))


def checklist(
    question: Question, grade: Grade, read_line: Callable[[str], str | None]
) -> Marks | None:
    """Ask which rubric points an answer covered; returns the points to mark covered and missed.

    Points covered now (by the grader or an earlier marking) start ticked. None: left unchanged
    (/cancel, or the end of input).
    """
    current = {v.point_id for v in grade.effective_points if v.verdict is Verdict.COVERED}
    ticked = set(current)
    ids = [p.id for p in question.rubric]
    out.print(f"[bold]Which points did your answer cover?[/] [dim]{CHECKLIST_HELP}[/]")
    _checklist_rows(question, grade, ticked)
    while True:
        line = read_line("tick> ")
        if line is None or line.strip().lower() in {"/cancel", "q"}:
            out.print("[dim]Left as it was.[/]")
            return None
        words = line.replace(",", " ").split()
        if not words:
            break
        wrong = [w for w in words if not w.isdigit() or not 1 <= int(w) <= len(ids)]
        if wrong:
            out.print(f"[yellow]Not a point number: {escape(wrong[0])} (1 to {len(ids)})[/]")
            continue
        for word in words:
            ticked ^= {ids[int(word) - 1]}
        _checklist_rows(question, grade, ticked)
    covered = [i for i in ids if i in ticked and i not in current]
    missed = [i for i in ids if i not in ticked and i in current]
    return covered, missed


def marked(question: Question, grade: Grade, number: int, transcript_id: str) -> None:
    """What a marking changed: the score both ways, and the points the user re-marked."""
    if grade.self_assessment is None:
        out.print(
            f"Question {number}: back to the grader's verdicts, "
            f"{grade.score}/100 · {grade.rating.value}."
        )
        return
    out.print(f"Question {number}: {score_line(grade)}")
    rows: list[tuple[str | Text, ...]] = []
    for point_id in grade.self_assessment.changed:
        point = question.point(point_id)
        own = next(v for v in grade.self_assessment.points if v.point_id == point_id)
        label, colour = _VERDICT_STYLE[own.verdict]
        text = Text(clean(point.point if point else point_id))
        said = _grader_said(grade, point_id)
        if said is not None:
            text.append("\n")
            text.append_text(said)
        rows.append(("", Text(label, style=colour), text))
    out.print(_hanging(rows, (1, 15)))
    out.print(f"[dim]Saved in {escape(transcript_id)}; stats and drills use this score.[/]")


def marking(question: Question, turn: Turn, transcript_id: str, number: int) -> None:
    """`transcripts mark` without changes: each point with its id, the grader's and yours."""
    grade = turn.grade
    assert grade is not None
    out.print(f"[bold]{escape(turn.question)}[/]")
    out.print(f"[dim]{escape(transcript_id)} · question {number} · {escape(turn.question_id)}[/]")
    out.print(score_line(grade))
    own = {v.point_id: v.verdict for v in grade.effective_points}
    rows: list[tuple[str | Text, ...]] = []
    for verdict in grade.points:
        point = question.point(verdict.point_id)
        label, colour = _VERDICT_STYLE[own.get(verdict.point_id, verdict.verdict)]
        text = Text(clean(point.point if point else verdict.point_id))
        said = _grader_said(grade, verdict.point_id)
        if said is not None:
            text.append("  ")
            text.append_text(said)
        rows.append((Text(clean(verdict.point_id), style="cyan"), Text(label, style=colour), text))
    width = max((len(v.point_id) for v in grade.points), default=2)
    out.print(_hanging(rows, (width, 15)))
    out.print(
        f"[dim]Mark: mockaws transcripts mark {escape(transcript_id)} --question {number} "
        "--covered ID (or --missed ID)[/]"
    )


def edit_answer(question: Question) -> str | None:
    """One answer to `question` typed in the interview's editor; None when the user quits."""
    from mockaws.frontends import Prompt

    reply = AnswerEditor().read(Prompt(question, number=1, total=1))
    return reply if isinstance(reply, str) else None


class PipeFrontend:
    """Answers read line by line (piped, or typed at a terminal without the editor)."""

    live = False

    def __init__(self, transcript_id: str | None = None, stream: TextIO | None = None) -> None:
        self.reader = AnswerReader(stream)
        self.transcript_id = transcript_id

    def read(self, prompt: Prompt, draft: str = "") -> Reply:
        try:
            text = self.reader.read(draft)
        except KeyboardInterrupt:
            return Interrupt("\n".join(self.reader.pending), at_once=True)
        return EndOfInput() if text is None else text

    def show(self, event: Event) -> None:
        if isinstance(event, Asked):
            ask_prompt(event.prompt, event.prompt.mode, interactive=self.reader.interactive)
        else:
            show_event(event, self.transcript_id)

    def mark(self, question: Question, grade: Grade, number: int) -> Marks | None:
        """No checklist on a pipe: the command that marks points from a script."""
        if self.transcript_id is not None:
            notice(f"Mark points from a script with: {mark_command(self.transcript_id, number)}")
        return None


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


def frontend_for(
    session: LiveSession,
    transcript_id: str,
    stream: TextIO | None = None,
    voice: VoiceInput | None = None,
) -> Frontend:
    """The editor for a person at a terminal (spoken first with `voice`), else the line reader."""
    if stream is None and is_interactive():
        editor = AnswerEditor(session, transcript_id)
        if voice is not None:
            from mockaws.ui_voice import VoiceFrontend

            return VoiceFrontend(editor, voice, transcript_id)
        return editor
    return PipeFrontend(transcript_id, stream)


# ---------------------------------------------------------------- review: transcripts, stats, drill


def warning(message: str) -> None:
    """One line on stderr about something skipped or doubtful; the command carries on."""
    err.print(f"[yellow]warning:[/] {escape(message)}")


def load_problems(problems: Sequence[LoadProblem], *, limit: int = 5) -> None:
    """Report transcript files that did not load, one line each (the first few, then a count)."""
    for problem in problems[:limit]:
        warning(f"skipped {problem.message}")
    if len(problems) > limit:
        warning(f"skipped {len(problems) - limit} more unreadable transcripts")


def _local_time(stamp: str | datetime) -> str:
    moment = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


def _status_text(status: str, ungraded: int) -> Text:
    styles = {"completed": "green", "abandoned": "dim", "in_progress": "cyan"}
    text = Text(clean(status.replace("_", " ")), style=styles.get(status, ""))
    if ungraded:
        text.append(f", {ungraded} ungraded", style="yellow")
    return text


def _score_text(score: float | None) -> Text:
    if score is None:
        return Text("—", style="dim")
    from mockaws.grading.scoring import rating_for

    return Text(f"{score:.0f}", style=_RATING_STYLE[rating_for(round(score))])


def transcript_table(sessions: Sequence[SessionSummary], total: int) -> None:
    """Saved sessions, one row each, in the order given."""
    if not sessions:
        out.print("No transcripts yet: run `mockaws interview` to make one.")
        return
    with_mode = any(s.mode != sessions[0].mode for s in sessions)
    table = Table(header_style="bold", box=None, pad_edge=False)
    table.add_column("id", no_wrap=True)
    table.add_column("started", no_wrap=True)
    if with_mode:
        table.add_column("mode", no_wrap=True)
    table.add_column("answered", justify="right", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("grader", overflow="fold")
    table.add_column("status", overflow="fold")
    for session in sessions:
        grader = session.grader + (f" ({session.model})" if session.model else "")
        table.add_row(
            escape(session.id),
            _local_time(session.started_at),
            *([escape(session.mode)] if with_mode else []),
            f"{session.answered}/{session.questions}",
            _score_text(session.average),
            escape(grader),
            _status_text(session.status, session.ungraded),
        )
    out.print(table)
    if len(sessions) < total:
        out.print(
            f"[dim]{len(sessions)} of {total} transcripts, newest first; "
            "--all to list every one.[/]"
        )


# By MarkKind value: evidence (and the text matcher under it) loads only to show a transcript.
_MARK_STYLE = {
    "covered": "green underline",
    "partial": "yellow underline",
    "contradicted": "bold red underline",
    "red_flag": "bold red underline",
}


def _highlighted_answer(answer: str, marks: Sequence[Mark]) -> Text:
    from mockaws.evidence import segments

    text = Text()
    for piece in segments(answer, marks):
        kind = piece.kind
        text.append(clean(piece.text), style=_MARK_STYLE[kind] if kind else "")
        for mark in piece.closing:
            text.append(f"[{mark.label}]", style=f"dim {_MARK_STYLE[mark.kind].split()[0]}")
    return text


def _hanging(rows: Iterable[tuple[str | Text, ...]], widths: Sequence[int]) -> Table:
    """Rows whose last column wraps under itself rather than back to the left margin."""
    grid = Table.grid(padding=(0, 1))
    for width in widths:
        grid.add_column(width=width, no_wrap=True)
    grid.add_column(ratio=1)
    for row in rows:
        grid.add_row(*row)
    return grid


def _grade_detail(
    grade: Grade,
    question: Question | None,
    answer: str,
    transcript_id: str | None = None,
    number: int | None = None,
) -> None:
    from mockaws.export import made_by, outline_items

    out.print(f"{score_line(grade)}  [dim]({escape(made_by(grade))})[/]")
    _low_confidence(grade, transcript_id, number=number)
    out.print("\n[bold]Your answer[/]")
    from mockaws.evidence import grade_marks

    out.print(_highlighted_answer(answer, grade_marks(grade, answer)))
    out.print("\n[bold]Rubric[/]")
    rows: list[tuple[str | Text, ...]] = []
    for position, verdict in enumerate(grade.effective_points, start=1):
        point = question.point(verdict.point_id) if question else None
        label, colour = _VERDICT_STYLE[verdict.verdict]
        text = Text(clean(point.point if point else verdict.point_id))
        said = _grader_said(grade, verdict.point_id)
        if said is not None:
            text.append("\n")
            text.append_text(said)
        elif verdict.note and not verdict.verified:
            text.append(f"\n{clean(verdict.note)}", style="dim italic")
        rows.append((Text(str(position), style="dim"), Text(label, style=colour), text))
    out.print(_hanging(rows, (3, 15)))
    if grade.red_flags_hit:
        out.print("\n[bold]Red flags[/]")
        flags = {f.id: f.flag for f in question.red_flags} if question else {}
        flag_rows: list[tuple[str | Text, ...]] = [
            (Text(f"⚑{number}", style="bold red"), Text(clean(flags.get(hit.flag_id, hit.flag_id))))
            for number, hit in enumerate(grade.red_flags_hit, start=1)
        ]
        out.print(_hanging(flag_rows, (3,)))
    for line in grade.notices + grade.integrity_flags:
        out.print(f"[yellow]note:[/] {escape(line)}")
    feedback = feedback_beyond_rubric(grade.feedback, question)
    if feedback.strengths or feedback.gaps or feedback.outline:
        out.print("\n[bold]Feedback[/]")
        marked: list[tuple[str | Text, ...]] = [
            *((Text("+", style="green"), Text(clean(item))) for item in feedback.strengths),
            *((Text("-", style="red"), Text(clean(item))) for item in feedback.gaps),
        ]
        if marked:
            out.print(_hanging(marked, (2,)))
        if feedback.outline:
            out.print("[bold]A stronger answer, in outline:[/]")
            steps = [item.partition(" ") for item in outline_items(feedback)]
            out.print(_hanging([(marker, Text(clean(rest))) for marker, _, rest in steps], (1,)))


def _progress_lines(progress: Progress) -> None:
    before = "not graded" if progress.previous_score is None else f"{progress.previous_score}/100"
    when = _local_time(progress.previous_at)
    out.print(f"\n[bold]Since your last attempt[/] [dim]({when}: {before})[/]")
    rows: list[tuple[str | Text, ...]] = [
        *((Text("missed → covered", style="green"), Text(clean(p))) for p in progress.now_made),
        *((Text("covered → missed", style="red"), Text(clean(p))) for p in progress.now_missed),
    ]
    if rows:
        out.print(_hanging(rows, (16,)))
    else:
        out.print("[dim]  the same points as last time[/]")


def transcript_detail(
    transcript: Transcript,
    questions: Mapping[str, Question],
    *,
    reference: bool = False,
    progress: Mapping[int, Progress] | None = None,
) -> None:
    """A whole transcript: each answer with its evidence highlighted, verdicts and feedback;
    with `progress`, how each answer compares with the previous attempt at its question."""
    from mockaws.export import delivery_notes

    settings = transcript.settings
    grader = settings.grader + (f" ({settings.model})" if settings.model else "")
    out.print(
        f"[bold]Mock AWS {settings.mode if settings.mode == 'drill' else 'interview'}[/]"
        f" · {_local_time(transcript.started_at)} · "
        + _status_text(transcript.status.value, 0).markup
    )
    answered = [t for t in transcript.turns if t.status is TurnStatus.ANSWERED]
    average = transcript.average_score
    out.print(
        f"[dim]{transcript.id} · {escape(grader)} grader · {len(answered)} of "
        f"{max(len(settings.question_ids), len(transcript.turns))} answered[/]"
        + (f" · average [bold]{average:.0f}/100[/]" if average is not None else "")
    )
    out.print(
        "[dim]In answers: [/][green underline]covered[/] [yellow underline]partial[/] "
        "[bold red underline]contradicted or red flag[/][dim], numbered as in the rubric.[/]"
    )
    for number, turn in enumerate(transcript.turns, start=1):
        question = questions.get(turn.question_id)
        out.print()
        out.rule(f"{number} · {turn.topic} · {turn.level.value} · {turn.question_id}")
        out.print(f"[bold]{escape(turn.question)}[/]")
        if question is not None and question.rubric_hash != turn.rubric_hash:
            out.print("[dim]The question's rubric has changed since this answer was graded.[/]")
        if turn.status is TurnStatus.SKIPPED:
            out.print("[dim]Skipped.[/]")
            continue
        if turn.grade is None:
            out.print("\n[bold]Your answer[/]")
            out.print(escape(turn.answer) or "[dim](empty)[/]")
            reason = turn.ungraded_reason
            out.print(f"[yellow]Not graded:[/] {escape(reason)}")
        else:
            _grade_detail(turn.grade, question, turn.answer, transcript.id, number)
        view = answer_view(number, turn, question)
        compared = (progress or {}).get(number)
        if compared is not None:
            _progress_lines(compared)
        if view.hints:
            out.print(f"[yellow]Hints used:[/] {escape('; '.join(view.hints))}")
        delivery = delivery_notes(turn)
        if delivery:
            out.print("\n[bold]Delivery[/]")
            for line in delivery:
                out.print(f"  {escape(line)}")
        for follow_up in view.follow_ups:
            out.print(f"\n[bold cyan]Follow-up:[/] {escape(follow_up.question)}")
            out.print(escape(follow_up.answer) or "[dim](no answer)[/]")
            out.print(f"[dim]What it added: {escape(follow_up.added)}[/]")
        if view.think_about_next:
            out.print(f"\n[cyan]Think about next:[/] {escape(view.think_about_next)}")
        if reference and question is not None:
            out.print("\n[bold]Reference answer[/]")
            out.print(escape(question.reference_answer))


_BAR_WIDTH = 30
_EIGHTHS = " ▏▎▍▌▋▊▉"


def _bar(score: float) -> str:
    eighths = round(max(0.0, min(score, 100.0)) / 100 * _BAR_WIDTH * 8)
    full, rest = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[rest] if rest else "")


def stats_report(stats: Stats) -> None:
    """Averages per topic and level, the trend as a bar chart, weak points, unexplored questions."""
    if not stats.answers:
        out.print("No graded answers yet: run `mockaws interview` to start.")
    else:
        out.print(
            f"[bold]{stats.answers}[/] graded answers in [bold]{stats.sessions}[/] sessions, "
            f"{_local_time(stats.first or utc_now())[:10]} to "
            f"{_local_time(stats.last or utc_now())[:10]}; average "
            + _score_text(stats.average).markup
            + "/100"
        )
        if stats.self_assessed:
            grader = f"{stats.grader_average:.0f}" if stats.grader_average is not None else "—"
            out.print(
                f"[dim]{count(stats.self_assessed, 'answer')} self-assessed (you marked the "
                f"points you covered); by the grader's scores alone the average is {grader}/100[/]"
            )
        levels = [level.value for level in Level]
        table = Table(title="Average score by topic and level", header_style="bold", box=None)
        table.add_column("topic")
        for name in [*levels, "all"]:
            table.add_column(name, justify="right")
        cells: dict[str, dict[str, Text]] = {}
        for group in stats.by_topic_level:
            cell = _score_text(group.average)
            cell.append(f" ({group.answers})", style="dim")
            cells.setdefault(group.topic, {})[group.level or "all"] = cell
        for topic, row in cells.items():
            table.add_row(
                escape(topic), *(row.get(name, Text("·", style="dim")) for name in [*levels, "all"])
            )
        out.print()
        out.print(table)
        if stats.by_kind:
            kinds = " · ".join(
                f"{escape(k.kind)} {_score_text(k.average).markup} [dim]({k.answers})[/]"
                for k in stats.by_kind
            )
            out.print(f"[bold]By kind of question:[/] {kinds}")
        out.print(f"\n[bold]Trend[/] [dim](average score per {stats.trend_unit})[/]")
        width = max(len(p.label) for p in stats.trend)
        for point in stats.trend:
            if point.average is None:
                out.print(f"  {point.label:<{width}} [dim]│ no graded answers[/]")
                continue
            style = _RATING_STYLE[_rating_band(point.average)]
            out.print(
                f"  {point.label:<{width}} │[{style}]{_bar(point.average):<{_BAR_WIDTH}}[/]"
                f" {point.average:3.0f}  [dim]({point.answers})[/]"
            )
        if stats.most_missed:
            out.print("\n[bold]Most missed rubric points[/] [dim](missed / answers graded)[/]")
            rows: list[tuple[str | Text, ...]] = []
            for missed in stats.most_missed:
                text = Text(clean(missed.point or missed.point_id))
                text.append(f"  {clean(missed.question_id)}", style="dim")
                rows.append((Text(f"{missed.missed}/{missed.graded}", style="red"), text))
            width = max(len(str(row[0])) for row in rows)
            out.print(_hanging([("", *row) for row in rows], (1, width)))
    if stats.spoken:
        out.print("\n[bold]Spoken answers[/] [dim](per session, latest last)[/]")
        for spoken in stats.spoken:
            out.print(
                f"  {_local_time(spoken.started_at)[:10]}  {spoken.words_per_minute:4.0f} words/min"
                f" · {spoken.pauses_per_answer:.1f} long pauses per answer"
                f" · {spoken.fillers_per_100_words:.1f} fillers per 100 words"
                f"  [dim]({spoken.answers})[/]"
            )
    if stats.bank_size:
        never = len(stats.never_attempted)
        out.print(f"\n[bold]Never attempted:[/] {never} of {stats.bank_size} questions in the bank")
        for topic, (never_count, total) in stats.never_attempted_by_topic.items():
            if never_count:
                out.print(f"  {topic:<16} {never_count:>3} of {total}")
        if never:
            shown = ", ".join(stats.never_attempted[:3])
            out.print(f"  [dim]For example {shown}: see `mockaws questions show ID`.[/]")
    if stats.skipped_files:
        out.print(f"[yellow]{stats.skipped_files} unreadable transcripts were skipped.[/]")


def _rating_band(score: float) -> Rating:
    from mockaws.grading.scoring import rating_for

    return rating_for(round(score))


def confirm(question: str, *, default: bool = True) -> bool:
    """A yes/no question at the terminal; Enter takes the default."""
    from rich.prompt import Confirm

    return Confirm.ask(question, console=out, default=default)


MARK_REPLY = "/mark"


def choose_rating(suggested: str, choices: Sequence[str], *, markable: bool = False) -> str:
    """Ask which rating to record: Enter keeps the suggestion, a word or its first letter picks.

    With `markable`, /mark is a reply of its own (MARK_REPLY): the user wants to tick the
    points they covered first.
    """
    from rich.prompt import Prompt

    listed = "/".join(choices)
    mark = " [dim](/mark: tick the points you covered)[/]" if markable else ""
    while True:
        reply = Prompt.ask(
            f"How well did you know it? [magenta]\\[{listed}][/] [cyan]({suggested})[/]{mark}",
            console=out,
            default=suggested,
            show_default=False,
        )
        typed = reply.strip().lower()
        if markable and typed == MARK_REPLY:
            return MARK_REPLY
        matches = [c for c in choices if typed and c.startswith(typed)]
        if len(matches) == 1:
            return matches[0]
        out.print(f"[yellow]Type one of {', '.join(choices)}, or press Enter for {suggested}.[/]")


def drill_scheduled(rating: str, suggested: str, due: datetime) -> None:
    """Where a drilled question went in the schedule."""
    changed = "" if rating == suggested else f" (suggested {suggested})"
    out.print(f"[dim]Rated {rating}{changed}; next due {_until(due)}.[/]")


def _until(moment: datetime) -> str:
    delta = moment - utc_now()
    seconds = delta.total_seconds()
    if seconds <= 60:
        return "now"
    if seconds < 3600:
        return f"in {seconds / 60:.0f} minutes"
    if seconds < 86400:
        return f"in {seconds / 3600:.0f} hours"
    return f"in {seconds / 86400:.0f} days ({_local_time(moment)[:10]})"


def nothing_due(upcoming: tuple[Question, datetime] | None) -> None:
    """Say why no drill runs, and when one will."""
    if upcoming is None:
        out.print("Nothing to drill yet: answer some questions with `mockaws interview` first.")
        return
    question, when = upcoming
    out.print(
        f"Nothing is due. Next: {question.id} {_until(when)}"
        " (`mockaws drill --ahead` drills it now)."
    )


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
        table.add_row(name, escape(value), Text(source, style="dim"))
    out.print(table)


_CHECK_STYLE = {
    "ok": ("✔", "green"),
    "warn": ("!", "yellow"),
    "fail": ("✘", "bold red"),
    "skip": ("·", "dim"),
}


def doctor_report(checks: Sequence[tuple[str, str, str]]) -> None:
    """One line per check: a mark, its name and what was found."""
    width = max((len(name) for name, _, _ in checks), default=0)
    for name, status, detail in checks:
        mark, style = _CHECK_STYLE[status]
        out.print(f"[{style}]{mark}[/] [bold]{name:<{width}}[/]  {escape(detail)}", soft_wrap=True)
