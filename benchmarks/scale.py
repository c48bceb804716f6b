"""Time `mockaws transcripts list` and `mockaws stats` over many saved transcripts (goal: < 1 s).

Generates transcripts (default 2,000 sessions of 10 answers, dates spread over a year, grades
from the offline grader on the bank's questions) in a temporary MOCKAWS_HOME, then runs each
command as a user would: a fresh process, first with no cache (cold), then again (warm).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mockaws.bank import load_bank
from mockaws.grading import grade_answer
from mockaws.grading.offline import OfflineGrader
from mockaws.models import (
    AnswerState,
    Grade,
    Question,
    SessionSettings,
    SessionStatus,
    Transcript,
    Turn,
)
from mockaws.transcripts import TranscriptStore

MINI_BANK = Path(__file__).resolve().parents[1] / "tests" / "data" / "mini_bank.toml"


def sample_answers(question: Question) -> list[str]:
    """A strong, a partial and a weak answer to `question`."""
    sentences = [s for s in question.reference_answer.replace("\n", " ").split(". ") if s]
    half = ". ".join(sentences[: max(1, len(sentences) // 2)])
    return [question.reference_answer, half, "I'm not sure; I think it depends on the setup."]


def generate(folder: Path, sessions: int, answers_per: int, seed: int) -> int:
    """Write `sessions` transcripts to `folder`; returns how many answers they hold."""
    bank = load_bank()
    if len(bank) < answers_per:
        bank = load_bank([MINI_BANK])
    questions = sorted(bank.questions.values(), key=lambda q: q.id)
    grader = OfflineGrader()
    graded: dict[str, list[tuple[str, Grade]]] = {
        q.id: [(a, grade_answer(grader, q, a)) for a in sample_answers(q)] for q in questions
    }
    rng = random.Random(seed)
    store = TranscriptStore(folder)
    start = datetime(2025, 1, 1, 9, tzinfo=UTC)
    total = 0
    for number in range(sessions):
        began = start + timedelta(minutes=number * 262 + rng.randrange(60))
        chosen = [rng.choice(questions) for _ in range(answers_per)]
        turns = []
        for index, question in enumerate(chosen):
            answer, grade = rng.choice(graded[question.id])
            moment = began + timedelta(minutes=3 * index + 2)
            skipped = False
            turns.append(
                Turn.asking(
                    question,
                    state=AnswerState.SKIPPED if skipped else AnswerState.SUBMITTED,
                    answer="" if skipped else answer,
                    asked_at=moment - timedelta(minutes=2),
                    answered_at=moment,
                    seconds=95.0,
                    grade=None if skipped else grade.model_copy(update={"graded_at": moment}),
                )
            )
            total += not skipped
        transcript = Transcript(
            id=f"{began:%Y%m%d-%H%M%S}-{number:04x}",
            started_at=began,
            finished_at=began + timedelta(minutes=3 * answers_per),
            status=SessionStatus.COMPLETED,
            settings=SessionSettings(
                count=answers_per, grader="offline", question_ids=[q.id for q in chosen]
            ),
            turns=turns,
        )
        store.save(transcript)
    return total


def timed(command: list[str], env: dict[str, str]) -> float:
    begin = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - begin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=2000)
    parser.add_argument("--answers", type=int, default=10, help="answers per session")
    parser.add_argument("--runs", type=int, default=5, help="warm runs per command")
    parser.add_argument("--seed", type=int, default=6)
    options = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="mockaws-scale-"))
    try:
        folder = home / "transcripts"
        begin = time.perf_counter()
        answers = generate(folder, options.sessions, options.answers, options.seed)
        made = time.perf_counter() - begin
        size = sum(p.stat().st_size for p in folder.glob("*.json")) / 1e6
        print(f"transcripts:  {options.sessions} files, {answers} answers, {size:.0f} MB")
        print(f"              (generated in {made:.1f} s)")
        env = {**os.environ, "MOCKAWS_HOME": str(home), "COLUMNS": "100"}
        entry = shutil.which("mockaws")
        base = [entry] if entry else [sys.executable, "-m", "mockaws"]
        for args in (["transcripts", "list"], ["stats"], ["transcripts", "list", "--json"]):
            shutil.rmtree(home / "cache", ignore_errors=True)
            cold = timed([*base, *args], env)
            warm = statistics.median(timed([*base, *args], env) for _ in range(options.runs))
            print(
                f"mockaws {' '.join(args):<24} cold (no cache) {cold:6.2f} s   "
                f"warm {warm:6.2f} s (median of {options.runs})   goal < 1 s"
            )
        help_s = statistics.median(timed([*base, "--help"], env) for _ in range(options.runs))
        print(f"mockaws --help (start-up alone)  {help_s:6.2f} s")
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
