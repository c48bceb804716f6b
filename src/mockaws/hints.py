"""What /hint says: a nudge toward a rubric point, never the point itself."""

from __future__ import annotations

import re

from mockaws.models import RubricPoint

HELD_BACK = "…"
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019-]*")
# Words too common to give anything away or to carry the area on their own.
_COMMON = frozenset(
    {
        *("a", "an", "and", "are", "as", "at", "be", "by", "can", "for", "from", "in", "is"),
        *("it", "its", "of", "on", "or", "so", "that", "the", "their", "them", "then", "they"),
        *("this", "to", "with", "you", "your", "which", "when", "what", "how", "not", "no"),
        *("only", "each", "all", "any"),
    }
)


def _key_words(point: RubricPoint) -> set[str]:
    """The words of the point's cues: what the grader looks for, so what a hint holds back."""
    return {
        word.lower()
        for cue in point.cues
        for word in _WORD.findall(cue)
        if word.lower() not in _COMMON and len(word) > 2
    }


def hint_for(point: RubricPoint) -> str:
    """The point's authored hint, else the point with its key words held back.

    Held back: every word of the point that its cues use (a cue names what an answer must say).
    When the cues share no word with the point, the second half of its words is held back, so
    the hint never prints the point word for word.
    """
    if point.hint:
        return point.hint
    keys = _key_words(point)
    words = list(_WORD.finditer(point.point))
    hidden = [m for m in words if m.group().lower() in keys]
    if not hidden:
        content = [m for m in words if m.group().lower() not in _COMMON]
        hidden = content[len(content) // 2 :] or words[len(words) // 2 :]
    text = point.point
    for match in reversed(hidden):
        text = text[: match.start()] + HELD_BACK + text[match.end() :]
    # Runs of held-back words read as one gap.
    return re.sub(rf"{HELD_BACK}(?:[\s-]+{HELD_BACK})+", HELD_BACK, text)
