"""The transcript store: atomic saves, versioned loads, listing, and the Markdown rendering."""

from __future__ import annotations

import html
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from mockaws.delivery import describe, describe_services
from mockaws.errors import BadInputError, SaveError, SessionBusyError, TranscriptError
from mockaws.files import (
    FileLock,
    LockHeldError,
    atomic_write_text,
    describe_os_error,
    loads_json,
    read_text,
    remove_stale_temps,
)
from mockaws.models import (
    TRANSCRIPT_SCHEMA_VERSION,
    Grade,
    Question,
    Transcript,
    Turn,
    TurnStatus,
    Verdict,
    utc_now,
)
from mockaws.safety import clean
from mockaws.views import answer_view, feedback_beyond_rubric, follow_up_contribution

_VERDICT_MARK = {
    Verdict.COVERED: "✅ covered",
    Verdict.PARTIAL: "◑ partial",
    Verdict.MISSED: "❌ missed",
    Verdict.CONTRADICTED: "⚠️ contradicted",
}


def new_transcript_id(now: datetime | None = None) -> str:
    """A sortable, unique id: the start time plus a short random suffix."""
    moment = now or utc_now()
    return f"{moment:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


class TranscriptStore:
    """Transcripts as `<id>.json` (the record) and `<id>.md` (for reading) in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def json_path(self, transcript_id: str) -> Path:
        return self.folder / f"{transcript_id}.json"

    def markdown_path(self, transcript_id: str) -> Path:
        return self.folder / f"{transcript_id}.md"

    def save(self, transcript: Transcript) -> Path:
        """Write the transcript's JSON atomically; returns its path."""
        path = self.json_path(transcript.id)
        atomic_write_text(path, transcript.model_dump_json(indent=2) + "\n")
        return path

    def save_markdown(self, transcript: Transcript, questions: Mapping[str, Question]) -> Path:
        path = self.markdown_path(transcript.id)
        atomic_write_text(path, render_markdown(transcript, questions))
        return path

    def load(self, transcript_id: str) -> Transcript:
        return load_transcript(self.json_path(transcript_id))

    def lock(self, transcript_id: str) -> FileLock:
        """The lock that makes one process at a time the writer of a session.

        Taken with `take_lock`; the OS drops it if the process dies, even by `kill -9`.
        """
        return FileLock(self.folder / f".{transcript_id}.lock")

    def take_lock(self, transcript_id: str) -> FileLock:
        """Hold the session's lock, or raise SessionBusyError naming the process that has it."""
        lock = self.lock(transcript_id)
        try:
            lock.acquire()
        except LockHeldError as exc:
            holder = f"process {exc.pid}" if exc.pid else "another process"
            raise SessionBusyError(
                f"session {transcript_id} is open in another mockaws ({holder}): "
                "finish or quit it there first"
            ) from None
        except OSError:
            pass  # a folder that cannot hold a lock cannot hold the transcript: its save says so
        return lock

    def discard(self, transcript_id: str) -> None:
        """Remove a session's files (one nothing was answered in: there is nothing to keep)."""
        for path in (self.json_path(transcript_id), self.markdown_path(transcript_id)):
            path.unlink(missing_ok=True)

    def remove_stale_temps(self) -> int:
        """Delete temp files left in the folder by saves that were killed mid-write."""
        return remove_stale_temps(self.folder)

    def paths(self) -> list[Path]:
        """Transcript JSON files, oldest first (ids sort by start time)."""
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.glob("*.json") if not p.name.startswith("."))

    def iter_loaded(self) -> Iterator[Transcript | TranscriptError]:
        """Every transcript, or the error that kept it from loading; one bad file stops nothing."""
        for path in self.paths():
            try:
                yield load_transcript(path)
            except TranscriptError as exc:
                yield exc

    def find(self, reference: str) -> Path:
        """The file for `reference`: a transcript id, a unique start of one, or a file path.

        `latest` is resolved by the caller, which knows which transcripts load.
        """
        exact = self.json_path(reference)
        if exact.is_file():
            return exact
        as_path = Path(reference)
        if as_path.suffix == ".json" and as_path.is_file():
            return as_path
        matches = [p for p in self.paths() if p.stem.startswith(reference)] if reference else []
        if len(matches) == 1:
            return matches[0]
        if matches:
            shown = ", ".join(p.stem for p in matches[:3]) + (", ..." if len(matches) > 3 else "")
            raise TranscriptError(f"transcript '{reference}' is ambiguous: it starts {shown}")
        raise TranscriptError(
            f"no transcript '{reference}' in {self.folder} (see `mockaws transcripts list`)"
        )


# Each function turns a document of schema version N (the key) into version N + 1. When a
# produced model changes incompatibly, bump TRANSCRIPT_SCHEMA_VERSION, add the step here and a
# fixture of the old version under tests/data/transcripts/.
# The note version 1 wrote on an answer interrupted before it was submitted (often with no
# `submitted` field at all): in version 2 the answer's state says it.
_V1_INTERRUPTED_NOTE = "interrupted before the answer was submitted"


def _v1_state(answer: dict[str, Any], *, skipped: bool, submitted: bool) -> str:
    if answer.get("grade_error") == _V1_INTERRUPTED_NOTE and answer.get("grade") is None:
        answer["grade_error"] = None
        submitted = False
    if not submitted:
        return "draft" if str(answer.get("answer") or "").strip() else "asked"
    if skipped:
        return "skipped"
    if answer.get("grade") is not None:
        return "graded"
    return "grade_failed" if answer.get("grade_error") else "submitted"


def _answer_states(document: dict[str, Any]) -> dict[str, Any]:
    """Version 1 to 2: one `state` per answer in place of `status`, `submitted` and `skipped`."""
    turns = document.get("turns")
    for turn in turns if isinstance(turns, list) else []:
        if not isinstance(turn, dict):
            continue  # validation names what is wrong with it
        skipped = turn.pop("status", "answered") == "skipped"
        turn["state"] = _v1_state(turn, skipped=skipped, submitted=turn.pop("submitted", True))
        follow_ups = turn.get("follow_ups")
        for follow_up in follow_ups if isinstance(follow_ups, list) else []:
            if isinstance(follow_up, dict):
                follow_up["state"] = _v1_state(
                    follow_up,
                    skipped=bool(follow_up.pop("skipped", False)),
                    submitted=follow_up.pop("submitted", True),
                )
    return document


TRANSCRIPT_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _answer_states}


def upgrade_document(document: dict[str, Any], source: Path | str) -> dict[str, Any]:
    """A transcript document brought up to the current schema version, or a TranscriptError."""
    version = document.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise TranscriptError(f"{source}: not a transcript (no valid schema_version)")
    if version > TRANSCRIPT_SCHEMA_VERSION:
        raise TranscriptError(
            f"{source}: written by a newer mockaws (schema_version {version}; this version "
            f"reads up to {TRANSCRIPT_SCHEMA_VERSION}): upgrade mockaws to read it"
        )
    while version < TRANSCRIPT_SCHEMA_VERSION:
        document = TRANSCRIPT_UPGRADES[version](document)
        version += 1
        document["schema_version"] = version
    return document


# Files this version wrote start with their schema version; those skip the upgrade path and
# are parsed and validated in one pass (a third faster, which matters over thousands of files).
_CURRENT_VERSION_HEAD = re.compile(
    rf'\A\s*\{{\s*"schema_version"\s*:\s*{TRANSCRIPT_SCHEMA_VERSION}\s*[,}}]'
)


def graded_turn(transcript: Transcript, number: int) -> Turn:
    """Answer `number` (1-based) of `transcript`, which must have a grade; else BadInputError."""
    turns = transcript.turns
    if not 1 <= number <= len(turns):
        raise BadInputError(
            f"--question {number}: transcript {transcript.id} has questions 1 to {len(turns)}"
        )
    turn = turns[number - 1]
    if turn.grade is None:
        why = "was skipped" if turn.status is TurnStatus.SKIPPED else "has no grade yet"
        raise BadInputError(f"--question {number}: the answer {why}, so there is nothing to mark")
    return turn


def mark_points(
    path: Path,
    number: int,
    questions: Mapping[str, Question],
    *,
    covered: Iterable[str] = (),
    missed: Iterable[str] = (),
) -> Transcript:
    """Record the user's own verdicts on answer `number` of the transcript at `path`, and save.

    Holds the session's lock while it reads and writes, so a running interview or resume of
    the same session is never overwritten (SessionBusyError instead). The Markdown beside the
    JSON is rewritten to match.
    """
    from mockaws.grading.scoring import self_assess

    store = TranscriptStore(path.parent)
    transcript_id = load_transcript(path).id
    lock = store.take_lock(transcript_id)
    try:
        transcript = load_transcript(path)  # again, now that no other process can write it
        turn = graded_turn(transcript, number)
        assert turn.grade is not None  # graded_turn checked it
        question = questions.get(turn.question_id)
        if question is None:
            raise BadInputError(
                f"--question {number}: question '{turn.question_id}' is not in the bank "
                "(add its bank file with --bank)"
            )
        turn.grade = self_assess(question, turn.grade, covered=covered, missed=missed)
        markdown = path.with_suffix(".md")
        try:
            atomic_write_text(path, transcript.model_dump_json(indent=2) + "\n")
            if markdown.exists() or transcript.finished_at is not None:
                atomic_write_text(markdown, render_markdown(transcript, questions))
        except OSError as exc:
            raise SaveError(f"cannot save {path}: {describe_os_error(exc)}") from exc
    finally:
        lock.release()
    return transcript


def load_transcript(path: Path) -> Transcript:
    """Read a transcript of any schema version; a corrupt or cut-off file raises TranscriptError."""
    try:
        text = read_text(path)
    except OSError as exc:
        raise TranscriptError(f"{path}: cannot read transcript: {describe_os_error(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise TranscriptError(f"{path}: cannot read transcript: not UTF-8 text") from exc
    if _CURRENT_VERSION_HEAD.match(text):
        try:
            return Transcript.model_validate_json(text)
        except ValidationError:
            pass  # the slower path below says precisely what is wrong
    try:
        document = loads_json(text)
    except ValueError as exc:
        raise TranscriptError(f"{path}: {_json_problem(exc, text)}") from exc
    if not isinstance(document, dict):
        raise TranscriptError(f"{path}: not a transcript (expected a JSON object)")
    document = upgrade_document(document, path)
    try:
        return Transcript.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        detail = f"{where}: {first['msg']}" if where else first["msg"]
        raise TranscriptError(f"{path}: not a valid transcript ({detail})") from exc


def _json_problem(exc: ValueError, text: str) -> str:
    """What is wrong with a file that is not JSON: cut short (a save killed mid-write, which
    atomic saves prevent, or a partial copy) is told apart from text that was never JSON."""
    import json

    if not isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON ({exc})"
    if exc.msg.startswith("nested too deeply"):
        return "not a transcript (nested too deeply to read)"
    where = f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
    stripped = text.strip()
    if not stripped:
        return "not valid JSON (the file is empty)"
    if not stripped.startswith(("{", "[")):
        return f"not a transcript (not JSON: {where})"
    if not stripped.endswith("}"):
        return f"not valid JSON (the file is cut short: {where})"
    return f"not valid JSON ({where})"


# What would start a Markdown block (heading, quote, list, rule) at the start of a line.
_BLOCK_START = re.compile(r"^(\s*)([#>+*=_`~-]|\d+[.)])", re.MULTILINE)


def _md_block(text: str) -> str:
    """Text from an answer, a model or a file, inert in Markdown: its HTML shows as text (a
    viewer must not run `<svg onload>`), and its lines cannot open headings or lists."""
    return _BLOCK_START.sub(r"\1\\\2", html.escape(clean(text), quote=False))


def _md(text: str) -> str:
    """Like `_md_block`, on one line (table cells, list items, headings)."""
    return _md_block(" ".join(text.split()))


def _quote_block(text: str) -> str:
    lines = _md_block(text).splitlines()
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines) or ">"


def _grade_markdown(
    grade: Grade, question: Question | None, transcript_id: str | None, number: int
) -> list[str]:
    """The score lines and the table of verdicts; a point the user re-marked shows both."""
    lines: list[str] = []
    if grade.self_assessment is not None:
        lines += [
            f"**Score {grade.effective_score}/100 · {grade.effective_rating.value}, "
            f"self-assessed** (you marked the points you covered; the grader gave "
            f"{grade.score}/100 · {grade.rating.value})",
            "",
        ]
    lines += [
        ("Grader's score" if grade.self_assessment else "**Score")
        + f" {grade.score}/100 · {grade.rating.value}"
        + ("" if grade.self_assessment else "**")
        + f" (grader: {_md(grade.grader)}"
        + (f", model: {_md(grade.model)}" if grade.model else "")
        + (
            f", ${grade.usage.cost_usd:.4f}"
            if grade.usage is not None and grade.usage.cost_usd is not None
            else ""
        )
        + ")",
        "",
    ]
    unsure = grade.low_confidence_note(transcript_id, number)
    if unsure is not None:
        lines += [f"> **⚠ {unsure}**", ""]
    lines += ["| Rubric point | Verdict | Evidence from your answer |", "|---|---|---|"]
    own = {v.point_id: v.verdict for v in grade.effective_points}
    changed = grade.self_assessment.changed if grade.self_assessment else []
    for verdict in grade.points:
        point = question.point(verdict.point_id) if question else None
        label = _md(point.point if point else verdict.point_id)
        evidence = f"“{_md(verdict.evidence)}”" if verdict.evidence else ""
        if verdict.note and not verdict.verified:
            evidence += f" ({_md(verdict.note)})"
        cell = evidence.replace("|", "\\|").replace("\n", " ")
        mark = _VERDICT_MARK[verdict.verdict]
        if verdict.point_id in changed:
            mark = f"{_VERDICT_MARK[own[verdict.point_id]]} (marked by you; grader: {mark})"
        lines.append(f"| {label} | {mark} | {cell} |")
    return lines


def render_turn_markdown(
    number: int, turn: Turn, question: Question | None = None, transcript_id: str | None = None
) -> str:
    """One turn as Markdown: question, answer, verdicts with evidence, flags and feedback."""
    lines = [f"## {number}. {_md(turn.question)}", ""]
    lines.append(f"*{_md(turn.topic)} · {turn.level.value} · `{_md(turn.question_id)}`*")
    lines.append("")
    if turn.status is TurnStatus.SKIPPED:
        lines += ["_Skipped._", ""]
        return "\n".join(lines)
    lines += ["**Your answer**", "", _quote_block(turn.answer), ""]
    hints = answer_view(number, turn, question).hints
    if hints:
        lines += [f"*Hints used:* {_md('; '.join(hints))}", ""]
    if turn.seconds:
        lines += [f"Time on this answer: {turn.seconds:.0f} s", ""]
    if turn.delivery is not None:
        services = describe_services(turn.delivery)
        lines += [f"Delivery: {describe(turn.delivery)}", ""]
        lines += [services, ""] if services else []
    if turn.spoken is not None and turn.spoken.audio_file:
        lines += [f"Recording: [{_md(turn.spoken.audio_file)}]({turn.spoken.audio_file})", ""]
    grade = turn.grade
    if not turn.submitted:
        lines += [
            "_Unsent: still being typed when the interview stopped; `mockaws resume` "
            "puts it back in the editor._",
            "",
        ]
        return "\n".join(lines)
    if grade is None:
        reason = _md(turn.ungraded_reason)
        lines += [f"**Not graded:** {reason}. Run `mockaws regrade` to grade it later.", ""]
        return "\n".join(lines)
    lines += _grade_markdown(grade, question, transcript_id, number)
    lines.append("")
    if grade.red_flags_hit:
        lines.append("**Red flags**")
        lines.append("")
        flags = {f.id: f.flag for f in question.red_flags} if question else {}
        for hit in grade.red_flags_hit:
            flag = _md(flags.get(hit.flag_id, hit.flag_id))
            lines.append(f"- {flag} — “{_md(hit.evidence)}”")
        lines.append("")
    for notice in grade.notices + grade.integrity_flags:
        lines += [f"> **Note:** {_md(notice)}", ""]
    gaps = feedback_beyond_rubric(grade.feedback, question).gaps
    if gaps:
        lines += ["**To add next time**", ""] + [f"- {_md(gap)}" for gap in gaps] + [""]
    if question is not None:
        lines += [
            "<details><summary>Reference answer</summary>",
            "",
            _md_block(question.reference_answer),
            "",
            "</details>",
            "",
        ]
    for follow_up in turn.follow_ups:
        lines += [
            f"**Follow-up:** {_md(follow_up.question)}",
            "",
            _quote_block(follow_up.answer),
            "",
        ]
        added = follow_up_contribution(question, turn, follow_up)
        lines += [f"*What it added:* {_md(added)}", ""]
    return "\n".join(lines)


def render_markdown(transcript: Transcript, questions: Mapping[str, Question]) -> str:
    """The whole transcript as an annotated Markdown document; `questions` adds rubric text."""
    started = transcript.started_at.strftime("%Y-%m-%d %H:%M UTC")
    settings = transcript.settings
    lines = [
        f"# Mock AWS interview — {started}",
        "",
        f"- Transcript: `{transcript.id}` ({transcript.status.value})",
        f"- Grader: {_md(settings.grader)}"
        + (f" ({_md(settings.model)})" if settings.model else ""),
        f"- Filters: topics {_md(', '.join(settings.topics)) or 'all'}; level "
        f"{settings.level.value if settings.level else 'any'}"
        + (f"; tracks {', '.join(t.value for t in settings.tracks)}" if settings.tracks else ""),
    ]
    if settings.loop is not None:
        lines.append(f"- Mock loop: {settings.loop.value}")
    average = transcript.average_score
    if average is not None:
        lines.append(
            f"- Average score: {average:.0f}/100 over {len(transcript.graded_turns)} graded answers"
        )
    from mockaws.tokens import describe_usage, transcript_usage

    usage = transcript_usage(transcript)
    if usage is not None:
        lines.append(f"- Grading cost: {describe_usage(usage)}")
    lines.append("")
    for number, turn in enumerate(transcript.turns, start=1):
        question = questions.get(turn.question_id)
        lines.append(render_turn_markdown(number, turn, question, transcript.id))
    return "\n".join(lines).rstrip() + "\n"
