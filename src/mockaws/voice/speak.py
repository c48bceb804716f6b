"""Questions read aloud: a local synthesiser when one is installed, else the speech endpoint.

Speaking runs in the background and `stop()` ends it, so the candidate can start answering
(and recording) at once without the microphone picking up the question.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from typing import TYPE_CHECKING

from mockaws.errors import AudioError, TranscriptionError

if TYPE_CHECKING:
    from mockaws.voice.settings import SpeechSettings

LOCAL_SYNTHESISERS = ("espeak-ng", "say")


def local_synthesiser() -> str | None:
    """The path of espeak-ng (Linux) or `say` (macOS), if installed."""
    for name in LOCAL_SYNTHESISERS:
        found = shutil.which(name)
        if found:
            return found
    return None


class Speaker:
    """Reads text aloud in the background, one text at a time."""

    def __init__(self, settings: SpeechSettings | None = None) -> None:
        self.settings = settings
        self.local = local_synthesiser()
        self._process: subprocess.Popen[bytes] | None = None
        self._thread: threading.Thread | None = None
        self.problem: str | None = None

    @property
    def via(self) -> str:
        if self.local:
            return self.local.rsplit("/", 1)[-1]
        return f"{self.settings.host} /audio/speech" if self.settings else "nothing"

    def speak(self, text: str) -> None:
        """Start reading `text` aloud (stopping anything still being read)."""
        self.stop()
        if self.local:
            # The text is an argument, never a shell string; "--" ends the options.
            self._process = subprocess.Popen(
                [self.local, "--", text],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            return
        if self.settings is None:
            raise AudioError("no speech synthesiser: install espeak-ng, or configure an endpoint")
        self._thread = threading.Thread(target=self._from_endpoint, args=(text,), daemon=True)
        self._thread.start()

    def _from_endpoint(self, text: str) -> None:
        try:
            play_wav(synthesise(text, self.settings))  # type: ignore[arg-type]
        except (AudioError, TranscriptionError) as exc:
            self.problem = str(exc)

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait()
        self._process = None
        if self._thread is not None:
            from mockaws.voice.capture import load_sounddevice

            load_sounddevice().stop()
            self._thread = None


def synthesise(text: str, settings: SpeechSettings) -> bytes:
    """WAV audio of `text` from `/v1/audio/speech` (TranscriptionError on failure)."""
    from openai import OpenAIError

    from mockaws.openai_client import openai_client
    from mockaws.voice.transcribe import failure

    client = openai_client(settings.endpoint)
    try:
        reply = client.audio.speech.create(
            model=settings.tts_model, voice=settings.tts_voice, input=text, response_format="wav"
        )
    except OpenAIError as exc:
        raise failure(exc, settings, "speech") from None
    return reply.read()


def play_wav(data: bytes) -> None:
    """Play WAV bytes on the default output device."""
    import io
    import wave

    from mockaws.voice.capture import load_sounddevice

    sd = load_sounddevice()
    import numpy as np

    with wave.open(io.BytesIO(data), "rb") as reader:
        rate, channels = reader.getframerate(), reader.getnchannels()
        samples = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")
    sd.play(samples.reshape(-1, channels), rate)
    sd.wait()
