"""What a user's machine really does: two processes on one session, bytes that are not UTF-8, a
full disk, a key echoed back, hostile transcripts and terminal text. Each case ends with no answer
lost, no traceback, no key on disk or screen, and one line with a named exit code."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mockaws import files
from mockaws.cli import app
from mockaws.errors import ExitCode, SaveError, SessionBusyError
from mockaws.grading.runner import GradingRunner
from mockaws.models import SessionSettings, Transcript
from mockaws.session import Interview, resume
from mockaws.transcripts import TranscriptStore, load_transcript, render_markdown
from tests.banks import isolated_bank_args, only_test_topics
from tests.fake_openai import FakeOpenAI, error
from tests.fakes import ScriptedGrader

runner = CliRunner()
SECRET = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789"
OSC_TITLE = "\x1b]0;pwned\x07"
OSC_CLIPBOARD = "\x1b]52;c;ZWNobyBwd25lZA==\x07"


def run(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def banks(tmp_path: Path) -> list[str]:
    return [*isolated_bank_args(tmp_path), *only_test_topics()]


def transcripts(home: Path) -> list[Transcript]:
    return [load_transcript(p) for p in sorted((home / "transcripts").glob("*.json"))]


def no_traceback(*streams: str) -> None:
    for stream in streams:
        assert "Traceback" not in stream


# ---------------------------------------------------------------- one writer per session


def _mockaws(home: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "MOCKAWS_HOME": str(home), "NO_COLOR": "1"}
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MOCKAWS_MODEL"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "mockaws", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _wait_for_transcript(home: Path, answers: int) -> Transcript:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = [t for t in _loadable(home) if len(t.turns) >= answers]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError("the interview never saved its answer")


def _loadable(home: Path) -> Iterator[Transcript]:
    for path in (home / "transcripts").glob("*.json"):
        try:
            yield load_transcript(path)
        except Exception:
            continue


@pytest.fixture
def live_interview(home: Path, banks: list[str]) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A piped interview of three questions with one answer in and its stdin still open."""
    process = _mockaws(home, "interview", "-n", "3", "-g", "offline", "--seed", "1", *banks)
    assert process.stdin is not None
    process.stdin.write("first answer about security groups\n.\n")
    process.stdin.flush()
    transcript = _wait_for_transcript(home, 1)
    yield process, transcript.id
    if process.poll() is None:
        process.kill()
        process.wait()


def test_a_second_resume_of_a_live_session_refuses_naming_the_process(
    live_interview: tuple[subprocess.Popen[str], str], banks: list[str]
) -> None:
    process, transcript_id = live_interview
    code, _, err = run("resume", transcript_id, "-g", "offline", *banks[:4], input="x\n.\n")
    assert code == ExitCode.BAD_INPUT
    assert err.strip().splitlines() == [
        f"error: session {transcript_id} is open in another mockaws (process {process.pid}): "
        "finish or quit it there first"
    ]
    # The live interview goes on and keeps every answer.
    stdout, stderr = process.communicate("second\n.\nthird\n.\n", timeout=60)
    no_traceback(stdout, stderr)
    assert process.returncode == 0, stderr
    answers = [t.answer for t in load_transcript(_path_of(transcript_id)).turns]
    assert answers == ["first answer about security groups", "second", "third"]


def _path_of(transcript_id: str) -> Path:
    return Path(os.environ["MOCKAWS_HOME"]) / "transcripts" / f"{transcript_id}.json"


def test_regrade_of_a_live_session_refuses_and_works_once_it_ends(
    live_interview: tuple[subprocess.Popen[str], str], banks: list[str]
) -> None:
    process, transcript_id = live_interview
    code, _, err = run("regrade", transcript_id, "--all", "-g", "offline", *banks[:4])
    assert code == ExitCode.BAD_INPUT
    assert f"session {transcript_id} is open in another mockaws" in err
    process.communicate("second\n.\nthird\n.\n", timeout=60)
    code, _, err = run("regrade", transcript_id, "--all", "-g", "offline", *banks[:4])
    assert code == 0, err
    assert len(load_transcript(_path_of(transcript_id)).turns) == 3


def test_a_killed_interview_leaves_no_lock_behind(
    live_interview: tuple[subprocess.Popen[str], str], banks: list[str]
) -> None:
    process, transcript_id = live_interview
    process.kill()  # SIGKILL: no clean-up runs; the OS drops the lock with the process
    process.wait()
    code, _, err = run("resume", transcript_id, "-g", "offline", *banks[:4], input="b\n.\nc\n.\n")
    assert code == 0, err
    turns = load_transcript(_path_of(transcript_id)).turns
    assert [t.answer for t in turns] == ["first answer about security groups", "b", "c"]


def test_two_sessions_in_one_process_share_the_lock_but_not_across_processes(
    tmp_path: Path,
) -> None:
    lock_path = tmp_path / ".x.lock"
    with files.FileLock(lock_path), files.FileLock(lock_path):
        other = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from pathlib import Path; from mockaws.files import FileLock, "
                "LockHeldError\ntry:\n FileLock(Path(sys.argv[1])).acquire()\n"
                "except LockHeldError as e:\n print(e.pid)",
                str(lock_path),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        assert other.stdout.strip() == str(os.getpid())
    assert lock_path.read_text() == ""  # released


# ---------------------------------------------------------------- input that cannot crash


def test_invalid_utf8_on_stdin_is_replaced_and_every_answer_kept(
    home: Path, banks: list[str]
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "mockaws", "interview", "-n", "3", "-g", "offline", *banks],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "MOCKAWS_HOME": str(home)},
    )
    out, err = process.communicate(b"FIRST\n.\nbad \xff\n.\nTHIRD\n.\n", timeout=60)
    text = err.decode()
    no_traceback(out.decode(), text)
    assert process.returncode == 0, text
    assert "standard input: bytes that are not UTF-8 text were replaced with \ufffd" in text
    (transcript,) = [t for t in transcripts(home) if t.turns]
    assert [t.answer for t in transcript.turns] == ["FIRST", "bad \ufffd", "THIRD"]


def test_grade_reads_an_answer_file_with_invalid_utf8(tmp_path: Path, banks: list[str]) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_bytes(b"Security groups are stateful \xfe\xff and NACLs are stateless.")
    code, _, err = run("grade", "-q", "sg-vs-nacl", "-g", "offline", "-f", str(answer))
    assert code == 0, err
    assert f"{answer}: bytes that are not UTF-8 text were replaced" in err


def test_a_huge_answer_is_kept_whole_and_graded_on_its_first_part(
    home: Path, banks: list[str]
) -> None:
    sentence = "Security groups are stateful and NACLs are stateless at the subnet. "
    huge = sentence * (5_000_000 // len(sentence))
    code, _, err = run("interview", "-n", "1", "-g", "offline", *banks, input=f"{huge}\n.\n")
    assert code == 0, err
    (turn,) = transcripts(home)[0].turns
    assert turn.answer == huge.strip() or turn.answer == huge.rstrip("\n")
    assert turn.grade is not None
    assert any("only its first" in notice for notice in turn.grade.notices)
    assert turn.delivery is not None and turn.delivery.words == len(huge.split())


# ---------------------------------------------------------------- disk faults


class FlakyDisk:
    """Makes atomic writes fail with ENOSPC while `full` is set: a disk that fills and frees."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.full = False
        real = files.os.replace

        def replace(src: str, dst: str) -> None:
            if self.full:
                raise OSError(errno.ENOSPC, "No space left on device")
            real(src, dst)

        monkeypatch.setattr(files.os, "replace", replace)


def _session(store: TranscriptStore, grader: ScriptedGrader, questions: list[object]) -> Interview:
    return Interview(questions, GradingRunner(grader), store, SessionSettings(grader=grader.name))  # type: ignore[arg-type]


def test_a_full_disk_at_the_start_refuses_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from mockaws.bank import load_bank

    disk = FlakyDisk(monkeypatch)
    disk.full = True
    question = load_bank().questions["sg-vs-nacl"]
    with pytest.raises(SaveError, match=r"cannot save .*\.json: no space left on device"):
        _session(TranscriptStore(tmp_path), ScriptedGrader(), [question])


def test_a_full_disk_mid_interview_keeps_answers_in_memory_and_saves_them_later(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from mockaws.bank import load_bank

    disk = FlakyDisk(monkeypatch)
    bank = load_bank().questions
    grader = ScriptedGrader()
    failing_grade = grader.enqueue()  # the first grade's save meets the full disk
    store = TranscriptStore(tmp_path)
    session = _session(store, grader, [bank["sg-vs-nacl"], bank["s3-versioning"]])
    disk.full = True
    session.submit("first answer, saved while the disk is full")
    assert session.save_problem is not None
    assert "no space left on device" in session.save_problem
    failing_grade.started.wait(10)
    session.wait_for_grades()  # the grading worker survived its failed save
    assert store.load(session.transcript.id).turns == []  # nothing reached the disk yet
    disk.full = False
    session.submit("second answer")  # the next save writes everything
    session.wait_for_grades()
    paths = session.finish()
    assert paths is not None
    saved = load_transcript(paths.json)
    assert [t.answer for t in saved.turns] == [
        "first answer, saved while the disk is full",
        "second answer",
    ]
    assert all(t.grade is not None for t in saved.turns)
    assert session.save_problem is None


def test_a_full_disk_at_the_end_prints_the_answers_and_exits_with_cannot_save(
    monkeypatch: pytest.MonkeyPatch, home: Path, banks: list[str]
) -> None:
    from mockaws.session import Interview as RealInterview

    disk = FlakyDisk(monkeypatch)
    real_finish = RealInterview.finish

    def finish_on_full_disk(self: RealInterview, *args: object) -> object:
        disk.full = True
        return real_finish(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(RealInterview, "finish", finish_on_full_disk)
    code, out, err = run("interview", "-n", "1", "-g", "offline", *banks, input="my answer\n.\n")
    assert code == ExitCode.CANNOT_SAVE
    assert "Here they are, to copy" in out and "my answer" in out
    assert err.strip().splitlines()[-1].startswith("error: cannot save ")
    no_traceback(out, err)


def test_a_home_that_is_a_file_is_one_line(home: Path, banks: list[str], tmp_path: Path) -> None:
    not_a_folder = tmp_path / "home-file"
    not_a_folder.write_text("")
    os.environ["MOCKAWS_HOME"] = str(not_a_folder)
    code, out, err = run("interview", "-n", "1", "-g", "offline", *banks, input="x\n.\n")
    assert code in (ExitCode.CANNOT_SAVE, ExitCode.BAD_INPUT), err
    assert len(err.strip().splitlines()) <= 2
    no_traceback(out, err)


def test_stale_temp_files_of_killed_saves_are_removed(tmp_path: Path) -> None:
    from mockaws.bank import load_bank

    stale = tmp_path / ".20250101-000000-abcd.json.x1y2.tmp"
    stale.write_text("{")
    old = time.time() - 2 * files.STALE_TEMP_SECONDS
    os.utime(stale, (old, old))
    fresh = tmp_path / ".other.json.z9.tmp"  # a save under way in another process
    fresh.write_text("{")
    _session(TranscriptStore(tmp_path), ScriptedGrader(), [load_bank().questions["sg-vs-nacl"]])
    assert not stale.exists() and fresh.exists()


# ---------------------------------------------------------------- secrets


def test_a_key_echoed_by_the_server_reaches_neither_screen_nor_disk(
    home: Path, banks: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    with FakeOpenAI() as server:
        server.fallback = error(
            401, f"Incorrect API key provided: {SECRET}. {OSC_TITLE}{OSC_CLIPBOARD}", headers={}
        )
        code, out, err = run(
            "interview", "-n", "1", "-g", "openai", "--base-url", server.url, *banks,
            input="Security groups are stateful.\n.\n",
        )  # fmt: skip
    assert code == ExitCode.GRADER_FAILED
    for text in (out, err, *(p.read_text() for p in (home / "transcripts").iterdir())):
        assert SECRET not in text
        assert SECRET[:12] not in text
        assert "\x1b]" not in text
    (turn,) = transcripts(home)[0].turns
    assert "[redacted]" in (turn.grade_error or "")
    no_traceback(out, err)


def test_a_key_in_the_base_url_is_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://user:{SECRET}@127.0.0.1:9/v1")
    code, out, err = run("config", "show")
    assert code == 0, err
    assert SECRET not in out + err
    assert "http://127.0.0.1:9/v1" in out


def test_a_malformed_base_url_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://[::1")
    for command in (["config", "show"], ["interview", "-n", "1"]):
        code, _, err = run(*command, input="")
        assert code == ExitCode.BAD_INPUT
        assert err.strip().splitlines() == [
            "error: OPENAI_BASE_URL: 'http://[::1' is not a valid URL (Invalid IPv6 URL)"
        ]


# ---------------------------------------------------------------- untrusted files


def _write_transcript(home: Path, transcript_id: str) -> Path:
    folder = home / "transcripts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "20250101-000000-evil.json"
    path.write_text(json.dumps({"schema_version": 1, "id": transcript_id, "status": "in_progress"}))
    return path


@pytest.mark.parametrize("transcript_id", ["../../escaped-by-id", "/tmp/escaped-abs", "a/b"])
def test_a_transcript_whose_id_is_a_path_writes_nowhere(
    home: Path, tmp_path: Path, transcript_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_transcript(home, transcript_id)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for command in (
        ["resume", "20250101-000000-evil", "-g", "offline"],
        ["transcripts", "export", "20250101-000000-evil", "-f", "html"],
        ["regrade", "20250101-000000-evil", "-g", "offline"],
    ):
        code, out, err = run(*command, input="")
        assert code == ExitCode.BAD_INPUT, (command, err)
        assert "not a valid transcript (id:" in err or "not a valid transcript" in err, err
        no_traceback(out, err)
    assert list(work.iterdir()) == []
    assert not [p for p in tmp_path.rglob("*escaped*")]
    assert not Path("/tmp/escaped-abs.html").exists()
    assert path.exists()


@pytest.fixture
def one_session(home: Path, banks: list[str]) -> str:
    answer = f"Security groups are stateful. {OSC_TITLE}<svg onload=alert(1)>\n# Injected heading"
    code, _, err = run("interview", "-n", "1", "-g", "offline", *banks, input=f"{answer}\n.\n")
    assert code == 0, err
    return transcripts(home)[0].id


def test_export_follows_a_symlink_and_keeps_it(one_session: str, tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    code, _, err = run("transcripts", "export", one_session, "-o", str(link))
    assert code == 0, err
    assert link.is_symlink() and "Security groups" in real.read_text()


def test_export_writes_through_a_fifo_and_never_replaces_it(
    one_session: str, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    code, _, err = run("transcripts", "export", one_session, "-o", str(fifo))
    reader.join(30)
    assert code == 0, err
    assert fifo.is_fifo()
    assert b"Security groups" in received[0]


def test_export_does_not_create_missing_folders(one_session: str, tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "folder" / "x.md"
    code, _, err = run("transcripts", "export", one_session, "-o", str(target))
    assert code == ExitCode.BAD_INPUT
    assert "does not exist (create it first)" in err
    assert not (tmp_path / "no").exists()


def test_escape_sequences_in_answers_never_reach_the_terminal(one_session: str) -> None:
    for command in (["transcripts", "show", one_session], ["transcripts", "list"]):
        code, out, err = run(*command)
        assert code == 0, err
        assert "\x1b" not in out + err
        assert "\x07" not in out + err


def test_the_markdown_transcript_shows_html_as_text(one_session: str, home: Path) -> None:
    markdown = (home / "transcripts" / f"{one_session}.md").read_text()
    assert "<svg" not in markdown
    assert "&lt;svg onload=alert(1)&gt;" in markdown
    assert "\n> # Injected heading" not in markdown
    assert "\\# Injected heading" in markdown
    assert "\x1b" not in markdown


def test_render_markdown_escapes_model_feedback(home: Path) -> None:
    from mockaws.bank import load_bank
    from mockaws.grading.scoring import Labels, finalise
    from mockaws.models import Feedback, Turn

    question = load_bank().questions["sg-vs-nacl"]
    grade = finalise(
        question,
        "an answer",
        Labels(points=[], feedback=Feedback(gaps=["</li><h1>owned</h1>", "# heading"])),
        grader="fake",
    )
    turn = Turn.asking(question, answer="an answer", grade=grade)
    markdown = render_markdown(Transcript(id="t-1", turns=[turn]), {question.id: question})
    assert "<h1>" not in markdown and "&lt;h1&gt;owned" in markdown
    assert "\n- # heading" not in markdown


def test_deeply_nested_files_are_one_line(home: Path, tmp_path: Path, banks: list[str]) -> None:
    nested = "[" * 100_000 + "]" * 100_000
    (home / "transcripts").mkdir(parents=True)
    (home / "transcripts" / "20250101-000000-deep.json").write_text(nested)
    run("interview", "-n", "1", "-g", "offline", *banks, input="Security groups are stateful.\n.\n")
    for command in (["transcripts", "list"], ["stats"], ["drill", "-n", "1"]):
        code, out, err = run(*command, input="")
        no_traceback(out, err)
        assert "nested too deeply" in err, (command, err)
    deep_bank = tmp_path / "deep.toml"
    deep_bank.write_text("a = " + nested)
    code, out, err = run("questions", "validate", str(deep_bank))
    assert code == ExitCode.BAD_INPUT
    assert err.strip().splitlines() == [
        f"error: {deep_bank}: not valid TOML: nested too deeply to read"
    ]


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_bank_that_is_not_a_regular_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    bank = tmp_path / "bank.toml"
    if kind == "fifo":
        os.mkfifo(bank)
    else:
        bank.symlink_to("/dev/zero")
    result = subprocess.run(
        [sys.executable, "-m", "mockaws", "questions", "validate", str(bank)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert result.returncode == ExitCode.BAD_INPUT
    assert result.stderr.strip() == f"error: {bank}: cannot read: not a regular file"


# ---------------------------------------------------------------- messages that tell the truth


def test_show_latest_with_only_a_corrupt_file_says_so(home: Path) -> None:
    folder = home / "transcripts"
    folder.mkdir(parents=True)
    (folder / "20250101-000000-bad1.json").write_text("this is not json at all")
    code, _, err = run("transcripts", "show", "latest")
    assert code == ExitCode.BAD_INPUT
    assert "no transcripts yet" not in err
    assert "20250101-000000-bad1.json: not a transcript (not JSON" in err


def test_resume_says_which_transcripts_it_could_not_read(home: Path, banks: list[str]) -> None:
    folder = home / "transcripts"
    folder.mkdir(parents=True)
    (folder / "20991231-000000-bad2.json").write_text("{ cut")
    code, _, err = run("resume", "-g", "offline", *banks[:4], input="")
    assert code == ExitCode.BAD_INPUT
    assert "20991231-000000-bad2.json" in err


def test_busy_error_is_a_bad_input_error() -> None:
    assert SessionBusyError("x").exit_code == ExitCode.BAD_INPUT


def test_resume_in_process_shares_the_lock_with_its_own_interview(tmp_path: Path) -> None:
    from mockaws.bank import load_bank
    from mockaws.session import FixedPlan

    question = load_bank().questions["sg-vs-nacl"]
    store = TranscriptStore(tmp_path)
    first = _session(store, ScriptedGrader(), [question])
    runner = GradingRunner(ScriptedGrader())
    again = resume(first.transcript, {question.id: question}, runner, store, FixedPlan([question]))
    again.submit("an answer")
    again.wait_for_grades()
    assert store.load(first.transcript.id).turns[0].answer == "an answer"


def test_a_key_in_the_base_url_never_reaches_the_server_memory(home: Path) -> None:
    from mockaws.grading.llm import RequestShape, ServerMemory

    memory = ServerMemory(home / "servers.json")
    url = f"http://user:{SECRET}@127.0.0.1:9/v1"
    memory.remember(url, "local", RequestShape("json_object"))
    assert SECRET not in (home / "servers.json").read_text()
    learnt = memory.shape(url, "local")
    assert learnt is not None and learnt.mode == "json_object"
