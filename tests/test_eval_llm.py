"""`mockaws eval` with the LLM grader, end to end against a scripted OpenAI-compatible server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from mockaws.bank import load_bank
from mockaws.cli import app
from tests.conftest import DATA, MINI_BANK
from tests.fake_openai import FakeOpenAI, Reply, completion, error, labels, user_message

runner = CliRunner()
BANK = load_bank([MINI_BANK], include_shipped=False)
LABELS = DATA / "mini_labels.jsonl"
STRONG = "Security groups are stateful and attach to the ENI"
WRONG = "NACLs are stateful, they remember the connection."


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        monkeypatch.setenv("OPENAI_BASE_URL", fake.url)
        monkeypatch.setenv("MOCKAWS_RETRIES", "1")
        yield fake


def model(request: dict[str, Any]) -> Reply:
    """A model that grades the strong answer well, misses a red flag, and fails on the third."""
    asked = user_message(request)
    sg = BANK.get("mini-sg-vs-nacl")
    if STRONG in asked:
        return completion(
            labels(
                sg,
                {
                    "sg-stateful": ("covered", "Security groups are stateful"),
                    "sg-instance-level": ("covered", "attach to the ENI"),
                    "nacl-stateless": ("covered", "NACLs are stateless at the subnet level"),
                    "allow-deny": ("covered", "NACLs have deny rules"),
                },
            )
        )
    if WRONG in asked:
        return completion(labels(sg))  # says nothing is covered, and misses the red flag
    return error(500, "the model is down")


def test_eval_grades_through_the_llm_and_reports_usage_and_failures(server: FakeOpenAI) -> None:
    server.fallback = model
    args = ["eval", str(LABELS), "--grader", "openai", "--bank", str(MINI_BANK), "-c", "2"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["grader"] == "openai" and report["model"] == "gpt-5.4-nano"
    # the answer the model could not grade is reported, not counted, and the run goes on
    (failure,) = report["failures"]
    assert failure.startswith("mini-s3-consistency:")
    everything = report["splits"]["all"]
    assert (everything["answers"], everything["graded"], everything["failed"]) == (3, 2, 1)
    assert everything["rating_exact"] == 1.0  # strong and poor, as the human said
    assert everything["red_flag_recall"] == 0.0  # the model missed "NACLs are stateful"
    usage = report["usage"]
    assert usage["prompt_tokens"] == 2 * 1200 and usage["completion_tokens"] == 2 * 300
    assert usage["cost_usd"] > 0
    # the model saw each answer once (the failing one as often as the retries allow)
    assert sum(1 for r in server.requests if STRONG in user_message(r)) == 1

    server.requests.clear()
    readable = runner.invoke(app, [*args, "--model", "my-model"])
    assert readable.exit_code == 0, readable.stderr
    assert {r["model"] for r in server.requests} == {"my-model"}
    assert "Grader openai (my-model)" in readable.stdout
    assert "Tokens: 2400 in" in readable.stdout and "not graded: mini-s3-consistency" in (
        readable.stdout
    )
