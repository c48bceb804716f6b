"""Output for scripts: one tab-separated record a line, with no rich import on the way."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence


def piped() -> bool:
    """Whether stdout goes to a pipe or a file rather than a terminal."""
    return not sys.stdout.isatty()


def _field(value: object) -> str:
    from mockaws.safety import clean

    # A record is one line: tabs and line breaks inside a field would split it.
    return " ".join(clean(str(value)).split())


def records(rows: Iterable[Sequence[object]]) -> None:
    """Tab-separated records, one per line and no header (like `gh`): for grep, cut and awk."""
    write = sys.stdout.write
    for row in rows:
        write("\t".join(_field(field) for field in row) + "\n")
    sys.stdout.flush()
