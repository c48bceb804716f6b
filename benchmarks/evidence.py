"""Evidence checks: the injection detector's figures, and what checking quotes costs.

Prints the detector's false positives over every correct text we keep (the bank's reference
answers, the labelled answers that are not attacks, the true statements and the corpus of
technical sentences) and its recall on the attack corpus; then the time to grade a short answer
offline (labels and `finalise`), and to check quotes in a 5 MB answer.

    python benchmarks/evidence.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from mockaws.bank import load_bank
from mockaws.grading import grade_answer
from mockaws.grading.injection import find_injections
from mockaws.grading.offline import OfflineGrader
from mockaws.grading.scoring import Labels, finalise
from mockaws.models import PointVerdict, Verdict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the corpora are read by the tests' own loader
from tests.injection_corpus import attacks, correct_texts  # noqa: E402

MINI_BANK = ROOT / "tests" / "data" / "mini_bank.toml"
SHORT = (
    "Security groups are stateful, so return traffic is allowed automatically. NACLs are "
    "stateless and sit at the subnet level, so you open ephemeral ports in both directions."
)


def detector() -> None:
    correct = correct_texts()
    flagged = sum(1 for _, text in correct if find_injections(text))
    corpus = attacks()
    found = sum(1 for attack in corpus if find_injections(attack["text"]))
    print(f"false positives: {flagged} of {len(correct)} correct texts")
    print(f"recall: {found}/{len(corpus)} attacks ({found / len(corpus):.0%})")


def timings() -> None:
    question = load_bank([MINI_BANK], include_shipped=False).get("mini-sg-vs-nacl")
    grader = OfflineGrader()
    grade_answer(grader, question, SHORT)  # warm the caches
    runs = []
    for _ in range(200):
        started = time.perf_counter()
        grade_answer(grader, question, SHORT)
        runs.append(time.perf_counter() - started)
    print(
        f"offline grade of a {len(SHORT)}-character answer: {statistics.median(runs) * 1000:.2f} ms"
    )
    huge = ("Security groups are stateful, so return traffic is allowed. " * 90_000)[:5_000_000]
    labels = Labels(
        points=[
            PointVerdict(
                point_id="sg-stateful",
                verdict=Verdict.COVERED,
                evidence="Security groups are stateful, so return traffic is allowed",
            ),
            PointVerdict(
                point_id="nacl-stateless",
                verdict=Verdict.COVERED,
                evidence="NACLs are stateless, so return traffic needs a rule of its own",
            ),
        ]
    )
    started = time.perf_counter()
    finalise(question, huge, labels, grader="benchmark")
    print(f"finalise on a 5 MB answer: {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    detector()
    timings()
