"""Submit-to-next-question time with a grader that takes 2 s per answer (goal: under 0.1 s).

Two figures:
  engine    `Interview.submit` until the next prompt is ready, in process (no terminal).
  terminal  `mockaws interview` in a pseudo-terminal: from the submit keys (Esc Enter) until the
            next question is on screen, as a person sees it. Needs the [test] extra (pexpect,
            pyte) and runs the real editor; the grader is the offline one plus a 2 s sleep.

    python benchmarks/submit_latency.py [--answers 5] [--grader-seconds 2]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANKS = [ROOT / "tests" / "data" / "mini_bank.toml", ROOT / "tests" / "data" / "extra_bank.toml"]
ANSWER = (
    "Security groups are stateful and attach to the ENI, so return traffic is allowed. "
    "NACLs are stateless at the subnet level, so open ephemeral ports in both directions."
)


def _slow_grader(seconds: float) -> object:
    from mockaws.grading.offline import OfflineGrader
    from mockaws.grading.scoring import Labels
    from mockaws.models import Question

    class SlowGrader:
        """The offline grader, slowed to a model's latency."""

        name = "slow"
        thread_safe = False

        def label(self, question: Question, answer: str) -> Labels:
            time.sleep(seconds)
            return OfflineGrader().label(question, answer)

    return SlowGrader()


def _pool(count: int) -> list[object]:
    from mockaws.bank import load_bank

    questions = list(load_bank(BANKS, include_shipped=False).questions.values())
    # Enough distinct questions for the run: copies of the test bank under new ids.
    return [
        questions[i % len(questions)].model_copy(update={"id": f"bench-{i}"}) for i in range(count)
    ]


def engine(answers: int, grader_seconds: float, follow_ups: int) -> list[float]:
    from mockaws.grading.runner import GradingRunner
    from mockaws.models import Question, SessionSettings
    from mockaws.session import Interview
    from mockaws.transcripts import TranscriptStore

    questions: list[Question] = _pool(answers + 1)  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as folder:
        session = Interview(
            questions,
            GradingRunner(_slow_grader(grader_seconds)),  # type: ignore[arg-type]
            TranscriptStore(Path(folder)),
            SessionSettings(follow_ups=follow_ups),
        )
        timings = []
        for _ in range(answers):
            assert session.prompt is not None
            start = time.perf_counter()
            session.submit(ANSWER)
            session.prompt  # noqa: B018 - the next prompt, as the terminal asks for it
            timings.append(time.perf_counter() - start)
        session.finish()
    return timings


def terminal(answers: int, grader_seconds: float) -> list[float]:
    sys.path.insert(0, str(ROOT))
    from tests.terminal import SUBMIT, Terminal

    launch = (
        f"import sys; sys.path.insert(0, {str(ROOT)!r}); "
        "from benchmarks.submit_latency import child_main; "
        f"child_main({grader_seconds})"
    )
    timings = []
    with tempfile.TemporaryDirectory() as home:
        bank = Path(home) / "bench.json"
        questions = [q.model_dump(mode="json") for q in _pool(answers + 1)]  # type: ignore[attr-defined]
        bank.write_text(json.dumps({"questions": questions}))
        args = ["interview", "-n", str(answers + 1), "--follow-ups", "0", "--bank", str(bank)]
        term = Terminal(["-c", launch, *args], home=Path(home))
        total = answers + 1
        term.expect(f"Question 1 of {total}")
        term.expect("Ctrl-C: quit")
        for number in range(2, total + 1):
            term.type(ANSWER)
            term.pump(0.2)
            start = time.perf_counter()
            term.send(SUBMIT)
            term.expect(f"Question {number} of {total}")
            timings.append(time.perf_counter() - start)
        term.send("/quit" + SUBMIT)
        term.wait_exit()
    return timings


def child_main(grader_seconds: float) -> None:
    """The CLI with the slow grader (run inside the pseudo-terminal)."""
    import mockaws.grading
    from mockaws.cli import main

    grader = _slow_grader(grader_seconds)
    mockaws.grading.make_grader = lambda *_, **__: (grader, None)  # type: ignore[assignment]
    main()


def report(label: str, timings: list[float]) -> None:
    print(
        f"{label:<34} median {statistics.median(timings) * 1000:7.1f} ms   "
        f"max {max(timings) * 1000:7.1f} ms   ({len(timings)} answers)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=5)
    parser.add_argument("--grader-seconds", type=float, default=2.0)
    parser.add_argument("--no-terminal", action="store_true", help="Skip the terminal figure.")
    options = parser.parse_args()
    print(f"grader latency: {options.grader_seconds:.1f} s per answer; goal: under 100 ms")
    report("engine: submit -> next question", engine(options.answers, options.grader_seconds, 0))
    report(
        "engine: with a follow-up each",
        engine(options.answers, options.grader_seconds, 1),
    )
    if not options.no_terminal:
        figures = terminal(options.answers, options.grader_seconds)
        report("terminal: Esc Enter -> next on screen", figures)


if __name__ == "__main__":
    main()
