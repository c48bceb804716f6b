"""Test doubles that are real implementations of the seams: a scriptable grader."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from mockaws.errors import GradingError
from mockaws.grading.scoring import Labels, content_terms
from mockaws.grading.textmatch import sentences
from mockaws.models import PointVerdict, Question, RubricPoint, Verdict

# An answer to the mini bank's "mini-sg-vs-nacl" that says every rubric point, one a sentence:
# what a test gives when it needs a grade that every covered label can stand on.
SG_FULL_ANSWER = (
    "Security groups are stateful, so return traffic is allowed automatically. "
    "They attach to the instance's network interface (ENI), while NACLs apply per subnet. "
    "NACLs are stateless, so you open ephemeral ports in both directions. "
    "Security groups only allow; NACLs have deny rules too, evaluated in rule-number order."
)


def best_quote(answer: str, point: RubricPoint) -> str:
    """The sentence of `answer` that says most about `point`, as a careful grader would quote."""
    wanted = content_terms(" ".join([point.point, *point.cues]))
    spans = sentences(answer)
    if not spans:
        return answer
    best = max(spans, key=lambda s: len(content_terms(answer[s.start : s.end]) & wanted))
    return answer[best.start : best.end]


@dataclass
class Step:
    """What the grader does for one answer."""

    labels: Verdict | Mapping[str, Verdict] = Verdict.MISSED
    follow_up: str | None = None
    delay: float = 0.0
    gate: threading.Event | None = None  # grading waits until the test sets it
    error: GradingError | None = None
    started: threading.Event = field(default_factory=threading.Event)


class ScriptedGrader:
    """A Grader whose results a test scripts with `enqueue`, one step per answer (first in, first
    out; unscripted answers are labelled all missed). `history` records (question id, answer).

    Labels become a grade through `grading.grade_answer`, like every real grader's; a
    covered or partial label quotes the sentence of the answer that says most about the point,
    so scoring credits it as it would a real grader's quote (see `SG_FULL_ANSWER`).
    """

    thread_safe = True  # the script is behind a lock: several answers may be graded at once

    def __init__(self, name: str = "fake") -> None:
        self.name = name
        self.history: list[tuple[str, str]] = []
        self._script: deque[Step] = deque()
        self._lock = threading.Lock()

    def enqueue(
        self,
        labels: Verdict | Mapping[str, Verdict] = Verdict.MISSED,
        *,
        follow_up: str | None = None,
        delay: float = 0.0,
        gate: threading.Event | None = None,
        error: str | None = None,
    ) -> Step:
        step = Step(labels, follow_up, delay, gate, GradingError(error) if error else None)
        with self._lock:
            self._script.append(step)
        return step

    def label(self, question: Question, answer: str) -> Labels:
        with self._lock:
            step = self._script.popleft() if self._script else Step()
            self.history.append((question.id, answer))
        step.started.set()
        if step.gate is not None:
            step.gate.wait()
        if step.delay:
            time.sleep(step.delay)
        if step.error is not None:
            raise step.error
        points = []
        for point in question.rubric:
            verdict = (
                step.labels
                if isinstance(step.labels, Verdict)
                else step.labels.get(point.id, Verdict.MISSED)
            )
            evidence = best_quote(answer, point) if verdict is not Verdict.MISSED else ""
            points.append(PointVerdict(point_id=point.id, verdict=verdict, evidence=evidence))
        return Labels(points=points, follow_up=step.follow_up)


class BlockingGrader:
    """A grader that never answers, as a model that hangs would (for kill-and-resume tests)."""

    name = "fake"
    thread_safe = True

    def label(self, question: Question, answer: str) -> Labels:
        threading.Event().wait()
        raise AssertionError("unreachable")


def run_cli_with_blocking_grader() -> None:
    """The `mockaws` command line with a grader that hangs: run in a subprocess by tests."""
    import mockaws.grading
    from mockaws.cli import main

    def make_grader(*_: object, **__: object) -> tuple[BlockingGrader, None]:
        return BlockingGrader(), None

    mockaws.grading.make_grader = make_grader  # type: ignore[assignment]
    main()
