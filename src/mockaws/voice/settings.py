"""Speech endpoint settings, resolved like the grader's: flag > environment > config file.

The transcription endpoint defaults to the grader's server (`--base-url`, `OPENAI_BASE_URL`),
so one local server can do both; `--speech-base-url` / `MOCKAWS_SPEECH_BASE_URL` /
`speech_base_url` point it elsewhere. The API key is the grader's (`OPENAI_API_KEY`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from mockaws.config import Settings, Source, load_settings

# Whisper takes a prompt and gives word timings; gpt-4o-transcribe models give neither timings
# nor fillers as reliably, so the verbatim-friendly model is the default.
DEFAULT_SPEECH_MODEL = "whisper-1"
DEFAULT_TTS_MODEL = "gpt-4o-mini-tts"
DEFAULT_TTS_VOICE = "alloy"
# Silences at least this long count as long pauses.
DEFAULT_LONG_PAUSE_S = 1.0


@dataclass(frozen=True)
class SpeechSettings:
    """Where and how answers are transcribed, and questions spoken."""

    grader: Settings  # base URL, key, timeout and retries come from here unless overridden
    model: str = DEFAULT_SPEECH_MODEL
    base_url: str | None = None
    tts_model: str = DEFAULT_TTS_MODEL
    tts_voice: str = DEFAULT_TTS_VOICE
    sources: dict[str, Source] = field(default_factory=dict)

    @property
    def endpoint(self) -> Settings:
        """Grader-shaped settings for the speech server (same key, timeout and retries)."""
        return replace(self.grader, model=self.model, base_url=self.base_url)

    @property
    def host(self) -> str:
        return self.endpoint.base_url_host


def load_speech_settings(
    *,
    model: str | None = None,
    base_url: str | None = None,
    speech_model: str | None = None,
    speech_base_url: str | None = None,
    grader: Settings | None = None,
) -> SpeechSettings:
    """The effective speech settings: flags > environment > config file > the grader's server."""
    from mockaws.config import _check_base_url, _env, _load_config_file, config_path

    grader = grader or load_settings(model=model, base_url=base_url)
    path = grader.config_file or config_path()
    from_file = _load_config_file(path)
    sources: dict[str, Source] = {}

    def pick(name: str, flag: str | None, env: str | None, file: str | None) -> str | None:
        for source, value in (("flag", flag), ("env", env), ("file", file)):
            if value is not None:
                sources[name] = source  # type: ignore[assignment]
                return value
        sources[name] = "default"
        return None

    chosen_model = pick(
        "speech_model", speech_model, _env("MOCKAWS_SPEECH_MODEL"), from_file.speech_model
    )
    chosen_url = pick(
        "speech_base_url",
        speech_base_url,
        _env("MOCKAWS_SPEECH_BASE_URL"),
        from_file.speech_base_url,
    )
    if chosen_url is not None:
        where = {
            "flag": "--speech-base-url",
            "env": "MOCKAWS_SPEECH_BASE_URL",
            "file": f"{Path(path)}: speech_base_url",
        }
        chosen_url = _check_base_url(chosen_url, where[sources["speech_base_url"]])
    tts_model = pick("tts_model", None, _env("MOCKAWS_TTS_MODEL"), from_file.tts_model)
    tts_voice = pick("tts_voice", None, _env("MOCKAWS_TTS_VOICE"), from_file.tts_voice)
    return SpeechSettings(
        grader=grader,
        model=chosen_model or DEFAULT_SPEECH_MODEL,
        base_url=chosen_url or grader.base_url,
        tts_model=tts_model or DEFAULT_TTS_MODEL,
        tts_voice=tts_voice or DEFAULT_TTS_VOICE,
        sources=sources,
    )
