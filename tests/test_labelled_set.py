"""The shipped labelled set: well formed, and a regression guard for the offline grader.

The offline grader is deterministic, so its agreement with the human labels on the test split
is recorded exactly in evals/baseline.json; a change that lowers any figure fails here. The
baseline is a floor, not a target: the grader is tuned on the dev split only.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from mockaws.bank import load_bank
from mockaws.evaluation import (
    AnswerKind,
    LabelledAnswer,
    baseline_shortfalls,
    build_report,
    check_labels,
    load_baseline,
    load_labels,
    run_eval,
)
from mockaws.grading.offline import OfflineGrader
from mockaws.models import Level

EVALS = Path(__file__).resolve().parent.parent / "evals"
LABELS = EVALS / "labels.jsonl"


@pytest.fixture(scope="module")
def labelled() -> list[LabelledAnswer]:
    return load_labels(LABELS)


def test_the_labelled_set_is_broad_and_matches_the_bank(labelled: list[LabelledAnswer]) -> None:
    bank = load_bank([])
    check_labels(labelled, bank, LABELS)
    questions = {label.question_id for label in labelled}
    assert len(labelled) >= 150 and len(questions) >= 30
    assert {bank.get(q).level for q in questions} == set(Level)
    assert {label.kind for label in labelled} == set(AnswerKind)
    # a question's answers all sit in one split, so the test split holds unseen questions
    splits = {label.question_id: label.split for label in labelled}
    assert all(splits[label.question_id] == label.split for label in labelled)
    share = Counter(label.split for label in labelled)["test"] / len(labelled)
    assert 0.25 <= share <= 0.45


def test_offline_grader_agreement_on_the_test_split_holds(
    labelled: list[LabelledAnswer],
) -> None:
    test_split = [label for label in labelled if label.split == "test"]
    results = run_eval(test_split, load_bank([]), OfflineGrader())
    report = build_report(results, grader="offline", labels=str(LABELS))
    floors = load_baseline(EVALS / "baseline.json")["test"]
    assert baseline_shortfalls(report.splits["test"], floors) == []
    # keyword stuffing and answers that talk to the grader never rate solid or strong
    kinds = {figures.kind: figures for figures in report.kinds}
    for kind in (AnswerKind.STUFFING, AnswerKind.INJECTION):
        assert kinds[kind].bottom_two_bands == 1.0, kind


@pytest.mark.parametrize(
    "path",
    [
        LABELS,
        EVALS / "independent.jsonl",
        Path(__file__).parent / "data" / "real_server_labels.jsonl",
    ],
    ids=lambda p: p.name,
)
def test_every_shipped_labelled_file_labels_every_current_rubric_point(path: Path) -> None:
    # A rubric point split or added without labels would stop `mockaws eval` on that file.
    check_labels(load_labels(path), load_bank([]), path)


def test_offline_grader_agreement_on_the_independent_test_split_holds() -> None:
    # The set written and labelled by people who never saw the cues or the grader: its test
    # split (questions no tuning ever looked at) is the honest measure, floored here.
    path = EVALS / "independent.jsonl"
    test_split = [label for label in load_labels(path) if label.split == "test"]
    results = run_eval(test_split, load_bank([]), OfflineGrader())
    report = build_report(results, grader="offline", labels=str(path))
    floors = load_baseline(EVALS / "independent-baseline.json")["test"]
    assert baseline_shortfalls(report.splits["test"], floors) == []


def test_the_misconception_set_is_wide_and_labels_what_it_tests() -> None:
    # Answers stating the bank's misconceptions in words of their own, and true statements near
    # them, written and labelled before any grader ran: where free wording is measured.
    path = EVALS / "misconceptions.jsonl"
    labels = load_labels(path)
    check_labels(labels, load_bank([]), path)
    assert len(labels) >= 200 and len({label.question_id for label in labels}) >= 60
    for label in labels:
        assert (label.kind == "misconception") == bool(label.red_flags), label.answer[:60]


def test_offline_grader_on_misconceptions_worded_freely_holds() -> None:
    path = EVALS / "misconceptions.jsonl"
    results = run_eval(load_labels(path), load_bank([]), OfflineGrader())
    report = build_report(results, grader="offline", labels=str(path))
    floors = load_baseline(EVALS / "misconceptions-baseline.json")["dev"]
    assert baseline_shortfalls(report.splits["dev"], floors) == []
    # A true statement near a misconception is never rated below solid for saying it.
    kinds = {figures.kind: figures for figures in report.kinds}
    assert kinds["true-but-sounds-wrong"].bottom_two_bands <= 0.05
