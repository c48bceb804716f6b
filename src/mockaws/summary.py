"""What an interview comes to: per-question rows, topic averages, the points to work on next."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from mockaws.delivery import combine
from mockaws.models import (
    Delivery,
    Question,
    QuestionKind,
    Rating,
    RubricPoint,
    Transcript,
    Turn,
    TurnStatus,
    Verdict,
)

MISSED_SHOWN = 3


@dataclass(frozen=True)
class TopicAverage:
    topic: str
    average: float
    answers: int


@dataclass(frozen=True)
class KindAverage:
    kind: QuestionKind
    average: float
    answers: int


@dataclass(frozen=True)
class MissedPoint:
    """A rubric point an answer did not fully make (nor its follow-ups), with its question."""

    number: int
    turn: Turn
    point: RubricPoint
    verdict: Verdict

    @property
    def weight_lost(self) -> float:
        """The weight the answer did not earn, as the one scoring function counts credit."""
        from mockaws.grading.scoring import CREDIT

        return self.point.weight * (1.0 - CREDIT[self.verdict])


@dataclass(frozen=True)
class Misconception:
    """A red flag an answer (or its follow-up) raised, with the sentence that stated it."""

    number: int
    question_id: str
    flag: str
    sentence: str


@dataclass(frozen=True)
class NextStep:
    label: str
    command: str


@dataclass(frozen=True)
class Report:
    turns: list[Turn]
    topics: list[TopicAverage]
    kinds: list[KindAverage]  # in the order of QuestionKind; kinds with no graded answer left out
    missed: list[MissedPoint]
    delivery: Delivery  # summed over every answer, follow-ups included
    answers: int  # how many answers `delivery` sums
    next_steps: list[NextStep]
    misconceptions: list[Misconception] = field(default_factory=list)

    @property
    def ungraded(self) -> int:
        return sum(1 for t in self.turns if t.needs_grade)

    @property
    def low_confidence(self) -> list[int]:
        """The numbers of the answers whose grade the grader is unsure of."""
        return [
            number
            for number, turn in enumerate(self.turns, start=1)
            if turn.grade is not None and turn.grade.low_confidence and not turn.grade.self_assessed
        ]


def _missed_points(turn: Turn, question: Question) -> list[tuple[RubricPoint, Verdict]]:
    if turn.grade is None:
        return []
    # A point the candidate made when the interviewer followed up is not missed.
    made_later = {
        v.point_id
        for f in turn.follow_ups
        if f.grade is not None
        for v in f.grade.points
        if v.verdict is Verdict.COVERED
    }
    missed: list[tuple[RubricPoint, Verdict]] = []
    for verdict in turn.grade.effective_points:
        point = question.point(verdict.point_id)
        if point is None or verdict.verdict is Verdict.COVERED or point.id in made_later:
            continue
        missed.append((point, verdict.verdict))
    return missed


def practice_command(topics: Sequence[str], banks: Sequence[str] = ()) -> str:
    """The command that practises these topics (with the session's own banks, if any)."""
    args = ["mockaws", "interview", "-n", "3"]
    for topic in topics:
        args += ["--topic", topic]
    for bank in banks:
        args += ["--bank", bank]
    return shlex.join(args)


def report(transcript: Transcript, questions: Mapping[str, Question]) -> Report:
    """The end-of-interview summary of `transcript`; `questions` supplies rubric texts."""
    turns = [t for t in transcript.turns if t.submitted or t.answer.strip()]
    scores: dict[str, list[int]] = {}
    for turn in turns:
        if turn.grade is not None:
            scores.setdefault(turn.topic, []).append(turn.grade.effective_score)
    topics = [
        TopicAverage(topic, sum(values) / len(values), len(values))
        for topic, values in sorted(scores.items())
    ]
    by_kind: dict[QuestionKind, list[int]] = {}
    for turn in turns:
        known = questions.get(turn.question_id)
        kind = turn.kind or (known.kind if known is not None else None)
        if turn.grade is not None and kind is not None:
            by_kind.setdefault(kind, []).append(turn.grade.effective_score)
    kinds = [
        KindAverage(kind, sum(by_kind[kind]) / len(by_kind[kind]), len(by_kind[kind]))
        for kind in QuestionKind
        if kind in by_kind
    ]
    missed: list[MissedPoint] = []
    for number, turn in enumerate(turns, start=1):
        question = questions.get(turn.question_id)
        if question is None:
            continue
        missed += [
            MissedPoint(number, turn, point, verdict)
            for point, verdict in _missed_points(turn, question)
        ]
    # The most weight lost first; a contradiction before a mere omission; then in order asked.
    missed.sort(key=lambda m: (-m.weight_lost, m.verdict is not Verdict.CONTRADICTED, m.number))
    top = missed[:MISSED_SHOWN]
    steps: list[NextStep] = []
    weak_topics = list(dict.fromkeys(m.turn.topic for m in top))[:2]
    if not weak_topics:
        weak_topics = list(
            dict.fromkeys(
                t.topic
                for t in turns
                if t.status is TurnStatus.SKIPPED
                or (t.grade is not None and t.grade.effective_rating in (Rating.WEAK, Rating.POOR))
            )
        )[:2]
    if top:
        shown = shlex.join(["mockaws", "questions", "show", top[0].turn.question_id])
        steps.append(NextStep("Read the reference answer", shown))
    if weak_topics:
        banks = transcript.settings.banks
        steps.append(NextStep("Practise", practice_command(weak_topics, banks)))
    deliveries = [
        d for t in turns for d in [t.delivery, *(f.delivery for f in t.follow_ups)] if d is not None
    ]
    return Report(
        turns,
        topics,
        kinds,
        top,
        combine(deliveries),
        len(deliveries),
        steps,
        misconceptions(turns, questions),
    )


def misconceptions(turns: Sequence[Turn], questions: Mapping[str, Question]) -> list[Misconception]:
    """Every misconception the answers stated, each with the sentence that stated it."""
    found: list[Misconception] = []
    for number, turn in enumerate(turns, start=1):
        question = questions.get(turn.question_id)
        flags = {f.id: f.flag for f in question.red_flags} if question is not None else {}
        for answer in (turn, *turn.follow_ups):
            for hit in answer.grade.red_flags_hit if answer.grade is not None else []:
                flag = flags.get(hit.flag_id, hit.flag_id)
                found.append(Misconception(number, turn.question_id, flag, hit.evidence))
    return found
