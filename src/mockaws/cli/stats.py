"""`mockaws stats`: progress across every saved session."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from mockaws.cli.options import BankOption, TrackOption, TranscriptsDirOption


def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    top: Annotated[
        int,
        typer.Option(
            "--top", metavar="N", help="How many of the most-missed rubric points to list."
        ),
    ] = 10,
    track: TrackOption = None,
    transcripts_dir: TranscriptsDirOption = None,
    bank: BankOption = None,
) -> None:
    """Show your progress: averages per topic and level and per kind, trend, most-missed points.

    Also counts the bank questions you have never attempted. With --track, only the questions
    of those roles count. Unreadable transcript files are reported on stderr and skipped.

    Examples:
      mockaws stats
      mockaws stats --track sre --top 5
      mockaws stats --json
    """
    from mockaws import ui
    from mockaws.bank import load_bank, parse_tracks
    from mockaws.cli.transcripts import load_user_history
    from mockaws.errors import BadInputError
    from mockaws.history import compute_stats

    if top < 0:
        raise BadInputError(f"--top must be 0 or more (got {top})")
    tracks = parse_tracks(track or [])
    history = load_user_history(transcripts_dir)
    ui.load_problems(history.problems)
    figures = compute_stats(history, load_bank(bank or []).questions, top_missed=top, tracks=tracks)
    if as_json:
        typer.echo(json.dumps(figures.to_json(), indent=2))
    else:
        ui.stats_report(figures)
