"""What scripts and shells rely on: piped records, closed pipes, one-line errors, completion,
examples in every help, and JSON with a versioned shape."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mockaws.cli import app
from tests.conftest import MINI_BANK
from tests.test_cli import _commands

runner = CliRunner()
BANK = ["--bank", str(MINI_BANK)]
MOCKAWS = [sys.executable, "-m", "mockaws"]


def run(*args: str, input: str | None = None, **env: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input, env=env or None, prog_name="mockaws")
    return result.exit_code, result.stdout, result.stderr


def test_questions_list_into_head_exits_0_with_three_whole_records() -> None:
    result = subprocess.run(
        ["bash", "-c", 'set -o pipefail; "$@" questions list | head -n 3', "sh", *MOCKAWS],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    for line in lines:
        question_id, topic, level, kind, tracks, question = line.split("\t")
        assert question_id and topic and level in {"junior", "mid", "senior"} and kind and tracks
        assert question.endswith("?") or question.endswith(".")


def test_a_pipe_closed_before_any_output_ends_quietly_with_0() -> None:
    process = subprocess.Popen(
        [*MOCKAWS, "questions", "list"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head -n 0`: every write meets a closed pipe
    errors = process.stderr.read()
    assert process.wait(timeout=120) == 0
    assert errors == b""


def test_piped_listing_is_one_record_a_line_without_padding() -> None:
    code, out, _ = run("questions", "list")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) > 100  # the shipped bank, one line per question
    for line in lines:
        assert line == line.rstrip() and len(line.split("\t")) == 6
    ids = [line.split("\t")[0] for line in lines]
    assert "sg-vs-nacl" in ids and len(ids) == len(set(ids))


def test_format_table_and_json_override_the_piped_default() -> None:
    _, table, _ = run("questions", "list", "--topic", "networking", "--format", "table")
    header = ["id", "topic", "level", "kind", "tracks", "question"]
    assert "\t" not in table and table.splitlines()[0].split() == header
    _, as_json, _ = run("questions", "list", "--topic", "networking", "--format", "json")
    assert {row["topic"] for row in json.loads(as_json)} == {"networking"}
    code, _, err = run("questions", "list", "--format", "yaml")
    assert code == 2 and "choose from: table, tsv, json" in err


def test_piped_transcripts_list_is_one_record_a_line(home: Path) -> None:
    code, _, _ = run("interview", "-n", "2", "--grader", "offline", *BANK, input="a\n.\nb\n.\n")
    assert code == 0
    _, out, _ = run("transcripts", "list")
    (line,) = out.splitlines()
    fields = line.split("\t")
    assert len(fields) == 10 and fields[2] == "study" and fields[3:5] == ["2", "2"]
    assert fields[8] == "completed" and line == line.rstrip()


def _bad_bank(tmp_path: Path) -> Path:
    path = tmp_path / "bad.toml"
    path.write_text(
        '[[questions]]\nid = "three-problems"\ntopic = "BAD TOPIC"\nlevel = "expert"\n'
        'question = "What is S3?"\nfollow_ups = []\n'
        '[[questions.rubric]]\nid = "object-storage"\npoint = "Object storage."\nweight = 1\n'
        'cues = ["object"]\n',
        encoding="utf-8",
    )
    return path


def test_validate_reports_every_problem_of_a_file(tmp_path: Path) -> None:
    bad = _bad_bank(tmp_path)
    code, out, err = run("questions", "validate", str(bad), str(MINI_BANK))
    assert code == 2 and out == ""
    problems = [line for line in err.splitlines() if "question 'three-problems'" in line]
    fields = sorted(line.split("field '")[1].split("'")[0] for line in problems)
    assert fields == ["level", "reference_answer", "topic"]
    assert all(line.startswith(f"error: {bad}: question 'three-problems'") for line in problems)
    assert "3 problems in 1 file; 2 questions valid" in err


def test_validate_uses_singular_for_one(tmp_path: Path) -> None:
    one = tmp_path / "one_question.toml"
    first = MINI_BANK.read_text(encoding="utf-8").split("[[questions]]")[1]
    one.write_text("[[questions]]" + first, encoding="utf-8")
    code, out, _ = run("questions", "validate", str(one))
    assert code == 0 and out.startswith("OK: 1 question valid in ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("questions", "list", "--topic", "netwrking"),
            "--topic: unknown topic 'netwrking' (did you mean networking? choose from: ai-ml,",
        ),
        (
            ("questions", "list", "--level", "expert"),
            "--level: unknown level 'expert' (choose from: junior, mid, senior)",
        ),
        (
            ("interview", "--grader", "offlne"),
            "unknown grader 'offlne' (choose from: auto, offline, openai)",
        ),
        (
            ("questions", "show", "sg-vs-nac"),
            "no question with id 'sg-vs-nac': did you mean sg-vs-nacl?",
        ),
        (
            ("transcripts", "export", "latest", "--format", "pdf"),
            "--format: unknown format 'pdf' (choose from: md, json, html)",
        ),
        (
            ("questions", "list", "--track", "sra"),
            "--track: unknown track 'sra' (did you mean sre? choose from: solutions-architect,",
        ),
        (
            ("interview", "-n", "100000", "--topic", "networking"),
            "-n 100000: only ",
        ),
        (("interview", "-n", "abc"), "Invalid value for '-n'"),
        (("questions", "list", "--bogus"), "No such option: --bogus"),
    ],
)
def test_every_bad_choice_is_one_line_that_names_the_choices(
    args: tuple[str, ...], message: str
) -> None:
    code, out, err = run(*args, input="")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert message in err


def test_n_beyond_the_filters_says_how_many_there_are() -> None:
    code, _, err = run("interview", "-n", "1000", *BANK, "--topic", "networking", input="")
    assert code == 2
    matching = int(err.split("only ")[1].split(" question")[0])
    _, listed, _ = run("questions", "list", *BANK, "--topic", "networking")
    assert matching == len(listed.splitlines()) and f"use -n {matching} or fewer" in err


def test_command_list_shows_whole_first_sentences() -> None:
    _, out, _ = run("--help")
    listed = " ".join(out.split())
    assert "Grade the ungraded answers of a saved interview, e.g. after the model server" in listed
    assert "..." not in out.split("Commands:")[1]


@pytest.mark.parametrize(("path", "doc"), _commands(app))
def test_every_command_has_examples(path: tuple[str, ...], doc: str | None) -> None:
    code, out, _ = run(*path, "--help")
    assert code == 0
    examples = out.split("Examples:\n", 1)[1].lstrip("\n").split("\n\n", 1)[0].splitlines()
    assert examples, f"{' '.join(path)} has no examples"
    prefix = "mockaws " + " ".join(path)
    assert all(prefix in line for line in examples), examples
    assert "<str>" not in out and "{" not in out.splitlines()[0]


def _complete(words: str) -> list[str]:
    code, out, _ = run(
        _MOCKAWS_COMPLETE="complete_bash",
        COMP_WORDS=words,
        COMP_CWORD=str(len(words.split(" ")) - 1),
    )
    assert code == 0
    return out.split()


def test_completion_offers_matching_question_ids_topics_levels_and_graders() -> None:
    assert _complete("mockaws questions show sg-vs") == ["sg-vs-nacl"]
    assert _complete("mockaws grade -q sg-vs") == ["sg-vs-nacl"]
    assert "networking" in _complete("mockaws questions list --topic net")
    assert _complete("mockaws interview --level s") == ["senior"]
    assert _complete("mockaws interview --grader o") == ["offline", "openai"]
    assert _complete("mockaws questions list --track sr") == ["sre"]


def test_completion_offers_transcript_ids(home: Path) -> None:
    run("interview", "-n", "1", "--grader", "offline", *BANK, input="a\n.\n")
    (saved,) = (home / "transcripts").glob("*.json")
    assert _complete("mockaws transcripts show ") == ["latest", saved.stem]
    assert _complete(f"mockaws transcripts show {saved.stem[:6]}") == [saved.stem]
    assert _complete(f"mockaws regrade {saved.stem[:6]}") == [saved.stem]
    assert _complete(f"mockaws resume {saved.stem[:6]}") == [saved.stem]


def test_questions_topics_and_show_print_versioned_json() -> None:
    _, out, _ = run("questions", "topics", "--json", *BANK)
    topics = json.loads(out)
    assert topics["schema_version"] == 1
    networking = next(t for t in topics["topics"] if t["topic"] == "networking")
    assert networking["questions"] == sum(networking["levels"].values())
    _, out, _ = run("questions", "show", "mini-sg-vs-nacl", "--json", *BANK)
    shown = json.loads(out)
    assert shown["schema_version"] == 1 and shown["file"] == str(MINI_BANK)
    assert shown["question"]["id"] == "mini-sg-vs-nacl"
    assert shown["question"]["rubric"][0]["id"] == "sg-stateful"


def test_drill_json_lists_what_is_due_without_asking(home: Path) -> None:
    run("interview", "-n", "1", "--grader", "offline", *BANK, "--seed", "1", input="no idea\n.\n")
    code, out, _ = run("drill", "--json", "--ahead", "--grader", "offline", *BANK, input="")
    assert code == 0
    payload = json.loads(out)
    assert payload["schema_version"] == 1 and len(payload["due"]) == 1
    assert payload["due"][0]["missed"]  # "no idea" misses every point
    assert not list((home / "transcripts").glob("*drill*"))


def test_regrade_json_reports_each_answer(home: Path) -> None:
    run("interview", "-n", "1", "--grader", "offline", *BANK, input="stateful SGs\n.\n")
    code, out, _ = run("regrade", "latest", "--all", "--grader", "offline", "--json", *BANK)
    assert code == 0
    payload = json.loads(out)
    assert payload["schema_version"] == 1
    (report,) = payload["transcripts"]
    (answer,) = report["answers"]
    assert answer["old"]["score"] == answer["new"]["score"] and answer["error"] is None


def test_help_and_listings_do_not_wrap_when_piped() -> None:
    env = dict(os.environ, COLUMNS="40")
    result = subprocess.run(
        [*MOCKAWS, "questions", "list", "--topic", "networking"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert all(len(line.split("\t")) == 6 for line in result.stdout.splitlines())


@pytest.mark.parametrize(
    "path",
    [
        ("questions", "list"),
        ("questions", "topics"),
        ("questions", "show"),
        ("transcripts", "list"),
        ("config", "show"),
        ("grade",),
        ("regrade",),
        ("drill",),
        ("stats",),
        ("eval",),
        ("doctor",),
    ],
)
def test_every_command_that_prints_data_has_json(path: tuple[str, ...]) -> None:
    _, out, _ = run(*path, "--help")
    assert "--json" in out
