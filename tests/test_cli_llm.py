"""The LLM grader through the command line, against a scripted OpenAI-compatible server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mockaws.bank import load_bank
from mockaws.cli import app
from mockaws.models import Transcript
from tests.conftest import MINI_BANK
from tests.fake_openai import FakeOpenAI, completion, error, labels

runner = CliRunner()
# Interviews draw from the shipped bank too: a topic of its own pins the question to SG.
ONLY_SG = ["--topic", "mini-networking", "-n", "1"]
SG = load_bank([MINI_BANK]).get("mini-sg-vs-nacl")
ANSWER = "Security groups are stateful, so return traffic is allowed. NACLs are stateless."
VERDICTS = {
    "sg-stateful": ("covered", "Security groups are stateful"),
    "nacl-stateless": ("covered", "NACLs are stateless"),
    "allow-deny": ("covered", "NACL rules are evaluated in rule-number order"),  # not said
}


@pytest.fixture
def bank(tmp_path: Path) -> list[str]:
    """The mini bank, with SG under a topic of its own."""
    pinned = tmp_path / "pinned.toml"
    pinned.write_text(
        MINI_BANK.read_text().replace('topic = "networking"', 'topic = "mini-networking"')
    )
    return ["--bank", str(pinned)]


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        monkeypatch.setenv("MOCKAWS_RETRIES", "2")
        yield fake


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def only_transcript(home: Path) -> Transcript:
    (path,) = sorted((home / "transcripts").glob("*.json"))
    return Transcript.model_validate_json(path.read_text())


def test_grade_json_scores_in_code_and_credits_no_missing_quote(
    server: FakeOpenAI, bank: list[str]
) -> None:
    server.enqueue(completion(labels(SG, VERDICTS)))
    code, out, err = run(
        "grade", "--question", SG.id, "--grader", "openai", "--json", *bank, input=ANSWER
    )
    assert code == 0, err
    grade = json.loads(out)
    points = {p["point_id"]: p for p in grade["points"]}
    assert points["allow-deny"]["verdict"] == "missed"
    assert points["allow-deny"]["claimed"] == "covered" and not points["allow-deny"]["verified"]
    # stateful (3) + stateless (3) of 10 weight points: 60, whatever the model might think
    assert grade["score"] == 60 and grade["rating"] == "solid"
    assert grade["grader"] == "openai" and grade["model"] == "gpt-5.4-nano"
    assert grade["prompt_version"] and grade["usage"]["cost_usd"] > 0
    assert "sk-" not in out


def test_grade_survives_two_rate_limits(server: FakeOpenAI, bank: list[str]) -> None:
    limited = error(429, "slow down", headers={"retry-after": "0.01"})
    server.enqueue(limited, limited, completion(labels(SG, VERDICTS)))
    code, out, _ = run("grade", "-q", SG.id, "--grader", "openai", "--json", *bank, input=ANSWER)
    assert code == 0 and json.loads(out)["score"] == 60
    assert len(server.requests) == 3


def test_grade_failure_is_one_line_and_exit_3_and_keeps_the_answer(
    server: FakeOpenAI, bank: list[str], home: Path
) -> None:
    server.fallback = error(500, "boom")
    code, out, err = run("grade", "-q", SG.id, "--grader", "openai", *bank, input=ANSWER)
    assert code == 3
    (failure,) = [line for line in err.splitlines() if line.startswith("error:")]
    assert "HTTP 500 after 2 retries" in failure.replace(")", "")
    assert "Traceback" not in out + err
    (kept,) = (home / "answers").glob(f"*-{SG.id}.txt")
    assert kept.read_text() == ANSWER
    assert f"mockaws grade -q {SG.id} -f {kept}" in failure


def test_a_failing_server_leaves_an_ungraded_turn_that_regrade_grades_later(
    server: FakeOpenAI, home: Path, bank: list[str]
) -> None:
    server.fallback = error(500, "model server is down")
    code, out, err = run(
        "interview", *ONLY_SG, "--grader", "openai", *bank,
        input=f"{ANSWER}\n.\n",
    )  # fmt: skip
    # A script must be able to tell an interview that left answers ungraded from a clean one.
    assert code == 3
    assert (
        f"1 answer was not graded and is saved: `mockaws regrade {only_transcript(home).id}`" in err
    )
    flat = " ".join(out.split())
    assert flat.count("Not graded:") == 1
    assert "failed (HTTP 500) after 2 retries: model server is down (your answer is saved)" in flat
    assert f"mockaws regrade {only_transcript(home).id}" in flat
    transcript = only_transcript(home)
    (turn,) = transcript.turns
    assert turn.answer == ANSWER and turn.grade is None and "HTTP 500" in (turn.grade_error or "")
    assert transcript.settings.grader == "openai" and transcript.settings.model == "gpt-5.4-nano"

    code, _, err = run("regrade", "latest", "--grader", "openai", *bank)
    assert code == 3 and "1 of 1 answers could not be graded" in err
    assert only_transcript(home).turns[0].grade is None

    server.fallback = None
    server.enqueue(completion(labels(SG, VERDICTS)))
    code, out, err = run("regrade", "latest", "--grader", "openai", *bank)
    assert code == 0, err
    assert "ungraded → 60 solid" in out
    regraded = only_transcript(home).turns[0]
    assert regraded.grade is not None and regraded.grade.score == 60
    assert regraded.grade_error is None
    markdown = next((home / "transcripts").glob("*.md")).read_text()
    assert "Score 60/100" in markdown and "Grading cost: $" in markdown

    code, out, _ = run("regrade", "--ungraded", *bank)
    assert code == 0 and "Nothing to grade" in out


def test_regrade_all_shows_what_changed(server: FakeOpenAI, home: Path, bank: list[str]) -> None:
    code, _, _ = run(
        "interview", *ONLY_SG, "--grader", "offline", *bank,
        input=f"{ANSWER}\n.\n",
    )  # fmt: skip
    assert code == 0
    before = only_transcript(home).turns[0].grade
    assert before is not None
    contradiction = {"sg-stateful": ("contradicted", "Security groups are stateful")}
    server.enqueue(completion(labels(SG, contradiction)))
    code, out, err = run("regrade", "latest", "--all", "--grader", "openai", *bank)
    assert code == 0, err
    assert f"{before.score} {before.rating.value} → 0 poor" in out
    assert "sg-stateful: " in out and "→ contradicted" in out
    after = only_transcript(home).turns[0]
    assert after.previous_grades == [before]


def test_interview_summary_shows_the_session_cost(
    server: FakeOpenAI, home: Path, bank: list[str]
) -> None:
    server.enqueue(completion(labels(SG, VERDICTS), prompt_tokens=1500, cached_tokens=1024))
    code, out, _ = run(
        "interview", *ONLY_SG, "--grader", "openai", *bank,
        input=f"{ANSWER}\n.\n",
    )  # fmt: skip
    assert code == 0
    assert "Grading cost: $0.0005 for 1,500 tokens in (1,024 cached) and 300 out" in out


@pytest.mark.parametrize(
    "args",
    [("regrade",), ("regrade", "latest", "--ungraded"), ("regrade", "nope")],
)
def test_regrade_bad_input(args: tuple[str, ...]) -> None:
    code, out, err = run(*args)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


def test_config_show_masks_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "sk-proj-SECRETSECRETSECRET1234"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.setenv("MOCKAWS_MODEL", "gpt-5.4-mini")
    code, out, _ = run("config", "show")
    assert code == 0
    assert "SECRET" not in out and "sk-…1234" in out
    assert "gpt-5.4-mini" in out and "MOCKAWS_MODEL" in out
    code, out, _ = run("config", "show", "--json", "--base-url", "http://localhost:1234/v1")
    values = json.loads(out)
    assert values["base_url"] == "http://localhost:1234/v1" and values["grader (auto)"] == "openai"
    assert "SECRET" not in out


def test_a_bad_setting_is_one_line_exit_2(monkeypatch: pytest.MonkeyPatch, bank: list[str]) -> None:
    monkeypatch.setenv("MOCKAWS_TIMEOUT", "soon")
    code, _, err = run("grade", "-q", SG.id, "--grader", "openai", *bank, input=ANSWER)
    assert code == 2 and "MOCKAWS_TIMEOUT" in err and len(err.strip().splitlines()) == 1
