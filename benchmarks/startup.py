"""Median start-up time of `mockaws --help` against a bare `import typer` (goal: within 2.5x)."""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def median_seconds(command: list[str], runs: int) -> float:
    subprocess.run(command, capture_output=True, check=True)  # warm the file cache
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    entry = shutil.which("mockaws")
    mockaws = [entry, "--help"] if entry else [sys.executable, "-m", "mockaws", "--help"]
    typer_only = [sys.executable, "-c", "import typer"]
    bare = [sys.executable, "-c", "pass"]
    help_s = median_seconds(mockaws, runs)
    typer_s = median_seconds(typer_only, runs)
    python_s = median_seconds(bare, runs)
    print(f"runs per command:          {runs}")
    print(f"python -c pass:            {python_s * 1000:7.1f} ms (median)")
    print(f"python -c 'import typer':  {typer_s * 1000:7.1f} ms (median)")
    print(f"mockaws --help:            {help_s * 1000:7.1f} ms (median)")
    print(f"ratio to import typer:     {help_s / typer_s:7.2f}x (goal: <= 2.5x)")


if __name__ == "__main__":
    main()
