from __future__ import annotations

from pathlib import Path

import pytest

from mockaws.bank import load_bank, select_questions, validate_paths
from mockaws.errors import BadInputError, BankError, QuestionNotFoundError
from mockaws.models import Level
from tests.conftest import MINI_BANK

GOOD = MINI_BANK.read_text()


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_mini_bank_loads() -> None:
    bank = load_bank([MINI_BANK], include_shipped=False)
    assert sorted(bank.questions) == ["mini-s3-consistency", "mini-sg-vs-nacl"]
    assert bank.origins["mini-sg-vs-nacl"] == MINI_BANK


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace('level = "junior"', 'level = "guru"', 1),
            "question 'mini-sg-vs-nacl': field 'level'",
        ),
        (
            GOOD.replace("weight = 3", "weight = 9", 1),
            "question 'mini-sg-vs-nacl': field 'rubric[0].weight'",
        ),
        (GOOD.replace('id = "mini-s3-consistency"\n', "", 1), "question '#2': field 'id'"),
        ("[[questions]\nid=", "not valid TOML"),
        ("title = 'x'\n", "field 'title'"),
        ("", "no questions"),
    ],
)
def test_bank_errors_name_file_question_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, "bad.toml", text)
    with pytest.raises(BankError) as info:
        load_bank([path], include_shipped=False)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_duplicate_ids_across_files_are_an_error(tmp_path: Path) -> None:
    copy = write(tmp_path, "copy.toml", GOOD)
    with pytest.raises(BankError, match="duplicate id") as info:
        load_bank([MINI_BANK, copy], include_shipped=False)
    assert info.value.question_id == "mini-sg-vs-nacl"


def test_validate_reports_every_problem(tmp_path: Path) -> None:
    write(tmp_path, "a.toml", GOOD)
    write(tmp_path, "b.toml", GOOD.replace('level = "junior"', 'level = "guru"', 1))
    valid, problems = validate_paths([tmp_path])
    assert valid == 2
    messages = [p.message for p in problems]
    assert any("b.toml: question 'mini-sg-vs-nacl': field 'level'" in m for m in messages)
    assert any("duplicate id" in m and "mini-s3-consistency" in m for m in messages)


def test_a_json_bank_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "mine.json",
        """{"questions": [{"id": "my-q", "topic": "custom",
        "level": "mid", "question": "Q?", "reference_answer": "A.",
        "rubric": [{"id": "pt", "point": "P.", "weight": 1, "cues": ["thing"]}]}]}""",
    )
    assert "my-q" in load_bank([path], include_shipped=False).questions


def test_missing_paths_and_unknown_ids(tmp_path: Path) -> None:
    with pytest.raises(BankError, match="no such file"):
        load_bank([tmp_path / "nope.toml"], include_shipped=False)
    with pytest.raises(QuestionNotFoundError, match="nope"):
        load_bank([MINI_BANK], include_shipped=False).get("nope")


def test_filtering_by_topic_and_level() -> None:
    bank = load_bank([MINI_BANK], include_shipped=False)
    assert [q.id for q in bank.filter(["storage"])] == ["mini-s3-consistency"]
    assert [q.id for q in bank.filter(level=Level.JUNIOR)] == ["mini-sg-vs-nacl"]
    assert bank.filter(["storage"], Level.JUNIOR) == []


def test_selection_is_reproducible_and_never_repeats() -> None:
    bank = load_bank()
    candidates = list(bank.questions.values())
    first = select_questions(candidates, 10, seed=7)
    assert [q.id for q in first] == [q.id for q in select_questions(candidates, 10, seed=7)]
    assert len({q.id for q in first}) == 10
    assert len({q.topic for q in first}) >= 5  # spread over topics
    everything = select_questions(candidates, len(candidates) + 5, seed=1)
    assert len(everything) == len(candidates) == len({q.id for q in everything})


@pytest.mark.parametrize("count", [0, -1])
def test_selection_rejects_bad_counts(count: int) -> None:
    with pytest.raises(BadInputError):
        select_questions(list(load_bank().questions.values()), count)


def test_an_edited_bank_file_is_read_again_despite_the_parse_cache(
    tmp_path: Path, home: Path
) -> None:
    path = write(tmp_path, "mine.toml", GOOD)
    first = load_bank([path], include_shipped=False).get("mini-sg-vs-nacl")
    assert list((home / "cache" / "bank").glob("*.json"))  # the parsed form was kept
    path.write_text(GOOD.replace("How do security groups", "How exactly do security groups"))
    edited = load_bank([path], include_shipped=False).get("mini-sg-vs-nacl")
    assert edited.question != first.question
    assert edited.question.startswith("How exactly")


def test_a_corrupt_parse_cache_is_ignored(tmp_path: Path, home: Path) -> None:
    path = write(tmp_path, "mine.toml", GOOD)
    load_bank([path], include_shipped=False)
    for cached in (home / "cache" / "bank").glob("*.json"):
        cached.write_text("{not json")
    assert "mini-sg-vs-nacl" in load_bank([path], include_shipped=False).questions
