"""Derived-rubric grading against human scores on an external short-answer data set.

Give it a CSV file with a header row naming four columns (case and spaces do not matter):
question, reference answer (or "reference", "desired answer"), answer (or "student answer") and
score (any numeric scale). Each distinct question gets a rubric derived from its reference answer,
exactly as a user's own question without a rubric does; every answer is graded offline, and the
grades are correlated with the human scores (Pearson r and Spearman rho). Plain token recall of
the reference answer is printed beside them as the floor to beat. No data set ships with mockaws.

    python benchmarks/short_answers.py answers.csv
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mockaws.errors import BadInputError, ExitCode
from mockaws.evaluation import spearman
from mockaws.grading import grade_answer
from mockaws.grading.derive import with_derived_rubric
from mockaws.grading.offline import OfflineGrader
from mockaws.grading.textmatch import FUNCTION_WORDS, tokenize
from mockaws.models import Level, Question

# Header names each column may go by, after lower-casing and turning "_" and "-" into spaces.
COLUMNS: dict[str, tuple[str, ...]] = {
    "question": ("question",),
    "reference": ("reference answer", "reference", "desired answer", "model answer"),
    "answer": ("answer", "student answer", "response"),
    "score": ("score", "human score", "score avg", "grade"),
}


@dataclass(frozen=True)
class Row:
    question: str
    reference: str
    answer: str
    score: float


@dataclass(frozen=True)
class Figures:
    answers: int
    questions: int
    underivable: int  # questions whose reference gave no rubric point (not graded)
    pearson: float | None
    spearman: float | None
    recall_pearson: float | None
    recall_spearman: float | None
    ms_per_answer: float


def _normal(name: str) -> str:
    return " ".join(name.lower().replace("_", " ").replace("-", " ").split())


def read_rows(path: Path) -> list[Row]:
    """The rows of the CSV file; the first bad row raises, naming its line."""
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise BadInputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    with handle:
        reader = csv.reader(handle)
        try:
            header = [_normal(name) for name in next(reader, [])]
            where: dict[str, int] = {}
            for column, names in COLUMNS.items():
                found = next((header.index(n) for n in names if n in header), None)
                if found is None:
                    raise BadInputError(
                        f"{path}: line 1: no '{column}' column (expected one of: "
                        f"{', '.join(names)})"
                    )
                where[column] = found
            rows: list[Row] = []
            for cells in reader:
                line = reader.line_num
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) <= max(where.values()):
                    raise BadInputError(f"{path}: line {line}: expected {len(header)} columns")
                try:
                    score = float(cells[where["score"]])
                except ValueError:
                    raise BadInputError(
                        f"{path}: line {line}: score {cells[where['score']]!r} is not a number"
                    ) from None
                question, reference = cells[where["question"]], cells[where["reference"]]
                if not question.strip() or not reference.strip():
                    raise BadInputError(f"{path}: line {line}: empty question or reference")
                rows.append(Row(question, reference, cells[where["answer"]], score))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise BadInputError(f"{path}: line {reader.line_num}: {exc}") from exc
    if not rows:
        raise BadInputError(f"{path}: no answers")
    return rows


def _correlations(machine: Sequence[float], human: Sequence[float]) -> tuple[float | None, ...]:
    if len(set(machine)) < 2 or len(set(human)) < 2:
        return None, None
    return statistics.correlation(machine, human), spearman(machine, human)


def token_recall(reference: str, answer: str) -> float:
    """The share of the reference's content words that the answer uses."""
    wanted = {t.form for t in tokenize(reference)} - FUNCTION_WORDS
    said = {t.form for t in tokenize(answer)}
    return len(wanted & said) / len(wanted) if wanted else 0.0


def measure(rows: Sequence[Row]) -> Figures:
    """Grade every row with a derived rubric and correlate the scores with the human's."""
    questions: dict[tuple[str, str], Question] = {}
    for row in rows:
        key = (row.question, row.reference)
        if key not in questions:
            bare = Question(
                id=f"external-{len(questions) + 1}",
                topic="external",
                level=Level.MID,
                question=row.question,
                reference_answer=row.reference,
            )
            questions[key] = with_derived_rubric(bare)
    grader = OfflineGrader()
    machine: list[float] = []
    human: list[float] = []
    recall: list[float] = []
    started = time.perf_counter()
    for row in rows:
        question = questions[(row.question, row.reference)]
        if not question.rubric:
            continue
        machine.append(float(grade_answer(grader, question, row.answer).score))
        human.append(row.score)
        recall.append(token_recall(row.reference, row.answer))
    elapsed = time.perf_counter() - started
    pearson, rho = _correlations(machine, human)
    recall_pearson, recall_rho = _correlations(recall, human)
    return Figures(
        answers=len(machine),
        questions=len(questions),
        underivable=sum(1 for q in questions.values() if not q.rubric),
        pearson=pearson,
        spearman=rho,
        recall_pearson=recall_pearson,
        recall_spearman=recall_rho,
        ms_per_answer=1000 * elapsed / len(machine) if machine else 0.0,
    )


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        epilog="example: python benchmarks/short_answers.py answers.csv",
    )
    parser.add_argument("csv", type=Path, help="CSV: question, reference answer, answer, score")
    args = parser.parse_args(argv)
    try:
        figures = measure(read_rows(args.csv))
    except BadInputError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return int(exc.exit_code)
    print(f"answers graded     {figures.answers} over {figures.questions} questions")
    print(f"underivable        {figures.underivable} questions")
    print(f"derived rubric     r {_figure(figures.pearson)}  rho {_figure(figures.spearman)}")
    print(
        f"token recall       r {_figure(figures.recall_pearson)}  "
        f"rho {_figure(figures.recall_spearman)}"
    )
    print(f"time per answer    {figures.ms_per_answer:.2f} ms")
    return int(ExitCode.OK)


if __name__ == "__main__":
    sys.exit(main())
