"""questions/COVERAGE.md maps every seed question to a bank question that really covers it."""

from __future__ import annotations

import re
from pathlib import Path

from mockaws.bank import load_bank

COVERAGE = Path(__file__).resolve().parents[1] / "questions" / "COVERAGE.md"
BANK = load_bank()


def sections() -> dict[str, list[str]]:
    """Bank ids listed under each heading: '000'..'004' for seed pages, 'new' for the rest."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in COVERAGE.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"^## (\d{3}):|^## (New)", line)
        if heading:
            current = heading.group(1) or "new"
            found[current] = []
        elif line.startswith("## "):
            current = None
        elif current and line.startswith("|"):
            cells = line.split("|")
            # Seed tables end with the bank id; the table of new questions starts with it.
            id_cell = cells[1] if current == "new" else cells[-2]
            found[current] += re.findall(r"`([a-z0-9-]+)`", id_cell)
    return found


def test_every_seed_page_is_mapped_to_real_questions() -> None:
    mapped = sections()
    assert sorted(mapped) == ["000", "001", "002", "003", "004", "new"]
    for page, ids in mapped.items():
        assert ids, f"no rows under {page}"
        for question_id in ids:
            question = BANK.get(question_id)
            assert page in question.sources, f"{question_id} does not list {page} in its sources"


def test_every_question_from_a_seed_page_appears_in_the_map() -> None:
    listed = {question_id for ids in sections().values() for question_id in ids}
    from_seeds = {q.id for q in BANK.questions.values() if q.sources != ["new"]}
    assert from_seeds <= listed, sorted(from_seeds - listed)
