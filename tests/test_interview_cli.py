"""`mockaws interview` and `mockaws resume` with piped answers (the non-terminal path)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mockaws.cli import app
from mockaws.cli.interview import drive
from mockaws.grading.runner import GradingRunner
from mockaws.models import (
    Mode,
    Question,
    SessionSettings,
    SessionStatus,
    Transcript,
    Turn,
    Verdict,
)
from mockaws.session import Interview
from mockaws.transcripts import TranscriptStore
from tests.banks import NETWORKING, STORAGE, isolated_bank_args, only_test_topics
from tests.conftest import MINI_BANK
from tests.fakes import SG_FULL_ANSWER, ScriptedGrader

runner = CliRunner()


@pytest.fixture
def banks(tmp_path: Path) -> list[str]:
    return isolated_bank_args(tmp_path)


@pytest.fixture
def two(banks: list[str]) -> list[str]:
    """Two questions: seed 0 asks the networking one first, then the storage one."""
    return ["-n", "2", "--topic", NETWORKING, "--topic", STORAGE, "--seed", "0", *banks]


SG_ANSWER = (
    "Security groups are stateful and sit on the ENI, so return traffic is allowed. "
    "NACLs are stateless at the subnet level: open ephemeral ports in both directions."
)


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def saved(home: Path) -> Transcript:
    (path,) = (home / "transcripts").glob("*.json")
    return Transcript.model_validate_json(path.read_text())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("interview", "--mode", "exam"), "--mode: unknown mode 'exam' (choose from: study, real)"),
        (("interview", "--follow-ups", "3"), "--follow-ups must be 0, 1 or 2 (got 3)"),
        (("interview", "--time-limit", "0"), "--time-limit must be a positive number"),
        (("interview", "--adaptive", "-n", "0"), "-n must be at least 1"),
        (("interview", "--adaptive", "--topic", "nope"), "unknown topic 'nope' (choose from: "),
        (("resume",), "no unfinished interview to resume"),
        (("resume", "20990101"), "no interview '20990101'"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    args: tuple[str, ...], message: str, banks: list[str]
) -> None:
    code, out, err = run(*args, *banks, input="")
    assert code == 2, out + err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_piped_answers_line_up_with_follow_ups_when_asked_for(home: Path, two: list[str]) -> None:
    script = (
        f"{SG_ANSWER}\n.\nA deny rule in the NACL.\n.\n"
        "S3 is strongly consistent.\n.\nThe last writer wins.\n.\n"
    )
    code, out, _ = run("interview", *two, "--follow-ups", "1", input=script)
    assert code == 0, out
    transcript = saved(home)
    assert transcript.status is SessionStatus.COMPLETED
    assert [t.question_id for t in transcript.turns] == ["mini-sg-vs-nacl", "mini-s3-consistency"]
    follow_ups = [f for t in transcript.turns for f in t.follow_ups]
    assert [f.answer for f in follow_ups] == ["A deny rule in the NACL.", "The last writer wins."]
    assert all(f.grade is not None and f.source == "authored" for f in follow_ups)
    assert transcript.settings.follow_ups == 1


def test_study_mode_hints_reveals_and_feedback_in_order(home: Path, two: list[str]) -> None:
    script = f"/reveal\n.\n/hint\n.\n{SG_ANSWER}\n.\n/reveal\n.\n/quit\n.\n"
    code, out, _ = run("interview", *two, input=script)
    assert code == 0
    assert "/reveal shows the reference answer once you have answered" in out
    # A nudge: the area, with the words that would give the point away held back.
    assert "Hint 1: Security groups are …: … is allowed automatically." in out
    assert "return traffic" not in out[: out.index("Feedback on question 1")]
    # Feedback on the first answer comes before the second question; then its reference answer.
    feedback = out.index("Feedback on question 1")
    second = out.index("Question 2 of 2")
    reference = out.index("Reference answer")
    assert feedback < second < reference
    assert "Delivery:" in out.split("Question 2 of 2")[0]  # facts at once, in study mode
    turn = saved(home).turns[0]
    assert turn.hints == ["sg-stateful"] and turn.revealed


def test_real_mode_gives_no_feedback_until_the_end(home: Path, two: list[str]) -> None:
    script = f"/hint\n.\n{SG_ANSWER}\n.\nS3 is strongly consistent.\n.\n"
    code, out, _ = run("interview", *two, "--mode", "real", input=script)
    assert code == 0
    before_end = out[: out.index("Interview summary")]
    assert "/hint is for study mode" in out
    last_question = before_end.index("Question 2 of 2")
    assert "Score" not in before_end[:last_question]
    assert "Delivery:" not in before_end[:last_question]
    assert "Score" in before_end[last_question:]  # all the feedback, at the end
    assert saved(home).settings.mode is Mode.REAL


def test_the_summary_names_what_to_practise_next(home: Path, two: list[str]) -> None:
    script = "Security groups are stateful.\n.\nS3 is eventually consistent.\n.\n"
    code, out, _ = run("interview", *two, input=script)
    assert code == 0
    text = " ".join(out.split())
    assert "Work on next" in text
    assert "NACLs are stateless: both directions need rules" in text
    # "S3 is eventually consistent" contradicts a weight-3 point: that comes first
    assert f"Practise: mockaws interview -n 3 --topic {STORAGE} --topic {NETWORKING}" in text
    assert "Read the reference answer: mockaws questions show mini-s3-consistency" in text
    assert "fillers" in text and "time" in text


def test_adaptive_records_its_seed(home: Path, banks: list[str]) -> None:
    args = ["--adaptive", "-n", "2", *only_test_topics(), *banks]
    code, _, _ = run("interview", *args, input="stateful\n.\n")
    assert code == 0
    settings = saved(home).settings
    assert settings.adaptive and settings.seed is not None


def test_resume_a_quit_interview_by_id_prefix(home: Path, two: list[str]) -> None:
    code, _, _ = run("interview", *two, input=f"{SG_ANSWER}\n.\n/quit\n.\n")
    assert code == 0
    first = saved(home)
    assert first.status is SessionStatus.ABANDONED
    code, out, err = run("resume", first.id[:15], input="S3 is strongly consistent.\n.\n")
    assert code == 0, out + err
    assert "1 of 2 questions done" in err
    resumed = saved(home)
    assert resumed.status is SessionStatus.COMPLETED
    assert [t.answer for t in resumed.turns] == [SG_ANSWER, "S3 is strongly consistent."]
    code, _, err = run("resume", first.id)
    assert code == 2 and "is complete: nothing to resume" in err


def test_drive_calls_on_answer_with_the_grade_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockaws.bank import load_bank

    questions = load_bank([MINI_BANK], include_shipped=False).questions
    grader = ScriptedGrader()
    grader.enqueue(Verdict.COVERED, delay=0.05)
    session = Interview(
        [questions["mini-sg-vs-nacl"]],
        GradingRunner(grader),
        TranscriptStore(tmp_path),
        SessionSettings(grader="fake"),
    )
    seen: list[tuple[str, int | None]] = []

    def on_answer(question: Question, turn: Turn) -> None:
        seen.append((question.id, turn.grade.score if turn.grade else None))

    monkeypatch.setattr("sys.stdin", io.StringIO(f"{SG_FULL_ANSWER}\n.\n"))
    drive(session, on_answer=on_answer)
    assert seen == [("mini-sg-vs-nacl", 100)]


def test_an_answer_over_the_time_limit_says_so_and_is_kept() -> None:
    from mockaws import ui

    turn = Turn(
        question_id="q", question="Q?", topic="t", level="mid", rubric_hash="x",
        answer="a long answer", seconds=135,
    )  # fmt: skip
    with ui.out.capture() as captured:
        ui.answer_saved(turn, Mode.REAL, time_limit=120)
    assert "answered in 2:15 (over the 2:00 limit by 0:15)" in captured.get()
    with ui.out.capture() as captured:
        ui.answer_saved(turn, Mode.REAL, time_limit=180)
    assert "over" not in captured.get()


def test_resuming_into_a_follow_up_shows_the_question_it_follows(
    home: Path, two: list[str]
) -> None:
    code, out, _ = run("interview", *two, "--follow-ups", "1", input=f"{SG_ANSWER}\n.\n/quit\n.\n")
    assert code == 0
    parent = saved(home).turns[0].question

    code, out, _ = run("resume", input="/repeat\n.\nEphemeral ports, both ways.\n.\n/quit\n.\n")
    assert code == 0
    (follow_up,) = saved(home).turns[0].follow_ups
    assert follow_up.answer == "Ephemeral ports, both ways."
    asked = out.index(follow_up.question)
    # Shown with the question it follows, first and again on /repeat.
    assert "Following up question 1" in out
    assert out.count(parent) == 2 and out.index(parent) < asked
    assert out.count(follow_up.question) == 2


def test_a_follow_up_shows_what_it_added_never_a_score_of_its_own(tmp_path: Path) -> None:
    from mockaws.bank import load_bank
    from mockaws.export import render_html
    from mockaws.transcripts import render_markdown

    bank = load_bank([MINI_BANK], include_shipped=False).questions
    # No authored follow-up: the one asked is the grader's suggestion.
    sg = bank["mini-sg-vs-nacl"].model_copy(update={"follow_ups": []})
    questions = {q.id: q for q in [sg]}
    grader = ScriptedGrader()
    grader.enqueue({"sg-stateful": Verdict.COVERED}, follow_up="How do NACLs treat return traffic?")
    grader.enqueue({"nacl-stateless": Verdict.COVERED})
    session = Interview(
        [sg],
        GradingRunner(grader),
        TranscriptStore(tmp_path),
        SessionSettings(grader="fake", follow_ups=1),
    )
    session.submit("Security groups are stateful, so return traffic is allowed automatically.")
    prompt = session.prompt
    assert prompt is not None and prompt.follow_up is not None
    session.submit("NACLs are stateless, so you open ephemeral ports in both directions.")
    session.wait_for_grades()
    session.finish()
    transcript = session.transcript
    markdown = render_markdown(transcript, questions)
    html = render_html(transcript, questions)
    made = sg.point("nacl-stateless")
    assert made is not None
    for rendering in (markdown, html):
        assert f"now made: {made.point}" in rendering.replace("&#39;", "'")
        assert "Follow-up score" not in rendering
        # The grader's suggestion was asked as the follow-up: not suggested again.
        assert "Think about next" not in rendering


def test_a_session_with_no_answer_is_not_kept_nor_resumed(home: Path, two: list[str]) -> None:
    code, _, err = run("interview", *two, input="")
    assert code == 0
    assert "Nothing was answered: the session is not kept." in err
    assert not list((home / "transcripts").glob("*.json"))
    code, _, err = run("resume")
    assert code != 0 and "no unfinished interview to resume" in err


def test_an_adaptive_session_quit_early_counts_answered_of_planned(
    home: Path, banks: list[str]
) -> None:
    args = ["-n", "2", "--adaptive", "--seed", "3", *banks, *only_test_topics()]
    code, out, err = run("interview", *args, input=f"{SG_ANSWER}\n.\n/quit\n.\n")
    assert code == 0, out + err
    code, out, _ = run("transcripts", "list", "--json")
    assert code == 0, out
    (row,) = json.loads(out)
    assert row["answered"] == 1 and row["questions"] == 2


def test_the_summary_names_a_misconception_with_the_sentence_that_stated_it(
    home: Path, two: list[str]
) -> None:
    wrong = "Security groups are stateful. NACLs are stateful as well, so no extra rules."
    code, out, _ = run("interview", *two, "--grader", "offline", input=f"{wrong}\n.\n/quit\n.\n")
    assert code == 0
    summary = " ".join(out.split("Interview summary")[-1].split())
    assert "Misconception: Says NACLs are stateful (or security groups stateless)." in summary
    assert (
        "“NACLs are stateful as well, so no extra rules.” (question 1: mini-sg-vs-nacl)" in summary
    )
    # And stats, across sessions, with the latest sentence that stated it.
    code, out, _ = run("stats", *two[-4:])
    assert code == 0
    flat = " ".join(out.split())
    assert "⚑ 1 Says NACLs are stateful (or security groups stateless)." in flat
    assert "“NACLs are stateful as well, so no extra rules.”" in flat
    code, out, _ = run("stats", "--json", *two[-4:])
    (stated,) = json.loads(out)["misconceptions"]
    assert stated["flag_id"] == "nacl-stateful" and stated["times"] == 1
    assert stated["sentence"] == "NACLs are stateful as well, so no extra rules."
