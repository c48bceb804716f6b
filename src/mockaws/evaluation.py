"""Grader evaluation: grade hand-labelled answers and measure agreement with the human labels.

A labelled set is a JSON Lines file, one answer a line, each with the human's label for every
rubric point, the red flags it raises and the rating band it deserves. `run_eval` grades every
answer with any `Grader`; `build_report` compares the grades with the labels.

The agreement statistics (Cohen's kappa, weighted kappa, Spearman) are written out here rather
than pulled from scikit-learn or scipy: each is a few lines of arithmetic, and those libraries would
add well over 100 MB of numpy-based dependencies to a command-line tool for one report.
"""

from __future__ import annotations

import json
import math
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import Future, as_completed
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from mockaws.bank import Bank
from mockaws.errors import BadInputError, GradingError
from mockaws.grading import Grader, grade_answer
from mockaws.grading.runner import GradingRunner
from mockaws.models import Grade, Question, Rating, Verdict

T = TypeVar("T", bound=Hashable)

# Rating bands from worst to best: the order the ordinal statistics use.
BANDS: tuple[Rating, ...] = (Rating.POOR, Rating.WEAK, Rating.SOLID, Rating.STRONG)
VERDICTS: tuple[Verdict, ...] = (
    Verdict.COVERED,
    Verdict.PARTIAL,
    Verdict.MISSED,
    Verdict.CONTRADICTED,
)
SPLITS = ("dev", "test")
# A grade this many bands from the human's is a large disagreement: what a low-confidence mark
# should warn of.
LARGE_BAND_ERROR = 2
# Intervals come from resampling whole questions (answers to one question share its rubric and
# cues, so they are not independent draws): this many resamples, from a fixed seed so that the
# same grades always give the same report.
BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20261202
INTERVAL_LEVEL = 0.95

# ---------------------------------------------------------------- statistics


def accuracy(human: Sequence[T], machine: Sequence[T]) -> float | None:
    """The share of items labelled the same, or None when there are none."""
    _same_length(human, machine)
    if not human:
        return None
    return sum(1 for a, b in zip(human, machine, strict=True) if a == b) / len(human)


def confusion_matrix(
    human: Sequence[T], machine: Sequence[T], categories: Sequence[T]
) -> list[list[int]]:
    """Counts with the human's label as the row and the machine's as the column."""
    _same_length(human, machine)
    index = {category: i for i, category in enumerate(categories)}
    matrix = [[0] * len(categories) for _ in categories]
    for a, b in zip(human, machine, strict=True):
        matrix[index[a]][index[b]] += 1
    return matrix


def cohen_kappa(
    human: Sequence[T],
    machine: Sequence[T],
    categories: Sequence[T],
    weights: Literal["none", "linear", "quadratic"] = "none",
) -> float | None:
    """Cohen's kappa: agreement beyond chance, 1 perfect, 0 chance level.

    With `weights`, `categories` is an ordered scale and a near miss costs less than a far one
    (quadratic weighting is the usual choice for rating bands). None when kappa is undefined:
    no items, or both raters always using the same single category.
    """
    return kappa_from_matrix(confusion_matrix(human, machine, categories), weights)


def kappa_from_matrix(
    matrix: Sequence[Sequence[int]],
    weights: Literal["none", "linear", "quadratic"] = "none",
) -> float | None:
    """Cohen's kappa from a square confusion matrix (rows: one rater, columns: the other)."""
    k = len(matrix)
    n = sum(sum(row) for row in matrix)
    if n == 0 or k < 2:
        return None
    rows = [sum(row) for row in matrix]
    columns = [sum(matrix[i][j] for i in range(k)) for j in range(k)]

    def weight(i: int, j: int) -> float:
        if weights == "none":
            return 0.0 if i == j else 1.0
        distance = abs(i - j) / (k - 1)
        return distance if weights == "linear" else distance**2

    observed = sum(weight(i, j) * matrix[i][j] for i in range(k) for j in range(k))
    expected = sum(weight(i, j) * rows[i] * columns[j] / n for i in range(k) for j in range(k))
    if expected == 0:
        return None
    return 1 - observed / expected


def _ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties sharing the average of the ranks they span."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        average = (start + end) / 2 + 1
        for position in range(start, end + 1):
            ranks[order[position]] = average
        start = end + 1
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Spearman's rank correlation (ties averaged), or None when either side never varies."""
    _same_length(x, y)
    if len(x) < 2:
        return None
    rank_x, rank_y = _ranks(x), _ranks(y)
    if len(set(rank_x)) < 2 or len(set(rank_y)) < 2:
        return None
    return statistics.correlation(rank_x, rank_y)


def precision_recall(
    human: Iterable[set[str]], machine: Iterable[set[str]]
) -> tuple[int, int, int, float | None, float | None]:
    """(true positives, false positives, false negatives, precision, recall) over paired sets."""
    tp = fp = fn = 0
    for expected, found in zip(human, machine, strict=True):
        tp += len(expected & found)
        fp += len(found - expected)
        fn += len(expected - found)
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return tp, fp, fn, precision, recall


class Interval(BaseModel):
    """A range a figure would likely fall in on another set of questions like these."""

    low: float
    high: float


@dataclass
class QuestionTally:
    """One question's share of the figures that intervals are drawn for."""

    bands: list[list[int]]  # human band by grader band
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0


def _percentile_interval(values: list[float]) -> Interval | None:
    if len(values) < 2:
        return None
    # Cut points every (1 - level) / 2: the first and last bound the central share `level`.
    cuts = statistics.quantiles(values, n=round(2 / (1 - INTERVAL_LEVEL)), method="inclusive")
    return Interval(low=cuts[0], high=cuts[-1])


def bootstrap_intervals(
    tallies: Sequence[QuestionTally],
) -> tuple[Interval | None, Interval | None, Interval | None]:
    """95% intervals for the rating QWK, red-flag precision and red-flag recall.

    Questions are drawn with replacement, as many as there are, `BOOTSTRAP_RESAMPLES` times; a
    resample in which a figure is undefined (no red flag found, say) is left out of that figure.
    With fewer than two questions there is nothing to resample.
    """
    if len(tallies) < 2:
        return None, None, None
    rng = random.Random(BOOTSTRAP_SEED)
    size = len(tallies[0].bands)
    # One flat row of counts a question (band matrix, then TP, FP, FN): a resample's totals are
    # then one column-wise sum.
    rows = [
        (
            *(count for row in t.bands for count in row),
            t.true_positives,
            t.false_positives,
            t.false_negatives,
        )
        for t in tallies
    ]
    kappas: list[float] = []
    precisions: list[float] = []
    recalls: list[float] = []
    for _ in range(BOOTSTRAP_RESAMPLES):
        totals = [sum(column) for column in zip(*rng.choices(rows, k=len(rows)), strict=True)]
        matrix = [totals[i * size : (i + 1) * size] for i in range(size)]
        kappa = kappa_from_matrix(matrix, "quadratic")
        if kappa is not None:
            kappas.append(kappa)
        tp, fp, fn = totals[size * size :]
        if tp + fp:
            precisions.append(tp / (tp + fp))
        if tp + fn:
            recalls.append(tp / (tp + fn))
    return (
        _percentile_interval(kappas),
        _percentile_interval(precisions),
        _percentile_interval(recalls),
    )


def _same_length(a: Sequence[object], b: Sequence[object]) -> None:
    if len(a) != len(b):
        raise ValueError(f"paired sequences differ in length ({len(a)} and {len(b)})")


# ---------------------------------------------------------------- the labelled set


class AnswerKind(StrEnum):
    """Kinds of answer the shipped labelled set uses; a user's own set may name any other."""

    STRONG = "strong"
    PARTIAL = "partial"
    WRONG = "wrong"
    OFF_TOPIC = "off-topic"
    MISCONCEPTION = "misconception"
    RAMBLING = "rambling"
    TERSE = "terse"
    STUFFING = "stuffing"
    CONTRADICTION = "contradiction"
    INJECTION = "injection"


Kind = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[^\x00-\x1f\x7f]+$"
    ),
]


class LabelledAnswer(BaseModel):
    """One answer with a careful human's labels: authored data, so strict."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    question_id: str
    answer: str
    points: dict[str, Verdict]
    red_flags: list[str] = Field(default_factory=list)
    rating: Rating
    split: Literal["dev", "test"] = "dev"
    # What the answer was written to test: one of `AnswerKind` or any name a user's own set uses
    # ("plain-words", "non-native"); figures are reported per kind either way.
    kind: Kind | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True)] = ""


def load_labels(path: Path) -> list[LabelledAnswer]:
    """Every labelled answer in a JSON Lines file; the first bad line raises, naming the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"{path}: cannot read labels: {exc}") from exc
    labels: list[LabelledAnswer] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            labels.append(LabelledAnswer.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            detail = f"field '{where}': {first['msg']}" if where else first["msg"]
            raise BadInputError(f"{path}: line {number}: {detail}") from exc
    if not labels:
        raise BadInputError(f"{path}: no labelled answers")
    return labels


def check_labels(labels: Sequence[LabelledAnswer], bank: Bank, source: Path | str) -> None:
    """Every label names a known question and labels exactly its rubric points and red flags."""
    for number, label in enumerate(labels, start=1):
        where = f"{source}: answer {number} ({label.question_id})"
        question = bank.questions.get(label.question_id)
        if question is None:
            raise BadInputError(f"{where}: no question with this id in the bank")
        rubric = {p.id for p in question.rubric}
        unknown = sorted(set(label.points) - rubric)
        if unknown:
            raise BadInputError(f"{where}: the question has no rubric point '{unknown[0]}'")
        unlabelled = [p.id for p in question.rubric if p.id not in label.points]
        if unlabelled:
            raise BadInputError(f"{where}: rubric point '{unlabelled[0]}' has no label")
        flags = {f.id for f in question.red_flags}
        stray = sorted(set(label.red_flags) - flags)
        if stray:
            raise BadInputError(f"{where}: the question has no red flag '{stray[0]}'")


# ---------------------------------------------------------------- grading the set


@dataclass(frozen=True)
class GradedAnswer:
    """A labelled answer with what the grader made of it (or why it could not grade it)."""

    label: LabelledAnswer
    question: Question
    grade: Grade | None
    error: str | None = None
    seconds: float = 0.0


def run_eval(
    labels: Sequence[LabelledAnswer],
    bank: Bank,
    grader: Grader,
    *,
    concurrency: int = 1,
    on_graded: Callable[[GradedAnswer], None] | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> list[GradedAnswer]:
    """Grade every labelled answer, `concurrency` at a time; results keep the labels' order.

    An answer the grader fails on (GradingError) is kept with the reason and left out of the
    statistics, so one network fault does not throw away a long run.
    """
    if concurrency < 1:
        raise BadInputError(f"--concurrency must be at least 1 (got {concurrency})")

    def grade_one(label: LabelledAnswer) -> GradedAnswer:
        question = bank.get(label.question_id)
        started = clock()
        try:
            grade = grade_answer(grader, question, label.answer)
        except GradingError as exc:
            return GradedAnswer(label, question, None, str(exc), clock() - started)
        return GradedAnswer(label, question, grade, None, clock() - started)

    results: list[GradedAnswer | None] = [None] * len(labels)
    runner = GradingRunner(grader, concurrency)
    futures: dict[Future[GradedAnswer], int] = {}
    for index, label in enumerate(labels):
        futures[runner.run(partial(grade_one, label))] = index
    try:
        for future in as_completed(futures):
            graded = future.result()
            results[futures[future]] = graded
            if on_graded:
                on_graded(graded)
    finally:
        for future in futures:  # on Ctrl-C, what has not started is dropped
            future.cancel()
    return [r for r in results if r is not None]


# ---------------------------------------------------------------- the report


class Agreement(BaseModel):
    """The headline figures for one slice of the labelled set."""

    answers: int
    questions: int
    graded: int
    failed: int
    point_labels: int
    point_accuracy: float | None
    point_kappa: float | None
    rating_qwk: float | None
    rating_exact: float | None
    rating_within_one: float | None
    score_spearman: float | None
    red_flag_true_positives: int
    red_flag_false_positives: int
    red_flag_false_negatives: int
    red_flag_precision: float | None
    red_flag_recall: float | None
    # 95% intervals from resampling the questions (see `bootstrap_intervals`): how far the
    # figures above could move on another set of questions of the same kind.
    rating_qwk_interval: Interval | None = None
    red_flag_precision_interval: Interval | None = None
    red_flag_recall_interval: Interval | None = None
    # Grades the grader marked low-confidence, and how many of the answers rated two or more
    # bands from the human's it marked so (None when the grader says nothing of confidence).
    low_confidence_share: float | None = None
    large_errors: int = 0
    large_errors_low_confidence: float | None = None


class KindFigures(BaseModel):
    """How the grader did on one kind of answer."""

    kind: str
    answers: int
    rating_exact: float | None
    rating_within_one: float | None
    mean_band_error: float | None  # grader band minus human band: > 0 means too generous
    bottom_two_bands: float | None  # share the grader rated weak or poor


class PointDifference(BaseModel):
    point_id: str
    human: Verdict
    grader: Verdict


class Disagreement(BaseModel):
    """One answer the grader rated far from the human."""

    question_id: str
    split: str
    kind: str | None
    answer: str
    human_rating: Rating
    grader_rating: Rating
    score: int
    points: list[PointDifference]
    red_flags_missed: list[str]
    red_flags_extra: list[str]


class UsageFigures(BaseModel):
    """What an LLM grader cost over the run."""

    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    cost_usd: float | None
    latency_mean_s: float | None
    latency_p95_s: float | None


class EvalReport(BaseModel):
    """Everything `mockaws eval` reports; `--json` prints it as is."""

    grader: str
    model: str | None
    labels: str
    splits: dict[str, Agreement]
    rating_confusion: list[list[int]]  # rows: human band, columns: grader band (BANDS order)
    point_confusion: list[list[int]]  # rows: human verdict, columns: grader verdict (VERDICTS)
    point_kappa_by_question: dict[str, float | None]
    kinds: list[KindFigures]
    worst: list[Disagreement]
    failures: list[str]
    usage: UsageFigures | None


def _band(rating: Rating) -> int:
    return BANDS.index(rating)


def _tallies(graded: Sequence[GradedAnswer]) -> list[QuestionTally]:
    """Each question's band matrix and red-flag counts, in the order questions first appear."""
    tallies: dict[str, QuestionTally] = {}
    for result in graded:
        if result.grade is None:
            continue
        tally = tallies.setdefault(
            result.label.question_id, QuestionTally([[0] * len(BANDS) for _ in BANDS])
        )
        tally.bands[_band(result.label.rating)][_band(result.grade.rating)] += 1
        expected = set(result.label.red_flags)
        found = {hit.flag_id for hit in result.grade.red_flags_hit}
        tally.true_positives += len(expected & found)
        tally.false_positives += len(found - expected)
        tally.false_negatives += len(expected - found)
    return list(tallies.values())


def agreement(results: Sequence[GradedAnswer]) -> Agreement:
    """Point, rating and red-flag agreement between the grader and the human labels."""
    graded = [r for r in results if r.grade is not None]
    human_points: list[Verdict] = []
    machine_points: list[Verdict] = []
    for result in graded:
        assert result.grade is not None
        verdicts = {v.point_id: v.verdict for v in result.grade.points}
        for point_id, verdict in result.label.points.items():
            human_points.append(verdict)
            machine_points.append(verdicts.get(point_id, Verdict.MISSED))
    human_bands = [r.label.rating for r in graded]
    machine_bands = [r.grade.rating for r in graded if r.grade is not None]
    distances = [abs(_band(a) - _band(b)) for a, b in zip(human_bands, machine_bands, strict=True)]
    scores = [float(r.grade.score) for r in graded if r.grade is not None]
    rated = [r.grade for r in graded if r.grade is not None and r.grade.confidence is not None]
    large = [
        r.grade
        for r, distance in zip(graded, distances, strict=True)
        if distance >= LARGE_BAND_ERROR and r.grade is not None
    ]
    tp, fp, fn, precision, recall = precision_recall(
        [set(r.label.red_flags) for r in graded],
        [{h.flag_id for h in r.grade.red_flags_hit} for r in graded if r.grade is not None],
    )
    qwk_interval, precision_interval, recall_interval = bootstrap_intervals(_tallies(graded))
    return Agreement(
        answers=len(results),
        questions=len({r.label.question_id for r in results}),
        graded=len(graded),
        failed=len(results) - len(graded),
        point_labels=len(human_points),
        point_accuracy=accuracy(human_points, machine_points),
        point_kappa=cohen_kappa(human_points, machine_points, VERDICTS),
        rating_qwk=cohen_kappa(human_bands, machine_bands, BANDS, weights="quadratic"),
        rating_exact=distances.count(0) / len(distances) if distances else None,
        rating_within_one=sum(1 for d in distances if d <= 1) / len(distances)
        if distances
        else None,
        score_spearman=spearman([float(_band(b)) for b in human_bands], scores),
        red_flag_true_positives=tp,
        red_flag_false_positives=fp,
        red_flag_false_negatives=fn,
        red_flag_precision=precision,
        red_flag_recall=recall,
        rating_qwk_interval=qwk_interval,
        red_flag_precision_interval=precision_interval,
        red_flag_recall_interval=recall_interval,
        low_confidence_share=sum(1 for g in rated if g.low_confidence) / len(rated)
        if rated
        else None,
        large_errors=len(large),
        large_errors_low_confidence=sum(1 for g in large if g.low_confidence) / len(large)
        if large and rated
        else None,
    )


def _kind_figures(results: Sequence[GradedAnswer]) -> list[KindFigures]:
    by_kind: dict[str, list[GradedAnswer]] = {}
    for result in results:
        if result.grade is not None:
            by_kind.setdefault(result.label.kind or "unspecified", []).append(result)
    figures: list[KindFigures] = []
    for kind, members in sorted(by_kind.items()):
        errors = [
            _band(r.grade.rating) - _band(r.label.rating) for r in members if r.grade is not None
        ]
        bottom = [r for r in members if r.grade is not None and _band(r.grade.rating) <= 1]
        figures.append(
            KindFigures(
                kind=kind,
                answers=len(members),
                rating_exact=errors.count(0) / len(errors),
                rating_within_one=sum(1 for e in errors if abs(e) <= 1) / len(errors),
                mean_band_error=statistics.fmean(errors),
                bottom_two_bands=len(bottom) / len(members),
            )
        )
    return figures


def _disagreement(result: GradedAnswer) -> Disagreement:
    grade = result.grade
    assert grade is not None
    verdicts = {v.point_id: v.verdict for v in grade.points}
    found = {h.flag_id for h in grade.red_flags_hit}
    return Disagreement(
        question_id=result.label.question_id,
        split=result.label.split,
        kind=result.label.kind,
        answer=result.label.answer,
        human_rating=result.label.rating,
        grader_rating=grade.rating,
        score=grade.score,
        points=[
            PointDifference(point_id=point_id, human=human, grader=verdicts[point_id])
            for point_id, human in result.label.points.items()
            if verdicts.get(point_id, human) != human
        ],
        red_flags_missed=sorted(set(result.label.red_flags) - found),
        red_flags_extra=sorted(found - set(result.label.red_flags)),
    )


def _worst(results: Sequence[GradedAnswer], count: int) -> list[Disagreement]:
    """The answers rated furthest from the human band, then with the most point disagreements."""
    candidates: list[tuple[int, int, int, Disagreement]] = []
    for position, result in enumerate(results):
        if result.grade is None:
            continue
        distance = abs(_band(result.grade.rating) - _band(result.label.rating))
        if distance == 0:
            continue
        difference = _disagreement(result)
        candidates.append((-distance, -len(difference.points), position, difference))
    candidates.sort(key=lambda item: item[:3])
    return [item[3] for item in candidates[:count]]


def _usage(results: Sequence[GradedAnswer]) -> UsageFigures | None:
    grades = [r.grade for r in results if r.grade is not None and r.grade.usage is not None]
    if not grades:
        return None
    usages = [g.usage for g in grades if g.usage is not None]
    costs = [u.cost_usd for u in usages if u.cost_usd is not None]
    latencies = sorted(g.latency_s for g in grades)
    p95 = latencies[min(len(latencies) - 1, math.ceil(0.95 * len(latencies)) - 1)]
    return UsageFigures(
        prompt_tokens=sum(u.prompt_tokens for u in usages),
        cached_tokens=sum(u.cached_tokens for u in usages),
        completion_tokens=sum(u.completion_tokens for u in usages),
        cost_usd=sum(costs) if costs else None,
        latency_mean_s=statistics.fmean(latencies),
        latency_p95_s=p95,
    )


def build_report(
    results: Sequence[GradedAnswer], *, grader: str, labels: str, worst: int = 5
) -> EvalReport:
    """The full agreement report for graded answers, with a slice per split present."""
    splits = {
        split: agreement([r for r in results if r.label.split == split])
        for split in SPLITS
        if any(r.label.split == split for r in results)
    }
    if len(splits) != 1:
        splits["all"] = agreement(results)
    graded = [r for r in results if r.grade is not None]
    point_pairs: dict[str, tuple[list[Verdict], list[Verdict]]] = {}
    human_points: list[Verdict] = []
    machine_points: list[Verdict] = []
    for result in graded:
        assert result.grade is not None
        verdicts = {v.point_id: v.verdict for v in result.grade.points}
        pairs = point_pairs.setdefault(result.label.question_id, ([], []))
        for point_id, verdict in result.label.points.items():
            machine = verdicts.get(point_id, Verdict.MISSED)
            human_points.append(verdict)
            machine_points.append(machine)
            pairs[0].append(verdict)
            pairs[1].append(machine)
    models = Counter(r.grade.model for r in graded if r.grade is not None and r.grade.model)
    return EvalReport(
        grader=grader,
        model=models.most_common(1)[0][0] if models else None,
        labels=labels,
        splits=splits,
        rating_confusion=confusion_matrix(
            [r.label.rating for r in graded],
            [r.grade.rating for r in graded if r.grade is not None],
            BANDS,
        ),
        point_confusion=confusion_matrix(human_points, machine_points, VERDICTS),
        point_kappa_by_question={
            question_id: cohen_kappa(human, machine, VERDICTS)
            for question_id, (human, machine) in sorted(point_pairs.items())
        },
        kinds=_kind_figures(results),
        worst=_worst(results, worst),
        failures=[f"{r.label.question_id}: {r.error}" for r in results if r.error],
        usage=_usage(results),
    )


def baseline_shortfalls(
    measured: Agreement, baseline: Mapping[str, float], *, tolerance: float = 1e-9
) -> list[str]:
    """Each baseline figure the measured agreement falls below, as a readable line."""
    shortfalls: list[str] = []
    figures = measured.model_dump()
    for name, floor in sorted(baseline.items()):
        value = figures.get(name)
        if not isinstance(value, int | float):
            shortfalls.append(f"{name}: not measured (baseline {floor:.4f})")
        elif value < floor - tolerance:
            shortfalls.append(f"{name}: {value:.4f} is below the baseline {floor:.4f}")
    return shortfalls


def load_baseline(path: Path) -> dict[str, dict[str, float]]:
    """The recorded figures, per split, that a grader must not fall below."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadInputError(f"{path}: cannot read the baseline: {exc}") from exc
    known = set(Agreement.model_fields)
    baseline: dict[str, dict[str, float]] = {}
    for split, figures in document.items() if isinstance(document, dict) else []:
        if split.startswith("_"):  # "_comment" and the like
            continue
        if not isinstance(figures, dict):
            raise BadInputError(f"{path}: split '{split}': expected an object of figures")
        for name, value in figures.items():
            if name not in known or not isinstance(value, int | float):
                raise BadInputError(f"{path}: split '{split}': '{name}' is not a known figure")
        baseline[split] = {name: float(value) for name, value in figures.items()}
    if not baseline:
        raise BadInputError(f"{path}: expected an object of splits, each an object of figures")
    return baseline
