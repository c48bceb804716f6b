"""The offline grader: deterministic cue matching, no network and no model."""

from __future__ import annotations

from collections.abc import Sequence

from mockaws.grading.scoring import Labels, finalise
from mockaws.grading.textmatch import (
    Match,
    Sentence,
    Token,
    cue_forms,
    find_cue,
    sentence_of,
    sentences,
    tokenize,
)
from mockaws.models import (
    Feedback,
    Grade,
    PointVerdict,
    Question,
    RedFlagHit,
    RubricPoint,
    Verdict,
)

# A sentence with one of these does not assert a red flag's misconception ("S3 is no longer
# eventually consistent", "bidding on Spot ended in 2017").
_NEGATORS = frozenset(
    {
        "not",
        "no",
        "never",
        "longer",
        "myth",
        "outdat",
        "former",
        "formerly",
        "anymor",
        "deprec",
        "retir",
        "end",
        "discontinu",
        "renam",
        "instead",
        "rather",
        "wrong",
        "mistak",
        "misconcept",
        "histor",
        "old",
        "legaci",
        "previous",
        "without",
        "avoid",
        "unlik",
    }
)


def _is_negated(tokens: Sequence[Token], sentence: Sentence) -> bool:
    return any(
        sentence.start <= t.start < sentence.end and (t.form in _NEGATORS or t.form.endswith("n't"))
        for t in tokens
    )


def _matches_by_cue(tokens: Sequence[Token], cues: Sequence[str]) -> dict[str, list[Match]]:
    found: dict[str, list[Match]] = {}
    for cue in cues:
        hits = find_cue(tokens, cue)
        if hits:
            found[cue] = hits
    return found


def _best_sentence(answer: str, spans: Sequence[Sentence], found: dict[str, list[Match]]) -> str:
    """The sentence that holds the most distinct matched cues: the quote for the evidence."""
    cues_per_sentence: dict[Sentence, set[str]] = {}
    for cue, hits in found.items():
        for hit in hits:
            cues_per_sentence.setdefault(sentence_of(spans, hit.start), set()).add(cue)
    best = max(cues_per_sentence, key=lambda s: (len(cues_per_sentence[s]), -s.start))
    return answer[best.start : best.end]


def required_cues(point: RubricPoint) -> int:
    """How many distinct cues a point needs to count as covered (one is partial)."""
    return min(2, len({cue_forms(cue) for cue in point.cues}))


class OfflineGrader:
    """Labels each rubric point by the cues found in the answer; deterministic and local."""

    name = "offline"

    def grade(self, question: Question, answer: str) -> Grade:
        return finalise(question, answer, self.label(question, answer), grader=self.name)

    def label(self, question: Question, answer: str) -> Labels:
        tokens = tokenize(answer)
        spans = sentences(answer)
        verdicts: list[PointVerdict] = []
        strengths: list[str] = []
        gaps: list[str] = []
        for point in question.rubric:
            found = _matches_by_cue(tokens, point.cues)
            if not found:
                verdicts.append(PointVerdict(point_id=point.id, verdict=Verdict.MISSED))
                gaps.append(point.point)
                continue
            # "strongly consistent" and "strong consistency" are one cue said twice, not two.
            distinct = {cue_forms(cue) for cue in found}
            covered = len(distinct) >= required_cues(point)
            verdict = Verdict.COVERED if covered else Verdict.PARTIAL
            (strengths if covered else gaps).append(point.point)
            verdicts.append(
                PointVerdict(
                    point_id=point.id,
                    verdict=verdict,
                    evidence=_best_sentence(answer, spans, found),
                    note="matched: " + ", ".join(sorted(found)),
                )
            )
        hits: list[RedFlagHit] = []
        for flag in question.red_flags:
            asserted = {
                cue: [m for m in matches if not _is_negated(tokens, sentence_of(spans, m.start))]
                for cue, matches in _matches_by_cue(tokens, flag.cues).items()
            }
            asserted = {cue: matches for cue, matches in asserted.items() if matches}
            if asserted:
                hits.append(
                    RedFlagHit(flag_id=flag.id, evidence=_best_sentence(answer, spans, asserted))
                )
        outline = [
            ("✓ " if v.verdict is Verdict.COVERED else "• ") + p.point
            for p, v in zip(question.rubric, verdicts, strict=True)
        ]
        return Labels(
            points=verdicts,
            red_flags_hit=hits,
            feedback=Feedback(strengths=strengths, gaps=gaps, outline=outline),
            follow_up=question.follow_ups[0] if question.follow_ups else None,
        )
