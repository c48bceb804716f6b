"""Every transcript schema version ever written keeps loading; broken files fail in one line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mockaws.errors import TranscriptError
from mockaws.models import TRANSCRIPT_SCHEMA_VERSION, AnswerState, SessionStatus, TurnStatus
from mockaws.transcripts import TRANSCRIPT_UPGRADES, TranscriptStore, load_transcript
from tests.conftest import DATA

FIXTURES = DATA / "transcripts"


def fixture_versions() -> list[int]:
    return sorted(int(p.stem[1:]) for p in FIXTURES.glob("v*.json"))


def test_there_is_a_fixture_for_every_schema_version() -> None:
    assert fixture_versions() == list(range(1, TRANSCRIPT_SCHEMA_VERSION + 1))
    # Each older version has an upgrade step to the next.
    assert sorted(TRANSCRIPT_UPGRADES) == list(range(1, TRANSCRIPT_SCHEMA_VERSION))


@pytest.mark.parametrize("version", fixture_versions())
def test_each_version_loads_with_its_answers_and_grades(version: int) -> None:
    transcript = load_transcript(FIXTURES / f"v{version}.json")
    assert transcript.schema_version == TRANSCRIPT_SCHEMA_VERSION
    assert transcript.id == "20250301-090000-a1b2"
    assert transcript.status is SessionStatus.ABANDONED
    graded, interrupted = transcript.turns
    assert graded.status is TurnStatus.ANSWERED and graded.grade is not None
    assert graded.grade.red_flags_hit and graded.grade.score == 60
    # Interrupted before it was submitted: a draft, to carry on from, never graded.
    assert interrupted.state is AnswerState.DRAFT and not interrupted.needs_grade
    assert interrupted.grade is None and interrupted.grade_error is None
    assert interrupted.answer == "S3 is strongly consistent now, since"


def test_version_1_answer_flags_become_one_state(tmp_path: Path) -> None:
    document = json.loads((FIXTURES / "v1.json").read_text())
    first = document["turns"][0]
    first["follow_ups"] = [
        {"question": "And NACLs?", "answer": "They are stateless.", "grade": first["grade"]},
        {"question": "Ephemeral ports?", "answer": "", "submitted": True, "skipped": True},
        {"question": "Why?", "answer": "half a th", "submitted": False},
        {"question": "Rule order?", "answer": "", "submitted": False},
        {"question": "Limits?", "answer": "Twenty.", "grade_error": "the server said 500"},
    ]
    document["turns"].append({**first, "status": "skipped", "answer": "", "grade": None})
    path = tmp_path / "20250301-090000-a1b2.json"
    path.write_text(json.dumps(document))
    transcript = load_transcript(path)
    assert [f.state for f in transcript.turns[0].follow_ups] == [
        AnswerState.GRADED,
        AnswerState.SKIPPED,
        AnswerState.DRAFT,
        AnswerState.ASKED,
        AnswerState.GRADE_FAILED,
    ]
    assert transcript.turns[-1].state is AnswerState.SKIPPED
    assert transcript.turns[-1].status is TurnStatus.SKIPPED
    # Only the follow-up whose grading failed is still to grade.
    assert [f.needs_grade for f in transcript.turns[0].follow_ups] == [0, 0, 0, 0, 1]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "20250301-100000-ffff.json"
    path.write_text(text)
    return path


def test_a_truncated_file_is_one_clear_line(tmp_path: Path) -> None:
    whole = (FIXTURES / "v1.json").read_text()
    path = _write(tmp_path, whole[: len(whole) // 2])
    with pytest.raises(TranscriptError) as info:
        load_transcript(path)
    message = info.value.message
    assert message.startswith(f"{path}: not valid JSON (the file is cut short:")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "not valid JSON (the file is empty)"),
        ("hello, I am not JSON", "not a transcript (not JSON"),
        ("[" * 100_000 + "]" * 100_000, "not a transcript (nested too deeply to read)"),
        ('{"schema_version": 1, "id": "../../escaped"}', "not a valid transcript (id:"),
        ('{"schema_version": 1, "id": "/etc/passwd"}', "not a valid transcript (id:"),
        ("[1, 2]", "not a transcript (expected a JSON object)"),
        ('{"id": "x"}', "not a transcript (no valid schema_version)"),
        ('{"schema_version": 99, "id": "x"}', "written by a newer mockaws (schema_version 99"),
        ('{"schema_version": 1, "id": "x", "turns": 3}', "not a valid transcript (turns:"),
        ('{"schema_version": 1, "id": "x", "status": "odd"}', "not a valid transcript (status:"),
    ],
)
def test_bad_files_name_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(TranscriptError, match=re.escape(expected)) as info:
        load_transcript(path)
    assert str(path) in info.value.message


def test_an_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, "")
    path.write_bytes(b"\xff\xfe not utf-8")
    with pytest.raises(TranscriptError, match="cannot read transcript"):
        load_transcript(path)


def test_find_by_id_prefix_path_and_ambiguity(tmp_path: Path) -> None:
    store = TranscriptStore(tmp_path)
    fixture = json.loads((FIXTURES / "v1.json").read_text())
    for suffix in ("a1b2", "a1c3"):
        (tmp_path / f"20250301-090000-{suffix}.json").write_text(json.dumps(fixture))
    assert store.find("20250301-090000-a1b2").name == "20250301-090000-a1b2.json"
    assert store.find("20250301-090000-a1c").name == "20250301-090000-a1c3.json"
    assert store.find(str(FIXTURES / "v1.json")) == FIXTURES / "v1.json"
    with pytest.raises(TranscriptError, match="ambiguous"):
        store.find("20250301")
    with pytest.raises(TranscriptError, match="no transcript 'nope'"):
        store.find("nope")
