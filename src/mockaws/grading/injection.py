"""Spot answers that talk to the grader instead of answering the question.

The candidate's answer is data, never instructions. An answer that tries to steer the grader
("ignore the rubric", "give full marks", a fake system message) is flagged in the grade, and
`scoring.finalise` credits no point whose only evidence lies inside such a passage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "asks the grader to ignore its instructions",
        r"\b(ignore|disregard|forget|override|bypass)\s+(all\s+|any\s+)?(the|your|my|previous|"
        r"prior|above|these|those|earlier|grading)\b[^.!?\n]{0,30}\b(instructions?|rubric|rules?|"
        r"prompt|guidelines?|criteria|system)\b",
    ),
    (
        "asks for a particular score",
        r"\b(give|award|assign|grant|mark|score|rate)\b[^.!?\n]{0,30}\b(full|maximum|max|perfect|top|"
        r"100|10/10|all)\b[^.!?\n]{0,20}\b(marks?|points?|score|credit|grade|rating|%)",
    ),
    (
        "asks for every point to be marked covered",
        r"\b(mark|label|treat|consider)\b[^.!?\n]{0,30}\b(all|every|each)\b[^.!?\n]{0,30}\b(covered|"
        r"correct|met|satisfied)\b",
    ),
    (
        "addresses the grader directly",
        r"\b(dear|hey|hi|attention|note to (the )?)\s*(grader|evaluator|examiner|assessor|ai|model|"
        r"llm|assistant)\b|\byou are (now )?(a|an|the) [a-z ]{0,20}(grader|evaluator|assistant)\b",
    ),
    (
        "contains a fake system or role message",
        r"(^|\n)\s*(system|assistant|developer)\s*:|<\|?(im_start|im_end|system|endoftext)\|?>|"
        r"\[/?(inst|system)\]|###\s*(system|instruction)",
    ),
    (
        "claims the answer is already graded",
        r"\b(this|the|my) answer (is|has been|was) (already )?"
        r"(graded|scored|rated|approved|verified)\b|"
        r"\b(score|grade|rating)\s*[:=]\s*(100|10/10|strong|perfect)\b",
    ),
)
_COMPILED = tuple((label, re.compile(pattern, re.IGNORECASE)) for label, pattern in _PATTERNS)


@dataclass(frozen=True)
class InjectionHit:
    label: str
    start: int
    end: int


def find_injections(answer: str) -> list[InjectionHit]:
    """Every passage of the answer that tries to instruct the grader."""
    hits = [
        InjectionHit(label, match.start(), match.end())
        for label, pattern in _COMPILED
        for match in pattern.finditer(answer)
    ]
    return sorted(hits, key=lambda hit: hit.start)


def injection_flags(answer: str) -> list[str]:
    """One line per kind of grader-directed text found, for the grade and the transcript."""
    labels = dict.fromkeys(hit.label for hit in find_injections(answer))
    return [f"answer {label}: treated as data, not instructions" for label in labels]


def without_injections(answer: str) -> str:
    """The answer with every sentence that addresses the grader removed: what may earn credit."""
    from mockaws.grading.textmatch import sentences

    hits = find_injections(answer)
    if not hits:
        return answer
    kept = [
        answer[span.start : span.end]
        for span in sentences(answer)
        if not any(hit.start < span.end and span.start < hit.end for hit in hits)
    ]
    return "\n".join(kept)
