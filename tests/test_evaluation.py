from __future__ import annotations

import json
import math
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from mockaws.bank import load_bank
from mockaws.errors import BadInputError, GradingError
from mockaws.evaluation import (
    VERDICTS,
    LabelledAnswer,
    QuestionTally,
    accuracy,
    agreement,
    baseline_shortfalls,
    bootstrap_intervals,
    build_report,
    check_labels,
    cohen_kappa,
    confusion_matrix,
    load_baseline,
    load_labels,
    precision_recall,
    run_eval,
    spearman,
)
from mockaws.grading.scoring import Labels
from mockaws.models import PointVerdict, Question, Rating, RedFlagHit, Usage, Verdict
from tests.conftest import DATA, MINI_BANK

BANK = load_bank([MINI_BANK], include_shipped=False)
MINI_LABELS = DATA / "mini_labels.jsonl"

# ---------------------------------------------------------------- statistics, against hand sums


def test_accuracy_and_confusion_matrix() -> None:
    human = ["a", "a", "b", "b"]
    machine = ["a", "b", "b", "b"]
    assert accuracy(human, machine) == 0.75
    assert confusion_matrix(human, machine, ["a", "b"]) == [[1, 1], [0, 2]]
    assert accuracy([], []) is None


def test_unweighted_kappa() -> None:
    # observed agreement 3/4; chance agreement (2*1 + 2*3) / 16 = 1/2; (0.75 - 0.5) / 0.5
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "b", "b", "b"], ["a", "b"]) == 0.5


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        # observed disagreement 0.25; expected (2 + 0.75 + 1) / 3 = 1.25; 1 - 0.25 / 1.25
        ("quadratic", 0.8),
        # observed 0.5; expected (2 + 1.5 + 1) / 3 = 1.5; 1 - 0.5 / 1.5
        ("linear", 2 / 3),
    ],
)
def test_weighted_kappa(weights: str, expected: float) -> None:
    value = cohen_kappa([0, 1, 2], [0, 2, 2], [0, 1, 2], weights=weights)  # type: ignore[arg-type]
    assert value == pytest.approx(expected)


def test_kappa_edges() -> None:
    assert cohen_kappa(["a", "b"], ["a", "b"], ["a", "b"]) == 1.0
    # perfect disagreement on a balanced set is below chance
    assert cohen_kappa(["a", "b"], ["b", "a"], ["a", "b"]) == -1.0
    # both raters always say "a": agreement beyond chance is undefined, not perfect
    assert cohen_kappa(["a", "a"], ["a", "a"], ["a", "b"]) is None
    assert cohen_kappa([], [], ["a", "b"]) is None
    with pytest.raises(ValueError, match="differ in length"):
        cohen_kappa(["a"], [], ["a", "b"])


def test_spearman() -> None:
    # rank differences 0, 1, 1, 0: 1 - 6 * 2 / (4 * 15)
    assert spearman([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)
    # tied ranks 1.5, 1.5, 3, 4 against 1..4: 4.5 / sqrt(4.5 * 5)
    assert spearman([1, 1, 2, 3], [10, 20, 30, 40]) == pytest.approx(3 / math.sqrt(10))
    assert spearman([1, 1, 1], [1, 2, 3]) is None
    assert spearman([1], [1]) is None


def test_precision_recall() -> None:
    human = [{"a"}, {"a", "b"}, set()]
    machine = [{"a"}, {"b", "c"}, {"c"}]
    assert precision_recall(human, machine) == (2, 2, 1, 0.5, 2 / 3)
    assert precision_recall([set()], [set()]) == (0, 0, 0, None, None)


# ---------------------------------------------------------------- labelled sets


def label(**fields: object) -> LabelledAnswer:
    base: dict[str, object] = {
        "question_id": "mini-s3-consistency",
        "answer": "S3 is strongly consistent since 2020.",
        "points": {
            "strong-consistency": "covered",
            "since-2020-free": "partial",
            "last-writer-wins": "missed",
        },
        "rating": "weak",
    }
    return LabelledAnswer.model_validate(base | fields)


def _question(bands: list[tuple[int, int]], tp: int = 0, fp: int = 0, fn: int = 0) -> QuestionTally:
    """One question's tally from (human band, grader band) pairs and red-flag counts."""
    matrix = [[0] * 4 for _ in range(4)]
    for human, grader in bands:
        matrix[human][grader] += 1
    return QuestionTally(matrix, tp, fp, fn)


def test_intervals_hold_the_figure_and_repeat_exactly() -> None:
    questions = [
        _question([(3, 3), (2, 3), (1, 1)], tp=1, fp=0, fn=1),
        _question([(0, 0), (1, 0), (2, 2)], tp=0, fp=1, fn=1),
        _question([(3, 2), (2, 2), (0, 1)], tp=2, fp=0, fn=0),
        _question([(1, 1), (3, 3), (2, 1)], tp=1, fp=0, fn=2),
    ] * 3
    qwk, precision, recall = bootstrap_intervals(questions)
    assert qwk is not None and precision is not None and recall is not None
    pooled = [[sum(q.bands[i][j] for q in questions) for j in range(4)] for i in range(4)]
    measured = cohen_kappa(
        [i for i in range(4) for j in range(4) for _ in range(pooled[i][j])],
        [j for i in range(4) for j in range(4) for _ in range(pooled[i][j])],
        [0, 1, 2, 3],
        weights="quadratic",
    )
    assert measured is not None and qwk.low <= measured <= qwk.high and qwk.low < qwk.high
    assert precision.low <= 12 / 15 <= precision.high <= 1.0
    assert recall.low <= 12 / 24 <= recall.high
    # A report must read the same each time it is made from the same grades.
    assert bootstrap_intervals(questions) == (qwk, precision, recall)


def test_intervals_narrow_as_questions_grow_and_vanish_with_one() -> None:
    mix = [
        _question([(3, 3), (2, 3)], tp=1, fn=1),
        _question([(1, 0), (0, 0)], fp=1),
        _question([(2, 2), (3, 2)], tp=1),
        _question([(1, 1), (2, 1)], fn=1),
    ]
    few, many = bootstrap_intervals(mix * 2), bootstrap_intervals(mix * 20)
    for small, large in zip(few, many, strict=True):
        assert small is not None and large is not None
        assert large.high - large.low < small.high - small.low
    # Every grade right on every question: nothing for a resample to move.
    perfect = bootstrap_intervals([_question([(3, 3), (0, 0)], tp=1)] * 5)[0]
    assert perfect is not None and perfect.low == perfect.high == 1.0
    assert bootstrap_intervals(mix[:1]) == (None, None, None)


def test_load_labels_names_the_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    good = label().model_dump_json()
    path.write_text(good + "\n\n" + good.replace('"weak"', '"great"') + "\n")
    with pytest.raises(BadInputError, match=r"labels.jsonl: line 3: field 'rating'"):
        load_labels(path)
    path.write_text(good + "\n")
    assert load_labels(path) == [label()]
    path.write_text("\n")
    with pytest.raises(BadInputError, match="no labelled answers"):
        load_labels(path)
    with pytest.raises(BadInputError, match="cannot read labels"):
        load_labels(tmp_path / "missing.jsonl")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"question_id": "nope"}, "no question with this id"),
        ({"points": {"strong-consistency": "covered"}}, "rubric point 'since-2020-free' has no"),
        ({"points": {**label().points, "extra": "missed"}}, "has no rubric point 'extra'"),
        ({"red_flags": ["made-up"]}, "has no red flag 'made-up'"),
    ],
)
def test_check_labels_against_the_bank(fields: dict[str, object], message: str) -> None:
    with pytest.raises(BadInputError, match=message):
        check_labels([label(**fields)], BANK, "labels.jsonl")


# ---------------------------------------------------------------- running a grader over a set


class ScriptedGrader:
    """A real Grader whose labels the test scripts per answer text; records what it was asked."""

    name = "scripted"
    thread_safe = True  # the script is read-only and `asked` is behind a lock

    def __init__(self) -> None:
        self.script: dict[str, Labels | Exception] = {}
        self.asked: list[str] = []
        self.lock = threading.Lock()

    def enqueue(self, answer: str, result: Labels | Exception) -> None:
        self.script[answer] = result

    def label(self, question: Question, answer: str) -> Labels:
        with self.lock:
            self.asked.append(answer)
        result = self.script[answer]
        if isinstance(result, Exception):
            raise result
        usage = Usage(prompt_tokens=100, cached_tokens=40, completion_tokens=20, cost_usd=0.001)
        return replace(result, model="fake-1", usage=usage, latency_s=0.5)


def verdicts(answer: str, **labels: str) -> list[PointVerdict]:
    return [
        PointVerdict(point_id=point, verdict=Verdict(v), evidence=answer if v != "missed" else "")
        for point, v in labels.items()
    ]


def test_run_eval_reports_agreement_usage_and_failures() -> None:
    grader = ScriptedGrader()
    exact = "Strong read-after-write consistency, automatic since 2020, last writer wins."
    generous = (
        "S3 is eventually consistent, since 2020 writes settle in time, the last writer wins."
    )
    failing = "Some answer the grader cannot handle."
    labelled = [
        label(
            answer=exact,
            points={
                "strong-consistency": "covered",
                "since-2020-free": "covered",
                "last-writer-wins": "covered",
            },
            rating="strong",
            split="test",
            kind="strong",
        ),
        label(
            answer=generous,
            points={
                "strong-consistency": "contradicted",
                "since-2020-free": "missed",
                "last-writer-wins": "missed",
            },
            red_flags=["eventual-consistency"],
            rating="poor",
            kind="misconception",
        ),
        label(answer=failing),
    ]
    grader.enqueue(
        exact,
        Labels(
            points=verdicts(
                exact,
                **{
                    "strong-consistency": "covered",
                    "since-2020-free": "covered",
                    "last-writer-wins": "covered",
                },
            )
        ),
    )
    # A grader that misses the misconception and credits it: two bands too generous.
    grader.enqueue(
        generous,
        Labels(
            points=verdicts(
                generous,
                **{
                    "strong-consistency": "covered",
                    "since-2020-free": "partial",
                    "last-writer-wins": "partial",
                },
            )
        ),
    )
    grader.enqueue(failing, GradingError("the server said 500"))
    seen: list[str] = []
    results = run_eval(
        labelled, BANK, grader, concurrency=3, on_graded=lambda r: seen.append(r.label.answer)
    )
    assert [r.label.answer for r in results] == [exact, generous, failing]
    assert sorted(seen) == sorted([exact, generous, failing])

    report = build_report(results, grader="scripted", labels="x.jsonl")
    assert set(report.splits) == {"dev", "test", "all"}
    everything = report.splits["all"]
    assert (everything.answers, everything.graded, everything.failed) == (3, 2, 1)
    assert everything.point_labels == 6 and everything.point_accuracy == 0.5
    assert everything.rating_exact == 0.5
    assert everything.red_flag_false_negatives == 1 and everything.red_flag_recall == 0.0
    assert report.splits["test"].rating_exact == 1.0
    assert report.failures == ["mini-s3-consistency: the server said 500"]
    # rows are human bands poor..strong; the misconception (human poor) was rated solid
    assert report.rating_confusion[0] == [0, 0, 1, 0]
    assert report.rating_confusion[3] == [0, 0, 0, 1]
    covered, partial = VERDICTS.index(Verdict.COVERED), VERDICTS.index(Verdict.PARTIAL)
    contradicted = VERDICTS.index(Verdict.CONTRADICTED)
    assert report.point_confusion[contradicted][covered] == 1
    assert report.point_confusion[VERDICTS.index(Verdict.MISSED)][partial] == 2
    [worst] = report.worst
    assert worst.answer == generous and worst.human_rating is Rating.POOR
    assert worst.grader_rating is Rating.SOLID
    assert worst.red_flags_missed == ["eventual-consistency"]
    assert {d.point_id for d in worst.points} == {
        "strong-consistency",
        "since-2020-free",
        "last-writer-wins",
    }
    kinds = {k.kind: k for k in report.kinds}
    assert kinds["misconception"].mean_band_error == 2.0
    assert kinds["misconception"].bottom_two_bands == 0.0
    assert report.usage is not None
    assert report.usage.prompt_tokens == 200 and report.usage.cached_tokens == 80
    assert report.usage.cost_usd == pytest.approx(0.002)
    assert report.usage.latency_mean_s == 0.5
    assert report.model == "fake-1"


def test_red_flag_precision_counts_flags_the_human_did_not_raise() -> None:
    grader = ScriptedGrader()
    answer = "S3 was eventually consistent before 2020."
    grader.enqueue(
        answer,
        Labels(
            points=verdicts(answer, **{"since-2020-free": "partial"}),
            red_flags_hit=[RedFlagHit(flag_id="eventual-consistency", evidence=answer)],
        ),
    )
    results = run_eval([label(answer=answer)], BANK, grader)
    figures = agreement(results)
    assert figures.red_flag_false_positives == 1 and figures.red_flag_precision == 0.0


def test_empty_answers_are_screened_before_the_grader() -> None:
    grader = ScriptedGrader()
    results = run_eval([label(answer="   ", rating="poor")], BANK, grader)
    assert grader.asked == []
    assert results[0].grade is not None and results[0].grade.score == 0


def test_concurrency_must_be_positive() -> None:
    with pytest.raises(BadInputError, match="--concurrency"):
        run_eval([label()], BANK, ScriptedGrader(), concurrency=0)


# ---------------------------------------------------------------- baselines


def test_baseline_shortfalls_and_loading(tmp_path: Path) -> None:
    grader = ScriptedGrader()
    grader.enqueue("I am not sure.", Labels(points=[]))
    figures = agreement(run_eval([label(answer="I am not sure.", rating="poor")], BANK, grader))
    assert figures.rating_exact == 1.0
    assert baseline_shortfalls(figures, {"rating_exact": 1.0}) == []
    assert baseline_shortfalls(figures, {"point_accuracy": 0.9}) == [
        "point_accuracy: 0.3333 is below the baseline 0.9000"
    ]
    assert baseline_shortfalls(figures, {"rating_qwk": 0.5}) == [
        "rating_qwk: not measured (baseline 0.5000)"
    ]
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps({"_comment": "why", "test": {"rating_qwk": 0.6}}))
    assert load_baseline(path) == {"test": {"rating_qwk": 0.6}}
    path.write_text(json.dumps({"test": {"vibes": 1}}))
    with pytest.raises(BadInputError, match="'vibes' is not a known figure"):
        load_baseline(path)
    path.write_text("[1, 2]")
    with pytest.raises(BadInputError, match="expected an object of splits"):
        load_baseline(path)


# ---------------------------------------------------------------- the command


def test_eval_command_prints_the_report() -> None:
    from typer.testing import CliRunner

    from mockaws.cli import app

    result = CliRunner().invoke(
        app, ["eval", str(MINI_LABELS), "--grader", "offline", "--bank", str(MINI_BANK)]
    )
    assert result.exit_code == 0, result.stderr
    text = " ".join(result.stdout.split())
    for heading in ("rating: quadratic kappa", "points: Cohen's kappa", "red flags: recall"):
        assert heading in text
    # Over both splits there are two questions to resample, and every rating agrees.
    assert "95% interval" in text and "1.00 to 1.00" in text
    assert "Ratings" in text and "By kind of answer" in text
    assert "dev" in text and "test" in text


def test_eval_command_json_and_split(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mockaws.cli import app

    args = ["eval", str(MINI_LABELS), "-g", "offline", "--bank", str(MINI_BANK), "--json"]
    result = CliRunner().invoke(app, [*args, "--split", "test"])
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert list(report["splits"]) == ["test"]
    assert report["splits"]["test"]["answers"] == 2
    assert report["grader"] == "offline" and report["usage"] is None


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (["--split", "train"], 2, "--split: unknown split 'train'"),
        (["--baseline", "{missing}"], 2, "cannot read the baseline"),
        (["--baseline", "{high}"], 4, "test split: rating_exact"),
    ],
)
def test_eval_command_errors(tmp_path: Path, extra: list[str], code: int, message: str) -> None:
    from typer.testing import CliRunner

    from mockaws.cli import app

    high = tmp_path / "high.json"
    high.write_text(json.dumps({"test": {"rating_exact": 1.01}}))
    extra = [e.format(missing=tmp_path / "nope.json", high=high) for e in extra]
    args = ["eval", str(MINI_LABELS), "-g", "offline", "--bank", str(MINI_BANK), *extra]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == code
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_users_own_kinds_are_accepted_and_reported_by_kind(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from mockaws.cli import app

    path = tmp_path / "mine.jsonl"
    lines = [
        label(kind="plain-words").model_dump_json(),
        label(kind="[bold]non-native[/]", answer="S3 is strongly consistent.").model_dump_json(),
    ]
    path.write_text("\n".join(lines) + "\n")
    args = ["eval", str(path), "-g", "offline", "--bank", str(MINI_BANK)]
    report = json.loads(CliRunner().invoke(app, [*args, "--json"]).stdout)
    assert [k["kind"] for k in report["kinds"]] == ["[bold]non-native[/]", "plain-words"]
    # a kind is the user's text: shown as written, never read as markup
    shown = CliRunner().invoke(app, args)
    assert shown.exit_code == 0, shown.stderr
    assert "[bold]non-native[/]" in shown.stdout


def test_a_kind_with_control_characters_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    raw = label().model_dump(mode="json") | {"kind": "x\x1b[2J"}
    path.write_text(json.dumps(raw) + "\n")
    with pytest.raises(BadInputError, match=r"line 1: field 'kind'"):
        load_labels(path)
