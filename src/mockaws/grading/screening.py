"""Answers with nothing to grade get 0 at once, without calling any grader."""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_CONSONANT_RUN = re.compile(r"[bcdfghjklmnpqrstvwxz]{5,}")
_VOWEL = re.compile(r"[aeiouy]")


def _plausible(word: str) -> bool:
    if word.isupper() and len(word) <= 6:  # acronyms: SQS, RDS, NACL
        return True
    lower = word.lower()
    if len(set(lower)) == 1 and len(lower) > 2:  # "aaaa"
        return False
    return bool(_VOWEL.search(lower)) and not _CONSONANT_RUN.search(lower)


def screen_answer(answer: str) -> str | None:
    """Why the answer cannot be graded (empty, gibberish), or None when it can."""
    if not answer.strip():
        return "empty answer: scored 0"
    words = _WORD.findall(answer)
    if not words:
        return "no words in the answer: scored 0"
    longer = [w for w in words if len(w) >= 3] or words
    plausible = sum(1 for w in longer if _plausible(w))
    if plausible / len(longer) < 0.5:
        return "the answer looks like gibberish: scored 0"
    return None
