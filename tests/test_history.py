"""Session summaries, their cache, and the stats computed from them."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from mockaws import history as history_module
from mockaws.history import cache_path, compute_stats, load_history
from mockaws.models import SessionStatus, Transcript
from mockaws.transcripts import TranscriptStore
from tests.factories import START, answered, mini_bank, save_session, skipped

BANK = mini_bank()
SG = BANK.get("mini-sg-vs-nacl")  # networking, junior
S3 = BANK.get("mini-s3-consistency")  # storage, mid


@pytest.fixture
def store(tmp_path: Path) -> TranscriptStore:
    return TranscriptStore(tmp_path / "transcripts")


def two_sessions(store: TranscriptStore) -> tuple[Transcript, Transcript]:
    first = save_session(
        store,
        START,
        [
            answered(SG, 40, START, ["nacl-stateless", "allow-deny"]),
            answered(S3, 20, START + timedelta(minutes=3), ["strong-consistency"]),
        ],
    )
    later = START + timedelta(days=1)
    second = save_session(
        store,
        later,
        [
            answered(SG, 80, later, ["allow-deny"]),
            skipped(S3, later),
            answered(S3, None, later + timedelta(minutes=4)),
        ],
        status=SessionStatus.ABANDONED,
    )
    return first, second


def test_summaries_count_answers_scores_and_status(store: TranscriptStore, tmp_path: Path) -> None:
    first, second = two_sessions(store)
    loaded = load_history(store.folder, tmp_path / "cache")
    assert [s.id for s in loaded.sessions] == [first.id, second.id]
    one, two = loaded.sessions
    assert (one.answered, one.skipped, one.ungraded, one.average) == (2, 0, 0, 30)
    assert (two.answered, two.skipped, two.ungraded, two.average) == (2, 1, 1, 80)
    assert two.status == "abandoned" and two.questions == 3
    assert two.to_json()["graded"] == 1
    assert [a.missed for a in one.answers] == [
        ("nacl-stateless", "allow-deny"),
        ("strong-consistency",),
    ]
    assert loaded.problems == []


def test_a_truncated_file_is_reported_and_skipped(store: TranscriptStore, tmp_path: Path) -> None:
    first, second = two_sessions(store)
    broken = store.json_path(second.id)
    text = broken.read_text()
    broken.write_text(text[: len(text) // 3])
    (store.folder / ".half-written.json.tmp").write_text("{")
    (store.folder / first.id).with_suffix(".md").write_text("# not json")
    for attempt in range(2):  # the second time from the cache
        loaded = load_history(store.folder, tmp_path / "cache")
        assert [s.id for s in loaded.sessions] == [first.id], attempt
        (problem,) = loaded.problems
        assert problem.path == broken
        assert problem.message.startswith(f"{broken}: not valid JSON (the file is cut short")


def test_the_cache_is_used_until_a_file_changes(
    store: TranscriptStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = two_sessions(store)
    cache = tmp_path / "cache"
    load_history(store.folder, cache)
    assert cache_path(cache, store.folder).is_file()

    def must_not_parse(path: Path) -> Transcript:
        raise AssertionError(f"parsed {path} although it was cached")

    monkeypatch.setattr(history_module, "load_transcript", must_not_parse)
    cached = load_history(store.folder, cache)
    assert [(s.id, s.average) for s in cached.sessions] == [(first.id, 30), (second.id, 80)]
    assert [a.question_id for a in cached.sessions[0].answers] == [SG.id, S3.id]

    monkeypatch.undo()
    # A session saved again (an answer graded later) is read afresh; a removed one disappears.
    second.turns[2] = answered(S3, 100, START + timedelta(days=1, minutes=4))
    store.save(second)
    os.unlink(store.json_path(first.id))
    refreshed = load_history(store.folder, cache)
    assert [(s.id, s.average, s.ungraded) for s in refreshed.sessions] == [(second.id, 90, 0)]


def test_a_corrupt_or_unwritable_cache_only_costs_speed(
    store: TranscriptStore, tmp_path: Path
) -> None:
    two_sessions(store)
    cache = tmp_path / "cache"
    load_history(store.folder, cache)
    cache_path(cache, store.folder).write_text('{"index_version": 1, "files": {"x": [')
    assert len(load_history(store.folder, cache).sessions) == 2
    # The right header, but an entry of the wrong shape.
    document = {
        "index_version": 1,
        "schema_version": 1,
        "folder": str(store.folder.resolve()),
        "files": {next(iter(store.paths())).name: [1, 2]},
    }
    cache_path(cache, store.folder).write_text(json.dumps(document))
    assert len(load_history(store.folder, cache).sessions) == 2
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert len(load_history(store.folder, blocked / "cache").sessions) == 2
    assert load_history(tmp_path / "missing", cache).sessions == []


def test_stats_average_by_topic_and_level_and_most_missed(store: TranscriptStore) -> None:
    two_sessions(store)
    stats = compute_stats(load_history(store.folder), BANK.questions)
    assert stats.sessions == 2 and stats.answers == 3
    assert stats.average == pytest.approx(140 / 3)
    groups = {(g.topic, g.level): (g.answers, g.average) for g in stats.by_topic_level}
    assert groups == {
        ("networking", "junior"): (2, 60),
        ("networking", None): (2, 60),
        ("storage", "mid"): (1, 20),
        ("storage", None): (1, 20),
    }
    missed = [(m.question_id, m.point_id, m.missed, m.graded) for m in stats.most_missed]
    assert missed == [
        (SG.id, "allow-deny", 2, 2),
        (S3.id, "strong-consistency", 1, 1),
        (SG.id, "nacl-stateless", 1, 2),
    ]
    assert stats.most_missed[0].point == SG.point("allow-deny").point  # type: ignore[union-attr]
    assert stats.never_attempted == [] and stats.bank_size == 2
    document = stats.to_json()
    assert document["by_topic"] == [
        {"topic": "networking", "answers": 2, "average_score": 60.0},
        {"topic": "storage", "answers": 1, "average_score": 20.0},
    ]
    assert document["bank"]["never_attempted"] == 0


def test_never_attempted_ignores_skips_and_counts_per_topic(store: TranscriptStore) -> None:
    save_session(store, START, [answered(SG, 50, START), skipped(S3, START)])
    stats = compute_stats(load_history(store.folder), BANK.questions)
    assert stats.never_attempted == [S3.id]
    assert stats.never_attempted_by_topic == {"networking": (0, 1), "storage": (1, 1)}


@pytest.mark.parametrize(
    ("days", "unit", "points"),
    [(0, "day", 1), (5, "day", 6), (40, "week", 6), (400, "month", 14)],
)
def test_the_trend_picks_a_unit_that_fits(
    store: TranscriptStore, days: int, unit: str, points: int
) -> None:
    save_session(store, START, [answered(SG, 20, START)], suffix="0001")
    end = START + timedelta(days=days)
    save_session(store, end, [answered(SG, 80, end)], suffix="0002")
    stats = compute_stats(load_history(store.folder), {})
    assert stats.trend_unit == unit
    assert len(stats.trend) == points
    assert stats.trend[-1].average == (50 if days == 0 else 80)
    if days:
        assert stats.trend[0].average == 20
        assert all(p.average is None for p in stats.trend[1:-1])


def test_stats_of_nothing(tmp_path: Path) -> None:
    stats = compute_stats(load_history(tmp_path), BANK.questions)
    assert (stats.answers, stats.average, stats.trend) == (0, None, [])
    assert stats.never_attempted == [SG.id, S3.id]  # by topic: networking, then storage
