"""Correcting a grade: the user's verdicts beside the grader's, scored by scoring.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mockaws.bank import load_bank
from mockaws.cli import app
from mockaws.drill import Schedule, sync
from mockaws.errors import BadInputError
from mockaws.grading import scoring
from mockaws.history import load_history
from mockaws.models import Grade, Verdict
from mockaws.transcripts import load_transcript
from tests.conftest import MINI_BANK

FIXTURES = Path(__file__).parent / "data" / "transcripts"
runner = CliRunner()
BANK = ["--bank", str(MINI_BANK)]
SG = load_bank([MINI_BANK]).questions["mini-sg-vs-nacl"]
OLD_ID = "20250301-090000-a1b2"  # v1.json: question 1 has nacl-stateless missed, score 60


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def old_transcript(home: Path) -> Path:
    """The version 1 fixture (grade schema 1), copied where `transcripts` looks."""
    folder = home / "transcripts"
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(FIXTURES / "v1.json", folder / f"{OLD_ID}.json"))


def grader_grade() -> Grade:
    grade = load_transcript(FIXTURES / "v1.json").turns[0].grade
    assert grade is not None
    return grade


def test_an_old_grade_loads_with_no_self_assessment_and_counts_as_graded() -> None:
    grade = grader_grade()
    assert grade.self_assessment is None and not grade.self_assessed
    assert grade.effective_score == grade.score == 60
    assert grade.effective_points == grade.points


def test_a_self_assessed_transcript_written_now_keeps_loading() -> None:
    transcript = load_transcript(FIXTURES / "grade-v3-self-assessed.json")
    grade = transcript.turns[0].grade
    assert grade is not None and grade.self_assessment is not None
    assert grade.score == 60 and grade.self_assessment.score == 90
    assert grade.self_assessment.changed == ["nacl-stateless"]


def test_marking_a_missed_point_rescores_through_the_scoring_function(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[list[tuple[str, Verdict]]] = []
    real_score = scoring.score

    def spy(question, points, red_flags_hit):  # type: ignore[no-untyped-def]
        calls.append([(p.point_id, p.verdict) for p in points])
        return real_score(question, points, red_flags_hit)

    monkeypatch.setattr(scoring, "score", spy)
    original = grader_grade()
    marked = scoring.self_assess(SG, original, covered=["nacl-stateless"])
    assessment = marked.self_assessment
    assert assessment is not None
    assert calls == [[(p.id, Verdict.COVERED) for p in SG.rubric]]
    # Every point covered, less the red flag the grader found (which marking does not lift).
    assert len(original.red_flags_hit) == 1
    assert assessment.score == real_score(SG, assessment.points, original.red_flags_hit) == 90
    assert assessment.rating.value == "strong"
    assert assessment.changed == ["nacl-stateless"]
    # The grader's verdicts and score are on record, untouched.
    assert marked.points == original.points and marked.score == 60
    assert marked.effective_score == 90


def test_unmarking_back_to_the_graders_verdicts_drops_the_self_assessment() -> None:
    marked = scoring.self_assess(SG, grader_grade(), covered=["nacl-stateless"])
    back = scoring.self_assess(SG, marked, missed=["nacl-stateless"])
    assert back.self_assessment is None and back.effective_score == 60


def test_without_the_red_flag_marking_every_point_covered_scores_full() -> None:
    grade = grader_grade().model_copy(update={"red_flags_hit": []})
    marked = scoring.self_assess(SG, grade, covered=["nacl-stateless"])
    assert marked.self_assessment is not None and marked.self_assessment.score == 100


def test_marking_a_covered_point_missed_lowers_the_score() -> None:
    marked = scoring.self_assess(SG, grader_grade(), missed=["sg-stateful"])
    assert marked.self_assessment is not None
    assert marked.self_assessment.score < 60 and marked.score == 60


def test_an_unknown_point_names_the_valid_ids() -> None:
    with pytest.raises(BadInputError) as info:
        scoring.self_assess(SG, grader_grade(), covered=["nacl-stateles"])
    assert "'nacl-stateles'" in info.value.message
    assert "sg-stateful, sg-instance-level, nacl-stateless, allow-deny" in info.value.message


def test_mark_with_a_bad_point_id_is_one_line_exit_2_and_changes_nothing(
    old_transcript: Path,
) -> None:
    before = old_transcript.read_text()
    code, out, err = run(
        "transcripts", "mark", OLD_ID, "--question", "1", "--covered", "nope", *BANK
    )
    assert code == 2, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert "'nope'" in lines[0]
    assert "valid ids: sg-stateful, sg-instance-level, nacl-stateless, allow-deny" in lines[0]
    assert old_transcript.read_text() == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--question", "5", "--covered", "sg-stateful"], "has questions 1 to 2"),
        (["--question", "2", "--covered", "strong-consistency"], "nothing to mark"),
    ],
)
def test_mark_names_a_question_it_cannot_mark(
    old_transcript: Path, args: list[str], expected: str
) -> None:
    code, _, err = run("transcripts", "mark", OLD_ID, *args, *BANK)
    assert code == 2 and expected in err and len(err.strip().splitlines()) == 1


def test_mark_an_old_transcript_from_a_script(old_transcript: Path, home: Path) -> None:
    code, out, err = run(
        "transcripts", "mark", OLD_ID, "-q", "1", "--covered", "nacl-stateless", "--json", *BANK
    )
    assert code == 0, out + err
    result = json.loads(out)
    assert result["grader"] == {"score": 60, "rating": "solid"}
    assert result["self_assessed"]["score"] == 90
    assert result["self_assessed"]["changed"] == ["nacl-stateless"]
    by_id = {p["id"]: p for p in result["points"]}
    assert by_id["nacl-stateless"]["grader"] == "missed"
    assert by_id["nacl-stateless"]["self"] == "covered"

    saved = json.loads(old_transcript.read_text())
    grade = saved["turns"][0]["grade"]
    assert grade["score"] == 60 and grade["self_assessment"]["score"] == 90
    assert {p["point_id"]: p["verdict"] for p in grade["points"]}["nacl-stateless"] == "missed"
    assert old_transcript.with_suffix(".md").exists()
    assert "marked by you; grader: ❌ missed" in old_transcript.with_suffix(".md").read_text()

    # Stats and drill follow the self-assessed score, and keep the grader's beside it.
    code, out, _ = run("stats", "--json", *BANK)
    stats = json.loads(out)
    assert stats["average_score"] == 90 and stats["grader_average_score"] == 60
    assert stats["self_assessed_answers"] == 1
    code, out, _ = run("stats", *BANK)
    assert code == 0
    assert "1 answer self-assessed" in out and "the average is 60/100" in " ".join(out.split())


def test_a_review_already_scheduled_follows_a_later_marking(old_transcript: Path) -> None:
    schedule = Schedule()
    cache = old_transcript.parent.parent / "cache"
    assert sync(schedule, load_history(old_transcript.parent, cache)) == 1
    (review,) = schedule.questions["mini-sg-vs-nacl"].reviews
    assert review.score == 60 and review.missed == ["nacl-stateless"]
    code, out, err = run("transcripts", "mark", OLD_ID, "-q", "1", "-c", "nacl-stateless", *BANK)
    assert code == 0, out + err
    assert sync(schedule, load_history(old_transcript.parent, cache)) == 1
    (review,) = schedule.questions["mini-sg-vs-nacl"].reviews
    assert review.score == 90 and review.grader_score == 60 and review.missed == []
    assert sync(schedule, load_history(old_transcript.parent, cache)) == 0


def test_mark_without_changes_lists_the_ids(old_transcript: Path) -> None:
    code, out, err = run("transcripts", "mark", OLD_ID, "-q", "1", *BANK)
    assert code == 0, out + err
    for point in SG.rubric:
        assert point.id in out
    assert "--covered ID" in out


def test_a_regrade_keeps_the_users_marks_unless_the_new_grader_agrees() -> None:
    old = scoring.self_assess(SG, grader_grade(), covered=["nacl-stateless"])
    again = scoring.carry_self_assessment(SG, old, grader_grade())
    assert again.self_assessment is not None
    assert again.self_assessment.changed == ["nacl-stateless"]
    assert again.self_assessment.score == old.effective_score

    agreeing = grader_grade()
    agreeing = agreeing.model_copy(
        update={
            "points": [
                p.model_copy(update={"verdict": Verdict.COVERED})
                if p.point_id == "nacl-stateless"
                else p
                for p in agreeing.points
            ]
        }
    )
    assert scoring.carry_self_assessment(SG, old, agreeing).self_assessment is None


def test_mark_with_piped_answers_names_the_command_for_scripts(home: Path, tmp_path: Path) -> None:
    from tests.banks import isolated_bank_args, only_test_topics

    script = "Security groups are stateful.\n.\n/mark\n.\n/quit\n.\n"
    args = ["interview", "-n", "2", "--seed", "5", "--grader", "offline"]
    args += [*isolated_bank_args(tmp_path), *only_test_topics()]
    result = runner.invoke(app, args, input=script)
    assert result.exit_code == 0, result.output
    (saved,) = (home / "transcripts").glob("*.json")
    transcript = load_transcript(saved)
    expected = f"mockaws transcripts mark {transcript.id} --question 1 --covered POINT"
    assert expected in " ".join(result.stderr.split())
    assert transcript.turns[0].grade is not None
    assert transcript.turns[0].grade.self_assessment is None
