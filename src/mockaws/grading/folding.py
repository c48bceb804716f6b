"""Text folded for matching, with a map back to the text as written.

Answers are matched after folding, so that what looks alike to a reader matches alike: Unicode
compatibility forms (NFKC: full-width letters, ligatures, mathematical letters), accents and
combining marks dropped, format characters (zero-width spaces, joiners, bidi controls, soft
hyphens) removed, Cyrillic and Greek look-alikes of Latin letters replaced by the Latin letter,
dashes and curly quotes made ASCII, and everything lower case. "Ign\\u200bore the rubr\\u0456c"
(a zero-width space, a Cyrillic i) folds to "ignore the rubric".

Each folded offset maps back to the original text, so a match is shown where the user wrote it.
ASCII text folds to its lower case with no per-character work, so a long answer stays cheap.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

# Letters of other scripts drawn like Latin ones. Unicode's full confusables table (TR39) also
# folds "rn" into "m" and "1" into "l", which would merge ordinary words; these are the letters
# used to disguise a Latin word, after NFKC and case folding.
_LOOK_ALIKES = {
    "\u0430": "a",  # cyrillic small letter a
    "\u0432": "b",  # cyrillic small letter ve
    "\u0435": "e",  # cyrillic small letter ie
    "\u0451": "e",  # cyrillic small letter io
    "\u0501": "d",  # cyrillic small letter komi de
    "\u04bb": "h",  # cyrillic small letter shha
    "\u043d": "h",  # cyrillic small letter en
    "\u0456": "i",  # cyrillic small letter byelorussian-ukrainian i
    "\u0457": "i",  # cyrillic small letter yi
    "\u0458": "j",  # cyrillic small letter je
    "\u043a": "k",  # cyrillic small letter ka
    "\u04cf": "l",  # cyrillic small letter palochka
    "\u043c": "m",  # cyrillic small letter em
    "\u043e": "o",  # cyrillic small letter o
    "\u0440": "p",  # cyrillic small letter er
    "\u051b": "q",  # cyrillic small letter qa
    "\u0433": "r",  # cyrillic small letter ghe
    "\u0455": "s",  # cyrillic small letter dze
    "\u0441": "c",  # cyrillic small letter es
    "\u0442": "t",  # cyrillic small letter te
    "\u0443": "y",  # cyrillic small letter u
    "\u051d": "w",  # cyrillic small letter we
    "\u0445": "x",  # cyrillic small letter ha
    "\u044c": "b",  # cyrillic small letter soft sign
    "\u03b1": "a",  # greek small letter alpha
    "\u03b2": "b",  # greek small letter beta
    "\u03b5": "e",  # greek small letter epsilon
    "\u03b7": "n",  # greek small letter eta
    "\u03b9": "i",  # greek small letter iota
    "\u03ba": "k",  # greek small letter kappa
    "\u03bd": "v",  # greek small letter nu
    "\u03bf": "o",  # greek small letter omicron
    "\u03c1": "p",  # greek small letter rho
    "\u03c4": "t",  # greek small letter tau
    "\u03c5": "u",  # greek small letter upsilon
    "\u03c7": "x",  # greek small letter chi
    "\u03b6": "z",  # greek small letter zeta
    "\u03bc": "u",  # greek small letter mu
    "\u0131": "i",  # latin small letter dotless i
    "\u0261": "g",  # latin small letter script g
    "\u0251": "a",  # latin small letter alpha
    "\u0269": "i",  # latin small letter iota
    "\u029f": "l",  # latin letter small capital l
    "\u00df": "ss",  # latin small letter sharp s
    "\u00f8": "o",  # latin small letter o with stroke
    "\u00e6": "ae",  # latin small letter ae
    "\u0153": "oe",  # latin small ligature oe
    "\u00f0": "d",  # latin small letter eth
    "\u00fe": "th",  # latin small letter thorn
    "\u0142": "l",  # latin small letter l with stroke
    "\u0111": "d",  # latin small letter d with stroke
    "\u0127": "h",  # latin small letter h with stroke
}
_PUNCTUATION = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2026": "...",
    "\u2212": "-",
}
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


@lru_cache(maxsize=8192)
def fold_char(char: str) -> str:
    """One non-ASCII character as it is matched: ASCII where it looks like ASCII, else itself."""
    category = unicodedata.category(char)
    if category in ("Cf", "Mn", "Me"):  # zero-width and bidi controls, combining marks
        return ""
    if category == "Pd":  # every dash
        return "-"
    if category == "Zs" or char in "\u2028\u2029\x85":
        return " " if category == "Zs" else "\n"
    if char in _PUNCTUATION:
        return _PUNCTUATION[char]
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", char))
    folded = []
    for piece in "".join(c for c in decomposed if not unicodedata.combining(c)).casefold():
        folded.append(_LOOK_ALIKES.get(piece, _PUNCTUATION.get(piece, piece)))
    return "".join(folded)


@dataclass(frozen=True)
class Folded:
    """Folded text, and where each stretch of it came from in the original."""

    text: str
    # Stretches of the folded text in order: where each starts in the folded and the original
    # text, and whether it is copied one for one (ASCII) or stands for one original character.
    _folded_starts: tuple[int, ...]
    _original_starts: tuple[int, ...]
    _copied: tuple[bool, ...]

    @property
    def is_identity(self) -> bool:
        """True when every folded offset is the original offset (ASCII text)."""
        return not self._folded_starts

    def original_start(self, offset: int) -> int:
        """The original offset of the character at folded `offset`."""
        if not self._folded_starts:
            return offset
        index = max(0, bisect_right(self._folded_starts, offset) - 1)
        start = self._original_starts[index]
        if self._copied[index]:
            return start + offset - self._folded_starts[index]
        return start

    def original_end(self, offset: int) -> int:
        """The original offset just past the folded text that ends at `offset`."""
        return self.original_start(offset - 1) + 1 if offset > 0 else 0

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original span of the folded span `start`..`end`."""
        return self.original_start(start), self.original_end(end)


def fold(text: str) -> Folded:
    """`text` folded for matching (see the module's docstring), with its map back."""
    if text.isascii():
        return Folded(text.lower(), (), (), ())
    pieces: list[str] = []
    folded_starts: list[int] = []
    original_starts: list[int] = []
    copied: list[bool] = []
    length = 0
    position = 0

    def add(piece: str, origin: int, *, is_copy: bool) -> None:
        nonlocal length
        if not piece:
            return
        folded_starts.append(length)
        original_starts.append(origin)
        copied.append(is_copy)
        pieces.append(piece)
        length += len(piece)

    for run in _NON_ASCII.finditer(text):
        add(text[position : run.start()].lower(), position, is_copy=True)
        for offset, char in enumerate(run.group(), start=run.start()):
            add(fold_char(char), offset, is_copy=False)
        position = run.end()
    add(text[position:].lower(), position, is_copy=True)
    return Folded("".join(pieces), tuple(folded_starts), tuple(original_starts), tuple(copied))
