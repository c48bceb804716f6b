"""Where a grade's evidence quotes sit in the answer, so scoring can check them and every view
can highlight them in place.

A quote is looked for the way a transcript may have changed it: case, punctuation, white space,
dashes, look-alike letters, contractions ("it's" / "it is"), number formatting ("65,535" /
"65535") and filler words ("um") do not matter. Failing that, a near-verbatim quote of a few words
is matched at a high similarity (rapidfuzz), but only where it says the same thing: the same
content words, numbers and negations ("stateless" never stands for "stateful"). Spans are given
in the answer exactly as the user typed it. `grading.scoring` decides what a located quote earns.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from itertools import accumulate, pairwise

from mockaws.grading.folding import fold
from mockaws.models import Grade, Verdict


class MarkKind(StrEnum):
    """What a highlighted stretch of an answer evidences; later members outrank earlier ones."""

    PARTIAL = "partial"
    COVERED = "covered"
    CONTRADICTED = "contradicted"
    RED_FLAG = "red_flag"


_RANK = {kind: rank for rank, kind in enumerate(MarkKind)}


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


# Words as a transcript compares them: numbers (thousands separators dropped), words with an
# inner apostrophe, everything else is punctuation.
_QUOTE_WORD = re.compile(r"\d+(?:[.,]\d+)*[a-z]*|[a-z][a-z0-9]*(?:'[a-z]+)?")
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_CONTRACTIONS = {
    "n't": ("not",),
    "'s": ("is",),
    "'re": ("are",),
    "'m": ("am",),
    "'ll": ("will",),
    "'ve": ("have",),
    "'d": ("would",),
}
_IRREGULAR = {
    "can't": ("can", "not"),
    "cannot": ("can", "not"),
    "won't": ("will", "not"),
    "shan't": ("shall", "not"),
    "ain't": ("is", "not"),
    "let's": ("let", "us"),
}
_FILLERS = frozenset({"um", "umm", "uh", "uhh", "uhm", "er", "erm", "hmm", "mm", "ah"})
# Words a speaker or a grader's quote adds or drops without changing the claim.
_GLUE = frozenset({"and", "or", "but", "like", "just", "so", "basic", "realli", "actual", "then"})
_NEGATIONS = frozenset({"not", "no", "never", "nor", "neither", "none", "nothing", "without"})
# A quote this many words or longer may match near-verbatim; a shorter one only exactly.
FUZZY_MIN_WORDS = 4
FUZZY_THRESHOLD = 90.0  # rapidfuzz similarity, 0-100, of the quote to the passage it matches
# Bounds on the near-verbatim search, whatever the size of the answer or the quote.
_FUZZY_MAX_QUOTE = 600  # characters of a folded quote
_FUZZY_WORDS = 8  # of the quote's longest words, the rarest in the answer lead the search
_FUZZY_ANCHORS = 40  # places in the answer to try, around those words


@dataclass(frozen=True)
class QuoteWords:
    """The words of a text as transcripts compare them, each with its span in the text as
    written (parallel lists: a long answer has a great many words)."""

    forms: list[str]
    starts: list[int]
    ends: list[int]


@lru_cache(maxsize=65536)
def _forms_of(word: str) -> tuple[str, ...]:
    if word[0].isdigit():
        if _THOUSANDS.fullmatch(word):
            return (word.replace(",", ""),)
        return tuple(word.split(","))  # "80,443" is a list of two ports
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if "'" in word:
        stem, _, tail = word.partition("'")
        if word.endswith("n't"):
            return (word[:-3], "not")
        expanded = _CONTRACTIONS.get("'" + tail)
        return (stem, *expanded) if expanded else (stem + tail,)
    return (word,)


def quote_words(text: str) -> QuoteWords:
    """The words of `text` as quotes are compared, each with its span in `text` as written."""
    folded = fold(text)
    words = QuoteWords([], [], [])
    for match in _QUOTE_WORD.finditer(folded.text):
        word = match.group()
        if word in _FILLERS:
            continue
        start, end = match.span()
        if not folded.is_identity:
            start, end = folded.original_span(start, end)
        for form in _forms_of(word):
            if not form:  # "n't" on its own
                continue
            words.forms.append(form)
            words.starts.append(start)
            words.ends.append(end)
    return words


class QuoteIndex:
    """An answer prepared for finding quotes in it; build it once to check many quotes."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.words = quote_words(answer)
        self._joined = " " + " ".join(self.words.forms) + " "
        # Where each word starts in `_joined`, to turn a character offset into a word index.
        self._offsets = list(accumulate((len(form) + 1 for form in self.words.forms), initial=1))

    def span(self, first: int, last: int) -> tuple[int, int]:
        """The span in the answer of words `first` to `last`, both included."""
        return self.words.starts[first], self.words.ends[last]

    def find(self, quote: str) -> tuple[int, int] | None:
        """Words `first`, `last` of the answer that `quote` reproduces, or None."""
        wanted = quote_words(quote).forms
        if not wanted:
            return None
        found = self._joined.find(" " + " ".join(wanted) + " ")
        if found >= 0:
            first = bisect_left(self._offsets, found + 1)
            return first, first + len(wanted) - 1
        if len(wanted) >= FUZZY_MIN_WORDS:
            return self._near(wanted)
        return None

    def _near(self, wanted: list[str]) -> tuple[int, int] | None:
        """The best near-verbatim match of the quote's words that says the same thing."""
        from rapidfuzz import fuzz

        needle = " ".join(wanted)
        if len(needle) > _FUZZY_MAX_QUOTE:
            return None
        best: tuple[float, int, int] | None = None
        for low, high in self._windows(wanted, len(needle)):
            window = self._joined[low:high]
            aligned = fuzz.partial_ratio_alignment(needle, window, score_cutoff=FUZZY_THRESHOLD)
            if aligned is None or (best is not None and aligned.score <= best[0]):
                continue
            first = bisect_right(self._offsets, low + aligned.dest_start) - 1
            last = bisect_left(self._offsets, low + aligned.dest_end) - 1
            forms = self.words.forms
            first, last = max(first, 0), min(last, len(forms) - 1)
            # The alignment may take in a word either side that the quote does not have.
            while first < last and forms[first] not in wanted:
                first += 1
            while last > first and forms[last] not in wanted:
                last -= 1
            if first <= last and _says_the_same(wanted, forms[first : last + 1]):
                best = (aligned.score, first, last)
        return (best[1], best[2]) if best else None

    def _windows(self, wanted: list[str], width: int) -> list[tuple[int, int]]:
        """Stretches of the answer around places that hold one of the quote's rarer words."""
        longest = sorted({form for form in wanted if len(form) >= 4}, key=len, reverse=True)
        counted = [(self._joined.count(f" {form} "), form) for form in longest[:_FUZZY_WORDS]]
        anchors: list[int] = []
        for count, form in sorted(counted):
            if not count or len(anchors) >= _FUZZY_ANCHORS:
                continue
            position = self._joined.find(f" {form} ")
            while position >= 0 and len(anchors) < _FUZZY_ANCHORS:
                anchors.append(position)
                position = self._joined.find(f" {form} ", position + 1)
        windows: list[tuple[int, int]] = []
        for anchor in sorted(anchors):
            low, high = max(0, anchor - width - 8), min(len(self._joined), anchor + width + 8)
            if windows and low <= windows[-1][1]:
                windows[-1] = (windows[-1][0], high)
            else:
                windows.append((low, high))
        return windows


def _says_the_same(quote: Sequence[str], passage: Sequence[str]) -> bool:
    """True when a near-verbatim quote differs from the passage only in form, not in claim.

    Negations and numbers must be the same; every other word of the quote must be in the
    passage, up to inflection ("group" / "groups") or a slip of a letter or two; the quote may
    leave out at most one word of the passage that is not a negation or a number.
    """
    from rapidfuzz import fuzz

    from mockaws.grading.textmatch import FUNCTION_WORDS, OPPOSITES, cue_forms

    def key(word: str) -> str:
        forms = cue_forms(word, fold=False)
        return forms[0] if forms else word

    def fixed(words: Sequence[str]) -> Counter[str]:
        return Counter(w for w in words if w in _NEGATIONS or w[0].isdigit())

    def content(words: Sequence[str]) -> Counter[str]:
        keys = (key(w) for w in words if w not in _NEGATIONS and not w[0].isdigit())
        return Counter(k for k in keys if k not in FUNCTION_WORDS and k not in _GLUE)

    if fixed(quote) != fixed(passage):
        return False
    left, right = content(quote), content(passage)
    only_quote, only_passage = left - right, right - left
    for word in list(only_quote.elements()):
        close = next(
            (
                other
                for other in only_passage
                if only_passage[other] > 0
                and OPPOSITES.get(other) != word
                and fuzz.ratio(word, other) >= 85
            ),
            None,
        )
        if close is None:
            return False
        only_passage[close] -= 1
    return sum(only_passage.values()) <= 1


def locate_quote(quote: str, answer: str | QuoteIndex) -> tuple[int, int] | None:
    """The span of the answer that `quote` reproduces, or None when it is not in the answer."""
    index = answer if isinstance(answer, QuoteIndex) else QuoteIndex(answer)
    found = index.find(quote)
    return index.span(*found) if found else None


def grade_marks(grade: Grade, answer: str) -> list[Mark]:
    """Every evidence quote of `grade` found in `answer`, labelled "1", "2"... or "⚑1" for flags."""
    marks: list[Mark] = []
    index = QuoteIndex(answer)
    for number, verdict in enumerate(grade.points, start=1):
        if verdict.verdict is Verdict.MISSED or not verdict.evidence:
            continue
        span = locate_quote(verdict.evidence, index)
        if span is not None:
            marks.append(Mark(str(number), MarkKind(verdict.verdict.value), *span))
    for number, hit in enumerate(grade.red_flags_hit, start=1):
        span = locate_quote(hit.evidence, index) if hit.evidence else None
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
