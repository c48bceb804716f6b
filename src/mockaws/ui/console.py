"""The console: output streams, styles, notices and the small helpers every screen uses."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape as escape_markup
from rich.table import Table
from rich.text import Text

from mockaws.models import (
    Rating,
    Verdict,
)
from mockaws.safety import clean

if TYPE_CHECKING:
    from mockaws.history import LoadProblem


def escape(text: str) -> str:
    """Text from a file, a server or the user, safe to print: no markup, no control codes."""
    return escape_markup(clean(text))


class _Console(Console):
    def on_broken_pipe(self) -> None:
        # The reader went away (`| head`): the command layer ends quietly with exit 0.
        self.quiet = True
        raise BrokenPipeError


out = _Console(highlight=False, soft_wrap=False)


err = _Console(stderr=True, highlight=False, soft_wrap=True)


_RATING_STYLE = {
    Rating.STRONG: "bold green",
    Rating.SOLID: "green",
    Rating.WEAK: "yellow",
    Rating.POOR: "red",
}


_VERDICT_STYLE = {
    Verdict.COVERED: ("✔ covered", "green"),
    Verdict.PARTIAL: ("◑ partial", "yellow"),
    Verdict.MISSED: ("✘ missed", "red"),
    Verdict.CONTRADICTED: ("⚠ contradicted", "bold red"),
}


END_OF_ANSWER = "."


def error(message: str) -> None:
    """One line on stderr: what went wrong and where."""
    err.print(f"[bold red]error:[/] {escape(message)}")


def notice(message: str) -> None:
    err.print(f"[dim]{escape(message)}[/]")


def save_problem(message: str) -> None:
    """A save failed; nothing is lost yet (it is all in memory and the next save retries)."""
    err.print(
        f"[bold yellow]warning:[/] {escape(message)}; your answers are kept in memory and "
        "saved as soon as the disk allows"
    )


def last_resort_copy(answers: Iterable[str]) -> None:
    """Print what could not be saved, so the user can copy it before the process ends."""
    out.print("[bold]Your answers could not be saved. Here they are, to copy:[/]")
    for number, answer in enumerate(answers, start=1):
        out.print(f"\n--- answer {number} ---")
        out.print(escape(answer), soft_wrap=True)


def saved(paths: Iterable[object]) -> None:
    for path in paths:
        out.print(f"Saved: {path}", soft_wrap=True)


REPLACEMENT_CHARACTER = "\ufffd"


def replaced_bytes_notice(where: str) -> None:
    """Say once that bytes which were not UTF-8 were kept as U+FFFD."""
    notice(f"{where}: bytes that are not UTF-8 text were replaced with {REPLACEMENT_CHARACTER}")


@contextlib.contextmanager
def progress(description: str, total: int) -> Iterator[Callable[[], None]]:
    """A progress bar on stderr for `total` steps; yields the function that advances it."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    bar = Progress(
        "{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with bar:
        task = bar.add_task(escape(description), total=total)
        yield lambda: bar.advance(task)


def clock(seconds: float) -> str:
    """Seconds as m:ss."""
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def is_interactive() -> bool:
    """True when a person is at a terminal: both stdin and stdout are terminals."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@contextlib.contextmanager
def waiting(message: str, console: Console | None = None) -> Iterator[None]:
    """A spinner and the seconds waited so far, while a grade (or a follow-up) is on its way:
    a slow local model shows it is working, and how long it has taken."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn("dots"),
        TextColumn(f"[dim]{escape(message)}[/]"),
        TimeElapsedColumn(),
        console=console or out,
        transient=True,
    ) as progress:
        progress.add_task("waiting", total=None)
        yield


def count(n: int, noun: str) -> str:
    """`n` and the noun, plural unless n is 1: "1 question", "3 questions"."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def warning(message: str) -> None:
    """One line on stderr about something skipped or doubtful; the command carries on."""
    err.print(f"[yellow]warning:[/] {escape(message)}")


def load_problems(problems: Sequence[LoadProblem], *, limit: int = 5) -> None:
    """Report transcript files that did not load, one line each (the first few, then a count)."""
    for problem in problems[:limit]:
        warning(f"skipped {problem.message}")
    if len(problems) > limit:
        warning(f"skipped {len(problems) - limit} more unreadable transcripts")


def _local_time(stamp: str | datetime) -> str:
    moment = datetime.fromisoformat(stamp) if isinstance(stamp, str) else stamp
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


def _hanging(rows: Iterable[tuple[str | Text, ...]], widths: Sequence[int]) -> Table:
    """Rows whose last column wraps under itself rather than back to the left margin."""
    grid = Table.grid(padding=(0, 1))
    for width in widths:
        grid.add_column(width=width, no_wrap=True)
    grid.add_column(ratio=1)
    for row in rows:
        grid.add_row(*row)
    return grid
