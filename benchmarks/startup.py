"""Start-up time of the everyday commands against `mockaws --help` (goal: each within 2x).

POSIX only (CPU time from getrusage, the interview in a pseudo-terminal through pexpect).

Times, as medians over `--runs` runs with a warm file cache and warm mockaws caches:
`mockaws --help` against a bare `import typer`; `questions list` (piped), `questions show`,
`config show`; and the time from starting `mockaws interview` in a pseudo-terminal to the
first question on the screen. With `--bank-size N` (default 350) the shipped bank is padded
with copies of its own questions, through MOCKAWS_BANK, to N questions.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median_seconds(command: list[str], runs: int, env: Mapping[str, str]) -> tuple[float, float]:
    """Median wall-clock and CPU (user + system) seconds of `command`.

    CPU time is the steadier figure on a busy machine: waiting for a core does not count.
    """
    subprocess.run(command, capture_output=True, check=True, env=env)  # warm the caches
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(command, capture_output=True, check=True, env=env)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def first_question_seconds(
    command: list[str], runs: int, env: Mapping[str, str]
) -> tuple[float, float]:
    """From spawning an interview in a pseudo-terminal to its first question on the screen.

    The CPU figure runs on until the process is stopped, so it includes the editor's start.
    """
    import pexpect

    walls, cpus = [], []
    for index in range(runs + 1):
        start, cpu = time.perf_counter(), _children_cpu()
        child = pexpect.spawn(
            command[0], command[1:], env=dict(env), dimensions=(40, 120), encoding="utf-8"
        )
        # A terminal answers the editor's cursor-position request at once; without an answer
        # the editor waits for it before drawing.
        while child.expect([r"\x1b\[6n", "Question 1"], timeout=60) == 0:
            child.send("\x1b[1;1R")
        elapsed = time.perf_counter() - start
        child.terminate(force=True)
        child.wait()
        if index:  # the first run only warms the caches
            walls.append(elapsed)
            cpus.append(_children_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def padded_bank(size: int, folder: Path) -> Path | None:
    """A bank file of copies of shipped questions that brings the bank up to `size`."""
    shipped = [
        question
        for path in sorted((ROOT / "questions").glob("*.toml"))
        for question in tomllib.loads(path.read_text(encoding="utf-8"))["questions"]
    ]
    missing = size - len(shipped)
    if missing <= 0:
        return None
    copies = []
    for index in range(missing):
        copy = dict(shipped[index % len(shipped)])
        copy["id"] = f"{copy['id']}-copy-{index}"
        copies.append(copy)
    target = folder / "padding.json"
    target.write_text(json.dumps({"questions": copies}), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--bank-size", type=int, default=350)
    options = parser.parse_args()
    runs = options.runs
    entry = shutil.which("mockaws")
    mockaws = [entry] if entry else [sys.executable, "-m", "mockaws"]
    with tempfile.TemporaryDirectory(prefix="mockaws-startup-") as scratch:
        env = {**os.environ, "MOCKAWS_HOME": scratch, "TERM": "xterm-256color"}
        for name in ("OPENAI_BASE_URL", "MOCKAWS_MODEL", "OPENAI_API_KEY", "MOCKAWS_BANK"):
            env.pop(name, None)
        # An installed mockaws has its bytecode compiled; without it every run would compile the
        # package from source, which is not what a user waits for.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        padding = padded_bank(options.bank_size, Path(scratch))
        if padding is not None:
            env["MOCKAWS_BANK"] = str(padding)
        listed = subprocess.run(
            [*mockaws, "questions", "list"], capture_output=True, text=True, check=True, env=env
        )
        questions = len(listed.stdout.splitlines())
        typer_s = median_seconds([sys.executable, "-c", "import typer"], runs, env)
        help_s = median_seconds([*mockaws, "--help"], runs, env)
        timed = {
            "questions list | cat": median_seconds([*mockaws, "questions", "list"], runs, env),
            "questions show sg-vs-nacl": median_seconds(
                [*mockaws, "questions", "show", "sg-vs-nacl"], runs, env
            ),
            "config show": median_seconds([*mockaws, "config", "show"], runs, env),
            "interview: first question": first_question_seconds(
                [*mockaws, "interview", "-n", "1", "--grader", "offline"], runs, env
            ),
        }
    print(f"runs per command: {runs}; bank: {questions} questions; medians, wall and CPU")
    print(
        f"python -c 'import typer':   {typer_s[0] * 1000:7.1f} ms  {typer_s[1] * 1000:7.1f} ms CPU"
    )
    print(f"mockaws --help:             {help_s[0] * 1000:7.1f} ms  {help_s[1] * 1000:7.1f} ms CPU")
    for name, (wall, cpu) in timed.items():
        ratio = cpu / help_s[1]
        verdict = "ok" if ratio <= 2 else "over the goal"
        print(
            f"{name + ':':<27} {wall * 1000:7.1f} ms  {cpu * 1000:7.1f} ms CPU"
            f"  ({ratio:.1f}x --help in CPU, {verdict}; wall {wall / help_s[0]:.1f}x)"
        )


if __name__ == "__main__":
    main()
