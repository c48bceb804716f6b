"""Every saved session as a small summary, cached by file identity so thousands list in a blink.

Reading two thousand full transcripts takes seconds; a summary holds just what listings, stats
and the drill schedule need. Summaries are kept in one cache file under MOCKAWS_HOME, keyed by
each transcript file's name, size, modification time and inode (saves replace the file, so the
inode changes on every write). A file that does not load is remembered with its error, so it is
reported every time without being parsed every time. The cache is an optimisation only: when it
is missing, stale, corrupt or unwritable, everything is read from the transcripts themselves.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from mockaws.errors import TranscriptError
from mockaws.files import atomic_write_text, loads_json, read_text
from mockaws.models import (
    TRANSCRIPT_SCHEMA_VERSION,
    Delivery,
    Level,
    Question,
    QuestionKind,
    Track,
    Transcript,
    TurnStatus,
    Verdict,
)
from mockaws.transcripts import TranscriptStore, load_transcript

INDEX_VERSION = 5  # bump when a summary's shape or meaning changes: caches then rebuild
_MISSED = (Verdict.MISSED, Verdict.CONTRADICTED)


@dataclass(frozen=True, slots=True)
class AnswerRecord:
    """One answered turn, reduced to what stats and the drill schedule use."""

    turn: int  # index of the turn in its transcript
    question_id: str
    topic: str
    level: str
    answered_at: str  # ISO 8601, UTC
    score: int | None  # None: not graded (yet); the self-assessed score when there is one
    rating: str | None
    missed: tuple[str, ...]  # ids of rubric points missed or contradicted
    red_flags: int
    grader_score: int | None = None  # the grader's own score, when the user marked the points
    # A spoken answer's delivery measured from its audio: (speaking seconds, words, long
    # pauses, fillers); None for a typed answer.
    spoken: tuple[float, int, int, int] | None = None
    # The misconceptions stated (in the answer or its follow-ups): (red flag id, the sentence).
    flags_said: tuple[tuple[str, str], ...] = ()

    @property
    def self_assessed(self) -> bool:
        return self.grader_score is not None

    def to_row(self) -> list[Any]:
        return [
            self.turn,
            self.question_id,
            self.topic,
            self.level,
            self.answered_at,
            self.score,
            self.rating,
            list(self.missed),
            self.red_flags,
            self.grader_score,
            list(self.spoken) if self.spoken is not None else None,
            [list(pair) for pair in self.flags_said],
        ]

    @classmethod
    def from_row(cls, row: list[Any]) -> AnswerRecord:
        (turn, question_id, topic, level, answered_at, score, rating, missed, flags, own,
         spoken, said) = row  # fmt: skip
        return cls(
            turn,
            question_id,
            topic,
            level,
            answered_at,
            score,
            rating,
            tuple(missed),
            flags,
            own,
            (float(spoken[0]), int(spoken[1]), int(spoken[2]), int(spoken[3])) if spoken else None,
            tuple((str(flag), str(sentence)) for flag, sentence in said),
        )


class SessionSummary:
    """One transcript in a line: what `transcripts list` shows, plus its answers for stats.

    Answers are decoded from the cache only when asked for: listing needs just the counts.
    """

    __slots__ = (
        "_answer_rows",
        "_answers",
        "answered",
        "average",
        "finished_at",
        "grader",
        "id",
        "mode",
        "model",
        "path",
        "questions",
        "skipped",
        "started_at",
        "status",
        "ungraded",
    )

    def __init__(
        self,
        *,
        id: str,
        path: str,
        started_at: str,  # ISO 8601, UTC
        finished_at: str | None,
        status: str,  # in_progress | completed | abandoned
        mode: str,
        grader: str,
        model: str | None,
        questions: int,
        skipped: int,
        answered: int,
        ungraded: int,
        average: float | None,
        answer_rows: list[list[Any]] | None = None,
        answers: tuple[AnswerRecord, ...] | None = None,
    ) -> None:
        self.id = id
        self.path = path
        self.started_at = started_at
        self.finished_at = finished_at
        self.status = status
        self.mode = mode
        self.grader = grader
        self.model = model
        self.questions = questions
        self.skipped = skipped
        self.answered = answered
        self.ungraded = ungraded
        self.average = average
        self._answers = answers
        self._answer_rows = answer_rows

    @property
    def answers(self) -> tuple[AnswerRecord, ...]:
        if self._answers is None:
            self._answers = tuple(AnswerRecord.from_row(r) for r in self._answer_rows or [])
        return self._answers

    def to_row(self) -> list[Any]:
        rows = self._answer_rows
        if rows is None:
            rows = [a.to_row() for a in self.answers]
        return [
            self.id,
            self.path,
            self.started_at,
            self.finished_at,
            self.status,
            self.mode,
            self.grader,
            self.model,
            self.questions,
            self.skipped,
            self.answered,
            self.ungraded,
            self.average,
            rows,
        ]

    @classmethod
    def from_row(cls, row: list[Any]) -> SessionSummary:
        (
            id_,
            path,
            started_at,
            finished_at,
            status,
            mode,
            grader,
            model,
            questions,
            skipped,
            answered,
            ungraded,
            average,
            rows,
        ) = row
        if not isinstance(rows, list):
            raise TypeError("answers must be a list")
        return cls(
            id=id_,
            path=path,
            started_at=started_at,
            finished_at=finished_at,
            status=status,
            mode=mode,
            grader=grader,
            model=model,
            questions=questions,
            skipped=skipped,
            answered=answered,
            ungraded=ungraded,
            average=average,
            answer_rows=rows,
        )

    def to_json(self) -> dict[str, Any]:
        """The summary as `transcripts list --json` prints it."""
        return {
            "id": self.id,
            "path": self.path,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status": self.status,
            "mode": self.mode,
            "grader": self.grader,
            "model": self.model,
            "questions": self.questions,
            "answered": self.answered,
            "skipped": self.skipped,
            "graded": self.answered - self.ungraded,
            "ungraded": self.ungraded,
            "average_score": _round(self.average),
        }


def _spoken_facts(delivery: Delivery | None) -> tuple[float, int, int, int] | None:
    if delivery is None or not delivery.measured:
        return None
    return (
        delivery.speaking_seconds,
        delivery.words,
        len(delivery.long_pauses),
        delivery.filler_count,
    )


@dataclass(frozen=True)
class SpokenPoint:
    """The delivery of one session's spoken answers, for the trend across sessions."""

    session_id: str
    started_at: datetime
    answers: int
    words_per_minute: float
    pauses_per_answer: float
    fillers_per_100_words: float


SPOKEN_TREND_SESSIONS = 10


def spoken_trend(history: History) -> list[SpokenPoint]:
    """Pace, long pauses and fillers of spoken answers, one point per session (latest last)."""
    points: list[SpokenPoint] = []
    for session in sorted(history.sessions, key=lambda s: s.started_at):
        facts = [a.spoken for a in session.answers if a.spoken is not None]
        if not facts:
            continue
        seconds = sum(f[0] for f in facts)
        words = sum(f[1] for f in facts)
        points.append(
            SpokenPoint(
                session.id,
                datetime.fromisoformat(session.started_at),
                len(facts),
                words * 60 / seconds if seconds else 0.0,
                sum(f[2] for f in facts) / len(facts),
                100 * sum(f[3] for f in facts) / words if words else 0.0,
            )
        )
    return points[-SPOKEN_TREND_SESSIONS:]


def summarise(transcript: Transcript, path: Path) -> SessionSummary:
    """The summary of a loaded transcript."""
    answers = []
    for index, turn in enumerate(transcript.turns):
        if turn.status is TurnStatus.SKIPPED:
            continue
        grade = turn.grade
        answered_at = turn.answered_at or turn.asked_at
        answers.append(
            AnswerRecord(
                turn=index,
                question_id=turn.question_id,
                topic=turn.topic,
                level=turn.level.value,
                answered_at=answered_at.isoformat(),
                score=grade.effective_score if grade else None,
                rating=grade.effective_rating.value if grade else None,
                missed=tuple(p.point_id for p in grade.effective_points if p.verdict in _MISSED)
                if grade
                else (),
                red_flags=len(grade.red_flags_hit) if grade else 0,
                grader_score=grade.score if grade and grade.self_assessed else None,
                spoken=_spoken_facts(turn.delivery),
                flags_said=tuple(
                    (hit.flag_id, hit.evidence)
                    for answer in (turn, *turn.follow_ups)
                    if answer.grade is not None
                    for hit in answer.grade.red_flags_hit
                ),
            )
        )
    settings = transcript.settings
    scores = [a.score for a in answers if a.score is not None]
    return SessionSummary(
        id=transcript.id,
        path=str(path),
        started_at=transcript.started_at.isoformat(),
        finished_at=transcript.finished_at.isoformat() if transcript.finished_at else None,
        status=transcript.status.value,
        mode=settings.mode,
        grader=settings.grader,
        model=settings.model,
        # Planned: an adaptive session chooses its questions as it goes, so its count says.
        questions=max(
            settings.count if settings.adaptive else len(settings.question_ids),
            len(transcript.turns),
        ),
        skipped=sum(t.status is TurnStatus.SKIPPED for t in transcript.turns),
        answered=len(answers),
        ungraded=len(answers) - len(scores),
        average=sum(scores) / len(scores) if scores else None,
        answers=tuple(answers),
    )


@dataclass(frozen=True)
class LoadProblem:
    """A transcript file that did not load, and why, in one line."""

    path: Path
    message: str


@dataclass
class History:
    """Every session that loaded (oldest first) and a one-line error for each file that did not."""

    sessions: list[SessionSummary] = field(default_factory=list)
    problems: list[LoadProblem] = field(default_factory=list)


FileKey = tuple[int, int, int]  # (mtime_ns, size, inode)


def cache_path(cache_dir: Path, folder: Path) -> Path:
    """The cache file for one transcripts folder (folders can be chosen per command)."""
    digest = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    return cache_dir / f"history-{digest}.json"


def _read_cache(path: Path, folder: Path) -> dict[str, list[Any]]:
    try:
        document = loads_json(read_text(path))
    except (OSError, ValueError):
        return {}
    expected = {
        "index_version": INDEX_VERSION,
        "schema_version": TRANSCRIPT_SCHEMA_VERSION,
        "folder": str(folder.resolve()),
    }
    if not isinstance(document, dict) or any(document.get(k) != v for k, v in expected.items()):
        return {}
    files = document.get("files")
    return files if isinstance(files, dict) else {}


def _write_cache(path: Path, folder: Path, files: Mapping[str, list[Any]]) -> None:
    document = {
        "index_version": INDEX_VERSION,
        "schema_version": TRANSCRIPT_SCHEMA_VERSION,
        "folder": str(folder.resolve()),
        "files": files,
    }
    # A read-only home only costs speed next time.
    with contextlib.suppress(OSError):
        atomic_write_text(path, json.dumps(document, separators=(",", ":")))


def _scan(folder: Path) -> list[tuple[str, FileKey]]:
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.endswith(".json"):
            continue
        try:
            info = entry.stat()
        except OSError:
            continue  # removed while we looked
        if entry.is_file():
            found.append((entry.name, (info.st_mtime_ns, info.st_size, info.st_ino)))
    found.sort()
    return found


def load_history(folder: Path, cache_dir: Path | None = None) -> History:
    """Summaries of every transcript in `folder`, using and refreshing the cache in `cache_dir`."""
    cache_file = cache_path(cache_dir, folder) if cache_dir is not None else None
    cached = _read_cache(cache_file, folder) if cache_file is not None else {}
    fresh: dict[str, list[Any]] = {}
    history = History()
    listing = _scan(folder)
    stale = [name for name, key in listing if not _cache_entry_fits(cached.get(name), key)]
    summarised = _summarise_files(folder, stale)
    for name, key in listing:
        if name in summarised:
            summary, error = summarised[name]
            fresh[name] = [list(key), summary.to_row() if summary else None, error]
        else:
            entry = cached[name]
            row, error = entry[1], entry[2]
            summary = SessionSummary.from_row(row) if row is not None else None
            fresh[name] = entry
        if summary is not None:
            history.sessions.append(summary)
        else:
            path = folder / name
            history.problems.append(LoadProblem(path, error or f"{path}: unreadable"))
    changed = bool(summarised)
    if cache_file is not None and (changed or len(fresh) != len(cached)):
        _write_cache(cache_file, folder, fresh)
    # Ids sort by start time to the second; sessions begun in the same second need the rest.
    history.sessions.sort(key=lambda s: (s.started_at, s.id))
    return history


def _cache_entry_fits(entry: Any, key: FileKey) -> bool:
    """The cached entry is for this very file version and can be turned back into a summary."""
    if not isinstance(entry, list) or len(entry) != 3 or entry[0] != list(key):
        return False
    row, error = entry[1], entry[2]
    if row is None:
        return isinstance(error, str)
    try:
        SessionSummary.from_row(row)
    except (TypeError, ValueError):
        return False
    return True


# Below this many files to read, starting worker processes costs more than it saves.
_PARALLEL_FROM = 200


def _summarise_files(
    folder: Path, names: list[str]
) -> dict[str, tuple[SessionSummary | None, str | None]]:
    """Summaries of the named files, read on every core when there are many (a first run)."""
    paths = [folder / name for name in names]
    workers = min(os.cpu_count() or 1, 8)
    if len(paths) < _PARALLEL_FROM or workers < 2:
        return {path.name: _summarise_file(path) for path in paths}
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(1, len(paths) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(_summarise_file, paths, chunksize=chunk))
    return {path.name: result for path, result in zip(paths, results, strict=True)}


def _summarise_file(path: Path) -> tuple[SessionSummary | None, str | None]:
    try:
        return summarise(load_transcript(path), path), None
    except TranscriptError as exc:
        return None, exc.message


def default_cache_dir() -> Path:
    """Where caches live: `<MOCKAWS_HOME>/cache` (safe to delete)."""
    from mockaws.config import cache_dir

    return cache_dir()


def find_latest(history: History) -> SessionSummary:
    """The most recently started session that loads."""
    if not history.sessions:
        if history.problems:
            unread = len(history.problems)
            raise TranscriptError(
                f"no transcript could be read ({unread} {'file' if unread == 1 else 'files'} "
                f"failed to load: {history.problems[-1].message})"
            )
        raise TranscriptError("no transcripts yet: run `mockaws interview` first")
    return history.sessions[-1]


def find_transcript_path(
    store: TranscriptStore, reference: str, cache_dir: Path | None = None
) -> tuple[Path, list[LoadProblem]]:
    """The file `reference` names ('latest', an id, a unique start of one, or a path).

    For 'latest' it also returns the files that did not load: one of them might have been the
    latest, and the user should hear about it rather than have it guessed away.
    """
    if reference.lower() == "latest":
        history = load_history(store.folder, cache_dir)
        return Path(find_latest(history).path), list(history.problems)
    return store.find(reference), []


# ---------------------------------------------------------------- stats


@dataclass(frozen=True)
class GroupAverage:
    topic: str
    level: str | None  # None: every level of the topic
    answers: int
    average: float


@dataclass(frozen=True)
class KindAverage:
    kind: str
    answers: int
    average: float


@dataclass(frozen=True)
class TrendPoint:
    start: date
    label: str
    answers: int
    average: float | None  # None: no graded answers in this period


@dataclass(frozen=True)
class MissedPoint:
    question_id: str
    point_id: str
    point: str | None  # the rubric point's text, when the question is still in the bank
    missed: int
    graded: int


@dataclass
class Misconception:
    """A red flag the user's answers raised: how often, and the latest sentence that said it."""

    question_id: str
    flag_id: str
    flag: str | None  # the red flag's text, when the question is still in the bank
    times: int
    sentence: str


@dataclass
class Stats:
    """Progress across every loaded session; see `compute_stats`."""

    sessions: int
    answers: int
    average: float | None
    first: datetime | None
    last: datetime | None
    by_topic_level: list[GroupAverage]
    by_kind: list[KindAverage]  # answers to questions still in the bank, in QuestionKind order
    trend_unit: str
    trend: list[TrendPoint]
    most_missed: list[MissedPoint]
    bank_size: int
    never_attempted: list[str]
    never_attempted_by_topic: dict[str, tuple[int, int]]  # topic -> (never attempted, in bank)
    skipped_files: int
    # Answers whose points the user marked, and the average of the grader's own scores over
    # every graded answer (the same as `average` when nothing was marked).
    self_assessed: int = 0
    grader_average: float | None = None
    spoken: list[SpokenPoint] = field(default_factory=list)
    misconceptions: list[Misconception] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The stats as `mockaws stats --json` prints them."""
        return {
            "sessions": self.sessions,
            "answers": self.answers,
            "average_score": _round(self.average),
            "self_assessed_answers": self.self_assessed,
            "grader_average_score": _round(self.grader_average),
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "by_topic": [
                {"topic": g.topic, "answers": g.answers, "average_score": _round(g.average)}
                for g in self.by_topic_level
                if g.level is None
            ],
            "by_topic_level": [
                {
                    "topic": g.topic,
                    "level": g.level,
                    "answers": g.answers,
                    "average_score": _round(g.average),
                }
                for g in self.by_topic_level
                if g.level is not None
            ],
            "by_kind": [
                {"kind": k.kind, "answers": k.answers, "average_score": _round(k.average)}
                for k in self.by_kind
            ],
            "trend": {
                "unit": self.trend_unit,
                "points": [
                    {
                        "start": p.start.isoformat(),
                        "label": p.label,
                        "answers": p.answers,
                        "average_score": _round(p.average),
                    }
                    for p in self.trend
                ],
            },
            "most_missed": [
                {
                    "question_id": m.question_id,
                    "point_id": m.point_id,
                    "point": m.point,
                    "missed": m.missed,
                    "graded": m.graded,
                }
                for m in self.most_missed
            ],
            "misconceptions": [
                {
                    "question_id": m.question_id,
                    "flag_id": m.flag_id,
                    "flag": m.flag,
                    "times": m.times,
                    "sentence": m.sentence,
                }
                for m in self.misconceptions
            ],
            "bank": {
                "questions": self.bank_size,
                "never_attempted": len(self.never_attempted),
                "never_attempted_ids": self.never_attempted,
                "never_attempted_by_topic": {
                    topic: {"never_attempted": never, "questions": total}
                    for topic, (never, total) in self.never_attempted_by_topic.items()
                },
            },
            "skipped_files": self.skipped_files,
            "spoken": [
                {
                    "session": p.session_id,
                    "started_at": p.started_at.isoformat(),
                    "answers": p.answers,
                    "words_per_minute": _round(p.words_per_minute),
                    "long_pauses_per_answer": _round(p.pauses_per_answer),
                    "fillers_per_100_words": _round(p.fillers_per_100_words),
                }
                for p in self.spoken
            ],
        }


def _round(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


_LEVEL_ORDER = {level.value: rank for rank, level in enumerate(Level)}
TREND_MAX_POINTS = 16


def _local_day(stamp: str) -> date:
    return datetime.fromisoformat(stamp).astimezone().date()


def _trend(graded: Iterable[AnswerRecord]) -> tuple[str, list[TrendPoint]]:
    """Average score per day, week or month (the finest unit that fits), latest periods only."""
    by_day: dict[date, list[int]] = {}
    for answer in graded:
        if answer.score is not None:
            by_day.setdefault(_local_day(answer.answered_at), []).append(answer.score)
    if not by_day:
        return "day", []
    first, last = min(by_day), max(by_day)
    span = (last - first).days
    unit = "day" if span < TREND_MAX_POINTS else "week" if span < 7 * TREND_MAX_POINTS else "month"

    def bucket(day: date) -> date:
        if unit == "week":
            return day - timedelta(days=day.weekday())
        if unit == "month":
            return day.replace(day=1)
        return day

    def following(start: date) -> date:
        if unit == "week":
            return start + timedelta(days=7)
        if unit == "month":
            return (start + timedelta(days=32)).replace(day=1)
        return start + timedelta(days=1)

    def label(start: date) -> str:
        if unit == "week":
            return f"week of {start:%Y-%m-%d}"
        if unit == "month":
            return f"{start:%Y-%m}"
        return f"{start:%Y-%m-%d}"

    scores: dict[date, list[int]] = {}
    for day, day_scores in by_day.items():
        scores.setdefault(bucket(day), []).extend(day_scores)
    starts: list[date] = []
    current = bucket(first)
    while current <= bucket(last):
        starts.append(current)
        current = following(current)
    points = []
    for start in starts[-TREND_MAX_POINTS:]:
        period = scores.get(start, [])
        average = sum(period) / len(period) if period else None
        points.append(TrendPoint(start, label(start), len(period), average))
    return unit, points


def _misconceptions(
    answers: Sequence[AnswerRecord], bank: Mapping[str, Question], top: int
) -> list[Misconception]:
    """The misconceptions stated most often, each with the latest sentence that stated it."""
    times: dict[tuple[str, str], int] = {}
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for answer in answers:
        for flag_id, sentence in answer.flags_said:
            key = (answer.question_id, flag_id)
            times[key] = times.get(key, 0) + 1
            if key not in latest or answer.answered_at >= latest[key][0]:
                latest[key] = (answer.answered_at, sentence)
    found = []
    for (question_id, flag_id), count in sorted(times.items(), key=lambda i: (-i[1], i[0]))[:top]:
        question = bank.get(question_id)
        flag = (
            next((f.flag for f in question.red_flags if f.id == flag_id), None)
            if question
            else None
        )
        found.append(
            Misconception(question_id, flag_id, flag, count, latest[(question_id, flag_id)][1])
        )
    return found


def compute_stats(
    history: History,
    bank: Mapping[str, Question],
    *,
    top_missed: int = 10,
    tracks: Sequence[Track] = (),
) -> Stats:
    """Averages per topic, level and kind, the trend, the most-missed points, unattempted questions.

    With `tracks`, only answers to (and bank questions of) those roles count; an answer whose
    question is no longer in the bank cannot be placed in a track, nor given a kind.
    """
    if tracks:
        # Here, not at the top: listing transcripts imports this module and needs no bank.
        from mockaws.bank import filter_questions

        bank = {q.id: q for q in filter_questions(bank.values(), tracks=tracks)}
    answers = [
        a for s in history.sessions for a in s.answers if not tracks or a.question_id in bank
    ]
    graded = [a for a in answers if a.score is not None]

    groups: dict[tuple[str, str | None], list[int]] = {}
    for answer in graded:
        assert answer.score is not None
        groups.setdefault((answer.topic, answer.level), []).append(answer.score)
        groups.setdefault((answer.topic, None), []).append(answer.score)
    by_topic_level = [
        GroupAverage(topic, level, len(scores), sum(scores) / len(scores))
        for (topic, level), scores in sorted(
            groups.items(),
            key=lambda item: (item[0][0], _LEVEL_ORDER.get(item[0][1] or "", len(Level))),
        )
    ]

    kind_scores: dict[QuestionKind, list[int]] = {}
    for answer in graded:
        question = bank.get(answer.question_id)
        if question is not None and answer.score is not None:
            kind_scores.setdefault(question.kind, []).append(answer.score)
    by_kind = [
        KindAverage(kind.value, len(values), sum(values) / len(values))
        for kind in QuestionKind
        if (values := kind_scores.get(kind))
    ]

    graded_count: dict[str, int] = {}
    missed_count: dict[tuple[str, str], int] = {}
    for answer in graded:
        graded_count[answer.question_id] = graded_count.get(answer.question_id, 0) + 1
        for point_id in answer.missed:
            key = (answer.question_id, point_id)
            missed_count[key] = missed_count.get(key, 0) + 1
    ranked = sorted(
        missed_count.items(),
        key=lambda item: (-item[1], -item[1] / graded_count[item[0][0]], item[0]),
    )[:top_missed]
    most_missed = []
    for (question_id, point_id), missed in ranked:
        question = bank.get(question_id)
        rubric_point = question.point(point_id) if question else None
        most_missed.append(
            MissedPoint(
                question_id,
                point_id,
                rubric_point.point if rubric_point else None,
                missed,
                graded_count[question_id],
            )
        )

    attempted = {a.question_id for a in answers}
    never = sorted(
        (q for q in bank.values() if q.id not in attempted), key=lambda q: (q.topic, q.id)
    )
    by_topic: dict[str, tuple[int, int]] = {}
    for question in bank.values():
        never_count, total = by_topic.get(question.topic, (0, 0))
        by_topic[question.topic] = (never_count + (question.id not in attempted), total + 1)

    unit, trend = _trend(graded)
    stamps = [a.answered_at for a in answers]
    return Stats(
        sessions=len(history.sessions),
        answers=len(graded),
        average=sum(a.score or 0 for a in graded) / len(graded) if graded else None,
        first=datetime.fromisoformat(min(stamps)) if stamps else None,
        last=datetime.fromisoformat(max(stamps)) if stamps else None,
        by_topic_level=by_topic_level,
        by_kind=by_kind,
        trend_unit=unit,
        trend=trend,
        most_missed=most_missed,
        misconceptions=_misconceptions(answers, bank, top_missed),
        bank_size=len(bank),
        never_attempted=[q.id for q in never],
        never_attempted_by_topic=dict(sorted(by_topic.items())),
        skipped_files=len(history.problems),
        self_assessed=sum(1 for a in graded if a.self_assessed),
        grader_average=(
            sum(a.grader_score if a.grader_score is not None else a.score or 0 for a in graded)
            / len(graded)
            if graded
            else None
        ),
        spoken=spoken_trend(history),
    )
