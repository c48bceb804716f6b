"""Mock loops: the questions, order and timing of a real technical interview for one role.

A loop here is one technical screen (about an hour with a person): a behavioural story first,
three technical questions, then a design. Each track weights the technical part its own way:
an SRE screen is mostly troubleshooting, a solutions architect's mostly scenarios.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from mockaws.bank import tracks_of
from mockaws.errors import BadInputError
from mockaws.models import Level, Question, QuestionKind, Track

_B = QuestionKind.BEHAVIOURAL
_C = QuestionKind.CONCEPT
_S = QuestionKind.SCENARIO
_T = QuestionKind.TROUBLESHOOTING
_D = QuestionKind.DESIGN

# Seconds for the first answer to each kind of question. An interviewer gives a story, a
# technical question or a design far more time than this in all, but most of it goes to the
# follow-ups; these are the spans a strong first answer takes spoken aloud.
LOOP_TIME_LIMITS: dict[QuestionKind, int] = {
    _B: 180,  # a STAR story: situation and task briefly, then your actions and the result
    _C: 120,  # explain an idea and when to use it: the 1-2 minute answer
    _S: 240,  # a situation: the options, the choice and why
    _T: 240,  # a symptom: the order you would check things in, then the fix
    _D: 600,  # a first pass at a design: requirements, architecture, trade-offs, failure, cost
}


@dataclass(frozen=True)
class Slot:
    """One question of a loop: the kinds wanted (first choice first) and its level."""

    kinds: tuple[QuestionKind, ...]
    level_step: int = 0  # above the candidate's level: a design or the last technical question


@dataclass(frozen=True)
class LoopShape:
    track: Track
    slots: tuple[Slot, ...]


def _shape(track: Track, *technical: Slot) -> LoopShape:
    return LoopShape(track, (Slot((_B,)), *technical, Slot((_D,), level_step=1)))


LOOPS: dict[Track, LoopShape] = {
    shape.track: shape
    for shape in (
        _shape(Track.SOLUTIONS_ARCHITECT, Slot((_C, _S)), Slot((_S, _T)), Slot((_S, _T), 1)),
        _shape(Track.DEVOPS, Slot((_C, _S)), Slot((_T, _S)), Slot((_S, _T), 1)),
        _shape(Track.DEVELOPER, Slot((_C, _S)), Slot((_T, _S)), Slot((_S, _T, _C))),
        _shape(Track.SRE, Slot((_T, _S)), Slot((_S, _T)), Slot((_T, _S), 1)),
        _shape(Track.SECURITY, Slot((_C, _S)), Slot((_S, _T)), Slot((_T, _S), 1)),
        _shape(Track.DATA_ENGINEER, Slot((_C, _S)), Slot((_S, _T)), Slot((_T, _S))),
        _shape(Track.GENAI, Slot((_C, _S)), Slot((_S, _T)), Slot((_S, _T, _C), 1)),
    )
}

_LEVELS = list(Level)
_TECHNICAL = (_C, _S, _T)


def describe_loop(track: Track) -> str:
    """The loop of `track` in one line: the kinds of its questions, in order."""
    return ", ".join(slot.kinds[0].value for slot in LOOPS[track].slots)


def _level(start: Level, step: int) -> Level:
    index = _LEVELS.index(start) + step
    return _LEVELS[max(0, min(len(_LEVELS) - 1, index))]


def select_loop(
    questions: Sequence[Question],
    track: Track,
    level: Level = Level.MID,
    seed: int | None = None,
) -> list[Question]:
    """The questions of a `track` loop for a candidate at `level`; the same seed, the same loop.

    Each slot takes a question of its first kind the track has, at the level nearest the
    slot's (the easier on a tie), from a topic not asked yet where it can; a technical slot
    with none of its kinds left takes any technical question. The story is one written for
    the role where the bank has one.
    """
    rng = random.Random(seed)
    pool = sorted((q for q in questions if track in tracks_of(q)), key=lambda q: q.id)
    chosen: list[Question] = []
    for slot in LOOPS[track].slots:
        left = [q for q in pool if q not in chosen]
        kinds = slot.kinds if _B in slot.kinds or _D in slot.kinds else (*slot.kinds, *_TECHNICAL)
        candidates = next(
            (found for kind in kinds if (found := [q for q in left if q.kind is kind])), []
        )
        if not candidates:
            raise BadInputError(
                f"--loop {track.value}: the bank has no {slot.kinds[0].value} question for "
                "this track (add one with --bank)"
            )
        if _B in slot.kinds:
            # Every role is asked for stories; one written for this role fits it best.
            candidates = [q for q in candidates if track in q.tracks] or candidates
        target = _LEVELS.index(_level(level, slot.level_step))
        nearest = min(
            (abs(_LEVELS.index(q.level) - target), _LEVELS.index(q.level)) for q in candidates
        )
        candidates = [
            q
            for q in candidates
            if (abs(_LEVELS.index(q.level) - target), _LEVELS.index(q.level)) == nearest
        ]
        asked_topics = Counter(q.topic for q in chosen)
        fewest = min(asked_topics[q.topic] for q in candidates)
        chosen.append(rng.choice([q for q in candidates if asked_topics[q.topic] == fewest]))
    return chosen
