"""`mockaws doctor` against the scripted OpenAI-compatible server, in each of its behaviours."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mockaws import doctor
from mockaws.bank import load_bank
from mockaws.cli import app
from mockaws.grading.llm import ServerMemory
from tests.fake_openai import FakeOpenAI, Reply, completion, error, labels, transcription

runner = CliRunner()
PROBE = load_bank().get(doctor.PROBE_QUESTION)
GOOD = completion(labels(PROBE, {"sg-stateful": ("covered", "Security groups are stateful")}))
SCREEN_LINES = 24


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        monkeypatch.setenv("MOCKAWS_MODEL", "gpt-5.4-nano")
        yield fake


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["doctor", *args])
    if "--json" not in args:
        assert len(result.stdout.splitlines()) <= SCREEN_LINES  # one screen
    return result.exit_code, result.stdout, result.stderr


def line(out: str, name: str) -> str:
    return next(text for text in out.splitlines() if f" {name} " in text)


def test_without_a_model_the_doctor_checks_the_installation(home: Path) -> None:
    code, out, _ = run()
    assert code == 0
    assert line(out, "home folder").startswith("✔") and str(home) in out
    assert "questions over" in line(out, "question bank")
    assert "offline grader is used" in line(out, "model")
    assert "token counts" in out


def test_a_server_that_grades_is_reported_usable_with_its_format_and_price(
    server: FakeOpenAI, home: Path
) -> None:
    server.fallback = GOOD
    code, out, _ = run()
    assert code == 0
    assert line(out, "model server").startswith("✔") and "answers and grades" in out
    assert "json_schema (structured outputs) accepted" in line(out, "response format")
    assert " ms for a tiny request, " in line(out, "round trip")
    assert "$" in line(out, "price")
    assert server.requests[0]["response_format"]["type"] == "json_schema"


def test_a_dead_server_is_a_failure_in_one_line_and_exit_3(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with FakeOpenAI() as gone:
        url = gone.url
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    monkeypatch.setenv("MOCKAWS_MODEL", "local")
    code, out, _ = run()
    assert code == 3
    failure = line(out, "model server")
    assert failure.startswith("✘") and "cannot reach 127.0.0.1" in failure
    assert "unknown for local" in line(out, "price")


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (400, "response_format json_schema is not supported"),  # most servers
        # llama-cpp-python: a request-validation error, answered with HTTP 500
        (500, "1 validation error: response_format.type: Input should be 'text' or 'json_object'"),
    ],
)
def test_a_server_refusing_json_schema_falls_back_and_is_remembered(
    server: FakeOpenAI, home: Path, status: int, message: str
) -> None:
    def refuse_schema(request: dict[str, Any]) -> Reply:
        if request.get("response_format", {}).get("type") == "json_schema":
            return error(status, message)
        return GOOD

    server.fallback = refuse_schema
    code, out, _ = run()
    assert code == 0
    fmt = line(out, "response format")
    assert "json_object with the schema accepted (json_schema refused)" in fmt
    assert "remembered" in fmt
    learnt = ServerMemory(home / "servers.json").shape(server.url, "gpt-5.4-nano")
    assert learnt is not None and learnt.mode == "json_object_schema"


def test_a_server_slower_than_the_timeout_is_reported(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOCKAWS_TIMEOUT", "0.2")
    server.fallback = Reply(body=GOOD.body, delay=2.0)
    code, out, _ = run()
    assert code == 3
    slow = line(out, "model server")
    assert "answers (" in slow and "cannot grade" in slow and "did not answer within 0.2 s" in slow


def test_a_slow_server_that_grades_is_a_warning(
    server: FakeOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(doctor, "SLOW_ROUND_TRIP_S", 0.05)
    server.fallback = Reply(body=GOOD.body, delay=0.2)
    code, out, _ = run()
    assert code == 0
    slow = line(out, "round trip")
    assert slow.startswith("!") and "raise MOCKAWS_TIMEOUT" in slow


def test_doctor_json_has_a_versioned_shape(server: FakeOpenAI) -> None:
    server.fallback = GOOD
    code, out, _ = run("--json")
    payload = json.loads(out)
    assert code == 0 and payload["schema_version"] == 1 and payload["ok"] is True
    names = [check["name"] for check in payload["checks"]]
    assert names[:3] == ["home folder", "question bank", "token counts"]
    assert {check["status"] for check in payload["checks"]} <= {"ok", "warn", "skip"}


def test_an_interview_with_a_dead_server_goes_on_offline_with_a_notice(
    monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    with FakeOpenAI() as gone:
        url = gone.url
    monkeypatch.setenv("OPENAI_BASE_URL", url)
    monkeypatch.setenv("MOCKAWS_MODEL", "local")
    result = runner.invoke(
        app,
        ["interview", "-n", "1", "--topic", "networking", "--seed", "1"],
        input="Security groups are stateful.\n.\n",
    )
    assert result.exit_code == 0
    warning = next(text for text in result.stderr.splitlines() if "does not answer" in text)
    assert "cannot reach 127.0.0.1" in warning
    assert "Grading with the offline grader" in result.stderr
    (saved,) = (home / "transcripts").glob("*.json")
    assert json.loads(saved.read_text())["settings"]["grader"] == "offline"


def test_the_speech_endpoint_is_checked_only_when_asked(server: FakeOpenAI) -> None:
    server.fallback = GOOD
    code, out, _ = run()
    assert code == 0
    assert "not checked" in line(out, "speech endpoint")
    assert server.audio_requests == []  # nothing billed without --voice


def test_doctor_voice_transcribes_silence_through_the_speech_endpoint(server: FakeOpenAI) -> None:
    server.fallback = GOOD
    server.transcriptions.append(transcription(""))
    code, out, _ = run("--voice")
    assert code == 0, out
    assert line(out, "speech endpoint").startswith("✔")
    assert "whisper-1" in line(out, "speech endpoint") and "transcribes" in out
    (request,) = server.audio_requests
    assert request["audio_seconds"] == pytest.approx(0.5, abs=0.01)


def test_doctor_voice_reports_a_failing_speech_endpoint_with_exit_3(server: FakeOpenAI) -> None:
    server.fallback = GOOD
    server.transcriptions.append(error(500, "speech model is down"))
    code, out, _ = run("--voice")
    assert code == 3
    assert line(out, "speech endpoint").startswith("✘")
