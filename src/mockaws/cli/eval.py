"""`mockaws eval`: measure a grader's agreement with hand-labelled answers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mockaws.cli.options import BankOption, BaseUrlOption, GraderOption, ModelOption


def evaluate(
    labels: Annotated[
        Path,
        typer.Argument(
            metavar="LABELS", help="JSON Lines file of labelled answers (e.g. evals/labels.jsonl)."
        ),
    ],
    grader: GraderOption = "auto",
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    split: Annotated[
        str, typer.Option("--split", "-s", metavar="SPLIT", help="Which answers: dev, test or all.")
    ] = "all",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    worst: Annotated[
        int,
        typer.Option("--worst", metavar="N", help="How many of the worst disagreements to show."),
    ] = 5,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency", "-c", metavar="N", help="Answers graded at once (LLM graders)."
        ),
    ] = 4,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            metavar="FILE",
            help="Fail (exit 4) if any split falls below the figures in this JSON file.",
        ),
    ] = None,
    bank: BankOption = None,
) -> None:
    """Grade hand-labelled answers and report how well the grader agrees with the labels.

    Reports per-point accuracy and Cohen's kappa, rating agreement (quadratic weighted kappa,
    exact and within-one, Spearman of scores against bands), a confusion matrix of ratings,
    red-flag precision and recall, figures per kind of answer, the worst disagreements and, for
    LLM graders, tokens, cost and latency. The kappa, precision and recall each come with a 95%
    interval from resampling the questions: how far the figure could move on other questions.

    Examples:
      mockaws eval evals/labels.jsonl --grader offline
      mockaws eval evals/labels.jsonl --split test --baseline evals/baseline.json
      mockaws eval evals/labels.jsonl --json > report.json
    """
    from mockaws import ui
    from mockaws.bank import load_bank
    from mockaws.config import load_settings
    from mockaws.errors import BadInputError, BelowBaselineError
    from mockaws.evaluation import (
        SPLITS,
        baseline_shortfalls,
        build_report,
        check_labels,
        load_baseline,
        load_labels,
        run_eval,
    )
    from mockaws.grading import make_grader

    if split not in (*SPLITS, "all"):
        raise BadInputError(f"--split: unknown split '{split}' (choose from: dev, test, all)")
    if worst < 0:
        raise BadInputError(f"--worst must be 0 or more (got {worst})")
    floors = load_baseline(baseline) if baseline is not None else {}
    loaded = load_bank(bank or [])
    labelled = load_labels(labels)
    check_labels(labelled, loaded, labels)
    chosen = [label for label in labelled if split in ("all", label.split)]
    if not chosen:
        raise BadInputError(f"{labels}: no labelled answers in the '{split}' split")
    chosen_grader, notice = make_grader(grader, load_settings(model=model, base_url=base_url))
    if notice:
        ui.notice(notice)
    with ui.progress(f"Grading with {chosen_grader.name}", len(chosen)) as advance:
        results = run_eval(
            chosen,
            loaded,
            chosen_grader,
            concurrency=concurrency,
            on_graded=lambda _: advance(),
        )
    report = build_report(results, grader=chosen_grader.name, labels=str(labels), worst=worst)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        ui.eval_report(report)
    shortfalls = [
        f"{name} split: {line}"
        for name, figures in floors.items()
        if name in report.splits
        for line in baseline_shortfalls(report.splits[name], figures)
    ]
    if shortfalls:
        raise BelowBaselineError(
            f"agreement fell below the baseline in {baseline}: " + "; ".join(shortfalls)
        )
