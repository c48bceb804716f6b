"""The one place answers are graded in the background: the interview, regrade and eval use it.

A grader that declares itself thread-safe (the LLM grader, which waits on the network) grades
several answers side by side; any other grades one at a time. Workers are daemon threads, so a
grader stuck on the network never holds up a user quitting: whatever is unfinished is simply
left ungraded on disk, and `mockaws resume` or `regrade` grades it.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from mockaws.grading import Grader, grade_answer
from mockaws.models import Grade, Question

GRADING_WORKERS = 4
T = TypeVar("T")


class GradingRunner:
    """Grades answers with one grader on background threads; each grade is a Future."""

    def __init__(self, grader: Grader, workers: int = GRADING_WORKERS) -> None:
        if workers < 1:
            raise ValueError("a grading runner needs at least one worker")
        self.grader = grader
        self.workers = workers if grader.thread_safe else 1
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]]] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def submit(self, question: Question, answer: str) -> Future[Grade]:
        """Grade `answer` in the background; the future holds the grade or the grader's error."""
        return self.run(lambda: grade_answer(self.grader, question, answer))

    def run(self, work: Callable[[], T]) -> Future[T]:
        """Run `work` (which grades with this runner's grader) on a grading thread."""
        future: Future[T] = Future()
        with self._lock:
            if len(self._threads) < self.workers:
                thread = threading.Thread(target=self._work, name="mockaws-grader", daemon=True)
                self._threads.append(thread)
                thread.start()
        self._jobs.put((future, work))
        return future

    def grade(self, question: Question, answer: str) -> Grade:
        """Grade one answer and wait for it (errors are raised as the grader raised them)."""
        return self.submit(question, answer).result()

    def _work(self) -> None:
        while True:
            future, work = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue  # cancelled while queued
            try:
                future.set_result(work())
            except BaseException as exc:  # a grader's bug must not stop the worker
                future.set_exception(exc)
