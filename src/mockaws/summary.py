"""What an interview comes to: per-question rows, topic averages, the points to work on next."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass

from mockaws.delivery import combine
from mockaws.models import (
    Delivery,
    Question,
    Rating,
    RubricPoint,
    Transcript,
    Turn,
    TurnStatus,
    Verdict,
)

MISSED_SHOWN = 3
_CREDITED = (Verdict.COVERED, Verdict.PARTIAL)


@dataclass(frozen=True)
class TopicAverage:
    topic: str
    average: float
    answers: int


@dataclass(frozen=True)
class MissedPoint:
    """A rubric point an answer did not make (nor its follow-ups), with the question it is from."""

    number: int
    turn: Turn
    point: RubricPoint
    contradicted: bool


@dataclass(frozen=True)
class Report:
    turns: list[Turn]
    topics: list[TopicAverage]
    missed: list[MissedPoint]
    delivery: Delivery
    next_commands: list[str]

    @property
    def ungraded(self) -> int:
        return sum(1 for t in self.turns if t.needs_grade)


def _missed_points(turn: Turn, question: Question) -> list[tuple[RubricPoint, bool]]:
    if turn.grade is None:
        return []
    # A point the candidate made when the interviewer followed up is not missed.
    made_later = {
        v.point_id
        for f in turn.follow_ups
        if f.grade is not None
        for v in f.grade.points
        if v.verdict in _CREDITED
    }
    missed = []
    for verdict in turn.grade.points:
        point = question.point(verdict.point_id)
        if point is None or verdict.verdict in _CREDITED or point.id in made_later:
            continue
        missed.append((point, verdict.verdict is Verdict.CONTRADICTED))
    return missed


def practice_command(topics: list[str]) -> str:
    """The command that practises these topics."""
    args = ["mockaws", "interview", "-n", "3"]
    for topic in topics:
        args += ["--topic", topic]
    return shlex.join(args)


def report(transcript: Transcript, questions: Mapping[str, Question]) -> Report:
    """The end-of-interview summary of `transcript`; `questions` supplies rubric texts."""
    turns = [t for t in transcript.turns if t.submitted or t.answer.strip()]
    scores: dict[str, list[int]] = {}
    for turn in turns:
        if turn.grade is not None:
            scores.setdefault(turn.topic, []).append(turn.grade.score)
    topics = [
        TopicAverage(topic, sum(values) / len(values), len(values))
        for topic, values in sorted(scores.items())
    ]
    missed: list[MissedPoint] = []
    for number, turn in enumerate(turns, start=1):
        question = questions.get(turn.question_id)
        if question is None:
            continue
        missed += [
            MissedPoint(number, turn, point, contradicted)
            for point, contradicted in _missed_points(turn, question)
        ]
    # The weightiest first; a contradiction before a mere omission; then in the order asked.
    missed.sort(key=lambda m: (-m.point.weight, not m.contradicted, m.number))
    top = missed[:MISSED_SHOWN]
    commands: list[str] = []
    weak_topics = list(dict.fromkeys(m.turn.topic for m in top))[:2]
    if not weak_topics:
        weak_topics = list(
            dict.fromkeys(
                t.topic
                for t in turns
                if t.status is TurnStatus.SKIPPED
                or (t.grade is not None and t.grade.rating in (Rating.WEAK, Rating.POOR))
            )
        )[:2]
    if weak_topics:
        commands.append(practice_command(weak_topics))
    if top:
        commands.append(shlex.join(["mockaws", "questions", "show", top[0].turn.question_id]))
    deliveries = [
        d for t in turns for d in [t.delivery, *(f.delivery for f in t.follow_ups)] if d is not None
    ]
    return Report(turns, topics, top, combine(deliveries), commands)
