"""Verbatim transcripts from the speech endpoint of an OpenAI-compatible server.

`/v1/audio/transcriptions` through the openai SDK. Whisper-style models tidy speech up (they drop
"um" and "uh") unless the prompt itself shows disfluencies, so it does; with `verbose_json` and
word timestamps the pauses can be placed between the exact words.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from mockaws.errors import TranscriptionError
from mockaws.models import WordTime
from mockaws.openai_client import describe_failure, openai_client
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
    from openai import OpenAIError

    client = openai_client(settings.endpoint)
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


def failure(
    exc: Exception,
    settings: SpeechSettings,
    api: Literal["transcriptions", "speech"] = "transcriptions",
) -> TranscriptionError:
    """One line saying why a speech request failed, after the SDK's own retries."""
    endpoint = settings.endpoint
    return TranscriptionError(
        describe_failure(
            exc, api, host=settings.host, timeout=endpoint.timeout, tries=endpoint.retries
        )
    )
