"""What a transcript means to a reader, worked out once for every renderer.

The terminal, the Markdown file and the HTML page draw these facts; none of them works them
out again, so the three can never disagree about what an answer earned.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mockaws.models import Delivery, Feedback, FollowUpTurn, Grade, Question, Turn, Verdict

if TYPE_CHECKING:
    from mockaws.history import AnswerRecord, History

_CREDITED = (Verdict.COVERED, Verdict.PARTIAL)


def _made(grade: Grade | None) -> set[str]:
    if grade is None:
        return set()
    return {v.point_id for v in grade.points if v.verdict in _CREDITED}


def _flags(grade: Grade | None) -> set[str]:
    return {h.flag_id for h in grade.red_flags_hit} if grade is not None else set()


def _same_text(a: str, b: str) -> bool:
    return re.sub(r"\s+", " ", a).strip().lower() == re.sub(r"\s+", " ", b).strip().lower()


def follow_up_contribution(question: Question | None, turn: Turn, follow_up: FollowUpTurn) -> str:
    """What a follow-up answer added to the main answer, in words: never a score of its own.

    A follow-up is graded against the parent question's rubric, so its own score measures it
    against the whole question; what matters is what it changed: points made that the main
    answer had not, and any misconception it stated that the main answer had not.
    """
    if follow_up.skipped:
        return "skipped"
    if not follow_up.submitted:
        return "not answered"
    if follow_up.grade is None:
        return f"not graded: {follow_up.ungraded_reason} (the answer is saved)"
    points = {p.id: p.point for p in question.rubric} if question is not None else {}
    flags = {f.id: f.flag for f in question.red_flags} if question is not None else {}
    new_points = [
        points.get(v.point_id, v.point_id)
        for v in follow_up.grade.points
        if v.point_id in _made(follow_up.grade) - _made(turn.grade)
    ]
    new_flags = [
        flags.get(h.flag_id, h.flag_id)
        for h in follow_up.grade.red_flags_hit
        if h.flag_id in _flags(follow_up.grade) - _flags(turn.grade)
    ]
    parts = []
    if new_points:
        parts.append("now made: " + "; ".join(new_points))
    if new_flags:
        parts.append("a misconception: " + "; ".join(new_flags))
    return " · ".join(parts) if parts else "no rubric point beyond the first answer"


def think_about_next(turn: Turn) -> str | None:
    """The grader's suggested next question, unless it was already asked as a follow-up."""
    if turn.grade is None or not turn.grade.follow_up:
        return None
    suggestion = turn.grade.follow_up
    if any(_same_text(suggestion, f.question) for f in turn.follow_ups):
        return None
    return suggestion


# ---------------------------------------------------------------- one answer, for every renderer


@dataclass(frozen=True)
class PointView:
    """One rubric point: its text, the verdict that counts, and the quote that earned it."""

    point_id: str
    point: str
    verdict: Verdict
    evidence: str = ""


@dataclass(frozen=True)
class FlagView:
    """A misconception the answer stated, with the sentence that stated it."""

    flag: str
    sentence: str


@dataclass(frozen=True)
class FollowUpView:
    question: str
    answer: str
    added: str  # what it added to the answer before it, in words


@dataclass(frozen=True)
class AnswerView:
    """The facts of one answered question that the terminal, Markdown and HTML all show."""

    number: int
    question_id: str
    question: str
    answer: str
    skipped: bool
    score: int | None  # the score that counts (the user's own marking, when there is one)
    rating: str | None
    ungraded_reason: str | None
    points: list[PointView] = field(default_factory=list)
    red_flags: list[FlagView] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)  # what /hint said while this was typed
    delivery: list[str] = field(default_factory=list)  # in words, never a data structure
    follow_ups: list[FollowUpView] = field(default_factory=list)
    think_about_next: str | None = None


def delivery_lines(delivery: Delivery | None) -> list[str]:
    """An answer's delivery facts as sentences: words, time, fillers, hedges, services."""
    from mockaws.delivery import describe, describe_services

    if delivery is None:
        return []
    services = describe_services(delivery)
    return [describe(delivery), *([services] if services else [])]


def answer_view(number: int, turn: Turn, question: Question | None) -> AnswerView:
    """What answer `number` of a transcript shows, worked out once."""
    from mockaws.hints import hint_for

    grade = turn.grade
    texts = {p.id: p.point for p in question.rubric} if question is not None else {}
    flags = {f.id: f.flag for f in question.red_flags} if question is not None else {}
    points = (
        [
            PointView(v.point_id, texts.get(v.point_id, v.point_id), v.verdict, v.evidence)
            for v in grade.effective_points
        ]
        if grade is not None
        else []
    )
    hinted = [question.point(h) for h in turn.hints] if question is not None else []
    return AnswerView(
        number=number,
        question_id=turn.question_id,
        question=turn.question,
        answer=turn.answer,
        skipped=turn.skipped,
        score=grade.effective_score if grade is not None else None,
        rating=grade.effective_rating.value if grade is not None else None,
        ungraded_reason=None if grade is not None or turn.skipped else turn.ungraded_reason,
        points=points,
        red_flags=[
            FlagView(flags.get(h.flag_id, h.flag_id), h.evidence)
            for h in (grade.red_flags_hit if grade is not None else [])
        ],
        hints=[hint_for(p) for p in hinted if p is not None],
        delivery=delivery_lines(turn.delivery),
        follow_ups=[
            FollowUpView(f.question, f.answer, follow_up_contribution(question, turn, f))
            for f in turn.follow_ups
        ],
        think_about_next=think_about_next(turn),
    )


def feedback_beyond_rubric(feedback: Feedback, question: Question | None) -> Feedback:
    """The grader's feedback less the items that only restate a rubric point.

    Each point is shown once, beside its verdict and evidence; feedback that says nothing more
    (the offline grader lists the points as strengths, gaps and an outline) would repeat it.
    """
    if question is None:
        return feedback
    points = {_norm(p.point) for p in question.rubric}

    def new(items: list[str]) -> list[str]:
        return [item for item in items if _norm(item.lstrip("✓•+-* ")) not in points]

    return Feedback(
        strengths=new(feedback.strengths), gaps=new(feedback.gaps), outline=new(feedback.outline)
    )


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


# ---------------------------------------------------------------- progress on a question


@dataclass(frozen=True)
class Progress:
    """An answer against the user's previous attempt at the same question."""

    previous_score: int | None
    previous_at: str  # ISO 8601, UTC
    now_made: list[str]  # rubric points missed last time and made now ("missed → covered")
    now_missed: list[str]  # made last time, missed now


def previous_attempt(history: History, turn: Turn, session_id: str) -> AnswerRecord | None:
    """The latest answer to `turn`'s question from an earlier session, if any."""
    if turn.answered_at is None:
        return None
    before = turn.answered_at.isoformat()
    earlier = [
        record
        for session in history.sessions
        if session.id != session_id
        for record in session.answers
        if record.question_id == turn.question_id and record.answered_at < before
    ]
    return max(earlier, key=lambda r: r.answered_at, default=None)


def compare_attempts(turn: Turn, question: Question | None, previous: AnswerRecord) -> Progress:
    """What changed since `previous`, point by point (only graded answers compare)."""
    texts = {p.id: p.point for p in question.rubric} if question is not None else {}
    now_missed_ids = {
        v.point_id
        for v in (turn.grade.effective_points if turn.grade is not None else [])
        if v.verdict in (Verdict.MISSED, Verdict.CONTRADICTED)
    }
    before = set(previous.missed)
    graded = turn.grade is not None and previous.score is not None
    return Progress(
        previous_score=previous.score,
        previous_at=previous.answered_at,
        now_made=[texts.get(i, i) for i in sorted(before - now_missed_ids)] if graded else [],
        now_missed=[texts.get(i, i) for i in sorted(now_missed_ids - before)] if graded else [],
    )
