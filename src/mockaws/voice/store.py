"""Recordings kept beside the transcript: `<transcripts>/audio/<session id>/<n>-<question>.wav`.

WAV (16 kHz mono 16-bit, 1.92 MB a minute) is written with the standard library: every browser
and speech endpoint reads it, and no codec library has to be installed to keep or play it.
"""

from __future__ import annotations

import io
import re
import wave
from pathlib import Path

from mockaws.files import atomic_write_bytes
from mockaws.voice.capture import Recording

AUDIO_FOLDER = "audio"
# What `relative_audio_path` and the recorder write; anything else in a (hand-edited) transcript
# is not put in a web page.
_PLAYABLE = re.compile(r"audio/[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_.-]*\.wav")


def relative_audio_path(transcript_id: str, number: int, question_id: str, follow_up: int) -> str:
    """Where a recording lives, relative to the transcripts folder (always with '/')."""
    suffix = f"-f{follow_up}" if follow_up else ""
    return f"{AUDIO_FOLDER}/{transcript_id}/{number:02d}-{question_id}{suffix}.wav"


def wav_bytes(recording: Recording) -> bytes:
    """The recording as a WAV file."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(recording.sample_rate)
        writer.writeframes(recording.pcm)
    return buffer.getvalue()


def write_audio(path: Path, data: bytes) -> None:
    """Write a recording via a temp file and a rename, so a crash never leaves half a file."""
    atomic_write_bytes(path, data)


def read_recording(path: Path) -> Recording:
    """A kept WAV file as a Recording; ValueError unless mono 16-bit (as `wav_bytes` writes)."""
    with wave.open(str(path), "rb") as reader:
        if reader.getnchannels() != 1 or reader.getsampwidth() != 2:
            raise ValueError("not a mono 16-bit recording")
        return Recording(reader.readframes(reader.getnframes()), reader.getframerate())


def resolve(folder: Path, audio_file: str) -> Path | None:
    """The kept recording's path inside `folder`, or None if the reference leaves the folder."""
    base = (folder / AUDIO_FOLDER).resolve()
    candidate = (folder / audio_file).resolve()
    return candidate if candidate.is_relative_to(base) else None


def playable(audio_file: str | None) -> str | None:
    """The file name an exported page plays a recording by (the export puts the file beside
    the page), or None unless `audio_file` has the shape mockaws writes."""
    if not audio_file or not _PLAYABLE.fullmatch(audio_file):
        return None
    return audio_file.rpartition("/")[2]
