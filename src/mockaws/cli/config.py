"""`mockaws config`: the grader settings in effect, and where each one comes from."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from mockaws.cli._app import App
from mockaws.cli.options import BaseUrlOption, ModelOption

config_app = App(help="Show, set and edit the grader settings; find the config file.")

_SOURCE_NAMES = {
    "model": "MOCKAWS_MODEL",
    "base_url": "OPENAI_BASE_URL",
    "api_key": "OPENAI_API_KEY",
    "timeout": "MOCKAWS_TIMEOUT",
    "retries": "MOCKAWS_RETRIES",
    "reasoning_effort": "MOCKAWS_REASONING_EFFORT",
    "speech_model": "MOCKAWS_SPEECH_MODEL",
    "speech_base_url": "MOCKAWS_SPEECH_BASE_URL",
    "grade_timeout": "MOCKAWS_GRADE_TIMEOUT",
    "max_output_tokens": "MOCKAWS_MAX_OUTPUT_TOKENS",
    "temperature": "MOCKAWS_TEMPERATURE",
    "seed": "MOCKAWS_SEED",
}


@config_app.command("show")
def show(
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Show the effective grader settings (flags > environment > config file > defaults).

    The API key is masked. Set values in the environment or in the config file shown here, e.g.
    `model = "gpt-5.4-nano"` and `base_url = "http://localhost:11434/v1"`.

    Examples:
      mockaws config show
      mockaws config show --json
    """
    from mockaws import ui
    from mockaws.config import load_settings
    from mockaws.grading.llm import ServerMemory, output_cap
    from mockaws.prompts import prompt_version
    from mockaws.tokens import counter_name, price_for
    from mockaws.voice.settings import load_speech_settings

    settings = load_settings(model=model, base_url=base_url)
    speech = load_speech_settings(grader=settings)
    auto = "openai" if settings.model_configured else "offline"
    price = price_for(settings.model)
    remembered = ServerMemory().shape(settings.effective_base_url, settings.model)
    source_default_effort = settings.sources.get("reasoning_effort") == "default"
    values: dict[str, str | float | int | None] = {
        "model": settings.model,
        "base_url": settings.display_base_url,
        "api_key": settings.masked_key
        or ("(none needed)" if settings.base_url is not None else "(not set)"),
        "timeout": settings.timeout,
        "retries": settings.retries,
        "reasoning_effort": settings.reasoning_effort
        + (" (sent to OpenAI gpt-5 and o-series models)" if source_default_effort else ""),
        "grade_timeout": settings.grade_timeout,
        "max_output_tokens": settings.max_output_tokens
        or f"{output_cap(settings)} (chosen for this model)",
        "temperature": f"{settings.temperature:g} (not sent to reasoning models)",
        "seed": f"{settings.seed} (not sent to reasoning models)",
        "grader (auto)": auto,
        "response_format": remembered.describe()
        if remembered
        else "json_schema (structured outputs)",
        "price per 1M tokens": (
            f"${price.input} in, ${price.cached_input} cached, ${price.output} out"
            if price
            else "unknown (no cost shown)"
        ),
        "token counts": counter_name(settings.model),
        "speech_model": speech.model,
        "speech_base_url": speech.endpoint.display_base_url,
        "prompt_version": prompt_version(),
        "config file": f"{settings.config_file}"
        + ("" if settings.config_file and settings.config_file.is_file() else " (not found)"),
    }
    if as_json:
        typer.echo(json.dumps(values, indent=2))
        return

    def source(name: str) -> str:
        where = settings.sources.get(name) or speech.sources.get(name)
        if name == "speech_base_url" and where == "default":
            return "the grader's"
        if where == "env":
            return _SOURCE_NAMES[name]
        if where == "flag":
            return "--" + name.replace("_", "-")
        if where == "file":
            return "config file"
        if where == "default":
            return "default"
        if name == "response_format" and remembered:
            return "remembered for this server"
        return ""

    ui.settings_table([(name, str(value), source(name)) for name, value in values.items()])


@config_app.command("path")
def path() -> None:
    """Print the config file's path (it need not exist yet).

    Examples:
      mockaws config path
      cat "$(mockaws config path)"
    """
    from mockaws.config import config_path

    typer.echo(str(config_path()))


@config_app.command("set")
def set_value(
    key: Annotated[
        str,
        typer.Argument(
            metavar="KEY",
            help="model, base_url, api_key, timeout, retries or reasoning_effort.",
            autocompletion=lambda incomplete: [
                name for name in _SOURCE_NAMES if name.startswith(incomplete)
            ],
        ),
    ],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="The value to save.")],
) -> None:
    """Save one setting in the config file, keeping the file's other lines and comments.

    The value is checked first: a bad one is refused with the reason and the file is left as it
    was. Environment variables and flags still take precedence over the file.

    Examples:
      mockaws config set model gpt-5.4-mini
      mockaws config set base_url http://localhost:11434/v1
      mockaws config set timeout 120
    """
    from mockaws.config import config_path, mask_key, set_config_value

    target = config_path()
    saved = set_config_value(target, key, value)
    shown = mask_key(str(saved)) if key == "api_key" else saved
    typer.echo(f"{key} = {shown} (saved in {target})")


@config_app.command("edit")
def edit() -> None:
    """Open the config file in $VISUAL or $EDITOR, then check what was saved.

    Examples:
      mockaws config edit
      EDITOR=nano mockaws config edit
    """
    import os
    import shlex
    import subprocess

    from mockaws.config import config_path, load_settings
    from mockaws.errors import BadInputError, ConfigError
    from mockaws.files import atomic_write_text

    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    target = config_path()
    if not editor:
        raise ConfigError(
            f"no editor: set $VISUAL or $EDITOR, or edit {target} yourself "
            "(or use `mockaws config set KEY VALUE`)"
        )
    if not target.exists():
        atomic_write_text(target, _NEW_CONFIG)
    try:
        status = subprocess.run([*shlex.split(editor), str(target)], check=False).returncode
    except OSError as exc:
        raise BadInputError(f"cannot start the editor '{editor}': {exc.strerror}") from None
    if status != 0:
        raise BadInputError(f"the editor '{editor}' exited with code {status}")
    load_settings()  # a mistake in the file is reported now rather than at the next interview
    typer.echo(f"Saved {target}")


_NEW_CONFIG = """\
# mockaws settings (environment variables and flags take precedence); see `mockaws config show`.
# model = "gpt-5.4-nano"
# base_url = "http://localhost:11434/v1"
# timeout = 60
"""
