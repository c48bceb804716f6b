"""Regrade throughput: 50 ungraded answers, a grader that takes 1 s each, 8 at a time.

Goal: under 10 s (the grading itself needs at least ceil(50 / 8) = 7 s at this concurrency).
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from mockaws.bank import load_bank
from mockaws.grading.offline import OfflineGrader
from mockaws.grading.scoring import Labels
from mockaws.models import Question, SessionStatus, Transcript, Turn
from mockaws.regrade import Regrader
from mockaws.transcripts import TranscriptStore

MINI_BANK = Path(__file__).resolve().parents[1] / "tests" / "data" / "mini_bank.toml"


class SlowGrader:
    """The offline grader behind a fixed delay, like a model server that takes a while."""

    name = "slow"
    thread_safe = True

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.offline = OfflineGrader()
        self._lock = threading.Lock()  # the offline grader itself is not thread-safe

    def label(self, question: Question, answer: str) -> Labels:
        time.sleep(self.seconds)
        with self._lock:
            return self.offline.label(question, answer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=1.0, help="grading time per answer")
    args = parser.parse_args()
    questions = load_bank([MINI_BANK]).questions
    chosen = sorted(questions.values(), key=lambda q: q.id)
    turns = [
        Turn.asking(
            q,
            answer=f"{q.reference_answer} (answer {n})",
            grade_error="cannot reach the model server",
        )
        for n, q in ((n, chosen[n % len(chosen)]) for n in range(args.answers))
    ]
    with tempfile.TemporaryDirectory() as folder:
        store = TranscriptStore(Path(folder))
        path = store.save(
            Transcript(id="20260101-000000-bench", status=SessionStatus.COMPLETED, turns=turns)
        )
        regrader = Regrader(
            store, questions, SlowGrader(args.seconds), concurrency=args.concurrency
        )
        start = time.perf_counter()
        report = regrader.run(path)
        elapsed = time.perf_counter() - start
    floor = -(-args.answers // args.concurrency) * args.seconds
    print(f"answers regraded:   {len(report.graded)} of {args.answers}")
    print(f"concurrency:        {args.concurrency}")
    print(f"grading time each:  {args.seconds:.1f} s (floor for the run: {floor:.1f} s)")
    print(f"elapsed:            {elapsed:.2f} s (goal < 10 s)")


if __name__ == "__main__":
    main()
