from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from mockaws import __version__
from mockaws.cli import app
from mockaws.models import GRADE_SCHEMA_VERSION, SessionStatus, Transcript, TurnStatus
from tests.conftest import MINI_BANK

runner = CliRunner()
BANK = ["--bank", str(MINI_BANK)]
GOOD_SG_ANSWER = (
    "Security groups are stateful and sit on the ENI, so return traffic is allowed. "
    "NACLs are stateless at the subnet level: open ephemeral ports in both directions. "
    "NACLs have deny rules evaluated in rule number order."
)


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def transcripts(home: Path) -> tuple[list[Path], list[Path]]:
    folder = home / "transcripts"
    return sorted(folder.glob("*.json")), sorted(folder.glob("*.md"))


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.strip() == f"mockaws {__version__}"


def _commands(
    group: typer.Typer, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], str | None]]:
    found = []
    for command in group.registered_commands:
        assert command.callback is not None
        found.append(
            ((*prefix, command.name or command.callback.__name__), command.callback.__doc__)
        )
    for sub in group.registered_groups:
        assert sub.typer_instance is not None and sub.name is not None
        found += _commands(sub.typer_instance, (*prefix, sub.name))
    return found


@pytest.mark.parametrize(("path", "doc"), _commands(app))
def test_every_command_has_help(path: tuple[str, ...], doc: str | None) -> None:
    assert doc and doc.strip(), f"{' '.join(path)} has no docstring"
    code, out, _ = run(*path, "--help")
    assert code == 0
    assert doc.strip().splitlines()[0][:40] in " ".join(out.split())


def test_questions_list_filters_and_json() -> None:
    code, out, _ = run("questions", "list", "--topic", "storage", "--json", *BANK)
    assert code == 0
    rows = json.loads(out)
    assert rows and all(r["topic"] == "storage" for r in rows)
    assert "mini-s3-consistency" in {r["id"] for r in rows}


def test_questions_show_prints_the_rubric() -> None:
    code, out, _ = run("questions", "show", "mini-sg-vs-nacl", *BANK)
    assert code == 0
    assert "Reference answer" in out and "stateful" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("questions", "show", "no-such-question"), "no question with id 'no-such-question'"),
        (("questions", "list", "--level", "guru"), "--level: unknown level 'guru'"),
        (("grade", "-q", "no-such-question"), "no question with id"),
        (("interview", "-n", "0"), "-n must be at least 1"),
        (("interview", "--grader", "psychic"), "unknown grader 'psychic'"),
        (("questions", "list", "--bank", "/no/such/bank.toml"), "/no/such/bank.toml: no such file"),
    ],
)
def test_bad_input_exits_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    code, out, err = run(*args, input="")
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in out + err


def test_validate_ok_and_broken_files(tmp_path: Path) -> None:
    code, out, _ = run("questions", "validate", str(MINI_BANK))
    assert code == 0 and "2 questions valid" in out
    broken = tmp_path / "broken.toml"
    broken.write_text(MINI_BANK.read_text().replace('reference_answer = """', 'notes = """', 1))
    code, out, err = run("questions", "validate", str(broken))
    assert code == 2
    assert f"{broken}: question 'mini-sg-vs-nacl'" in err
    assert "Traceback" not in out + err
    duplicate = tmp_path / "dup.toml"
    duplicate.write_text(MINI_BANK.read_text())
    code, _, err = run("questions", "validate", str(MINI_BANK), str(duplicate))
    assert code == 2 and "duplicate id" in err and "mini-sg-vs-nacl" in err


def test_grade_prints_verdicts_and_json(tmp_path: Path) -> None:
    code, out, err = run("grade", "-q", "mini-sg-vs-nacl", *BANK, input=GOOD_SG_ANSWER)
    assert code == 0
    assert "offline grader" in err
    assert "covered" in out and "strong" in out
    answer_file = tmp_path / "answer.txt"
    answer_file.write_text("NACLs are stateful.")
    code, out, _ = run("grade", "-q", "mini-sg-vs-nacl", "-f", str(answer_file), "--json", *BANK)
    grade = json.loads(out)
    assert code == 0
    assert grade["grader"] == "offline" and grade["schema_version"] == GRADE_SCHEMA_VERSION
    assert [hit["flag_id"] for hit in grade["red_flags_hit"]] == ["nacl-stateful"]
    assert grade["rating"] == "poor"


def test_grade_with_an_unreadable_answer_file(tmp_path: Path) -> None:
    code, _, err = run("grade", "-q", "mini-sg-vs-nacl", "-f", str(tmp_path / "none.txt"), *BANK)
    assert code == 2 and "--answer-file" in err


def test_interview_from_stdin_saves_json_and_markdown(home: Path) -> None:
    script = f"{GOOD_SG_ANSWER}\n.\nS3 is eventually consistent.\n.\n"
    code, out, _ = run(
        "interview",
        "-n",
        "2",
        "--topic",
        "networking",
        "--topic",
        "storage",
        "--seed",
        "3",
        "--grader",
        "offline",
        *BANK,
        input=script,
    )
    assert code == 0, out
    (json_path,), (md_path,) = transcripts(home)
    assert str(json_path) in out and str(md_path) in out
    assert "Interview summary" in out
    transcript = Transcript.model_validate_json(json_path.read_text())
    assert transcript.status is SessionStatus.COMPLETED
    assert len(transcript.turns) == 2
    assert all(t.grade is not None for t in transcript.turns)
    markdown = md_path.read_text()
    assert "Your answer" in markdown and "Evidence" in markdown


def test_interview_skip_quit_and_end_of_input(home: Path) -> None:
    code, _, _ = run(
        "interview",
        "-n",
        "2",
        "--topic",
        "networking",
        "--topic",
        "storage",
        *BANK,
        input="/skip\n.\n/quit\n.\n",
    )
    assert code == 0
    (json_path,), _ = transcripts(home)
    transcript = Transcript.model_validate_json(json_path.read_text())
    assert [t.status for t in transcript.turns] == [TurnStatus.SKIPPED]
    assert transcript.status is SessionStatus.ABANDONED


def test_end_of_input_keeps_an_unterminated_answer(home: Path) -> None:
    code, _, _ = run(
        "interview",
        "-n",
        "2",
        *BANK,
        "--topic",
        "networking",
        "--topic",
        "storage",
        input="my last words without a dot",
    )
    assert code == 0
    (json_path,), _ = transcripts(home)
    transcript = Transcript.model_validate_json(json_path.read_text())
    assert transcript.turns[0].answer == "my last words without a dot"


def test_transcripts_dir_option(tmp_path: Path, home: Path) -> None:
    target = tmp_path / "elsewhere"
    code, _, _ = run(
        "interview", "-n", "1", "--transcripts-dir", str(target), *BANK, input="an answer\n.\n"
    )
    assert code == 0
    assert len(list(target.glob("*.json"))) == 1
    assert not (home / "transcripts").exists()


def test_python_m_mockaws_help_does_not_import_openai() -> None:
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['mockaws', '--help']\n"
        "try:\n    runpy.run_module('mockaws', run_name='__main__')\n"
        "except SystemExit as exit:\n    code = exit.code\n"
        "heavy = sorted(m for m in ('openai', 'tiktoken', 'pydantic') if m in sys.modules)\n"
        "print('HEAVY', heavy, 'CODE', code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert "Usage" in result.stdout
    assert "HEAVY [] CODE 0" in result.stdout


def test_python_m_mockaws_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockaws", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0 and "interview" in result.stdout
