"""`mockaws config set`, `path` and `edit`: the config file from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mockaws.cli import app
from mockaws.config import load_settings

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["config", *args])
    return result.exit_code, result.stdout, result.stderr


def test_path_names_the_file_in_the_home_folder(home: Path) -> None:
    code, out, _ = run("path")
    assert code == 0 and out.strip() == str(home / "config.toml")


def test_set_saves_checked_values_and_keeps_comments(home: Path) -> None:
    config = home / "config.toml"
    home.mkdir(parents=True)
    config.write_text('# my notes\nmodel = "old"  # was\n# the end\n', encoding="utf-8")
    assert run("set", "model", "gpt-5.4-mini")[0] == 0
    code, out, _ = run("set", "timeout", "90")
    assert code == 0 and out.startswith("timeout = 90.0 ")
    text = config.read_text(encoding="utf-8")
    assert text == '# my notes\nmodel = "gpt-5.4-mini"\n# the end\ntimeout = 90.0\n'


def test_set_applies_to_the_next_command(home: Path) -> None:
    run("set", "base_url", "http://localhost:11434/v1")
    run("set", "model", 'qwen3:8b "quoted"')
    settings = load_settings()
    assert settings.base_url == "http://localhost:11434/v1"
    assert settings.model == 'qwen3:8b "quoted"' and settings.sources["model"] == "file"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("set", "modle", "x"), "unknown setting 'modle' (did you mean model? choose from: "),
        (("set", "timeout", "soon"), "timeout: Input should be a valid number"),
        (("set", "retries", "99"), "retries: Input should be less than or equal to 10"),
        (("set", "base_url", "ftp://host"), "is not an http(s) URL"),
    ],
)
def test_set_refuses_bad_values_and_leaves_the_file(
    home: Path, args: tuple[str, ...], message: str
) -> None:
    run("set", "model", "kept")
    before = (home / "config.toml").read_text(encoding="utf-8")
    code, _, err = run(*args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert (home / "config.toml").read_text(encoding="utf-8") == before


def test_set_api_key_never_prints_it(home: Path) -> None:
    key = "sk-test-abcdefghijklmnopqrstuvwxyz"
    code, out, _ = run("set", "api_key", key)
    assert code == 0 and key not in out and "sk-…wxyz" in out


def test_edit_without_an_editor_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    code, _, err = run("edit")
    assert code == 2 and "no editor: set $VISUAL or $EDITOR" in err
    assert len(err.strip().splitlines()) == 1


def test_edit_opens_the_file_and_checks_it(
    monkeypatch: pytest.MonkeyPatch, home: Path, tmp_path: Path
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\nopen(sys.argv[1], 'a').write('timeout = \"never\"\\n')\n", encoding="utf-8"
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    code, _, err = run("edit")
    assert code == 2 and "timeout" in err  # the mistake is reported at once
    assert (home / "config.toml").read_text(encoding="utf-8").startswith("# mockaws settings")
