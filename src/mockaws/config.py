"""The settings commands share (where user state lives is `home.py`).

Grader settings come from, in order of precedence: command-line flags, environment variables, the
config file (`config.toml` in the user's config folder), then defaults. `Settings.sources` says
which of these each value came from, so `mockaws config show` can explain itself.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, TypeVar, get_args
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from mockaws.errors import ConfigError

# Re-exported (hence `as`): where user state lives is known without importing pydantic.
from mockaws.home import CONFIG_ENV as CONFIG_ENV  # noqa: PLC0414
from mockaws.home import HOME_ENV as HOME_ENV  # noqa: PLC0414
from mockaws.home import cache_dir as cache_dir  # noqa: PLC0414
from mockaws.home import config_path as config_path  # noqa: PLC0414
from mockaws.home import home_dir as home_dir  # noqa: PLC0414
from mockaws.home import transcripts_dir as transcripts_dir  # noqa: PLC0414

# A current small, cheap OpenAI model: a 10-question interview costs about a cent with it.
DEFAULT_MODEL = "gpt-5.4-nano"
OPENAI_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_RETRIES = 2
# One grade, whatever the server does (connect, retries, waits, a reply trickling in), ends
# within this: a grade in an interview must not hold the candidate up for minutes.
DEFAULT_GRADE_TIMEOUT_S = 60.0
# Deterministic sampling where the model allows it, so a regrade shows changes, not noise.
DEFAULT_TEMPERATURE = 0.0
DEFAULT_SEED = 20240601
ReasoningEffort = Literal["off", "none", "minimal", "low", "medium", "high"]
# OpenAI reasoning models think before they answer; "low" keeps a grade cheap and quick.
DEFAULT_REASONING_EFFORT: ReasoningEffort = "low"
# Local servers ignore the key, but the SDK insists on one.
PLACEHOLDER_KEY = "not-needed"

Source = Literal["flag", "env", "file", "default"]
T = TypeVar("T")
Number = TypeVar("Number", int, float)


class ConfigFile(BaseModel):
    """What the config file may hold; anything else is a mistake worth reporting."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    model: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = None
    base_url: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = None
    api_key: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = None
    timeout: float | None = Field(default=None, gt=0, le=3600)
    retries: int | None = Field(default=None, ge=0, le=10)
    reasoning_effort: ReasoningEffort | None = None
    # Spoken answers (`--voice`): see `voice/settings.py`.
    speech_model: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = (
        None
    )
    speech_base_url: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None
    ) = None
    tts_model: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = None
    tts_voice: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = None
    grade_timeout: float | None = Field(default=None, gt=0, le=3600)
    max_output_tokens: int | None = Field(default=None, ge=64, le=65536)
    temperature: float | None = Field(default=None, ge=0, le=2)
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1)


@dataclass(frozen=True)
class Settings:
    """The effective grader settings, and where each one came from."""

    model: str = DEFAULT_MODEL
    base_url: str | None = None  # None: OpenAI's own endpoint
    api_key: str | None = None
    timeout: float = DEFAULT_TIMEOUT_S
    retries: int = DEFAULT_RETRIES
    reasoning_effort: ReasoningEffort = DEFAULT_REASONING_EFFORT
    grade_timeout: float = DEFAULT_GRADE_TIMEOUT_S
    max_output_tokens: int | None = None  # None: chosen per model (see grading/llm.py)
    temperature: float = DEFAULT_TEMPERATURE
    seed: int = DEFAULT_SEED
    sources: dict[str, Source] = field(default_factory=dict)
    config_file: Path | None = None

    @property
    def effective_base_url(self) -> str:
        return self.base_url or OPENAI_BASE_URL

    @property
    def display_base_url(self) -> str:
        """The endpoint as it may be stored or shown: without credentials in its userinfo."""
        from mockaws.safety import without_userinfo

        return without_userinfo(self.effective_base_url)

    @property
    def base_url_host(self) -> str:
        """Host (and port) of the endpoint: safe to record, unlike the URL's credentials."""
        return urlsplit(self.effective_base_url).netloc.rpartition("@")[2] or "unknown"

    @property
    def is_local(self) -> bool:
        """A server on this machine, which needs no real key."""
        host = urlsplit(self.effective_base_url).hostname or ""
        return host in {"localhost", "127.0.0.1", "::1", "0.0.0.0"} or host.endswith(".local")

    @property
    def model_configured(self) -> bool:
        """True when the user chose a model or an endpoint, so `--grader auto` uses the LLM."""
        return self.sources.get("model", "default") != "default" or self.base_url is not None

    @property
    def masked_key(self) -> str | None:
        return mask_key(self.api_key)


def mask_key(key: str | None) -> str | None:
    """Enough of a key to tell two apart, never enough to use it."""
    if not key:
        return None
    if len(key) < 16:
        return "*" * 8
    return f"{key[:3]}…{key[-4:]}"


def _load_config_file(path: Path) -> ConfigFile:
    if not path.is_file():
        # Every field's default, without building the validator: nothing here to check.
        return ConfigFile.model_construct()
    from mockaws.files import describe_os_error, read_text

    try:
        data = tomllib.loads(read_text(path))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {describe_os_error(exc)}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: cannot read config file: not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply to read") from None
    try:
        return ConfigFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        raise ConfigError(f"{path}: field '{where}': {first['msg']}") from exc


def set_config_value(path: Path, key: str, value: str) -> str | float | int:
    """Save `key = value` in the config file, checked first; other lines and comments are kept.

    Returns the value as saved (a number for timeout and retries).
    """
    import json
    import re

    from mockaws.errors import unknown_choice
    from mockaws.files import atomic_write_text

    keys = list(ConfigFile.model_fields)
    if key not in keys:
        raise ConfigError(unknown_choice("setting", key, keys))
    current = _load_config_file(path)
    try:
        checked = ConfigFile.model_validate({**current.model_dump(exclude_none=True), key: value})
    except ValidationError as exc:
        raise ConfigError(f"{key}: {exc.errors()[0]['msg']} (got '{value}')") from None
    saved: str | float | int = getattr(checked, key)
    if key == "base_url":
        saved = _check_base_url(str(saved), key)
    literal = json.dumps(saved) if isinstance(saved, str) else repr(saved)
    line = f"{key} = {literal}"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    # Only a top-level assignment (before any [table]) is this setting.
    head, table, rest = text.partition("\n[")
    pattern = re.compile(rf"^{re.escape(key)}\s*=.*$", re.MULTILINE)
    if pattern.search(head):
        head = pattern.sub(lambda _: line, head, count=1)
    else:
        head = (head.rstrip("\n") + "\n" if head.strip() else "") + line + "\n"
    atomic_write_text(path, head + table + rest)
    return saved


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _env_number(name: str, kind: type[Number], low: Number, high: Number) -> Number | None:
    raw = _env(name)
    if raw is None:
        return None
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected a number, got '{raw}'") from None
    if not low <= value <= high:
        raise ConfigError(f"{name}: {raw} is out of range ({low} to {high})")
    return value


def _check_base_url(url: str, where: str) -> str:
    from mockaws.safety import register_secret, without_userinfo

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError as exc:
        shown = without_userinfo(url)
        raise ConfigError(f"{where}: '{shown}' is not a valid URL ({exc})") from None
    register_secret(parts.password)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ConfigError(
            f"{where}: '{without_userinfo(url)}' is not an http(s) URL "
            "(e.g. http://localhost:11434/v1)"
        )
    return url.rstrip("/")


def load_settings(
    *,
    model: str | None = None,
    base_url: str | None = None,
) -> Settings:
    """The effective settings: flags (the arguments) > environment > config file > defaults."""
    path = config_path()
    from_file = _load_config_file(path)
    sources: dict[str, Source] = {}

    def pick(name: str, flag: T | None, env: T | None, file: T | None, default: T) -> T:
        candidates: tuple[tuple[Source, T | None], ...] = (
            ("flag", flag),
            ("env", env),
            ("file", file),
        )
        for source, value in candidates:
            if value is not None:
                sources[name] = source
                return value
        sources[name] = "default"
        return default

    chosen_model = pick("model", model, _env("MOCKAWS_MODEL"), from_file.model, DEFAULT_MODEL)
    chosen_url = pick("base_url", base_url, _env("OPENAI_BASE_URL"), from_file.base_url, None)
    if chosen_url is not None:
        where = {"flag": "--base-url", "env": "OPENAI_BASE_URL", "file": f"{path}: base_url"}
        chosen_url = _check_base_url(chosen_url, where[sources["base_url"]])
    effort = _env("MOCKAWS_REASONING_EFFORT")
    efforts: tuple[ReasoningEffort, ...] = get_args(ReasoningEffort)
    if effort is not None and effort not in efforts:
        raise ConfigError(
            f"MOCKAWS_REASONING_EFFORT: unknown value '{effort}' "
            f"(choose from: {', '.join(efforts)})"
        )
    env_effort = next((e for e in efforts if e == effort), None)
    api_key = pick("api_key", None, _env("OPENAI_API_KEY"), from_file.api_key, None)
    from mockaws.safety import register_secret

    register_secret(api_key)
    return Settings(
        model=chosen_model,
        base_url=chosen_url,
        api_key=api_key,
        timeout=pick(
            "timeout",
            None,
            _env_number("MOCKAWS_TIMEOUT", float, 0.001, 3600.0),
            from_file.timeout,
            DEFAULT_TIMEOUT_S,
        ),
        retries=pick(
            "retries",
            None,
            _env_number("MOCKAWS_RETRIES", int, 0, 10),
            from_file.retries,
            DEFAULT_RETRIES,
        ),
        reasoning_effort=pick(
            "reasoning_effort",
            None,
            env_effort,
            from_file.reasoning_effort,
            DEFAULT_REASONING_EFFORT,
        ),
        grade_timeout=pick(
            "grade_timeout",
            None,
            _env_number("MOCKAWS_GRADE_TIMEOUT", float, 1.0, 3600.0),
            from_file.grade_timeout,
            DEFAULT_GRADE_TIMEOUT_S,
        ),
        max_output_tokens=pick(
            "max_output_tokens",
            None,
            _env_number("MOCKAWS_MAX_OUTPUT_TOKENS", int, 64, 65536),
            from_file.max_output_tokens,
            None,
        ),
        temperature=pick(
            "temperature",
            None,
            _env_number("MOCKAWS_TEMPERATURE", float, 0.0, 2.0),
            from_file.temperature,
            DEFAULT_TEMPERATURE,
        ),
        seed=pick(
            "seed",
            None,
            _env_number("MOCKAWS_SEED", int, 0, 2**31 - 1),
            from_file.seed,
            DEFAULT_SEED,
        ),
        sources=sources,
        config_file=path,
    )
