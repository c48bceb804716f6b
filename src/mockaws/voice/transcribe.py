"""Verbatim transcripts from the speech endpoint of an OpenAI-compatible server.

`/v1/audio/transcriptions` through the openai SDK. Whisper-style models tidy speech up (they drop
"um" and "uh") unless the prompt itself shows disfluencies, so it does; with `verbose_json` and
word timestamps the pauses can be placed between the exact words.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockaws.errors import TranscriptionError
from mockaws.models import WordTime
from mockaws.safety import clean

if TYPE_CHECKING:
    from mockaws.voice.settings import SpeechSettings

# Shows the model the transcript keeps fillers and false starts as said.
VERBATIM_PROMPT = (
    "Umm, so, uh, the answer is, like, you know, I'd... I would put it behind a, um, "
    "load balancer. Hmm, basically, yeah."
)
# Models known not to take verbose_json with word timings.
_PLAIN_JSON_PREFIXES = ("gpt-4o",)


@dataclass(frozen=True)
class Transcription:
    text: str
    words: list[WordTime] = field(default_factory=list)
    seconds: float = 0.0  # how long the endpoint took


def transcribe(
    wav: bytes, settings: SpeechSettings, *, filename: str = "answer.wav"
) -> Transcription:
    """The verbatim transcript of a WAV recording, or a TranscriptionError in one line."""
    from openai import OpenAI, OpenAIError

    from mockaws.config import PLACEHOLDER_KEY

    endpoint = settings.endpoint
    client = OpenAI(
        api_key=endpoint.api_key or PLACEHOLDER_KEY,
        base_url=endpoint.effective_base_url,
        timeout=endpoint.timeout,
        max_retries=endpoint.retries,
    )
    timed = not settings.model.startswith(_PLAIN_JSON_PREFIXES)
    options: dict[str, Any] = (
        {"response_format": "verbose_json", "timestamp_granularities": ["word"]}
        if timed
        else {"response_format": "json"}
    )
    started = time.monotonic()
    try:
        reply = client.audio.transcriptions.create(
            model=settings.model,
            file=(filename, wav, "audio/wav"),
            prompt=VERBATIM_PROMPT,
            **options,
        )
    except OpenAIError as exc:
        raise failure(exc, settings) from None
    elapsed = time.monotonic() - started
    text = getattr(reply, "text", None)
    if not isinstance(text, str):
        raise TranscriptionError(f"{settings.host} sent a transcription reply without text")
    # Shown in the editor and saved: a server's text never carries terminal escape sequences.
    return Transcription(
        clean(text).strip(), _words(getattr(reply, "words", None)), round(elapsed, 3)
    )


def _words(raw: Any) -> list[WordTime]:
    words: list[WordTime] = []
    for item in raw or []:
        get = item.get if isinstance(item, dict) else lambda key, i=item: getattr(i, key, None)
        word, start, end = get("word"), get("start"), get("end")
        if (
            isinstance(word, str)
            and isinstance(start, int | float)
            and isinstance(end, int | float)
        ):
            words.append(WordTime(word=word.strip(), start=float(start), end=float(end)))
    return words


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def failure(
    exc: Exception, settings: SpeechSettings, what: str = "transcriptions"
) -> TranscriptionError:
    """One line saying why a speech request failed, after the SDK's own retries."""
    import openai

    host = settings.host
    tries = settings.endpoint.retries
    after = f" after {tries} {'retry' if tries == 1 else 'retries'}" if tries else ""
    body = getattr(exc, "body", None)
    inner = body.get("error", body) if isinstance(body, dict) else None
    message = inner.get("message") if isinstance(inner, dict) else None
    detail = clean(_one_line(str(message or getattr(exc, "message", "") or exc)))
    if isinstance(exc, openai.APITimeoutError):
        return TranscriptionError(
            f"the speech endpoint at {host} did not answer within "
            f"{settings.endpoint.timeout:g} s{after} (MOCKAWS_TIMEOUT)"
        )
    if isinstance(exc, openai.APIConnectionError):
        return TranscriptionError(f"cannot reach the speech endpoint at {host}{after}")
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if isinstance(exc, openai.RateLimitError):
            return TranscriptionError(f"{host} is rate limiting {what} (HTTP 429){after}")
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            return TranscriptionError(
                f"{host} refused the API key (HTTP {status}); check OPENAI_API_KEY"
            )
        if isinstance(exc, openai.NotFoundError):
            return TranscriptionError(
                f"{host} has no model or no /audio/{what} for it (HTTP 404): {detail}"
            )
        if status >= 500:
            return TranscriptionError(
                f"the speech endpoint at {host} failed (HTTP {status}){after}"
            )
        return TranscriptionError(f"{host} rejected the recording (HTTP {status}): {detail}")
    return TranscriptionError(f"transcription failed: {detail}")
