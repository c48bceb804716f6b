"""Rubric rules over the shipped bank: weight goes to reasoning, and point ids stay stable.

- A point that rests on a date or a number (a spec, a limit, a release date) weighs at most 1,
  unless the question asks for it: such points are listed with the reason in
  `tests/data/rubric_rules/<topic>.toml` under `[spec_points]` as `"question-id.point-id" = "why"`.
- Transcripts and labelled sets name rubric points by id. Every id in the snapshot
  `point_ids_v1.json` is still in its question, or is listed under `[retired_points]` with the
  reason (the idea was split, merged or dropped).
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from mockaws.bank import load_bank
from mockaws.models import Question

RULES_DIR = Path(__file__).parent / "data" / "rubric_rules"
BANK = load_bank()
QUESTIONS = sorted(BANK.questions.values(), key=lambda q: q.id)
MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
# A number that is a figure (not a name such as S3, EC2, IPv6, Route 53, gp3, layer 7).
# A month counts only as part of a date ("December 2020", "30 September"): "may" is a verb too.
SPEC = re.compile(rf"(?<![\w-])\d[\d,.]*(?!\w)|\b({MONTHS})\s+\d|\d\s+({MONTHS})\b", re.IGNORECASE)
NAMED_NUMBER = re.compile(r"\b(layer|route|level|tier|v|version)\s+\d+\b", re.IGNORECASE)


def _rules(table: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(RULES_DIR.glob("*.toml")):
        found.update(tomllib.loads(path.read_text(encoding="utf-8")).get(table, {}))
    return found


SPEC_ALLOWED = _rules("spec_points")
RETIRED = _rules("retired_points")


def is_spec(point: str) -> bool:
    """Whether a rubric point's statement rests on a figure or a date."""
    return bool(SPEC.search(NAMED_NUMBER.sub("", point)))


def test_the_spec_detector_tells_figures_from_names() -> None:
    assert is_spec("Up to four modifications per volume in 24 hours.")
    assert is_spec("Strongly consistent since December 2020.")
    assert is_spec("Scales up to 256 ACUs.")
    assert not is_spec("ALB works at layer 7 and routes on content.")
    assert not is_spec("Route 53 health checks fail over to a healthy region.")
    assert not is_spec("S3 and EC2 are regional; IPv6 needs no NAT.")
    assert not is_spec("A plan may not cover every service.")


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_specs_weigh_at_most_one_unless_asked(question: Question) -> None:
    heavy = [
        f"{question.id}.{p.id}"
        for p in question.rubric
        if p.weight > 1 and is_spec(p.point) and f"{question.id}.{p.id}" not in SPEC_ALLOWED
    ]
    assert heavy == [], f"spec points above weight 1 (or list them with a reason): {heavy}"


def test_allow_lists_name_real_points_with_reasons() -> None:
    for key, reason in {**SPEC_ALLOWED}.items():
        question_id, _, point_id = key.partition(".")
        assert question_id in BANK.questions, key
        assert point_id in {p.id for p in BANK.questions[question_id].rubric}, key
        assert reason.strip(), key
    for key, reason in RETIRED.items():
        assert reason.strip(), key


def test_point_ids_stay_stable() -> None:
    snapshot: dict[str, list[str]] = json.loads(
        (RULES_DIR / "point_ids_v1.json").read_text(encoding="utf-8")
    )
    lost = [
        f"{question_id}.{point_id}"
        for question_id, point_ids in snapshot.items()
        for point_id in point_ids
        if question_id in BANK.questions
        and point_id not in {p.id for p in BANK.questions[question_id].rubric}
        and f"{question_id}.{point_id}" not in RETIRED
    ]
    assert lost == [], f"rubric point ids gone without a [retired_points] entry: {lost}"
    gone = sorted(set(snapshot) - set(BANK.questions))
    assert gone == [], f"questions removed from the bank: {gone}"
