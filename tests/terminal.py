"""A real terminal for tests: a pseudo-terminal (pexpect) rendered by a VT100 emulator (pyte).

The emulator answers the editor's cursor-position requests as a terminal does, and tests read
the screen as a person sees it rather than the escape sequences that draw it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pexpect
import pyte

ROOT = Path(__file__).resolve().parent.parent
# Generous: a bound on waiting for the program, never an assertion about its speed.
TIMEOUT = 60.0

SUBMIT = "\x1b\r"  # Esc then Enter (what Alt-Enter sends)
CTRL_C = "\x03"
CTRL_D = "\x04"


class _Screen(pyte.HistoryScreen):
    def __init__(self, columns: int, lines: int) -> None:
        super().__init__(columns, lines, history=5000)
        self.replies: list[str] = []

    def write_process_input(self, data: str) -> None:
        self.replies.append(data)


class Terminal:
    """One program running in a terminal of `rows` x `columns`."""

    def __init__(
        self,
        args: Sequence[str],
        *,
        home: Path,
        rows: int = 40,
        columns: int = 120,
        term: str = "xterm-256color",
    ) -> None:
        env = {**os.environ, "MOCKAWS_HOME": str(home), "TERM": term}
        env.pop("COLUMNS", None)
        env.pop("LINES", None)
        self.screen = _Screen(columns, rows)
        self.stream = pyte.Stream(self.screen)
        self.child = pexpect.spawn(
            sys.executable,
            list(args),
            env=env,
            cwd=str(ROOT),
            dimensions=(rows, columns),
            encoding="utf-8",
            codec_errors="replace",
            timeout=TIMEOUT,
        )
        # pexpect pauses 50 ms before each send by default; keys should arrive as typed.
        self.child.delaybeforesend = None
        self.ended = False

    @classmethod
    def mockaws(
        cls,
        *args: str,
        home: Path,
        rows: int = 40,
        columns: int = 120,
        term: str = "xterm-256color",
    ) -> Terminal:
        return cls(["-m", "mockaws", *args], home=home, rows=rows, columns=columns, term=term)

    def pump(self, wait: float = 0.05) -> None:
        """Feed whatever the program has written to the emulator, and answer its queries."""
        if self.ended:
            return
        try:
            data = self.child.read_nonblocking(65536, timeout=wait)
        except pexpect.TIMEOUT:
            return
        except pexpect.EOF:
            self.ended = True
            return
        self.stream.feed(data)
        for reply in self.screen.replies:
            self.child.send(reply)
        self.screen.replies.clear()

    def text(self) -> str:
        """Everything shown so far: the lines scrolled off the top, then the screen."""
        columns = self.screen.columns
        scrolled = [
            "".join(line[x].data for x in range(columns)).rstrip()
            for line in self.screen.history.top
        ]
        return "\n".join([*scrolled, *(line.rstrip() for line in self.screen.display)])

    def expect(self, text: str, times: int = 1) -> None:
        """Wait until `text` has been shown at least `times` times."""
        deadline = time.monotonic() + TIMEOUT
        while self.text().count(text) < times:
            if self.ended or time.monotonic() > deadline:
                raise AssertionError(f"never saw {text!r} x{times} on screen:\n{self.text()}")
            self.pump()

    def type(self, text: str) -> None:
        """Type like a person, a line at a time (Enter makes a new line in the editor)."""
        for number, line in enumerate(text.split("\n")):
            if number:
                self.child.send("\r")
            self.child.send(line)
            self.pump(0.01)

    def send(self, keys: str) -> None:
        self.child.send(keys)
        self.pump(0.01)

    def wait_exit(self) -> int | None:
        """Run to the end; the exit status (None when killed by a signal)."""
        deadline = time.monotonic() + TIMEOUT
        while not self.ended:
            if time.monotonic() > deadline:
                raise AssertionError(f"the program did not end:\n{self.text()}")
            self.pump()
        self.child.close()
        return self.child.exitstatus  # type: ignore[no-any-return]
