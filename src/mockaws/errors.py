"""Typed errors raised by the core; only the CLI turns them into messages and exit codes."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """Named process exit codes, one per kind of outcome a script may want to tell apart."""

    OK = 0
    ERROR = 1
    BAD_INPUT = 2  # bad command-line input, bad bank data, unreadable transcript
    GRADER_FAILED = 3  # the grader could not grade (network, model, server faults)
    BELOW_BASELINE = 4  # `mockaws eval --baseline`: agreement fell below the recorded figures
    CANNOT_SAVE = 5  # a transcript or answer could not be written (disk full, read-only home)
    INTERRUPTED = 130  # Ctrl-C, after saving


class MockawsError(Exception):
    """Base class: an expected failure with a one-line message for the user."""

    exit_code: ExitCode = ExitCode.ERROR

    def __init__(self, message: str) -> None:
        # Messages often quote a server; a server may quote the API key back.
        from mockaws.safety import redact

        message = redact(message)
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class BadInputError(MockawsError):
    """The user gave input the command cannot use."""

    exit_code = ExitCode.BAD_INPUT


def unknown_choice(what: str, value: str, choices: Sequence[str], *, option: str = "") -> str:
    """The one way a bad choice is reported: the valid values, or the closest when they are many.

    "--topic: unknown topic 'netwrking' (did you mean networking? choose from: ai-ml, ...)".
    """
    import difflib

    prefix = f"{option}: " if option else ""
    closest = difflib.get_close_matches(value.lower(), choices, n=1, cutoff=0.6)
    hint = f"did you mean {closest[0]}? " if closest else ""
    if len(choices) > 20:
        listed = ", ".join(choices[:20]) + f", … ({len(choices)} in all)"
    else:
        listed = ", ".join(choices)
    return f"{prefix}unknown {what} '{value}' ({hint}choose from: {listed})"


class ConfigError(BadInputError):
    """A setting (flag, environment variable or config file) is invalid."""


class BankError(BadInputError):
    """A question bank file is unreadable or invalid; names the file, question and field."""

    def __init__(
        self,
        path: Path | str,
        problem: str,
        *,
        question_id: str | None = None,
        field: str | None = None,
    ) -> None:
        where = str(path)
        if question_id:
            where += f": question '{question_id}'"
        if field:
            where += f": field '{field}'"
        super().__init__(f"{where}: {problem}")
        self.path = Path(path)
        self.question_id = question_id
        self.field = field
        self.problem = problem


class QuestionNotFoundError(BadInputError):
    """No question in the loaded banks has the requested id."""


class TranscriptError(BadInputError):
    """A transcript file cannot be read, or no transcript matches the request."""


class SessionBusyError(BadInputError):
    """Another mockaws process is writing this session (a second `resume`, a `regrade`)."""


class SaveError(MockawsError):
    """Something the user made could not be written; what it was is kept in memory."""

    exit_code = ExitCode.CANNOT_SAVE


class GradingError(MockawsError):
    """Grading failed; the answer is kept and can be graded later."""

    exit_code = ExitCode.GRADER_FAILED


class BelowBaselineError(MockawsError):
    """A grader's measured agreement fell below the recorded baseline."""

    exit_code = ExitCode.BELOW_BASELINE


class SessionInterruptedError(MockawsError):
    """The user pressed Ctrl-C; the session was saved first."""

    exit_code = ExitCode.INTERRUPTED


class AudioError(MockawsError):
    """Recording or playing audio is not possible here (no audio library, PortAudio, device)."""


class TranscriptionError(GradingError):
    """The speech endpoint could not transcribe a recording; the recording is kept."""
