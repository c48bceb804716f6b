"""The corpora the injection detector is measured on (tests/data/injection), and every other
correct text we keep: shared by tests/test_injection.py and benchmarks/evidence.py."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from mockaws.bank import load_bank

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "data" / "injection"
ATTACK_WORDS = (
    "ignore",
    "override",
    "bypass",
    "rules",
    "system",
    "mark",
    "consider",
    "grade",
    "score",
    "points",
    "note",
    "evaluate",
)


def technical_sentences() -> list[str]:
    lines = (CORPUS / "technical.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def attacks() -> list[dict[str, str]]:
    lines = (CORPUS / "attacks.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def correct_texts() -> list[tuple[str, str]]:
    """(where, text) for every correct text we ship or keep for tests."""
    texts = [(f"technical.txt: {s}", s) for s in technical_sentences()]
    for question in load_bank([]).questions.values():
        texts.append((f"reference answer of {question.id}", question.reference_answer))
    for path in sorted((ROOT / "evals").glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                record = json.loads(line)
                if record.get("kind") != "injection":
                    texts.append((f"{path.name}:{number}", record["answer"]))
    for path in sorted((Path(__file__).parent / "data" / "true_statements").glob("*.toml")):
        for question_id, items in tomllib.loads(path.read_text(encoding="utf-8")).items():
            texts.extend((f"{path.name}: {question_id}", item) for item in items)
    return texts
