"""`mockaws config`: the grader settings in effect, and where each one comes from."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from mockaws.cli._app import App
from mockaws.cli.options import BaseUrlOption, ModelOption

config_app = App(help="Show the grader settings in effect.")

_SOURCE_NAMES = {
    "model": "MOCKAWS_MODEL",
    "base_url": "OPENAI_BASE_URL",
    "api_key": "OPENAI_API_KEY",
    "timeout": "MOCKAWS_TIMEOUT",
    "retries": "MOCKAWS_RETRIES",
    "reasoning_effort": "MOCKAWS_REASONING_EFFORT",
    "speech_model": "MOCKAWS_SPEECH_MODEL",
    "speech_base_url": "MOCKAWS_SPEECH_BASE_URL",
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
    """
    from mockaws import ui
    from mockaws.config import load_settings
    from mockaws.grading.llm import ServerMemory
    from mockaws.prompts import prompt_version
    from mockaws.tokens import counter_for, price_for
    from mockaws.voice.settings import load_speech_settings

    settings = load_settings(model=model, base_url=base_url)
    speech = load_speech_settings(grader=settings)
    auto = "openai" if settings.model_configured else "offline"
    price = price_for(settings.model)
    remembered = ServerMemory().mode(settings.effective_base_url)
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
        "grader (auto)": auto,
        "response_format": remembered or "json_schema (structured outputs)",
        "price per 1M tokens": (
            f"${price.input} in, ${price.cached_input} cached, ${price.output} out"
            if price
            else "unknown (no cost shown)"
        ),
        "token counts": counter_for(settings.model).name,
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
