"""benchmarks/short_answers.py: derived-rubric grades against human scores from a CSV file."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "short_answers.py"

STACK = ("What are the two main operations of a stack?", "push and pop")
LINKED = (
    "What is a linked list?",
    "A sequence of nodes where each node holds a value and a pointer to the next node. "
    "Inserting or deleting needs only pointer changes, but reaching an element means "
    "walking the list from the head.",
)
ROWS = [
    (*STACK, "Push adds on top, pop removes the top item.", 5),
    (*STACK, "push", 3),
    (*STACK, "You sort it.", 0),
    (
        *LINKED,
        "Nodes each hold a value and a pointer to the next node; insert and delete "
        "just change pointers, but you walk from the head to reach an element.",
        5,
    ),
    (*LINKED, "Nodes that point to the next node.", 3),
    (*LINKED, "An array with a fixed size.", 0.5),
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False
    )


def test_grades_a_csv_and_prints_correlations_with_the_human_scores(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Question", "Reference Answer", "Student_Answer", "score_avg"])
        writer.writerows(ROWS)
    result = run(str(path))
    assert result.returncode == 0, result.stderr
    lines = {line.split("  ")[0]: line for line in result.stdout.splitlines()}
    assert "6 over 2 questions" in lines["answers graded"]
    assert "0 questions" in lines["underivable"]
    figures = lines["derived rubric"].split()
    pearson, rho = float(figures[figures.index("r") + 1]), float(figures[-1])
    # better answers get better grades: the ranking agrees with the human's
    assert pearson > 0.8 and rho > 0.8


def test_a_bad_csv_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_text("question,reference,answer,score\nq,r,a,five\n")
    result = run(str(path))
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: {path}: line 2: score 'five' is not a number"
    path.write_text("question,answer,score\nq,a,1\n")
    result = run(str(path))
    assert result.returncode == 2 and "line 1: no 'reference' column" in result.stderr
    assert "Traceback" not in run(str(tmp_path / "missing.csv")).stderr
