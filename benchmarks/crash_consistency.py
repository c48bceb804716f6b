"""Crash consistency: `kill -9` piped interviews at random moments, then check what survived.

Each run starts `mockaws interview` with answers piped in one at a time and kills it with
SIGKILL at a random moment. An answer counts as *reported saved* once the interview has printed
its "Saved ·" line. After the kill, every reported-saved answer must be in the transcript on
disk, and every transcript in the folder must load.

Every third run then starts two `mockaws resume ID` at once on the killed session (a dropped SSH
session resumed twice): only one may write it at a time (the other refuses, or takes over once
the first has ended, from what the first saved); each is killed at a random moment too, and the
same checks follow.

    python benchmarks/crash_consistency.py [--runs 100] [--seed 1] [--max-kill-after 2.5]

Prints one line per 10 runs and the totals: runs, answers reported saved, answers lost (goal 0),
transcripts that do not load (goal 0), resumes refused because the session was open elsewhere.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANKS = ["--bank", str(ROOT / "tests" / "data" / "mini_bank.toml")]
SAVED = "Saved · answered"


@dataclass
class Process:
    """A mockaws process fed answers one by one, whose 'Saved' lines are counted as they come."""

    popen: subprocess.Popen[str]
    answers: list[str] = field(default_factory=list)
    saved: int = 0
    refused: bool = False
    ready: threading.Event = field(default_factory=threading.Event)

    def read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.ready.set()  # the first question is on screen: start-up is over
            if SAVED in line:
                self.saved += 1
        self.ready.set()

    def feed(self, answers: list[str], rng: random.Random) -> None:
        assert self.popen.stdin is not None
        self.ready.wait(60)
        try:
            for answer in answers:
                self.popen.stdin.write(f"{answer}\n.\n")
                self.popen.stdin.flush()
                self.answers.append(answer)
                time.sleep(rng.uniform(0.0, 0.3))
        except (BrokenPipeError, ValueError, OSError):
            pass  # killed or refused: the answers not written were never "typed"


def start(home: Path, args: list[str]) -> Process:
    env = {**os.environ, "MOCKAWS_HOME": str(home), "NO_COLOR": "1"}
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MOCKAWS_MODEL"):
        env.pop(name, None)
    popen = subprocess.Popen(
        [sys.executable, "-m", "mockaws", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    process = Process(popen)
    threading.Thread(target=process.read, daemon=True).start()
    return process


def kill_later(process: Process, after: float) -> threading.Thread:
    """SIGKILL `after` seconds into the session (counted once start-up is over)."""

    def kill() -> None:
        process.ready.wait(60)
        time.sleep(after)
        if process.popen.poll() is None:
            process.popen.send_signal(signal.SIGKILL)

    killer = threading.Thread(target=kill, daemon=True)
    killer.start()
    return killer


def finish(process: Process, feeder: threading.Thread) -> None:
    feeder.join()
    if process.popen.stdin is not None:
        with contextlib.suppress(OSError):
            process.popen.stdin.close()
    process.popen.wait()
    time.sleep(0.05)  # let the reader thread count the last lines
    assert process.popen.stderr is not None
    process.refused = process.popen.returncode == 2 and "is open in another mockaws" in (
        process.popen.stderr.read()
    )


def run_once(
    home: Path, number: int, rng: random.Random, max_kill_after: float
) -> tuple[list[str], set[str], int]:
    """One killed interview (and maybe two resumes at once); returns (reported saved, on disk,
    resumes refused because another process had the session)."""
    from mockaws.transcripts import load_transcript

    folder = home / "transcripts"
    before = set(folder.glob("*.json")) if folder.exists() else set()
    answers = [f"run {number} answer {i}: security groups are stateful" for i in range(5)]
    interview = start(home, ["interview", "-n", "5", "-g", "offline", *BANKS])
    feeder = threading.Thread(target=interview.feed, args=(answers, rng))
    feeder.start()
    kill_later(interview, rng.uniform(0.0, max_kill_after))
    finish(interview, feeder)
    reported = interview.answers[: interview.saved]
    new = sorted(set(folder.glob("*.json")) - before) if folder.exists() else []
    refused = 0
    if new and number % 3 == 0:
        session = new[0].stem
        resumers = [start(home, ["resume", session, "-g", "offline", *BANKS[:2]]) for _ in range(2)]
        extra = [[f"run {number} resumer {r} answer {i}" for i in range(3)] for r in range(2)]
        feeders = [
            threading.Thread(target=p.feed, args=(e, rng))
            for p, e in zip(resumers, extra, strict=True)
        ]
        for thread in feeders:
            thread.start()
        for process in resumers:
            kill_later(process, rng.uniform(0.0, max_kill_after))
        for process, thread in zip(resumers, feeders, strict=True):
            finish(process, thread)
        refused += sum(p.refused for p in resumers)
        for process in resumers:
            reported += process.answers[: process.saved]
    on_disk: set[str] = set()
    for path in new:
        transcript = load_transcript(path)
        for turn in transcript.turns:
            on_disk.add(turn.answer)
    return reported, on_disk, refused


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-kill-after", type=float, default=2.5)
    options = parser.parse_args()
    from mockaws.errors import TranscriptError
    from mockaws.transcripts import load_transcript

    rng = random.Random(options.seed)
    saved = lost = refused = 0
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as temp:
        home = Path(temp)
        for number in range(1, options.runs + 1):
            reported, on_disk, refusals = run_once(home, number, rng, options.max_kill_after)
            saved += len(reported)
            missing = [a for a in reported if a not in on_disk]
            lost += len(missing)
            refused += refusals
            for answer in missing:
                print(f"  run {number}: LOST {answer!r}")
            if number % 10 == 0:
                print(
                    f"{number} runs: {saved} answers reported saved, {lost} lost, "
                    f"{refused} resumes refused ({time.monotonic() - started:.0f} s)",
                    flush=True,
                )
        unreadable = 0
        files = sorted((home / "transcripts").glob("*.json"))
        for path in files:
            try:
                load_transcript(path)
            except TranscriptError as exc:
                unreadable += 1
                print(f"  does not load: {exc.message}")
        temps = list((home / "transcripts").glob(".*.tmp"))
    print(
        f"runs {options.runs} (two resumes at once every 3rd), answers reported saved {saved}, "
        f"lost {lost}, transcripts {len(files)}, unreadable {unreadable}, "
        f"resumes refused {refused}, temp files left {len(temps)}"
    )
    sys.exit(1 if lost or unreadable else 0)


if __name__ == "__main__":
    main()
