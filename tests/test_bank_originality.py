"""The bank is written in our own words: no run of eight words from a seed page appears in it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mockaws.bank import load_bank

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"
RUN = 8


def shingles(text: str) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1)}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed pages are not beside the repository")
def test_no_seed_sentence_is_copied_into_the_bank() -> None:
    seed_runs: set[tuple[str, ...]] = set()
    for page in sorted(SEEDS.glob("*.txt")):
        seed_runs |= shingles(page.read_text(encoding="utf-8"))
    copied = []
    for question in load_bank().questions.values():
        texts = [question.question, question.reference_answer, *question.follow_ups]
        texts += [p.point for p in question.rubric] + [f.flag for f in question.red_flags]
        for text in texts:
            overlap = shingles(text) & seed_runs
            if overlap:
                copied.append(f"{question.id}: '{' '.join(sorted(overlap)[0])}'")
    assert copied == [], "\n".join(copied[:20])
