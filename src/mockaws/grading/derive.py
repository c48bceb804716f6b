"""Rubric points derived from a reference answer, for questions written without a rubric.

A user's own question may come with only a reference answer. It is still gradable: each key
sentence of the reference answer becomes one rubric point, evidenced by that sentence's most
distinctive terms. Every derived point is marked `derived`, and every grade made with one says so.
"""

from __future__ import annotations

import re
from collections import Counter

from mockaws.grading.textmatch import FUNCTION_WORDS, Token, sentences, tokenize
from mockaws.models import Question, RubricPoint

MAX_POINTS = 6  # the most rubric points a question may have
MAX_CUES = 5
_MIN_SENTENCE_WORDS = 4

# Words too common in any answer about AWS to show that a candidate knows a particular point.
_GENERIC = frozenset(
    t.form
    for t in tokenize(
        "aws amazon service services use used using also just like well way thing things "
        "important example examples good better best lot lots many much often usually "
        "generally typically need needs make makes made one two first second then way ways "
        "different same other another every each all any some more most less least such "
        "own very really really only even still both either neither not no never yes "
        "and or but also however therefore otherwise instead rather while whereas "
        "i me my we our you your it its they them their he she this that these those "
        "and what which who when where why how there here can could should would will may might "
        "server logs check data system systems application applications time "
        "next first third finally plus again once now today contrast case cases kind kinds "
        "reach reached get got show shows compare pick choose start put set run runs"
    )
)
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9]{1,7}s?$")


def _is_term(token: Token) -> bool:
    return (
        token.form not in FUNCTION_WORDS
        and token.form not in _GENERIC
        and len(token.form) > 2
        and not token.form.isdigit()
    )


def _technical(word: str, *, at_start: bool) -> bool:
    """True for a lone word specific enough to be a cue: a name, a number, a long word."""
    if any(c.isdigit() for c in word) or "-" in word or _ACRONYM.match(word):
        return True
    if word[:1].isupper() and not at_start:
        return True  # a name: Kinesis, Aurora, Karpenter
    return len(word) >= 8


def _phrases(text: str, tokens: list[Token]) -> list[tuple[str, tuple[str, ...], int]]:
    """Runs of adjacent terms in one sentence: (text as written, normalised forms, acronyms)."""
    runs: list[list[Token]] = []
    current: list[Token] = []
    for token in tokens:
        joined = bool(current) and text[current[-1].end : token.start].strip(" -") == ""
        if _is_term(token) and (joined or not current):
            current.append(token)
            continue
        if current:
            runs.append(current)
        current = [token] if _is_term(token) else []
    if current:
        runs.append(current)
    phrases: list[tuple[str, tuple[str, ...], int]] = []
    for run in runs:
        # Long runs are cut into pairs: a cue is a term or a short phrase, not a clause.
        for start in range(0, len(run), 2):
            piece = run[start : start + 2]
            written = text[piece[0].start : piece[-1].end]
            acronyms = sum(1 for t in piece if _ACRONYM.match(text[t.start : t.end]))
            if len(piece) == 1 and not _technical(written, at_start=piece[0].start == 0):
                continue
            phrases.append((written, tuple(t.form for t in piece), acronyms))
    return phrases


def derive_rubric(question: Question) -> list[RubricPoint]:
    """Rubric points from the reference answer: one per key sentence, cued by its distinctive terms.

    A sentence is key when it holds terms that neither the question nor most other sentences use;
    the points keep the reference answer's order. Empty when no sentence has two such terms.
    """
    reference = question.reference_answer
    asked = {t.form for t in tokenize(question.question)}
    candidates: list[tuple[str, list[tuple[str, tuple[str, ...], int]]]] = []
    for span in sentences(reference):
        text = reference[span.start : span.end]
        tokens = tokenize(text)
        if len(tokens) < _MIN_SENTENCE_WORDS:
            continue
        candidates.append((text, _phrases(text, tokens)))
    # How many sentences use each term: a term in every sentence distinguishes none of them.
    spread = Counter(
        form for _, phrases in candidates for form in {f for _, p, _ in phrases for f in p}
    )
    scored: list[tuple[float, int, str, list[str]]] = []
    for position, (text, phrases) in enumerate(candidates):
        cues: dict[tuple[str, ...], tuple[float, str]] = {}
        for written, forms, acronyms in phrases:
            # Rare terms distinguish a sentence; AWS names (acronyms) doubly so; words the
            # question already uses show little.
            weight = sum(1.0 / spread[form] for form in forms) + acronyms
            if set(forms) <= asked:
                weight /= 2
            if forms not in cues or cues[forms][0] < weight:
                cues[forms] = (weight, written)
        ranked = sorted(cues.values(), key=lambda item: -item[0])[:MAX_CUES]
        if len(ranked) < 2:
            continue
        score = sum(weight for weight, _ in ranked)
        scored.append((score, position, text, [written for _, written in ranked]))
    chosen = sorted(scored, key=lambda item: -item[0])[:MAX_POINTS]
    points: list[RubricPoint] = []
    for number, (_, _, text, point_cues) in enumerate(sorted(chosen, key=lambda i: i[1]), 1):
        point = " ".join(text.split())
        if len(point) > 200:
            point = point[:199].rstrip() + "…"
        points.append(
            RubricPoint(
                id=f"derived-{number}", point=point, weight=1, cues=point_cues, derived=True
            )
        )
    return points


def with_derived_rubric(question: Question) -> Question:
    """The question itself when it has a rubric; otherwise a copy with a derived one."""
    if question.rubric:
        return question
    return question.model_copy(update={"rubric": derive_rubric(question)})
