"""Role tracks (`--track`) and mock loops (`interview --loop TRACK`) over the shipped bank."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mockaws.bank import load_bank, tracks_of
from mockaws.cli import app
from mockaws.errors import BadInputError
from mockaws.loops import LOOP_TIME_LIMITS, LOOPS, select_loop
from mockaws.models import (
    Level,
    Mode,
    QuestionKind,
    SessionSettings,
    SessionStatus,
    Track,
    Transcript,
)
from mockaws.transcripts import TranscriptStore
from tests.factories import START, answered, save_session

runner = CliRunner()
BANK = load_bank()
QUESTIONS = list(BANK.questions.values())
TECHNICAL = {QuestionKind.CONCEPT, QuestionKind.SCENARIO, QuestionKind.TROUBLESHOOTING}


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def saved(home: Path) -> Transcript:
    (path,) = (home / "transcripts").glob("*.json")
    return Transcript.model_validate_json(path.read_text())


def answers(count: int) -> str:
    return "".join(f"My answer {n}.\n.\n" for n in range(count))


@pytest.mark.parametrize("track", list(Track), ids=str)
def test_a_loop_is_a_story_three_technical_questions_and_a_design(track: Track) -> None:
    loop = select_loop(QUESTIONS, track, Level.MID, seed=1)
    kinds = [q.kind for q in loop]
    assert len({q.id for q in loop}) == len(loop) == len(LOOPS[track].slots) == 5
    assert kinds[0] is QuestionKind.BEHAVIOURAL and kinds[-1] is QuestionKind.DESIGN
    assert set(kinds[1:-1]) <= TECHNICAL
    assert all(track in tracks_of(q) for q in loop)
    # The design a level above the candidate's (mid): senior, or the nearest the track has.
    design_levels = {q.level for q in QUESTIONS if track in tracks_of(q) and q.kind is kinds[-1]}
    assert loop[-1].level is max(design_levels, key=list(Level).index)


def test_the_loops_weight_the_technical_part_by_role() -> None:
    def first_choices(track: Track) -> list[QuestionKind]:
        return [slot.kinds[0] for slot in LOOPS[track].slots]

    assert first_choices(Track.SRE).count(QuestionKind.TROUBLESHOOTING) == 2
    assert QuestionKind.CONCEPT not in first_choices(Track.SRE)
    assert QuestionKind.CONCEPT in first_choices(Track.DEVELOPER)


def test_a_loop_is_reproducible_with_a_seed_and_varies_without() -> None:
    same = [select_loop(QUESTIONS, Track.SRE, seed=7) for _ in range(2)]
    assert same[0] == same[1]
    others = {tuple(q.id for q in select_loop(QUESTIONS, Track.SRE, seed=s)) for s in range(8)}
    assert len(others) > 1


def test_a_senior_loop_asks_senior_questions() -> None:
    loop = select_loop(QUESTIONS, Track.SOLUTIONS_ARCHITECT, Level.SENIOR, seed=3)
    assert loop[-1].level is Level.SENIOR
    assert sum(q.level is Level.SENIOR for q in loop) >= 3


def test_a_story_written_for_the_role_comes_first() -> None:
    written_for_sre = {
        q.id for q in QUESTIONS if q.kind is QuestionKind.BEHAVIOURAL and Track.SRE in q.tracks
    }
    if not written_for_sre:
        pytest.skip("the bank has no story written for SRE")
    for seed in range(5):
        assert select_loop(QUESTIONS, Track.SRE, seed=seed)[0].id in written_for_sre


def test_a_track_without_a_design_cannot_make_a_loop() -> None:
    no_design = [q for q in QUESTIONS if q.kind is not QuestionKind.DESIGN]
    with pytest.raises(BadInputError, match="--loop sre: the bank has no design question"):
        select_loop(no_design, Track.SRE, seed=1)


def test_interview_loop_runs_with_loop_timing_in_real_mode(home: Path) -> None:
    code, out, err = run(
        "interview", "--loop", "sre", "--seed", "4", "--grader", "offline", input=answers(5)
    )
    assert code == 0, err
    transcript = saved(home)
    settings = transcript.settings
    assert settings.loop is Track.SRE and settings.mode is Mode.REAL
    assert settings.question_ids == [q.id for q in select_loop(QUESTIONS, Track.SRE, seed=4)]
    assert settings.time_limits_s == LOOP_TIME_LIMITS
    assert [t.kind for t in transcript.turns] == [
        q.kind for q in select_loop(QUESTIONS, Track.SRE, seed=4)
    ]
    assert "By kind: " in out and "behavioural" in out.split("By kind: ")[1].splitlines()[0]
    (markdown,) = (home / "transcripts").glob("*.md")
    assert "- Mock loop: sre" in markdown.read_text()


def test_time_limit_overrides_the_loop_timing(home: Path) -> None:
    code, _, err = run(
        "interview", "--loop", "devops", "--time-limit", "90", "--mode", "study",
        "--grader", "offline", input=answers(5),
    )  # fmt: skip
    assert code == 0, err
    settings = saved(home).settings
    assert settings.mode is Mode.STUDY and settings.time_limits_s == {}
    assert settings.time_limit_for(QuestionKind.DESIGN) == 90


def test_loop_time_limits_differ_by_kind() -> None:
    settings = SessionSettings(time_limits_s=LOOP_TIME_LIMITS)
    design = settings.time_limit_for(QuestionKind.DESIGN) or 0
    story = settings.time_limit_for(QuestionKind.BEHAVIOURAL) or 0
    concept = settings.time_limit_for(QuestionKind.CONCEPT) or 0
    assert design > story > concept


def test_a_loop_session_resumes_with_its_questions_and_timing(home: Path) -> None:
    code, _, err = run(
        "interview", "--loop", "data-engineer", "--seed", "2", "--grader", "offline",
        input=answers(2) + "/quit\n.\n",
    )  # fmt: skip
    assert code == 0, err
    first = saved(home)
    assert first.status is SessionStatus.ABANDONED and len(first.turns) == 2
    code, out, err = run("resume", input=answers(3))
    assert code == 0, err
    assert "2 of 5 questions done" in err
    resumed = saved(home)
    assert resumed.status is SessionStatus.COMPLETED
    assert [t.question_id for t in resumed.turns] == first.settings.question_ids
    assert resumed.settings.loop is Track.DATA_ENGINEER
    assert resumed.settings.time_limits_s == LOOP_TIME_LIMITS
    assert "By kind: " in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("interview", "--loop", "sre", "-n", "3"),
            "--loop chooses its own questions: leave out -n",
        ),
        (("interview", "--loop", "sre", "--topic", "networking"), "leave out --topic"),
        (("interview", "--loop", "sre", "--adaptive"), "leave out --adaptive"),
        (("interview", "--loop", "pilot"), "--track: unknown track 'pilot' (choose from: "),
        (("interview", "--track", "pilot"), "unknown track 'pilot'"),
        (("questions", "list", "--track", "pilot"), "unknown track 'pilot'"),
        (("drill", "--track", "pilot"), "unknown track 'pilot'"),
        (("stats", "--track", "pilot"), "unknown track 'pilot'"),
    ],
)
def test_bad_track_and_loop_options_fail_in_one_line(args: tuple[str, ...], message: str) -> None:
    code, _, err = run(*args, input="")
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_interview_track_asks_only_that_roles_questions(home: Path) -> None:
    code, out, err = run(
        "interview", "--track", "genai", "--track", "security", "-n", "4", "--seed", "1",
        "--grader", "offline", input=answers(4),
    )  # fmt: skip
    assert code == 0, err
    transcript = saved(home)
    assert transcript.settings.tracks == [Track.GENAI, Track.SECURITY]
    (markdown,) = (home / "transcripts").glob("*.md")
    assert "; tracks genai, security" in markdown.read_text()
    for turn in transcript.turns:
        assert {Track.GENAI, Track.SECURITY} & set(tracks_of(BANK.get(turn.question_id)))
    assert "By kind: " in out


def test_questions_list_json_has_kind_and_tracks_and_filters_by_track() -> None:
    code, out, _ = run("questions", "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == len(QUESTIONS)
    assert all(row["kind"] in set(QuestionKind) and row["tracks"] for row in rows)
    code, out, _ = run("questions", "list", "--json", "--track", "sre", "--level", "senior")
    rows = json.loads(out)
    assert rows and all("sre" in r["tracks"] and r["level"] == "senior" for r in rows)
    expected = {q.id for q in QUESTIONS if Track.SRE in tracks_of(q) and q.level is Level.SENIOR}
    assert {r["id"] for r in rows} == expected


def test_questions_list_table_shows_kind_and_tracks() -> None:
    code, out, _ = run("questions", "list", "--track", "data-engineer", "--format", "table")
    assert code == 0
    assert "kind" in out and "tracks" in out and "behavioural" in out


def test_questions_show_has_kind_tracks_and_leadership_principles() -> None:
    story = next(q for q in QUESTIONS if q.kind is QuestionKind.BEHAVIOURAL)
    code, out, _ = run("questions", "show", story.id)
    assert code == 0
    flat = " ".join(out.split())
    assert "behavioural" in flat and "tracks: all" in flat
    assert "Leadership Principles: " + story.leadership_principles[0].value in flat


def test_questions_tracks_counts_each_track_by_kind_and_level() -> None:
    code, out, _ = run("questions", "tracks", "--json")
    assert code == 0
    rows = {row["track"]: row for row in json.loads(out)}
    assert set(rows) == {t.value for t in Track}
    sre = rows["sre"]
    assert sre["questions"] == sum(Track.SRE in tracks_of(q) for q in QUESTIONS)
    assert sum(sre["kinds"].values()) == sum(sre["levels"].values()) == sre["questions"]
    code, out, _ = run("questions", "tracks")
    assert code == 0
    assert re.search(
        rf"^sre +{sre['questions']} questions \({sre['kinds']['concept']} concept", out, re.M
    )


def test_stats_by_kind_and_by_track(home: Path) -> None:
    code, _, err = run(
        "interview", "--loop", "sre", "--seed", "4", "--grader", "offline", input=answers(5)
    )
    assert code == 0, err
    code, out, _ = run("stats", "--json")
    figures = json.loads(out)
    kinds = {k["kind"]: k["answers"] for k in figures["by_kind"]}
    loop = select_loop(QUESTIONS, Track.SRE, seed=4)
    assert sum(kinds.values()) == 5 and kinds["behavioural"] == 1 and kinds["design"] == 1
    assert list(kinds) == [k.value for k in QuestionKind if k.value in kinds]
    code, out, _ = run("stats", "--json", "--track", "genai")
    genai = json.loads(out)
    assert genai["answers"] == sum(Track.GENAI in tracks_of(q) for q in loop)
    assert genai["bank"]["questions"] == sum(Track.GENAI in tracks_of(q) for q in QUESTIONS)
    code, out, _ = run("stats")
    assert code == 0 and "By kind of question:" in out


def test_drill_track_asks_only_the_due_questions_of_that_role(home: Path) -> None:
    genai = next(q for q in QUESTIONS if q.topic == "ai-ml")
    networking = next(q for q in QUESTIONS if Track.GENAI not in tracks_of(q))
    save_session(
        TranscriptStore(home / "transcripts"),
        START,
        [answered(networking, 10, START, [networking.rubric[0].id]),
         answered(genai, 10, START, [genai.rubric[0].id])],
    )  # fmt: skip
    code, _, err = run("drill", "--track", "genai", "--grader", "offline", input=answers(2))
    assert code == 0, err
    drilled = max((home / "transcripts").glob("*.json"))
    transcript = Transcript.model_validate_json(drilled.read_text())
    assert [t.question_id for t in transcript.turns] == [genai.id]
    assert transcript.settings.tracks == [Track.GENAI]
