"""Options for spoken answers, shared by `interview` and `drill`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from mockaws.config import Settings
    from mockaws.ui.voice import VoiceInput
    from mockaws.voice.settings import SpeechSettings

VoiceOption = Annotated[
    bool,
    typer.Option(
        "--voice",
        help="Speak your answers: Enter starts and stops recording, the transcript opens in "
        "the editor for corrections (needs `pip install 'mockaws[voice]'`).",
    ),
]
KeepAudioOption = Annotated[
    bool,
    typer.Option(
        "--keep-audio/--no-keep-audio",
        help="Keep recordings beside the transcript (a recording not transcribed yet is kept "
        "until it is).",
    ),
]
SpeakQuestionsOption = Annotated[
    bool,
    typer.Option(
        "--speak-questions",
        help="Read each question aloud (espeak-ng or macOS say if installed, else the "
        "endpoint's /audio/speech).",
    ),
]
SpeechModelOption = Annotated[
    str | None,
    typer.Option(
        "--speech-model",
        metavar="NAME",
        help="Transcription model [env: MOCKAWS_SPEECH_MODEL; default whisper-1].",
        show_default=False,
    ),
]
SpeechBaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--speech-base-url",
        metavar="URL",
        help="Speech endpoint, if not the grader's server [env: MOCKAWS_SPEECH_BASE_URL].",
        show_default=False,
    ),
]
AudioDeviceOption = Annotated[
    str | None,
    typer.Option(
        "--audio-device",
        metavar="NAME|INDEX",
        help="Microphone to record from [env: MOCKAWS_AUDIO_DEVICE; default: the system's].",
        show_default=False,
    ),
]
LongPauseOption = Annotated[
    float,
    typer.Option(
        "--long-pause", metavar="SECONDS", help="Silences at least this long count as pauses."
    ),
]
StopAfterSilenceOption = Annotated[
    float | None,
    typer.Option(
        "--stop-after-silence",
        metavar="SECONDS",
        help="Stop recording after this much silence (default: only Enter stops).",
        show_default=False,
    ),
]


def voice_input(
    *,
    enabled: bool,
    grader_settings: Settings,
    folder: Path,
    keep_audio: bool,
    speak_questions: bool,
    speech_model: str | None,
    speech_base_url: str | None,
    audio_device: str | None,
    long_pause: float,
    stop_after_silence: float | None,
) -> VoiceInput | None:
    """The terminal voice input for an interview (None unless `enabled`), or a one-line error
    saying what is missing."""
    if not enabled:
        return None
    from mockaws import ui
    from mockaws.errors import BadInputError
    from mockaws.ui.voice import VoiceInput, VoiceOptions
    from mockaws.voice.settings import load_speech_settings

    if not ui.is_interactive():
        raise BadInputError("--voice needs a terminal: recording is started and stopped by keys")
    if not 0.2 <= long_pause <= 30:
        raise BadInputError(f"--long-pause must be 0.2 to 30 seconds (got {long_pause:g})")
    if stop_after_silence is not None and not 0.5 <= stop_after_silence <= 60:
        raise BadInputError(
            f"--stop-after-silence must be 0.5 to 60 seconds (got {stop_after_silence:g})"
        )
    speech = load_speech_settings(
        speech_model=speech_model, speech_base_url=speech_base_url, grader=grader_settings
    )
    return VoiceInput(
        VoiceOptions(
            speech=speech,
            folder=folder,
            keep_audio=keep_audio,
            long_pause_s=long_pause,
            stop_after_silence_s=stop_after_silence,
            device=audio_device,
            speak_questions=speak_questions,
        )
    )


def speech_settings(
    grader_settings: Settings, speech_model: str | None, speech_base_url: str | None
) -> SpeechSettings:
    """The speech endpoint's settings given the command's flags."""
    from mockaws.voice.settings import load_speech_settings

    return load_speech_settings(
        speech_model=speech_model, speech_base_url=speech_base_url, grader=grader_settings
    )
