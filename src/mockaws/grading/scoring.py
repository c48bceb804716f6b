"""The one place where labels become a score: evidence checks, weights, penalties, rating bands.

Every grader (offline, LLM, or a test's fake) only labels rubric points and red flags; `finalise`
checks each quote against the answer and computes score and rating, so no grader can grade itself
generously and every grade is computed the same way.

A label earns credit only on a quote that supports it:

- the quote is in the answer, as a transcript may have changed it (see `evidence.locate_quote`);
- it is substantive: at least `MIN_CONTENT_WORDS` words that are not stopwords ("the", "a" or
  "subnet" alone support nothing);
- it bears on the point: it shares a term (stemmed, abbreviations folded) with the point, its
  cues or the question's reference answer;
- its words are not only text addressed to the grader (see `grading.injection`): what it says
  outside such a passage must pass the two checks above on its own;
- it earns one point, unless it says something of its own about each: the same quote given
  for several points stays with the strongest claim, and another point shares it only when the
  quote holds a term of that point that none of the others has.

A label that fails is downgraded to missed, keeping the grader's claim, the reason in its note
and in `refused`, and a notice on the grade.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from mockaws.errors import BadInputError
from mockaws.evidence import QuoteIndex, locate_quote
from mockaws.grading.folding import fold
from mockaws.grading.injection import InjectionHit, find_injections, flags_for
from mockaws.grading.textmatch import FUNCTION_WORDS, cue_forms, is_negator, tokenize
from mockaws.models import (
    Confidence,
    Feedback,
    Grade,
    GradeConfidence,
    PointVerdict,
    Question,
    Rating,
    RedFlagHit,
    Refusal,
    SelfAssessment,
    Usage,
    Verdict,
    utc_now,
)

# A point touched but not explained earns a quarter: interviewers who never saw a grader rate
# such answers a band lower than half credit would (see RATING_BANDS).
CREDIT: dict[Verdict, float] = {
    Verdict.COVERED: 1.0,
    Verdict.PARTIAL: 0.25,
    Verdict.MISSED: 0.0,
    Verdict.CONTRADICTED: 0.0,
}
# Points off the 0-100 score: saying something wrong costs more than leaving it out.
RED_FLAG_PENALTY = 10
CONTRADICTION_PENALTY = 10
# An answer that tells the grader what to give ("mark every point covered") loses this much, as
# it would with an interviewer: on the development sets such answers were otherwise rated a band
# above the labellers' rating.
ADDRESSES_GRADER_PENALTY = 15

# Lowest score of each band, best first. Calibrated, with the partial credit above, against the
# bands that independent interviewers gave the dev split of evals/independent.jsonl, from their
# own point labels: strong takes nearly every point, and a quarter of the weight is already weak
# rather than poor. With 80/60/35 and half credit, their own labels put 55% of the answers they
# rated solid in strong and 62% of those they rated weak in poor (quadratic kappa 0.84); with
# these, 0.90. Re-fit with `python benchmarks/score_calibration.py`.
RATING_BANDS: tuple[tuple[Rating, int], ...] = (
    (Rating.STRONG, 85),
    (Rating.SOLID, 55),
    (Rating.WEAK, 25),
    (Rating.POOR, 0),
)

DERIVED_RUBRIC_NOTICE = (
    "the question has no rubric of its own: its points were derived from the reference answer"
)

# A quote needs this many different words that are not stopwords to support a point.
MIN_CONTENT_WORDS = 2
# Words that carry no claim of their own, on top of the function words of `textmatch`.
_STOPWORDS = FUNCTION_WORDS | frozenset(
    form
    for word in " ".join(
        (
            "and or but nor yes yeah okay ok well right so like just really basically actually",
            "also very quite then all some any every each thing things stuff kind sort lot lots",
            "way ones one other others more most only too etc um uh er hmm mean think guess",
        )
    ).split()
    for form in cue_forms(word, fold=False)
)

REFUSAL_NOTES: dict[Refusal, str] = {
    Refusal.NOT_FOUND: "quote not found in the answer",
    Refusal.TOO_SLIGHT: (
        f"quote too slight to support a point (fewer than {MIN_CONTENT_WORDS} words that are "
        "not stopwords)"
    ),
    Refusal.OFF_POINT: "quote shares no term with the point, its cues or the reference answer",
    Refusal.ADDRESSES_GRADER: "quote lies in text addressed to the grader",
    Refusal.REUSED: "the same quote already earns another point",
}


def content_terms(text: str) -> frozenset[str]:
    """The different words of `text` that can carry a claim: stemmed, abbreviations folded."""
    # Quotes and rubric texts repeat from grade to grade; a pasted book is not worth keeping.
    return _content_terms(text) if len(text) <= 2000 else _content_terms.__wrapped__(text)


@lru_cache(maxsize=4096)
def _content_terms(text: str) -> frozenset[str]:
    return frozenset(
        token.form
        for token in tokenize(fold(text).text)
        if token.form not in _STOPWORDS and not is_negator(token.form)
    )


@lru_cache(maxsize=1024)
def _terms_of(*texts: str) -> frozenset[str]:
    return frozenset().union(*(content_terms(text) for text in texts))


def _said_outside(answer: str, span: tuple[int, int], hits: Sequence[InjectionHit]) -> str:
    """The text of `span` with every passage addressed to the grader left out."""
    start, end = span
    kept: list[str] = []
    position = start
    for hit in hits:
        if hit.end <= position or hit.start >= end:
            continue
        kept.append(answer[position : max(position, hit.start)])
        position = max(position, hit.end)
    kept.append(answer[position:end])
    return "\n".join(kept)


def check_quote(
    quote: str,
    index: QuoteIndex,
    hits: Sequence[InjectionHit],
    bears_on: frozenset[str] | None,
    min_terms: int = MIN_CONTENT_WORDS,
) -> tuple[Refusal | None, tuple[int, int] | None]:
    """Why `quote` cannot support a label (None when it can), and its span in the answer.

    `bears_on` holds the terms the quote must share one of (see `content_terms`), or is None
    when any words may (a part of a story); the quote needs `min_terms` different words that
    are not stopwords.
    """
    span = locate_quote(quote, index)
    if span is None:
        return Refusal.NOT_FOUND, None
    quoted = index.answer[span[0] : span[1]]
    said = _said_outside(index.answer, span, hits)
    terms = content_terms(said)
    if len(terms) < min_terms or (bears_on is not None and not terms & bears_on):
        if said != quoted:
            return Refusal.ADDRESSES_GRADER, span
        if len(terms) < min_terms:
            return Refusal.TOO_SLIGHT, span
        return Refusal.OFF_POINT, span
    return None, span


def quote_in_answer(quote: str, answer: str) -> bool:
    """True when `quote` is in `answer`, as a transcript may have changed it."""
    return locate_quote(quote, answer) is not None


def rating_for(score: int) -> Rating:
    """The rating band a 0-100 score falls in."""
    for rating, floor in RATING_BANDS:
        if score >= floor:
            return rating
    return Rating.POOR


@dataclass
class Labels:
    """What a grader says about one answer: labels and provenance, never a score.

    `confidence`, when a grader can judge how sure it is, maps the score that `finalise`
    computes to how far that grade can be trusted (the offline grader is unsure near a band's edge).
    """

    points: list[PointVerdict]
    red_flags_hit: list[RedFlagHit] = field(default_factory=list)
    feedback: Feedback = field(default_factory=Feedback)
    follow_up: str | None = None
    integrity_flags: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    model: str | None = None
    base_url_host: str | None = None
    prompt_version: str | None = None
    usage: Usage | None = None
    latency_s: float = 0.0
    confidence: Callable[[int], GradeConfidence] | None = None


def _refuse(label: PointVerdict, refusal: Refusal, detail: str = "") -> PointVerdict:
    reason = f"{detail or REFUSAL_NOTES[refusal]}; not credited"
    return label.model_copy(
        update={
            "verdict": Verdict.MISSED,
            "claimed": label.verdict,
            "verified": False,
            "note": f"{label.note} ({reason})" if label.note else reason,
            "refused": refusal,
        }
    )


def verify_points(
    question: Question,
    answer: str | QuoteIndex,
    labels: Sequence[PointVerdict],
    hits: Sequence[InjectionHit] | None = None,
) -> list[PointVerdict]:
    """One verdict per rubric point, in rubric order; credit only on a quote that supports it.

    A point the grader did not label counts as missed. A covered, partial or contradicted label
    whose quote fails a check (see the module's docstring) is downgraded to missed, keeping the
    grader's claim and saying why: a contradiction without a real quote is not held against the
    answer either.
    """
    index = answer if isinstance(answer, QuoteIndex) else QuoteIndex(answer)
    if hits is None:
        hits = find_injections(index.answer)
    by_id = {label.point_id: label for label in labels}
    verified: list[PointVerdict] = []
    spans: list[tuple[int, int] | None] = []
    for point in question.rubric:
        label = by_id.get(point.id)
        if label is None:
            label = PointVerdict(point_id=point.id, verdict=Verdict.MISSED)
        if label.verdict is Verdict.MISSED:
            verified.append(label.model_copy(update={"verified": True}))
            spans.append(None)
            continue
        # A part of a story ("sets the scene", "says what they learned") is told in the words
        # of the candidate's own story, which need share none with the reference story.
        bears_on = (
            None
            if point.story is not None
            else _terms_of(point.point, *point.cues, question.reference_answer)
        )
        refusal, span = check_quote(label.evidence, index, hits, bears_on)
        if refusal is None:
            verified.append(label.model_copy(update={"verified": True}))
        else:
            verified.append(_refuse(label, refusal))
        spans.append(span if refusal is None else None)
    return _one_point_per_quote(question, index.answer, verified, spans)


def _one_point_per_quote(
    question: Question,
    answer: str,
    verdicts: list[PointVerdict],
    spans: list[tuple[int, int] | None],
) -> list[PointVerdict]:
    """Credit a quote with one point, unless it says something of its own about each.

    The same quote given for several points keeps the strongest claim (the most credit, then the
    heaviest point, then the first in the rubric). Another point may share it only when the quote
    holds a term of that point's own text or cues that is a term of none of the other points
    given the same quote: "SGs are stateful and NACLs are stateless" earns both of its points,
    "Security groups are stateful" earns one of "SGs are stateful" and "SGs work at the instance",
    and a sentence given for every point earns one at most. A contradiction earns nothing, so one
    quote may contradict several points.
    """
    weights = {p.id: p.weight for p in question.rubric}
    points = {p.id: p for p in question.rubric}
    claims: dict[tuple[int, int], list[int]] = {}
    for position, (verdict, span) in enumerate(zip(verdicts, spans, strict=True)):
        if span is not None and CREDIT[verdict.verdict] > 0:
            claims.setdefault(span, []).append(position)
    result = list(verdicts)
    for span, positions in claims.items():
        if len(positions) < 2:
            continue
        ranked = sorted(
            positions,
            key=lambda i: (-CREDIT[verdicts[i].verdict], -weights.get(verdicts[i].point_id, 0), i),
        )
        said = content_terms(answer[span[0] : span[1]])
        own: dict[int, frozenset[str]] = {}
        for position in ranked:
            point = points[verdicts[position].point_id]
            own[position] = said & _terms_of(point.point, *point.cues)
        for position in ranked[1:]:
            others = frozenset().union(*(own[o] for o in ranked if o != position))
            if not own[position] - others:
                detail = f"the same quote already earns {verdicts[ranked[0]].point_id}"
                result[position] = _refuse(verdicts[position], Refusal.REUSED, detail)
    return result


def refusal_notices(points: Iterable[PointVerdict]) -> list[str]:
    """One notice per reason a label was refused, naming the points, for the grade."""
    refused: dict[Refusal, list[str]] = {}
    for verdict in points:
        if verdict.refused is not None:
            refused.setdefault(verdict.refused, []).append(verdict.point_id)
    return [
        f"not credited ({REFUSAL_NOTES[reason]}): {', '.join(ids)}"
        for reason, ids in refused.items()
    ]


def verify_red_flags(
    question: Question,
    answer: str | QuoteIndex,
    hits: Sequence[RedFlagHit],
    injections: Sequence[InjectionHit] = (),
) -> list[RedFlagHit]:
    """Red flags that belong to the question and whose quote in the answer asserts them.

    A misconception can be named in one word ("AdministratorAccess"), so one term of the flag
    in the quote is enough; a stopword alone is not.
    """
    index = answer if isinstance(answer, QuoteIndex) else QuoteIndex(answer)
    flags = {flag.id: flag for flag in question.red_flags}
    kept: dict[str, RedFlagHit] = {}
    for hit in hits:
        flag = flags.get(hit.flag_id)
        if flag is None or hit.flag_id in kept:
            continue
        bears_on = _terms_of(flag.flag, *flag.cues, question.reference_answer)
        refusal, _ = check_quote(hit.evidence, index, injections, bears_on, min_terms=1)
        if refusal is None:
            kept[hit.flag_id] = hit.model_copy(update={"verified": True})
    return list(kept.values())


def score(
    question: Question,
    points: Sequence[PointVerdict],
    red_flags_hit: Sequence[RedFlagHit],
    *,
    addresses_grader: bool = False,
) -> int:
    """0-100 from the weighted credit of each point, less red-flag and contradiction penalties.

    `addresses_grader`: the answer holds text that tells the grader what to give, which costs
    `ADDRESSES_GRADER_PENALTY` on top.
    """
    weights = {p.id: p.weight for p in question.rubric}
    total = sum(weights.values())
    earned = sum(weights.get(v.point_id, 0) * CREDIT[v.verdict] for v in points)
    contradictions = sum(1 for v in points if v.verdict is Verdict.CONTRADICTED)
    raw = 100 * earned / total if total else 0.0
    raw -= RED_FLAG_PENALTY * len(red_flags_hit) + CONTRADICTION_PENALTY * contradictions
    if addresses_grader:
        raw -= ADDRESSES_GRADER_PENALTY
    # Half up, not Python's half to even: a quarter credit often leaves .5, and 84.5 must not
    # fall to 84 and 85.5 rise to 86 by parity at a band's edge.
    return max(0, min(100, math.floor(raw + 0.5)))


def finalise(
    question: Question,
    answer: str,
    labels: Labels,
    *,
    grader: str,
) -> Grade:
    """Turn a grader's labels into a Grade: verify evidence, then score and rate.

    The only place a score is made: only the fields of `Labels` are read, so nothing else a
    grader returns can change it. Text that addresses the grader ("give full marks") is flagged,
    and no credit rests on it alone.
    """
    index = QuoteIndex(answer)
    injections = find_injections(answer)
    points = verify_points(question, index, labels.points, injections)
    flags = verify_red_flags(question, index, labels.red_flags_hit, injections)
    integrity = list(dict.fromkeys([*labels.integrity_flags, *flags_for(injections)]))
    notices = list(dict.fromkeys([*labels.notices, *refusal_notices(points)]))
    if question.rubric_derived and DERIVED_RUBRIC_NOTICE not in notices:
        notices.append(DERIVED_RUBRIC_NOTICE)
    value = score(question, points, flags, addresses_grader=bool(injections))
    return Grade(
        grader=grader,
        model=labels.model,
        base_url_host=labels.base_url_host,
        prompt_version=labels.prompt_version,
        rubric_hash=question.rubric_hash,
        points=points,
        red_flags_hit=flags,
        score=value,
        rating=rating_for(value),
        feedback=labels.feedback,
        follow_up=labels.follow_up,
        integrity_flags=integrity,
        notices=notices,
        usage=labels.usage,
        latency_s=labels.latency_s,
        confidence=labels.confidence(value) if labels.confidence is not None else None,
    )


SELF_ASSESSED_NOTE = "marked by you"


def self_assess(
    question: Question,
    grade: Grade,
    *,
    covered: Iterable[str] = (),
    missed: Iterable[str] = (),
) -> Grade:
    """`grade` with the user's own verdicts beside the grader's, scored by `score`.

    Points in `covered` count as covered and points in `missed` as missed; every other point
    keeps the verdict it has (the user's from an earlier marking, else the grader's). The
    grader's verdicts, score and rating stay on the grade untouched, and red flags still count:
    the user says what they covered, not that a wrong statement was right. When the user's
    verdicts come back to the grader's, the self-assessment is dropped.

    A point id that is not in the question's rubric, or in both lists, raises BadInputError
    naming the valid ids; so does a grade made with a rubric that has changed since.
    """
    covered, missed = list(dict.fromkeys(covered)), list(dict.fromkeys(missed))
    valid = [p.id for p in question.rubric]
    for point_id in (*covered, *missed):
        if point_id not in valid:
            raise BadInputError(
                f"no rubric point '{point_id}' in question '{question.id}' "
                f"(valid ids: {', '.join(valid)})"
            )
    both = [point_id for point_id in covered if point_id in missed]
    if both:
        raise BadInputError(f"point '{both[0]}' is marked both covered and missed")
    if grade.rubric_hash != question.rubric_hash:
        raise BadInputError(
            f"the rubric of question '{question.id}' has changed since this answer was graded: "
            "regrade it first (mockaws regrade)"
        )
    originals = {v.point_id: v for v in grade.points}
    current = {v.point_id: v for v in grade.effective_points}
    points: list[PointVerdict] = []
    changed: list[str] = []
    for point_id in valid:
        original = originals.get(point_id) or PointVerdict(
            point_id=point_id, verdict=Verdict.MISSED, verified=True
        )
        if point_id in covered:
            verdict = Verdict.COVERED
        elif point_id in missed:
            verdict = Verdict.MISSED
        else:
            verdict = current.get(point_id, original).verdict
        if verdict is original.verdict:
            points.append(original)
            continue
        changed.append(point_id)
        points.append(
            PointVerdict(
                point_id=point_id,
                verdict=verdict,
                evidence=original.evidence if verdict is not Verdict.MISSED else "",
                note=SELF_ASSESSED_NOTE,
            )
        )
    if not changed:
        return grade.model_copy(update={"self_assessment": None})
    value = score(question, points, grade.red_flags_hit)
    assessment = SelfAssessment(
        points=points, changed=changed, score=value, rating=rating_for(value), marked_at=utc_now()
    )
    return grade.model_copy(update={"self_assessment": assessment})


def carry_self_assessment(question: Question, old: Grade, new: Grade) -> Grade:
    """`new` (a regrade) with the points the user marked on `old` marked the same way.

    The user's word on what they said outlives a change of grader; where the new grader now
    agrees, the mark is dropped. Nothing carries over when the rubric has changed.
    """
    assessment = old.self_assessment
    if assessment is None or not (old.rubric_hash == new.rubric_hash == question.rubric_hash):
        return new
    marked = {v.point_id: v.verdict for v in assessment.points if v.point_id in assessment.changed}
    return self_assess(
        question,
        new,
        covered=[i for i, verdict in marked.items() if verdict is Verdict.COVERED],
        missed=[i for i, verdict in marked.items() if verdict is not Verdict.COVERED],
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
