"""The one place where labels become a score: evidence checks, weights, penalties, rating bands.

Every grader (offline, LLM, or a test's fake) only labels rubric points and red flags; `finalise`
checks each quote against the answer and computes score and rating, so no grader can grade itself
generously and every grade is computed the same way.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from mockaws.grading.injection import injection_flags, without_injections
from mockaws.models import (
    Confidence,
    Feedback,
    Grade,
    GradeConfidence,
    PointVerdict,
    Question,
    Rating,
    RedFlagHit,
    Usage,
    Verdict,
)

CREDIT: dict[Verdict, float] = {
    Verdict.COVERED: 1.0,
    Verdict.PARTIAL: 0.5,
    Verdict.MISSED: 0.0,
    Verdict.CONTRADICTED: 0.0,
}
# Points off the 0-100 score: saying something wrong costs more than leaving it out.
RED_FLAG_PENALTY = 10
CONTRADICTION_PENALTY = 10

# Lowest score of each band, best first.
RATING_BANDS: tuple[tuple[Rating, int], ...] = (
    (Rating.STRONG, 80),
    (Rating.SOLID, 60),
    (Rating.WEAK, 35),
    (Rating.POOR, 0),
)

DERIVED_RUBRIC_NOTICE = (
    "the question has no rubric of its own: its points were derived from the reference answer"
)

_SPACE = re.compile(r"\s+")
_QUOTE_CHARS = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "..."}
)


def _squash(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_QUOTE_CHARS)).strip().lower()


def quote_in_answer(quote: str, answer: str) -> bool:
    """True when `quote` is really in `answer`, ignoring case, white space and curly quotes."""
    needle = _squash(quote).strip(" \"'.,;:")
    return bool(needle) and needle in _squash(answer)


def rating_for(score: int) -> Rating:
    """The rating band a 0-100 score falls in."""
    for rating, floor in RATING_BANDS:
        if score >= floor:
            return rating
    return Rating.POOR


@dataclass
class Labels:
    """What a grader says about one answer, before scoring."""

    points: list[PointVerdict]
    red_flags_hit: list[RedFlagHit] = field(default_factory=list)
    feedback: Feedback = field(default_factory=Feedback)
    follow_up: str | None = None
    integrity_flags: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)


def verify_points(
    question: Question, answer: str, labels: Sequence[PointVerdict]
) -> list[PointVerdict]:
    """One verdict per rubric point, in rubric order; credit stands only on a quote in the answer.

    A point the grader did not label counts as missed. A covered or partial label whose quote is
    not in the answer is downgraded to missed, keeping the grader's claim and saying why.
    A contradiction needs its quote too, or it is not held against the answer.
    """
    by_id = {label.point_id: label for label in labels}
    verified: list[PointVerdict] = []
    for point in question.rubric:
        label = by_id.get(point.id)
        if label is None:
            verified.append(PointVerdict(point_id=point.id, verdict=Verdict.MISSED, verified=True))
            continue
        if label.verdict is Verdict.MISSED:
            verified.append(label.model_copy(update={"verified": True}))
            continue
        if quote_in_answer(label.evidence, answer):
            verified.append(label.model_copy(update={"verified": True}))
            continue
        note = "quote not found in the answer; not credited"
        if label.note:
            note = f"{label.note} ({note})"
        verified.append(
            label.model_copy(
                update={
                    "verdict": Verdict.MISSED,
                    "claimed": label.verdict,
                    "verified": False,
                    "note": note,
                }
            )
        )
    return verified


def verify_red_flags(
    question: Question, answer: str, hits: Sequence[RedFlagHit]
) -> list[RedFlagHit]:
    """Red flags that belong to the question and whose evidence is in the answer."""
    known = {flag.id for flag in question.red_flags}
    kept: dict[str, RedFlagHit] = {}
    for hit in hits:
        if (
            hit.flag_id in known
            and hit.flag_id not in kept
            and quote_in_answer(hit.evidence, answer)
        ):
            kept[hit.flag_id] = hit.model_copy(update={"verified": True})
    return list(kept.values())


def score(
    question: Question, points: Sequence[PointVerdict], red_flags_hit: Sequence[RedFlagHit]
) -> int:
    """0-100 from the weighted credit of each point, less red-flag and contradiction penalties."""
    weights = {p.id: p.weight for p in question.rubric}
    total = sum(weights.values())
    earned = sum(weights.get(v.point_id, 0) * CREDIT[v.verdict] for v in points)
    contradictions = sum(1 for v in points if v.verdict is Verdict.CONTRADICTED)
    raw = 100 * earned / total if total else 0.0
    raw -= RED_FLAG_PENALTY * len(red_flags_hit) + CONTRADICTION_PENALTY * contradictions
    return max(0, min(100, round(raw)))


def finalise(
    question: Question,
    answer: str,
    labels: Labels,
    *,
    grader: str,
    model: str | None = None,
    base_url_host: str | None = None,
    prompt_version: str | None = None,
    usage: Usage | None = None,
    latency_s: float = 0.0,
) -> Grade:
    """Turn a grader's labels into a Grade: verify evidence, then score and rate.

    Text that addresses the grader ("give full marks") is flagged, and no credit can rest on it.
    """
    creditable = without_injections(answer)
    points = verify_points(question, creditable, labels.points)
    flags = verify_red_flags(question, answer, labels.red_flags_hit)
    integrity = list(dict.fromkeys([*labels.integrity_flags, *injection_flags(answer)]))
    notices = list(labels.notices)
    if question.rubric_derived and DERIVED_RUBRIC_NOTICE not in notices:
        notices.append(DERIVED_RUBRIC_NOTICE)
    value = score(question, points, flags)
    return Grade(
        grader=grader,
        model=model,
        base_url_host=base_url_host,
        prompt_version=prompt_version,
        rubric_hash=question.rubric_hash,
        points=points,
        red_flags_hit=flags,
        score=value,
        rating=rating_for(value),
        feedback=labels.feedback,
        follow_up=labels.follow_up,
        integrity_flags=integrity,
        notices=notices,
        usage=usage,
        latency_s=latency_s,
    )


def zero_grade(question: Question, reason: str, *, grader: str) -> Grade:
    """The grade of an answer with nothing to grade (empty, gibberish): 0, no grader call."""
    points = [
        PointVerdict(point_id=p.id, verdict=Verdict.MISSED, verified=True) for p in question.rubric
    ]
    return Grade(
        grader=grader,
        rubric_hash=question.rubric_hash,
        points=points,
        score=0,
        rating=Rating.POOR,
        notices=[reason],
        confidence=GradeConfidence(level=Confidence.HIGH, reason=reason),
    )
