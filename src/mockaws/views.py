"""What a transcript means to a reader, worked out once for every renderer.

The terminal, the Markdown file and the HTML page draw these facts; none of them works them
out again, so the three can never disagree about what an answer earned.
"""

from __future__ import annotations

import re

from mockaws.models import FollowUpTurn, Grade, Question, Turn, Verdict

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
