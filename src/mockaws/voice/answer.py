"""A recording made into a spoken answer: measured, transcribed, kept.

Transcription failures never lose the recording: it is written even with `keep_audio` off
(marked to be deleted once transcribed), and `transcribe_pending` finishes it later.
"""

from __future__ import annotations

import contextlib
import wave
from pathlib import Path

from mockaws.errors import TranscriptionError
from mockaws.models import Pause, Spoken
from mockaws.voice.capture import Recording
from mockaws.voice.settings import SpeechSettings
from mockaws.voice.store import read_recording, resolve, wav_bytes, write_audio


def spoken_answer(
    recording: Recording,
    settings: SpeechSettings,
    *,
    folder: Path,
    relative_path: str,
    keep_audio: bool,
    long_pause_s: float,
) -> Spoken:
    """Measure, transcribe and (when kept or not yet transcribed) save one recording."""
    from mockaws.voice.analyse import find_speech

    activity = find_speech(recording.pcm, recording.sample_rate, long_pause_s)
    wav = wav_bytes(recording)
    spoken = Spoken(
        recorded_seconds=round(recording.seconds, 2),
        sample_rate=recording.sample_rate,
        speech_start=activity.speech_start,
        speech_end=activity.speech_end,
        pauses=[Pause(start=start, seconds=seconds) for start, seconds in activity.pauses],
        model=settings.model,
        base_url_host=settings.host,
    )
    # On disk before the network call: a crash or a kill while transcribing keeps the recording.
    path = folder / relative_path
    try:
        write_audio(path, wav)
    except OSError as exc:
        from mockaws.files import describe_os_error

        spoken.audio_problem = f"the recording could not be saved: {describe_os_error(exc)}"
    else:
        spoken.audio_file = relative_path
        spoken.audio_bytes = len(wav)
    try:
        finish_transcript(spoken, wav, settings)
    except TranscriptionError as exc:
        spoken.transcribe_error = str(exc)
    if not keep_audio and spoken.audio_file is not None:
        if spoken.needs_transcript:
            spoken.delete_when_transcribed = True  # kept until `mockaws regrade` transcribes it
        else:
            with contextlib.suppress(OSError):
                path.unlink()
            spoken.audio_file = None
            spoken.audio_bytes = 0
    return spoken


def finish_transcript(spoken: Spoken, wav: bytes, settings: SpeechSettings) -> None:
    """Transcribe `wav` into `spoken` (TranscriptionError if the endpoint fails)."""
    from mockaws.voice.transcribe import transcribe

    result = transcribe(wav, settings)
    spoken.raw_transcript = result.text
    spoken.words = result.words
    spoken.transcribe_seconds = result.seconds
    spoken.transcribe_error = None
    spoken.model = settings.model
    spoken.base_url_host = settings.host


def transcribe_kept(spoken: Spoken, folder: Path, settings: SpeechSettings) -> None:
    """Transcribe a kept recording whose transcription failed before (TranscriptionError)."""
    if spoken.audio_file is None:
        raise TranscriptionError("the recording was not kept, so it cannot be transcribed")
    path = resolve(folder, spoken.audio_file)
    if path is None or not path.is_file():
        raise TranscriptionError(f"the recording {spoken.audio_file} is missing")
    try:
        recording = read_recording(path)
    except (OSError, EOFError, ValueError, wave.Error) as exc:
        raise TranscriptionError(
            f"the recording {spoken.audio_file} cannot be read: {exc}"
        ) from None
    try:
        finish_transcript(spoken, wav_bytes(recording), settings)
    except TranscriptionError as exc:
        spoken.transcribe_error = str(exc)
        raise
    if spoken.delete_when_transcribed:
        with contextlib.suppress(OSError):
            path.unlink()
        spoken.audio_file = None
        spoken.audio_bytes = 0
