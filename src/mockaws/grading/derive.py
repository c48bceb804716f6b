"""Rubric points derived from a reference answer, for questions written without a rubric.

A user's own question may come with only a reference answer. It is still gradable: each key
sentence of the reference answer becomes one rubric point, evidenced by that sentence's most
distinctive words (single words: a candidate rarely repeats a reference's phrases word for word).
Every derived point is marked `derived`, and every grade made with one says so.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from mockaws.grading.textmatch import FUNCTION_WORDS, Sentence, Token, clauses, sentences, tokenize
from mockaws.models import Question, RubricPoint

MAX_POINTS = 6  # the most rubric points a question may have
MAX_CUES = 6
# A reference of fewer sentences than this is cut at clauses too, where each clause holds this
# many terms of its own.
_FEW_SENTENCES = 3
_CLAUSE_TERMS = 2

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


@dataclass(frozen=True)
class _Unit:
    """One idea of the reference answer: a sentence, or a clause of a long one."""

    text: str
    words: list[tuple[str, str]]  # (as written, normalised form), first use of each form


def _words(text: str, keep: Callable[[Token], bool]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for token in tokenize(text):
        if keep(token) and token.form not in seen:
            seen[token.form] = text[token.start : token.end]
    return [(written, form) for form, written in seen.items()]


def _units(reference: str) -> list[_Unit]:
    """Sentences of the reference, with long ones cut at clauses when there are few sentences.

    A one-sentence reference ("A stack adds with push and removes with pop, so the last item in
    is the first out") still holds several ideas, and a score should say how many were given.
    """
    spans = sentences(reference) or [Sentence(0, len(reference))]
    units = [
        _Unit(reference[s.start : s.end], _words(reference[s.start : s.end], _is_term))
        for s in spans
    ]
    if len(units) >= _FEW_SENTENCES:
        return [u for u in units if u.words] or units
    split: list[_Unit] = []
    for span in spans:
        parts = [
            _Unit(reference[c.start : c.end], _words(reference[c.start : c.end], _is_term))
            for c in clauses(reference, span)
        ]
        if len(parts) > 1 and all(len(p.words) >= _CLAUSE_TERMS for p in parts):
            split.extend(parts)
        else:
            text = reference[span.start : span.end]
            split.append(_Unit(text, _words(text, _is_term)))
    return [u for u in split if u.words] or split


def _cues(unit: _Unit, asked: set[str], spread: Counter[str]) -> list[str]:
    """The unit's most distinctive words, as written: single words, since a phrase copied from
    a reference is rarely said word for word; words the question itself uses show nothing."""
    words = [(w, f) for w, f in unit.words if f not in asked] or unit.words
    if not words:
        # "Yes." or "By reference.": nothing but common words, so the common words are the answer.
        words = _words(unit.text, lambda t: not t.form.isdigit()) or _words(
            unit.text, lambda t: True
        )

    def rank(item: tuple[str, str]) -> tuple[float, int]:
        written, form = item
        # Rare terms distinguish a unit; names (acronyms, CamelCase, numbers) doubly so.
        name = bool(_ACRONYM.match(written)) or any(c.isdigit() for c in written)
        name = name or any(c.isupper() for c in written[1:])
        return (1.0 / spread[form] + name, len(form))

    ranked = sorted(words, key=rank, reverse=True)[:MAX_CUES]
    # Keep the reference's order, so a cue list reads like the sentence it came from.
    order = {form: i for i, (_, form) in enumerate(words)}
    return [w for w, _ in sorted(ranked, key=lambda item: order[item[1]])]


def derive_rubric(question: Question) -> list[RubricPoint]:
    """Rubric points from the reference answer: one per key sentence, cued by its distinctive words.

    A unit (sentence, or clause of a short reference) is key when it holds words that neither the
    question nor most other units use; the points keep the reference answer's order. Any
    reference with a word in it yields at least one point: "push and pop" grades on "push" and
    "pop".
    """
    reference = question.reference_answer
    asked = {t.form for t in tokenize(question.question)}
    units = _units(reference)
    # How many units use each word: a word in every unit distinguishes none of them.
    spread = Counter(form for unit in units for _, form in unit.words)
    scored: list[tuple[float, int, _Unit, list[str]]] = []
    for position, unit in enumerate(units):
        cues = _cues(unit, asked, spread)
        if not cues:
            continue
        fresh = [f for _, f in unit.words if f not in asked]
        score = sum(1.0 / spread[f] for f in fresh)
        scored.append((score, position, unit, cues))
    chosen = sorted(scored, key=lambda item: (-item[0], item[1]))[:MAX_POINTS]
    points: list[RubricPoint] = []
    for number, (_, _, unit, point_cues) in enumerate(sorted(chosen, key=lambda i: i[1]), 1):
        point = " ".join(unit.text.split()).strip(" ,;:")
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
