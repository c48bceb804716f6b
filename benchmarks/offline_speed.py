"""Offline grading time per answer, over the answers of a labelled set.

Goal: about 1 ms for a short answer (60 words or fewer). Each answer is made new (a numbered
sentence is appended) so no cache of a previous run helps.

    python benchmarks/offline_speed.py [LABELS]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from mockaws.bank import load_bank
from mockaws.evaluation import load_labels
from mockaws.grading import grade_answer
from mockaws.grading.offline import OfflineGrader

LABELS = Path(__file__).resolve().parents[1] / "evals" / "labels.jsonl"
SHORT_WORDS = 60


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("labels", nargs="?", type=Path, default=LABELS)
    args = parser.parse_args()
    bank = load_bank([])
    labels = load_labels(args.labels)
    grader = OfflineGrader()
    for label in labels:  # warm up: imports, the stemmer, the bank's cue forms
        grade_answer(grader, bank.get(label.question_id), label.answer)
    short: list[float] = []
    every: list[float] = []
    for number, label in enumerate(labels):
        question = bank.get(label.question_id)
        answer = f"{label.answer} Note {number}."
        started = time.perf_counter()
        grade_answer(grader, question, answer)
        elapsed = (time.perf_counter() - started) * 1000
        every.append(elapsed)
        if len(label.answer.split()) <= SHORT_WORDS:
            short.append(elapsed)
    if short:
        print(f"short answers (<= {SHORT_WORDS} words): median {statistics.median(short):.2f} ms")
    print(f"all {len(every)} answers: median {statistics.median(every):.2f} ms, "
          f"mean {statistics.fmean(every):.2f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
