"""Locate, load and validate question banks, and pick questions for a session."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import random
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from mockaws.choices import Level, QuestionKind, Track
from mockaws.errors import BadInputError, BankError, QuestionNotFoundError, unknown_choice
from mockaws.files import atomic_write_text, describe_os_error, loads_json, read_text
from mockaws.home import cache_dir
from mockaws.resources import data_dir

if TYPE_CHECKING:
    from mockaws.models import Question

# Listing, filtering and choosing questions need no pydantic: the models (and pydantic with
# them, a good part of a command's start-up) are imported only to validate a bank file or to
# read a whole question.

BANK_SUFFIXES = (".toml", ".json")


def shipped_bank_dir() -> Path:
    """The folder of the bank that ships with mockaws."""
    return data_dir("questions")


def bank_files(path: Path) -> list[Path]:
    """The bank files at `path`: the file itself, or every bank file in the folder, sorted."""
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.suffix in BANK_SUFFIXES and p.is_file())
    if not path.exists():
        raise BankError(path, "no such file or folder")
    if path.suffix not in BANK_SUFFIXES:
        raise BankError(path, f"not a bank file (expected {' or '.join(BANK_SUFFIXES)})")
    return [path]


def _cache_file(path: Path, suffix: str) -> tuple[Path, list[int]] | None:
    """Where something derived from a bank file is cached, and the file version it is for."""
    try:
        info = path.stat()
    except OSError:
        return None
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    version = [info.st_mtime_ns, info.st_size, info.st_ino]
    return cache_dir() / "bank" / f"{digest}{suffix}", version


def _parsed_cache_file(path: Path) -> tuple[Path, list[int]] | None:
    """Where the parsed form of a TOML bank file is cached, and the file version it is for."""
    return _cache_file(path, ".json")


# A bank file of a thousand questions is about 2 MB: anything far larger is not a bank file.
MAX_BANK_FILE_BYTES = 16 * 1024 * 1024


def _read_document(path: Path) -> dict[str, Any]:
    # Parsing TOML in pure Python is most of the time a command spends loading the bank, so the
    # parsed form of each file is kept as JSON, keyed by the file's version on disk.
    cache = _parsed_cache_file(path) if path.suffix == ".toml" else None
    if cache is not None:
        with contextlib.suppress(OSError, ValueError):
            cached = json.loads(cache[0].read_text(encoding="utf-8"))
            if isinstance(cached, dict) and cached.get("key") == cache[1]:
                document = cached.get("document")
                if isinstance(document, dict):
                    return document
    try:
        text = read_text(path, limit=MAX_BANK_FILE_BYTES)
    except OSError as exc:
        raise BankError(path, f"cannot read: {describe_os_error(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise BankError(path, "cannot read: not UTF-8 text") from exc
    try:
        document = loads_json(text) if path.suffix == ".json" else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise BankError(path, f"not valid {path.suffix[1:].upper()}: {exc}") from exc
    except RecursionError:
        raise BankError(path, "not valid TOML: nested too deeply to read") from None
    if not isinstance(document, dict):
        raise BankError(path, "expected a table with a 'questions' list")
    if cache is not None:
        # A read-only home, or TOML values JSON cannot hold (dates), only cost speed next time.
        with contextlib.suppress(OSError, TypeError, ValueError):
            payload = json.dumps({"key": cache[1], "document": document}, separators=(",", ":"))
            atomic_write_text(cache[0], payload)
    return document


def _field_path(loc: Sequence[int | str]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts)


def parse_bank_file(path: Path) -> list[Question]:
    """Every question in one bank file; the first problem raises a BankError naming where."""
    questions, problems = check_bank_file(path)
    if problems:
        raise problems[0]
    return questions


def check_bank_file(path: Path) -> tuple[list[Question], list[BankError]]:
    """The valid questions in one file and a BankError for each invalid one."""
    document = _read_document(path)
    unknown = sorted(set(document) - {"questions"})
    if unknown:
        problem = "unknown top-level key (only 'questions' is allowed)"
        return [], [BankError(path, problem, field=unknown[0])]
    raw_questions = document.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        return [], [BankError(path, "no questions (expected a non-empty 'questions' list)")]
    questions: list[Question] = []
    problems: list[BankError] = []
    for index, raw in enumerate(raw_questions):
        question, question_problems = _check_question(path, index, raw)
        problems.extend(question_problems)
        if question is not None:
            questions.append(question)
    return questions, problems


def _check_question(path: Path, index: int, raw: Any) -> tuple[Question | None, list[BankError]]:
    """The question written as `raw`, the `index`-th of its file, or the problems with it."""
    from pydantic import ValidationError

    from mockaws.models import Question

    raw_id = raw.get("id") if isinstance(raw, dict) else None
    question_id = raw_id if isinstance(raw_id, str) and raw_id else f"#{index + 1}"
    try:
        question = Question.model_validate(raw)
    except ValidationError as exc:
        return None, [
            BankError(
                path,
                error["msg"],
                question_id=question_id,
                field=_field_path(error["loc"]) or None,
            )
            for error in exc.errors()
        ]
    if not question.rubric:
        # Deriving needs the text matcher: imported only for a bank that needs it.
        from mockaws.grading.derive import with_derived_rubric

        question = with_derived_rubric(question)
    if not question.rubric:
        return None, [
            BankError(
                path,
                "no rubric, and the reference answer has too few distinctive terms to "
                "derive one from: add rubric points",
                question_id=question.id,
                field="rubric",
            )
        ]
    return question, []


class Listed(Protocol):
    """What listing, filtering and choosing read of a question: a Question or its Listing."""

    @property
    def id(self) -> str: ...
    @property
    def topic(self) -> str: ...
    @property
    def level(self) -> Level: ...
    @property
    def kind(self) -> QuestionKind: ...
    @property
    def tracks(self) -> Sequence[Track]: ...
    @property
    def question(self) -> str: ...


L = TypeVar("L", bound=Listed)


def _not_found(question_id: str, known: Iterable[str]) -> QuestionNotFoundError:
    import difflib

    closest = difflib.get_close_matches(question_id, list(known), n=1)
    hint = f": did you mean {closest[0]}?" if closest else ""
    return QuestionNotFoundError(
        f"no question with id '{question_id}'{hint} (see `mockaws questions list`)"
    )


def _filtered(
    questions: Iterable[L], topics: Sequence[str], level: Level | None, tracks: Sequence[Track]
) -> list[L]:
    """`filter_questions`, after a BadInputError for a topic the bank does not have."""
    pool = list(questions)
    known = sorted({q.topic for q in pool})
    for topic in sorted({t.lower() for t in topics} - set(known)):
        raise BadInputError(unknown_choice("topic", topic, known, option="--topic"))
    return filter_questions(pool, topics, level, tracks)


@dataclass
class Bank:
    """Questions by id, remembering the file each came from."""

    questions: dict[str, Question] = field(default_factory=dict)
    origins: dict[str, Path] = field(default_factory=dict)

    def add(self, question: Question, origin: Path) -> None:
        if question.id in self.questions:
            raise BankError(
                origin,
                f"duplicate id (already defined in {self.origins[question.id]})",
                question_id=question.id,
            )
        self.questions[question.id] = question
        self.origins[question.id] = origin

    def get(self, question_id: str) -> Question:
        try:
            return self.questions[question_id]
        except KeyError:
            raise _not_found(question_id, self.questions) from None

    def filter(
        self,
        topics: Sequence[str] = (),
        level: Level | None = None,
        tracks: Sequence[Track] = (),
    ) -> list[Question]:
        """Questions matching any of `topics`, `level` and any of `tracks` (empty: all).

        A topic the bank does not have is a BadInputError listing the topics it has.
        """
        return _filtered(self.questions.values(), topics, level, tracks)

    @property
    def topics(self) -> list[str]:
        return sorted({q.topic for q in self.questions.values()})

    def __len__(self) -> int:
        return len(self.questions)


def load_bank(extra: Sequence[Path] = (), *, include_shipped: bool = True) -> Bank:
    """The shipped bank plus every `--bank` path; raises BankError on the first problem."""
    bank = Bank()
    for path in _bank_paths(extra, include_shipped):
        for question in parse_bank_file(path):
            bank.add(question, path)
    return bank


def _bank_paths(extra: Sequence[Path], include_shipped: bool) -> Iterable[Path]:
    roots = ([shipped_bank_dir()] if include_shipped else []) + list(extra)
    for root in roots:
        yield from bank_files(root)


# ------------------------------------------------------------------ the listing index


@dataclass(frozen=True, slots=True)
class Listing:
    """A bank question as listings show it: what `questions list` prints, and where it is."""

    id: str
    topic: str
    level: Level
    kind: QuestionKind
    tracks: tuple[Track, ...]  # named by the question itself; `tracks_of` adds its topic's
    question: str
    sources: tuple[str, ...]
    origin: Path
    position: int  # in its file's `questions` list


@dataclass
class Catalogue:
    """Every question of the bank as a Listing; a whole question is read only when asked for.

    Listings come from an index of each bank file, kept in the cache folder and written only
    once the file has validated without a problem, so a catalogue says what `load_bank` would.
    """

    listings: dict[str, Listing] = field(default_factory=dict)
    _documents: dict[Path, dict[str, Any]] = field(default_factory=dict, repr=False)

    def add(self, listing: Listing) -> None:
        if listing.id in self.listings:
            raise BankError(
                listing.origin,
                f"duplicate id (already defined in {self.listings[listing.id].origin})",
                question_id=listing.id,
            )
        self.listings[listing.id] = listing

    def get(self, question_id: str) -> Listing:
        try:
            return self.listings[question_id]
        except KeyError:
            raise _not_found(question_id, self.listings) from None

    def question(self, question_id: str) -> Question:
        """The whole question, validated as `load_bank` validates it."""
        listing = self.get(question_id)
        if listing.origin not in self._documents:
            self._documents[listing.origin] = _read_document(listing.origin)
        raw_questions = self._documents[listing.origin].get("questions")
        if isinstance(raw_questions, list) and listing.position < len(raw_questions):
            question, _problems = _check_question(
                listing.origin, listing.position, raw_questions[listing.position]
            )
            if question is not None and question.id == question_id:
                return question
        # The file changed since the catalogue was read: read it whole, as load_bank would.
        for question in parse_bank_file(listing.origin):
            if question.id == question_id:
                return question
        raise _not_found(question_id, self.listings)

    def questions(self) -> list[Question]:
        """Every question, whole, in the bank's order."""
        return [self.question(question_id) for question_id in self.listings]

    def filter(
        self,
        topics: Sequence[str] = (),
        level: Level | None = None,
        tracks: Sequence[Track] = (),
    ) -> list[Listing]:
        """Listings matching any of `topics`, `level` and any of `tracks` (empty: all).

        A topic the bank does not have is a BadInputError listing the topics it has.
        """
        return _filtered(self.listings.values(), topics, level, tracks)

    @property
    def topics(self) -> list[str]:
        return sorted({q.topic for q in self.listings.values()})

    def __len__(self) -> int:
        return len(self.listings)


def load_catalogue(extra: Sequence[Path] = (), *, include_shipped: bool = True) -> Catalogue:
    """The listings of the shipped bank and every `--bank` path; BankError as `load_bank`."""
    catalogue = Catalogue()
    for path in _bank_paths(extra, include_shipped):
        for listing in _listings(path):
            catalogue.add(listing)
    return catalogue


# Bump when the index's layout changes. An index also names the mockaws code that validated the
# file (`_code_version`): a change in what validation means rebuilds every index.
INDEX_FORMAT = 1


@functools.cache
def _code_version() -> str:
    """A digest of every module of this mockaws (name, size, time): what validation means."""
    package = Path(__file__).parent
    found: list[str] = []
    folders = [package]
    while folders:
        with os.scandir(folders.pop()) as entries:
            for entry in entries:
                if entry.is_dir() and entry.name != "__pycache__":
                    folders.append(Path(entry.path))
                elif entry.name.endswith(".py"):
                    info = entry.stat()
                    found.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(found)).encode()).hexdigest()[:16]


def _listings(path: Path) -> list[Listing]:
    """The listings of one bank file: from its index when that is current, else by validating."""
    cache = _cache_file(path, ".index.json")
    if cache is not None:
        listings = _read_index(cache[0], cache[1], path)
        if listings is not None:
            return listings
    listings = [
        Listing(
            id=q.id,
            topic=q.topic,
            level=q.level,
            kind=q.kind,
            tracks=tuple(q.tracks),
            question=q.question,
            sources=tuple(q.sources),
            origin=path,
            position=position,
        )
        # Every question of a file that validates is valid: positions are the file's own.
        for position, q in enumerate(parse_bank_file(path))
    ]
    if cache is not None:
        rows = [
            [q.id, q.topic, q.level, q.kind, list(q.tracks), q.question, list(q.sources)]
            for q in listings  # the enums are StrEnums: they write as their values
        ]
        payload = {
            "format": INDEX_FORMAT,
            "code": _code_version(),
            "key": cache[1],
            "rows": rows,
        }
        # A read-only home only costs speed next time.
        with contextlib.suppress(OSError):
            atomic_write_text(cache[0], json.dumps(payload, separators=(",", ":")))
    return listings


def _read_index(index: Path, version: list[int], path: Path) -> list[Listing] | None:
    """The listings an index holds, or None when it is missing, stale or unreadable."""
    try:
        payload = json.loads(index.read_text(encoding="utf-8"))
        if (
            not isinstance(payload, dict)
            or payload.get("format") != INDEX_FORMAT
            or payload.get("code") != _code_version()
            or payload.get("key") != version
        ):
            return None
        listings = []
        for position, row in enumerate(payload["rows"]):
            question_id, topic, level, kind, tracks, question, sources = row
            texts = [question_id, topic, question, *sources]
            if not all(isinstance(text, str) for text in texts):
                return None
            listings.append(
                Listing(
                    id=question_id,
                    topic=topic,
                    level=Level(level),
                    kind=QuestionKind(kind),
                    tracks=tuple(Track(track) for track in tracks),
                    question=question,
                    sources=tuple(sources),
                    origin=path,
                    position=position,
                )
            )
    except (OSError, ValueError, TypeError, KeyError):
        return None  # a damaged index is rebuilt from the file
    return listings


def validate_paths(paths: Sequence[Path]) -> tuple[int, list[BankError]]:
    """Check every file under `paths`: (questions that validated, every problem found)."""
    problems: list[BankError] = []
    seen: dict[str, Path] = {}
    valid = 0
    for root in paths:
        try:
            files = bank_files(root)
        except BankError as exc:
            problems.append(exc)
            continue
        for path in files:
            try:
                questions, file_problems = check_bank_file(path)
            except BankError as exc:
                problems.append(exc)
                continue
            problems.extend(file_problems)
            for question in questions:
                if question.id in seen:
                    problems.append(
                        BankError(
                            path,
                            f"duplicate id (already defined in {seen[question.id]})",
                            question_id=question.id,
                        )
                    )
                    continue
                seen[question.id] = path
                valid += 1
    return valid, problems


# The roles each shipped topic is asked for; a question adds more with its own `tracks`.
TOPIC_TRACKS: dict[str, tuple[Track, ...]] = {
    "ai-ml": (Track.GENAI,),
    "analytics": (Track.DATA_ENGINEER,),
    "architecture": (Track.SOLUTIONS_ARCHITECT, Track.SRE),
    "behavioural": tuple(Track),  # every loop asks for a story
    "compute": (Track.SOLUTIONS_ARCHITECT, Track.DEVELOPER, Track.DEVOPS),
    "containers": (Track.DEVOPS, Track.DEVELOPER, Track.SRE),
    "cost": (Track.SOLUTIONS_ARCHITECT,),
    "databases": (Track.SOLUTIONS_ARCHITECT, Track.DEVELOPER, Track.DATA_ENGINEER),
    "devops": (Track.DEVOPS, Track.SRE),
    "governance": (Track.SECURITY, Track.SOLUTIONS_ARCHITECT),
    "integration": (Track.DEVELOPER, Track.SOLUTIONS_ARCHITECT),
    "networking": (Track.SOLUTIONS_ARCHITECT, Track.DEVOPS),
    "observability": (Track.SRE, Track.DEVOPS),
    "reliability": (Track.SRE,),
    "security": (Track.SECURITY,),
    "serverless": (Track.DEVELOPER, Track.SOLUTIONS_ARCHITECT),
    "storage": (Track.SOLUTIONS_ARCHITECT,),
}


def tracks_of(question: Listed) -> list[Track]:
    """The roles a question is asked for: its topic's, and those it names itself."""
    found = set(TOPIC_TRACKS.get(question.topic, ())) | set(question.tracks)
    return [track for track in Track if track in found]


def check_count(count: int, candidates: Sequence[Listed]) -> None:
    """A BadInputError when `-n` asks for more questions than the filters leave."""
    if candidates and count > len(candidates):
        raise BadInputError(
            f"-n {count}: only {len(candidates)} question{'' if len(candidates) == 1 else 's'} "
            f"match the chosen filters (use -n {len(candidates)} or fewer)"
        )


def filter_questions(
    questions: Iterable[L],
    topics: Sequence[str] = (),
    level: Level | None = None,
    tracks: Sequence[Track] = (),
) -> list[L]:
    """The questions in any of `topics`, at `level`, for any of `tracks` (each: all when empty)."""
    wanted = {t.lower() for t in topics}
    roles = set(tracks)
    return [
        q
        for q in questions
        if (not wanted or q.topic in wanted)
        and (level is None or q.level is level)
        and (not roles or not roles.isdisjoint(tracks_of(q)))
    ]


def parse_tracks(values: Sequence[str]) -> list[Track]:
    """The tracks named by `values`; a BadInputError names an unknown one and the choices."""
    tracks: list[Track] = []
    for value in values:
        try:
            track = Track(value.strip().lower())
        except ValueError:
            choices = [t.value for t in Track]
            raise BadInputError(unknown_choice("track", value, choices, option="--track")) from None
        if track not in tracks:
            tracks.append(track)
    return tracks


def select_questions(candidates: Sequence[L], count: int, seed: int | None = None) -> list[L]:
    """`count` distinct questions, spread over topics; the same seed gives the same choice."""
    if count < 1:
        raise BadInputError(f"-n must be at least 1 (got {count})")
    if not candidates:
        raise BadInputError("no questions match the chosen topic, level and track")
    rng = random.Random(seed)
    by_topic: dict[str, list[L]] = {}
    for question in sorted(candidates, key=lambda q: q.id):
        by_topic.setdefault(question.topic, []).append(question)
    for pool in by_topic.values():
        rng.shuffle(pool)
    topic_order = sorted(by_topic)
    rng.shuffle(topic_order)
    chosen: list[L] = []
    # Round-robin over topics so a short session is not all one topic.
    while len(chosen) < count and any(by_topic.values()):
        for topic in topic_order:
            if by_topic[topic] and len(chosen) < count:
                chosen.append(by_topic[topic].pop())
    return chosen
