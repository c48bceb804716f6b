"""Offline grades say how sure they are; an unsure grade says so, and what to do, where shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mockaws.cli import app
from mockaws.evaluation import GradedAnswer, LabelledAnswer, agreement
from mockaws.export import export_text
from mockaws.grading import grade_answer
from mockaws.grading.offline import OfflineGrader
from mockaws.models import Confidence, Question, Rating, Transcript, Turn
from mockaws.transcripts import TranscriptStore, load_transcript, render_markdown
from tests.conftest import DATA, MINI_BANK
from tests.factories import mini_bank

BANK = mini_bank()
SG = BANK.get("mini-sg-vs-nacl")
GRADER = OfflineGrader()
PRECISE = (
    "Security groups are stateful: return traffic is allowed automatically, on the ENI. "
    "NACLs are stateless at the subnet level, so open ephemeral ports in both directions. "
    "NACLs have deny rules evaluated in rule number order; security groups only allow."
)
# Right, and long, but in words the cues do not know.
PLAIN_AND_LONG = (
    "Think of the security group as a guard standing at the door of each server. It remembers "
    "who it let out, so when the reply to an outgoing request comes back it waves it through "
    "without needing a separate permission for that. The network list is a different animal: "
    "it guards the whole neighbourhood, every server in that part of the network, and it has no "
    "memory at all, so you must write a permission for the replies coming back as well as for "
    "the requests going out. It can also turn specific addresses away, which the guard at the "
    "door never does, and it reads its list from the top down."
)
AT_AN_EDGE = (
    "Security groups are stateful, so return traffic is allowed. "
    "Security groups attach to the ENI, while NACLs apply at the subnet level. "
    "NACLs have deny rules."
)


def test_a_precise_answer_is_graded_with_high_confidence() -> None:
    grade = grade_answer(GRADER, SG, PRECISE)
    assert grade.rating is Rating.STRONG
    assert grade.confidence is not None and grade.confidence.level is Confidence.HIGH
    assert grade.low_confidence_note() is None


def test_a_long_answer_that_matches_few_cues_is_marked_low_with_what_to_do() -> None:
    grade = grade_answer(GRADER, SG, PLAIN_AND_LONG)
    assert grade.rating in {Rating.WEAK, Rating.POOR}  # the rule is for answers below solid
    assert grade.confidence is not None and grade.confidence.level is Confidence.LOW
    assert "long answer" in grade.confidence.reason
    note = grade.low_confidence_note("20260101-090000-abcd", 2)
    assert note is not None
    assert "reference answer" in note and "mark the points you covered yourself" in note
    assert "mockaws transcripts mark 20260101-090000-abcd --question 2 --covered" in note
    assert "mockaws regrade 20260101-090000-abcd --grader openai" in note


def test_a_score_at_the_edge_of_a_band_is_marked_low() -> None:
    # covered sg-stateful (3) and sg-instance-level (2), partial allow-deny (0.25 * 2) of 10:
    # 55, the floor of solid
    grade = grade_answer(GRADER, SG, AT_AN_EDGE)
    assert grade.score == 55
    assert grade.confidence is not None and "edge of a band" in grade.confidence.reason


def test_screened_answers_and_derived_rubrics() -> None:
    empty = grade_answer(GRADER, SG, "   ")
    assert empty.confidence is not None and empty.confidence.level is Confidence.HIGH
    derived = BANK.get("mini-s3-consistency").model_copy(update={"rubric": [], "red_flags": []})
    from mockaws.grading.derive import with_derived_rubric

    grade = grade_answer(GRADER, with_derived_rubric(derived), "S3 is strongly consistent.")
    assert grade.low_confidence and "derived" in grade.confidence.reason  # type: ignore[union-attr]


def test_a_grade_written_before_confidence_loads_without_one() -> None:
    transcript = load_transcript(DATA / "transcripts" / "v1.json")
    grade = transcript.turns[0].grade
    assert grade is not None and grade.schema_version == 1 and grade.confidence is None
    assert not grade.low_confidence
    assert "Low confidence" not in render_markdown(transcript, BANK.questions)


def _session(home: Path, *grades: tuple[Question, str]) -> Transcript:
    turns = [
        Turn.asking(question, answer=answer, grade=grade_answer(GRADER, question, answer))
        for question, answer in grades
    ]
    transcript = Transcript(id="20260101-090000-abcd", turns=turns)
    TranscriptStore(home / "transcripts").save(transcript)
    return transcript


def test_every_view_of_a_transcript_says_which_grade_is_unsure(home: Path) -> None:
    transcript = _session(home, (SG, PLAIN_AND_LONG), (SG, PRECISE))
    advice = "mockaws regrade 20260101-090000-abcd --grader openai"
    markdown = render_markdown(transcript, BANK.questions)
    assert markdown.count("Low confidence") == 1 and advice in markdown
    html = export_text(transcript, BANK.questions, "html")
    assert html.count("Low confidence") == 1 and advice in html and "· unsure" in html
    result = CliRunner().invoke(app, ["transcripts", "show", "latest", "--bank", str(MINI_BANK)])
    assert result.exit_code == 0, result.stderr
    shown = " ".join(result.stdout.split())
    assert shown.count("Low confidence") == 1 and advice in shown


def test_feedback_and_the_summary_say_a_grade_is_unsure(home: Path, tmp_path: Path) -> None:
    bank = tmp_path / "bank.toml"  # a topic of its own, so no shipped question is asked
    bank.write_text(MINI_BANK.read_text().replace('"networking"', '"mini-networking"'))
    result = CliRunner().invoke(
        app,
        ["interview", "--topic", "mini-networking", "-n", "1", "--grader", "offline",
         "--bank", str(bank)],
        input=f"{PLAIN_AND_LONG}\n.\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    shown = " ".join(result.stdout.split())
    transcript_id = next((home / "transcripts").glob("*.json")).stem
    # once in the feedback, once in the summary, each with the command to regrade this session
    assert shown.count(f"mockaws regrade {transcript_id} --grader openai") == 2
    assert "Low confidence: a long answer of" in shown
    assert "The grades of question 1 is unsure" not in shown
    assert "The grade of question 1 is unsure" in shown


def test_eval_reports_how_many_large_errors_the_low_confidence_grades_hold() -> None:
    def graded(answer: str, human: str) -> GradedAnswer:
        label = LabelledAnswer(
            question_id=SG.id,
            answer=answer,
            points={p.id: "missed" for p in SG.rubric},  # type: ignore[misc]
            rating=Rating(human),
        )
        return GradedAnswer(label, SG, grade_answer(GRADER, SG, answer))

    results = [
        graded(PLAIN_AND_LONG, "strong"),  # rated poor or weak: large, and marked low
        graded(PRECISE, "strong"),  # agrees, high
        graded(PRECISE, "poor"),  # large, but the grader was sure
        graded(AT_AN_EDGE, "solid"),  # low, agrees
    ]
    figures = agreement(results)
    assert figures.large_errors == 2
    assert figures.large_errors_low_confidence == pytest.approx(0.5)
    assert figures.low_confidence_share == pytest.approx(0.5)


def test_grading_one_answer_outside_a_session_says_how_to_use_a_model() -> None:
    result = CliRunner().invoke(
        app,
        ["grade", "-q", SG.id, "-g", "offline", "--bank", str(MINI_BANK)],
        input=PLAIN_AND_LONG,
    )
    assert result.exit_code == 0, result.stderr
    shown = " ".join(result.stdout.split())
    assert "Low confidence: a long answer of" in shown
    assert "grade it with a model (--grader openai)" in shown and "regrade" not in shown
    assert "mockaws questions show mini-sg-vs-nacl" in shown
