"""The `mockaws` command line: a thin client of the mockaws package."""

from __future__ import annotations

from typing import Annotated

import typer

from mockaws import __version__
from mockaws.cli._app import App
from mockaws.cli.config import config_app
from mockaws.cli.doctor import doctor
from mockaws.cli.drill import drill
from mockaws.cli.eval import evaluate
from mockaws.cli.grade import grade
from mockaws.cli.interview import interview
from mockaws.cli.questions import questions_app
from mockaws.cli.regrade import regrade
from mockaws.cli.resume import resume
from mockaws.cli.stats import stats
from mockaws.cli.transcripts import transcripts_app
from mockaws.errors import ExitCode

app = App(
    name="mockaws",
    help="Practise AWS technical interviews in your terminal, graded point by point.",
)


def _show_version(value: bool) -> None:
    if value:
        typer.echo(f"mockaws {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Practise AWS technical interviews in your terminal, graded point by point."""


app.command("interview")(interview)
app.command("resume")(resume)
app.command("grade")(grade)
app.command("eval")(evaluate)
app.command("regrade")(regrade)
app.add_typer(questions_app, name="questions")
app.add_typer(config_app, name="config")
app.add_typer(transcripts_app, name="transcripts")
app.command("stats")(stats)
app.command("drill")(drill)
app.command("doctor")(doctor)


def main() -> None:
    """Console-script entry point."""
    import io
    import signal
    import sys

    # A stray byte that is not UTF-8 (a paste from another encoding, a binary file piped in)
    # becomes U+FFFD instead of ending the interview and losing what follows it.
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="replace")
    try:
        app()
    except KeyboardInterrupt:  # outside a command (start-up, Click's own parsing)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sys.exit(int(ExitCode.INTERRUPTED))
    except SystemExit as done:
        if done.code == ExitCode.INTERRUPTED:
            # Everything is saved: another Ctrl-C while exiting must not end the process by
            # the signal instead of with exit code 130.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise
