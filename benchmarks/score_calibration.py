"""How well the scoring map (partial credit and rating bands) matches independent interviewers.

A grade's rating comes from one function (`grading/scoring.py`): the weighted credit of the
point labels, less penalties, cut into bands. Whether those cuts are right is a question about
people, not graders: given an interviewer's own point labels, does the score land in the band
that interviewer gave? This prints, for the dev split of each labelled set, the quadratic kappa
of that band against the interviewer's band (their own labels scored, and the offline grader's
labels scored), for the shipped constants and for the best of a grid of alternatives.

Only dev splits are read: the test split of evals/independent.jsonl stays untouched by tuning.

    python benchmarks/score_calibration.py
"""

from __future__ import annotations

import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

from mockaws.bank import load_bank
from mockaws.evaluation import cohen_kappa, load_labels
from mockaws.grading import grade_answer
from mockaws.grading.injection import find_injections
from mockaws.grading.offline import OfflineGrader
from mockaws.grading.scoring import (
    ADDRESSES_GRADER_PENALTY,
    CONTRADICTION_PENALTY,
    CREDIT,
    RATING_BANDS,
    RED_FLAG_PENALTY,
)
from mockaws.models import Rating, Verdict

ROOT = Path(__file__).resolve().parent.parent
SETS = (ROOT / "evals" / "independent.jsonl", ROOT / "evals" / "labels.jsonl")
ORDER = [Rating.POOR, Rating.WEAK, Rating.SOLID, Rating.STRONG]


@dataclass(frozen=True)
class Features:
    covered: float  # share of the rubric's weight covered
    partial: float
    contradictions: int
    red_flags: int
    addresses_grader: bool


@dataclass(frozen=True)
class Map:
    partial_credit: float
    strong: int
    solid: int
    weak: int

    def __str__(self) -> str:
        return f"partial {self.partial_credit:g}, bands {self.strong}/{self.solid}/{self.weak}"

    def band(self, f: Features) -> int:
        raw = 100 * (f.covered + self.partial_credit * f.partial)
        raw -= RED_FLAG_PENALTY * f.red_flags + CONTRADICTION_PENALTY * f.contradictions
        raw -= ADDRESSES_GRADER_PENALTY if f.addresses_grader else 0
        value = max(0, min(100, round(raw)))
        return (
            3
            if value >= self.strong
            else 2
            if value >= self.solid
            else 1
            if value >= self.weak
            else 0
        )


def features(
    weights: dict[str, int], verdicts: dict[str, Verdict], flags: int, inj: bool
) -> Features:
    total = sum(weights.values())
    covered = sum(weights[p] for p, v in verdicts.items() if v is Verdict.COVERED)
    partial = sum(weights[p] for p, v in verdicts.items() if v is Verdict.PARTIAL)
    contradictions = sum(1 for v in verdicts.values() if v is Verdict.CONTRADICTED)
    return Features(covered / total, partial / total, contradictions, flags, inj)


def main() -> int:
    bank = load_bank()
    grader = OfflineGrader()
    rows: dict[str, list[tuple[int, Features, Features]]] = {}
    for path in SETS:
        for label in load_labels(path):
            if label.split != "dev":
                continue
            question = bank.get(label.question_id)
            weights = {p.id: p.weight for p in question.rubric}
            inj = bool(find_injections(label.answer))
            grade = grade_answer(grader, question, label.answer)
            offline = {v.point_id: v.verdict for v in grade.points}
            rows.setdefault(path.name, []).append(
                (
                    ORDER.index(label.rating),
                    features(weights, dict(label.points), len(label.red_flags), inj),
                    features(weights, offline, len(grade.red_flags_hit), inj),
                )
            )

    def kappas(m: Map) -> list[float]:
        out = []
        for data in rows.values():
            human = [r for r, _, _ in data]
            for pick in (1, 2):
                bands = [m.band(row[pick]) for row in data]  # type: ignore[arg-type]
                out.append(cohen_kappa(human, bands, [0, 1, 2, 3], weights="quadratic") or 0.0)
        return out

    floors = dict(RATING_BANDS)
    shipped = Map(
        CREDIT[Verdict.PARTIAL], floors[Rating.STRONG], floors[Rating.SOLID], floors[Rating.WEAK]
    )
    print("Quadratic kappa of the band against the interviewer's (dev splits only), when the")
    print("score is made from the interviewer's own point labels / from the offline grader's:")
    heads = [f"{name.split('.')[0]} {who}" for name in rows for who in ("own", "offline")]
    print(f"{'':<42}" + "".join(f"{h:>19}" for h in heads))

    def show(name: str, m: Map) -> None:
        print(f"{name:<42}" + "".join(f"{k:>19.3f}" for k in kappas(m)))

    show(f"shipped: {shipped}", shipped)
    show("before: partial 0.5, bands 80/60/35", Map(0.5, 80, 60, 35))
    grid = [
        Map(credit, strong, solid, weak)
        for credit, strong, solid, weak in itertools.product(
            (0.0, 0.25, 0.5), range(75, 96, 5), range(45, 71, 5), range(15, 41, 5)
        )
        if strong > solid > weak
    ]
    # The honest set counts twice: its answers were written by people who never saw the cues.
    scored = {m: kappas(m) for m in grid}
    ranked = sorted(grid, key=lambda m: -(2 * sum(scored[m][:2]) + sum(scored[m][2:])))
    for m in ranked[:5]:
        show(f"grid: {m}", m)
    return 0


if __name__ == "__main__":
    sys.exit(main())
