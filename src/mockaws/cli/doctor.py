"""`mockaws doctor`: check the installation and the model set-up in one screen."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from mockaws.cli.options import BankOption, BaseUrlOption, ModelOption
from mockaws.cli.voice_options import SpeechBaseUrlOption, SpeechModelOption


def doctor(
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the checks as JSON (the shape is in the README).")
    ] = False,
    bank: BankOption = None,
    voice: Annotated[
        bool,
        typer.Option(
            "--voice",
            help="Also check the speech endpoint (sends half a second of silence to transcribe).",
        ),
    ] = False,
    speech_model: SpeechModelOption = None,
    speech_base_url: SpeechBaseUrlOption = None,
) -> None:
    """Check that mockaws is ready: home folder, bank, token counts and the model server.

    With a model configured it grades one short answer through the model, as an interview would:
    whether the server answers, which response format it accepts (remembered for later), the
    round-trip time and the price known for the model. For spoken answers it lists the audio
    library and the microphone a recording would use, and with --voice transcribes half a second
    of silence through the speech endpoint. Exits with code 3 if the model or the speech endpoint
    cannot do its job, 2 if the bank does not load, 5 if the home folder is not writable.

    Examples:
      mockaws doctor
      mockaws doctor --base-url http://localhost:8080/v1 --model local
      mockaws doctor --json
      mockaws doctor --voice --speech-base-url http://localhost:8000/v1
    """
    from mockaws import ui
    from mockaws.config import home_dir, load_settings
    from mockaws.doctor import Status, check_voice, run_checks, to_json
    from mockaws.errors import ExitCode
    from mockaws.voice.settings import load_speech_settings

    settings = load_settings(model=model, base_url=base_url)
    checks = run_checks(settings, home_dir(), bank or [])
    speech = load_speech_settings(
        speech_model=speech_model, speech_base_url=speech_base_url, grader=settings
    )
    checks += check_voice(speech, check_endpoint=voice)
    if as_json:
        typer.echo(json.dumps(to_json(checks), indent=2))
    else:
        ui.doctor_report([(c.name, c.status.value, c.detail) for c in checks])
    failed = {c.name for c in checks if c.status is Status.FAIL}
    for name, code in (
        ("home folder", ExitCode.CANNOT_SAVE),
        ("question bank", ExitCode.BAD_INPUT),
        ("model server", ExitCode.GRADER_FAILED),
        ("speech endpoint", ExitCode.GRADER_FAILED),
    ):
        if name in failed:
            raise typer.Exit(int(code))
