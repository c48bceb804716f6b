"""Where a grade's evidence quotes sit in the answer, so every view can highlight them in place.

Quotes are matched the way scoring verifies them (ignoring case, runs of white space and curly
quotes), then mapped back to character spans of the answer exactly as the user typed it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import pairwise

from mockaws.models import Grade, Verdict


class MarkKind(StrEnum):
    """What a highlighted stretch of an answer evidences; later members outrank earlier ones."""

    PARTIAL = "partial"
    COVERED = "covered"
    CONTRADICTED = "contradicted"
    RED_FLAG = "red_flag"


_RANK = {kind: rank for rank, kind in enumerate(MarkKind)}
_QUOTE_CHARS = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2026": "..."}
_TRIM = " \"'.,;:"


@dataclass(frozen=True)
class Mark:
    """One evidence quote located in the answer: `label` ties it to a rubric point or red flag."""

    label: str
    kind: MarkKind
    start: int
    end: int


@dataclass(frozen=True)
class Segment:
    """A stretch of the answer with the marks covering it and the marks that end with it."""

    text: str
    kinds: frozenset[MarkKind]
    closing: tuple[Mark, ...]

    @property
    def kind(self) -> MarkKind | None:
        """The kind to style this stretch as (the strongest that covers it)."""
        return max(self.kinds, key=_RANK.__getitem__) if self.kinds else None


def _normalise(text: str) -> tuple[str, list[int]]:
    """`text` squashed as scoring compares it, with each squashed character's source offset."""
    chars: list[str] = []
    origin: list[int] = []
    in_space = True  # drops leading white space
    for index, char in enumerate(text):
        if char.isspace():
            if not in_space:
                chars.append(" ")
                origin.append(index)
            in_space = True
            continue
        in_space = False
        for piece in _QUOTE_CHARS.get(char, char).lower():
            chars.append(piece)
            origin.append(index)
    return "".join(chars), origin


def locate_quote(quote: str, answer: str) -> tuple[int, int] | None:
    """The span of `answer` that `quote` reproduces, or None when it is not in the answer."""
    needle, _ = _normalise(quote)
    needle = needle.strip(_TRIM)
    if not needle:
        return None
    haystack, origin = _normalise(answer)
    found = haystack.find(needle)
    if found < 0:
        return None
    return origin[found], origin[found + len(needle) - 1] + 1


def grade_marks(grade: Grade, answer: str) -> list[Mark]:
    """Every evidence quote of `grade` found in `answer`, labelled "1", "2"... or "⚑1" for flags."""
    marks: list[Mark] = []
    for number, verdict in enumerate(grade.points, start=1):
        if verdict.verdict is Verdict.MISSED or not verdict.evidence:
            continue
        span = locate_quote(verdict.evidence, answer)
        if span is not None:
            marks.append(Mark(str(number), MarkKind(verdict.verdict.value), *span))
    for number, hit in enumerate(grade.red_flags_hit, start=1):
        span = locate_quote(hit.evidence, answer) if hit.evidence else None
        if span is not None:
            marks.append(Mark(f"⚑{number}", MarkKind.RED_FLAG, *span))
    return marks


def segments(answer: str, marks: Sequence[Mark]) -> list[Segment]:
    """`answer` cut at every mark boundary, each piece knowing which marks cover it."""
    cuts = sorted({0, len(answer), *(m.start for m in marks), *(m.end for m in marks)})
    pieces: list[Segment] = []
    for start, end in pairwise(cuts):
        covering = frozenset(m.kind for m in marks if m.start <= start and end <= m.end)
        closing = tuple(m for m in marks if m.end == end)
        pieces.append(Segment(answer[start:end], covering, closing))
    return pieces
