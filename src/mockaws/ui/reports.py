"""Reports: grades, transcripts, summaries, stats, drills, regrade, eval and settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from mockaws.models import (
    Delivery,
    FollowUpTurn,
    Grade,
    Level,
    Question,
    Rating,
    Track,
    Transcript,
    Turn,
    TurnStatus,
    Verdict,
    low_confidence_advice,
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
    from mockaws.bank import Listed
    from mockaws.evaluation import EvalReport, Interval
    from mockaws.evidence import Mark
    from mockaws.history import SessionSummary, Stats
    from mockaws.regrade import RegradeReport
    from mockaws.session import Interview
    from mockaws.summary import Report
    from mockaws.views import Progress
from mockaws.ui.console import (
    _RATING_STYLE,
    _VERDICT_STYLE,
    _hanging,
    _local_time,
    clock,
    count,
    err,
    escape,
    out,
)


def tracks_label(tracks: Sequence[Track]) -> str:
    """A question's tracks, short: "all" when every role asks it."""
    return "all" if set(tracks) == set(Track) else ", ".join(t.value for t in tracks)


def question_table(
    questions: Sequence[Listed], tracks: Mapping[str, Sequence[Track]] | None = None
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


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


# The row under a figure that gives the range it would likely take on other questions of the
# same kind (a 95% interval from resampling the questions).
_WITHIN = "  95% interval"


def _interval(interval: Interval | None) -> str:
    return "—" if interval is None else f"{interval.low:.2f} to {interval.high:.2f}"


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
    headline.add_column("", no_wrap=True)
    for name in report.splits:
        headline.add_column(name, justify="right")
    splits = list(report.splits.values())
    rows: list[tuple[str, list[str]]] = [
        ("answers (questions)", [f"{s.answers} ({s.questions})" for s in splits]),
        ("points: accuracy", [_figure(s.point_accuracy) for s in splits]),
        ("points: Cohen's kappa", [_figure(s.point_kappa) for s in splits]),
        ("rating: quadratic kappa", [_figure(s.rating_qwk) for s in splits]),
        (_WITHIN, [_interval(s.rating_qwk_interval) for s in splits]),
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
        (_WITHIN, [_interval(s.red_flag_precision_interval) for s in splits]),
        (
            "red flags: recall",
            [
                f"{_figure(s.red_flag_recall)} "
                f"({s.red_flag_true_positives}/"
                f"{s.red_flag_true_positives + s.red_flag_false_negatives})"
                for s in splits
            ],
        ),
        (_WITHIN, [_interval(s.red_flag_recall_interval) for s in splits]),
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
    from rich import box

    # No word is ever broken: ids and topics are cut with an ellipsis when the terminal is
    # narrow, headers keep their width, and only the score and rating notes wrap (at spaces).
    table = Table(title="Interview summary", header_style="bold", box=box.SIMPLE_HEAD)
    table.add_column("#", no_wrap=True, justify="right")
    table.add_column("question", no_wrap=True, overflow="ellipsis", min_width=8, ratio=3)
    table.add_column("topic", no_wrap=True, overflow="ellipsis", min_width=5, ratio=2)
    for column in ("level", "score", "rating", "time", "fillers"):
        table.add_column(column, min_width=len(column), no_wrap=column in ("level", "time"))
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


def _misconceptions(stats: Stats) -> None:
    """The misconceptions stated most often, with the latest sentence that stated each."""
    if stats.misconceptions:
        out.print("\n[bold]Misconceptions[/] [dim](times stated, the latest sentence)[/]")
        said: list[tuple[str | Text, ...]] = []
        for wrong in stats.misconceptions:
            text = Text(clean(wrong.flag or wrong.flag_id))
            text.append(f" “{clean(wrong.sentence)}”", style="dim")
            text.append(f"  {clean(wrong.question_id)}", style="dim")
            said.append(("", Text(f"⚑ {wrong.times}", style="bold red"), text))
        out.print(_hanging(said, (1, max(len(str(row[1])) for row in said))))


def _weak_points(stats: Stats) -> None:
    """The rubric points missed most, then the misconceptions stated most."""
    if stats.most_missed:
        out.print("\n[bold]Most missed rubric points[/] [dim](missed / answers graded)[/]")
        rows: list[tuple[str | Text, ...]] = []
        for missed in stats.most_missed:
            text = Text(clean(missed.point or missed.point_id))
            text.append(f"  {clean(missed.question_id)}", style="dim")
            rows.append((Text(f"{missed.missed}/{missed.graded}", style="red"), text))
        width = max(len(str(row[0])) for row in rows)
        out.print(_hanging([("", *row) for row in rows], (1, width)))
    _misconceptions(stats)


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
        _weak_points(stats)
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
