"""Transcripts exported for reading elsewhere: Markdown, JSON, or one self-contained HTML page."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.resources import files
from typing import Any

from mockaws import __version__
from mockaws.errors import BadInputError
from mockaws.evidence import grade_marks, segments
from mockaws.models import Feedback, Grade, Question, Transcript, Turn, TurnStatus
from mockaws.transcripts import render_markdown
from mockaws.views import (
    answer_view,
    delivery_lines,
    feedback_beyond_rubric,
    follow_up_contribution,
    think_about_next,
)

EXPORT_FORMATS = ("md", "json", "html")


def export_text(transcript: Transcript, questions: Mapping[str, Question], fmt: str) -> str:
    """The transcript in format `fmt` (md, json or html); `questions` adds the rubric's wording."""
    if fmt == "json":
        return transcript.model_dump_json(indent=2) + "\n"
    if fmt == "md":
        return render_markdown(transcript, questions)
    if fmt == "html":
        return render_html(transcript, questions)
    raise BadInputError(f"unknown export format '{fmt}' (choose from: {', '.join(EXPORT_FORMATS)})")


def delivery_notes(turn: Turn) -> list[str]:
    """Delivery facts recorded for a turn (speaking time, fillers...), one readable line each."""
    recording = recording_note(turn)
    return delivery_lines(turn.delivery) + ([recording] if recording else [])


def recording_note(turn: Turn) -> str | None:
    """Where a spoken answer's recording is kept (relative to the transcripts folder)."""
    spoken = getattr(turn, "spoken", None)
    if spoken is None:
        return None
    heard = f"spoken, {spoken.recorded_seconds:.0f} s recorded"
    if spoken.audio_file is None:
        return f"{heard}; the recording was not kept"
    return f"{heard}; recording: {spoken.audio_file}"


def outline_items(feedback: Feedback) -> list[str]:
    """The outline of a better answer, each item with a marker (graders may give their own)."""
    return [item if not item[:1].isalnum() else f"• {item}" for item in feedback.outline]


def made_by(grade: Grade) -> str:
    """Which grader and model produced a grade, and what it cost when that is known."""
    text = grade.grader + (f", {grade.model}" if grade.model else "")
    if grade.usage is not None and grade.usage.cost_usd is not None:
        text += f", ${grade.usage.cost_usd:.4f}"
    return text


def _grade_view(
    grade: Grade, question: Question | None, answer: str, transcript_id: str
) -> dict[str, Any]:
    feedback = feedback_beyond_rubric(grade.feedback, question)
    flags = {f.id: f.flag for f in question.red_flags} if question else {}
    points = []
    changed = grade.self_assessment.changed if grade.self_assessment else []
    graders = {v.point_id: v for v in grade.points}
    for number, verdict in enumerate(grade.effective_points, start=1):
        rubric_point = question.point(verdict.point_id) if question else None
        original = graders.get(verdict.point_id, verdict)
        points.append(
            {
                "number": number,
                "verdict": verdict.verdict.value,
                # What the grader said, on a point the user marked otherwise.
                "grader_verdict": (original.verdict.value if verdict.point_id in changed else None),
                "text": rubric_point.point if rubric_point else verdict.point_id,
                "weight": rubric_point.weight if rubric_point else None,
                "evidence": original.evidence,
                "note": original.note if not original.verified else "",
            }
        )
    return {
        "score": grade.effective_score,
        "rating": grade.effective_rating.value,
        "self_assessed": grade.self_assessed,
        "grader_score": grade.score,
        "grader_rating": grade.rating.value,
        "made_by": made_by(grade),
        "points": points,
        "red_flags": [
            {
                "label": f"⚑{n}",
                "text": flags.get(hit.flag_id, hit.flag_id),
                "evidence": hit.evidence,
            }
            for n, hit in enumerate(grade.red_flags_hit, start=1)
        ],
        "notices": grade.notices + grade.integrity_flags,
        "low_confidence": grade.low_confidence_note(transcript_id),
        "strengths": feedback.strengths,
        "gaps": feedback.gaps,
        "outline": outline_items(feedback),
        "follow_up": grade.follow_up,
        "answer": [
            {
                "text": piece.text,
                "kind": piece.kind.value if piece.kind else None,
                "closing": [{"label": m.label, "kind": m.kind.value} for m in piece.closing],
            }
            for piece in segments(answer, grade_marks(grade, answer))
        ],
    }


def _turn_view(
    number: int, turn: Turn, question: Question | None, transcript_id: str
) -> dict[str, Any]:
    from mockaws.voice.store import playable

    grade = turn.grade
    return {
        "number": number,
        "question": turn.question,
        "question_id": turn.question_id,
        "topic": turn.topic,
        "level": turn.level.value,
        "skipped": turn.status is TurnStatus.SKIPPED,
        "answer": turn.answer,
        "seconds": turn.seconds,
        "grade": _grade_view(grade, question, turn.answer, transcript_id) if grade else None,
        "grade_error": turn.ungraded_reason,
        "rubric_changed": question is not None and question.rubric_hash != turn.rubric_hash,
        "delivery": delivery_notes(turn),
        "audio": playable(turn.spoken.audio_file) if turn.spoken is not None else None,
        "follow_ups": [
            {
                "question": f.question,
                "answer": f.answer,
                "added": follow_up_contribution(question, turn, f),
                "audio": playable(f.spoken.audio_file) if f.spoken is not None else None,
            }
            for f in turn.follow_ups
        ],
        "reference": question.reference_answer if question else None,
        "think_about_next": think_about_next(turn),
        "hints": answer_view(number, turn, question).hints,
    }


def render_html(transcript: Transcript, questions: Mapping[str, Question]) -> str:
    """The transcript as one HTML page with its styles inline: no scripts, fonts or links."""
    from jinja2 import Environment, StrictUndefined

    environment = Environment(
        autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    source = files("mockaws").joinpath("templates", "transcript.html.j2").read_text("utf-8")
    settings = transcript.settings
    average = transcript.average_score
    from mockaws.tokens import describe_usage, transcript_usage

    usage = transcript_usage(transcript)
    turns = [
        _turn_view(n, t, questions.get(t.question_id), transcript.id)
        for n, t in enumerate(transcript.turns, start=1)
    ]
    return environment.from_string(source).render(
        transcript=transcript,
        kind="drill" if settings.mode == "drill" else "interview",
        started=f"{transcript.started_at:%Y-%m-%d %H:%M} UTC",
        status=transcript.status.value.replace("_", " "),
        grader=settings.grader + (f" ({settings.model})" if settings.model else ""),
        topics=", ".join(settings.topics) or "all topics",
        level=settings.level.value if settings.level else "any level",
        average=round(average) if average is not None else None,
        average_rating=_rating(average),
        answered=sum(1 for t in transcript.turns if t.status is TurnStatus.ANSWERED),
        planned=max(len(settings.question_ids), len(transcript.turns)),
        turns=turns,
        cost=describe_usage(usage) if usage is not None else None,
        version=__version__,
    )


def _rating(score: float | None) -> str | None:
    from mockaws.grading.scoring import rating_for

    return rating_for(round(score)).value if score is not None else None
