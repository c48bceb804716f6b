"""Test banks whose topics are not in the shipped bank, so a test can pick exactly its questions."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import DATA, MINI_BANK

# The test questions' topics, renamed so `--topic` selects only them (never shipped questions).
NETWORKING = "test-networking"
STORAGE = "test-storage"
SERVERLESS = "test-serverless"
_RENAMES = {
    'topic = "networking"': f'topic = "{NETWORKING}"',
    'topic = "storage"': f'topic = "{STORAGE}"',
    'topic = "serverless"': f'topic = "{SERVERLESS}"',
}


def isolated_bank_args(folder: Path) -> list[str]:
    """`--bank` options for the mini bank and the extra question, under test-only topics."""
    args = []
    for source in (MINI_BANK, DATA / "extra_bank.toml"):
        text = source.read_text()
        for old, new in _RENAMES.items():
            text = text.replace(old, new)
        target = folder / source.name
        target.write_text(text)
        args += ["--bank", str(target)]
    return args


def only_test_topics() -> list[str]:
    return ["--topic", NETWORKING, "--topic", STORAGE, "--topic", SERVERLESS]
