"""The bank's listing index: listings without pydantic, always what validating the bank says."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mockaws.bank import INDEX_FORMAT, load_bank, load_catalogue, tracks_of
from mockaws.errors import BankError, QuestionNotFoundError
from tests.conftest import MINI_BANK

GOOD = MINI_BANK.read_text()
ROOT = Path(__file__).resolve().parent.parent


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def index_files(home: Path) -> list[Path]:
    return sorted((home / "cache" / "bank").glob("*.index.json"))


def test_listings_say_what_the_validated_bank_says() -> None:
    bank = load_bank()
    for _ in ("cold", "warm"):
        catalogue = load_catalogue()
        assert list(catalogue.listings) == list(bank.questions)
        for question_id, listing in catalogue.listings.items():
            question = bank.questions[question_id]
            assert (listing.topic, listing.level, listing.kind) == (
                question.topic,
                question.level,
                question.kind,
            )
            assert list(listing.tracks) == question.tracks
            assert tracks_of(listing) == tracks_of(question)
            assert (listing.question, list(listing.sources)) == (
                question.question,
                question.sources,
            )
            assert listing.origin == bank.origins[question_id]
            assert catalogue.question(question_id) == question
        assert catalogue.topics == bank.topics
        assert catalogue.questions() == list(bank.questions.values())


def _modules_after(argv: list[str], home: Path) -> tuple[str, set[str]]:
    """What `mockaws ARGV` prints, and the modules it imported, run in a fresh interpreter."""
    script = (
        "import sys\n"
        "from mockaws.cli import main\n"
        f"sys.argv = ['mockaws', *{argv!r}]\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    sys.stdout.flush()\n"
        "    print('\\x00' + ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    env = {**os.environ, "MOCKAWS_HOME": str(home), "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout, set(done.stderr.rsplit("\x00", 1)[1].split())


@pytest.mark.parametrize(
    "argv",
    [
        ["questions", "list"],
        ["questions", "list", "--topic", "networking", "--level", "senior", "--track", "sre"],
        ["questions", "list", "--format", "json"],
        ["questions", "tracks", "--json"],
    ],
)
def test_listing_a_bank_already_indexed_never_imports_pydantic(argv: list[str], home: Path) -> None:
    cold, _ = _modules_after(argv, home)
    warm, modules = _modules_after(argv, home)
    assert warm == cold
    assert "pydantic" not in modules
    assert "mockaws.models" not in modules


def test_an_edited_bank_file_is_listed_anew(tmp_path: Path, home: Path) -> None:
    path = write(tmp_path, "mine.toml", GOOD)
    before = load_catalogue([path], include_shipped=False).get("mini-sg-vs-nacl")
    assert index_files(home)
    path.write_text(GOOD.replace("How do security groups", "How exactly do security groups"))
    catalogue = load_catalogue([path], include_shipped=False)
    after = catalogue.get("mini-sg-vs-nacl")
    assert after.question != before.question
    assert after.question.startswith("How exactly")
    assert catalogue.question("mini-sg-vs-nacl").question == after.question


def test_a_file_broken_after_it_was_indexed_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.toml", GOOD)
    load_catalogue([path], include_shipped=False)
    path.write_text(GOOD.replace('level = "mid"', 'level = "expert"', 1))
    with pytest.raises(BankError) as from_bank:
        load_bank([path], include_shipped=False)
    with pytest.raises(BankError) as from_catalogue:
        load_catalogue([path], include_shipped=False)
    assert from_catalogue.value.message == from_bank.value.message
    assert "level" in from_catalogue.value.message


def test_a_duplicate_id_is_reported_from_a_warm_index_too(tmp_path: Path) -> None:
    first = write(tmp_path, "a.toml", GOOD)
    second = write(tmp_path, "b.toml", GOOD)
    with pytest.raises(BankError) as from_bank:
        load_bank([first, second], include_shipped=False)
    for _ in ("cold", "warm"):
        with pytest.raises(BankError) as from_catalogue:
            load_catalogue([first, second], include_shipped=False)
        assert from_catalogue.value.message == from_bank.value.message


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "{not json",
        lambda text: "",
        lambda text: "[]",
        lambda text: text[: len(text) // 2],
        lambda text: text.replace('"mid"', '"expert"'),  # a level no question has
        lambda text: text.replace('"rows":[[', '"rows":[[1,'),  # a row of the wrong shape
        lambda text: text.replace('"rows":[', '"rows":[7,'),
        lambda text: text.replace('"rows"', '"lines"'),
    ],
)
def test_a_damaged_index_is_ignored_and_rebuilt(
    tmp_path: Path, home: Path, damage: Callable[[str], str]
) -> None:
    path = write(tmp_path, "mine.toml", GOOD)
    expected = load_catalogue([path], include_shipped=False).listings
    (index,) = index_files(home)
    index.write_text(damage(index.read_text()))
    assert load_catalogue([path], include_shipped=False).listings == expected
    rebuilt = json.loads(index.read_text())
    assert rebuilt["format"] == INDEX_FORMAT and len(rebuilt["rows"]) == len(expected)


@pytest.mark.parametrize("field", ["format", "code", "key"])
def test_an_index_for_another_file_version_or_code_is_not_used(
    tmp_path: Path, home: Path, field: str
) -> None:
    path = write(tmp_path, "mine.toml", GOOD)
    load_catalogue([path], include_shipped=False)
    (index,) = index_files(home)
    payload = json.loads(index.read_text())
    for row in payload["rows"]:
        row[5] = "a question text the file does not have"
    payload[field] = "something else"
    index.write_text(json.dumps(payload))
    listed = load_catalogue([path], include_shipped=False).get("mini-sg-vs-nacl")
    assert listed.question.startswith("How do security groups")


def test_a_question_is_read_whole_even_if_its_file_moved_it(tmp_path: Path) -> None:
    path = write(tmp_path, "mine.toml", GOOD)
    catalogue = load_catalogue([path], include_shipped=False)
    questions = load_bank([path], include_shipped=False).questions
    wanted = list(questions)[-1]
    # Another question now stands where the index says `wanted` is.
    path.write_text(GOOD.replace(f'id = "{wanted}"', f'id = "{wanted}-renamed"'))
    with pytest.raises(QuestionNotFoundError):
        catalogue.question(wanted)
    path.write_text(GOOD)
    assert catalogue.question(wanted) == questions[wanted]


def test_without_a_writable_cache_the_bank_still_lists(tmp_path: Path, home: Path) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / "cache").write_text("a file where the cache folder would be")
    path = write(tmp_path, "mine.toml", GOOD)
    for _ in ("cold", "again"):
        catalogue = load_catalogue([path], include_shipped=False)
        assert "mini-sg-vs-nacl" in catalogue.listings
        assert catalogue.question("mini-sg-vs-nacl").id == "mini-sg-vs-nacl"
