"""A report on spoken answers: the audio library, devices, synthesiser and speech endpoint.

Meant for `mockaws doctor`; it prints nothing itself. Checking the endpoint sends half a second
of silence to `/audio/transcriptions` (on OpenAI that costs a fraction of a cent).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mockaws.errors import AudioError, TranscriptionError
from mockaws.voice.settings import SpeechSettings


@dataclass(frozen=True)
class AudioDevice:
    index: int
    name: str
    inputs: int
    outputs: int
    default_input: bool = False
    default_output: bool = False


@dataclass(frozen=True)
class VoiceHealth:
    """What works for spoken answers here, and what to fix where it does not."""

    audio_problem: str | None  # None: sounddevice and PortAudio load
    portaudio: str | None  # PortAudio's version text
    devices: list[AudioDevice] = field(default_factory=list)
    input_device: str | None = None  # the device a recording would use
    synthesiser: str | None = None
    endpoint_host: str = ""
    model: str = ""
    endpoint_ok: bool | None = None  # None: not checked
    endpoint_problem: str | None = None

    @property
    def ready(self) -> bool:
        return (
            self.audio_problem is None
            and self.input_device is not None
            and (self.endpoint_ok is not False)
        )


def voice_health(
    settings: SpeechSettings, *, device: str | None = None, check_endpoint: bool = True
) -> VoiceHealth:
    """Audio devices, the input a recording would use, the synthesiser and the endpoint's health."""
    from mockaws.voice.capture import check_input, load_sounddevice
    from mockaws.voice.speak import local_synthesiser

    audio_problem: str | None = None
    portaudio: str | None = None
    devices: list[AudioDevice] = []
    input_device: str | None = None
    try:
        sd = load_sounddevice()
        portaudio = str(sd.get_portaudio_version()[1])
        default_in, default_out = sd.default.device
        listed: Any = sd.query_devices()
        for index, info in enumerate(listed):
            devices.append(
                AudioDevice(
                    index=index,
                    name=str(info["name"]),
                    inputs=int(info["max_input_channels"]),
                    outputs=int(info["max_output_channels"]),
                    default_input=index == default_in,
                    default_output=index == default_out,
                )
            )
        input_device = check_input(device)
    except AudioError as exc:
        audio_problem = str(exc)
    endpoint_ok: bool | None = None
    endpoint_problem: str | None = None
    if check_endpoint:
        endpoint_ok, endpoint_problem = _check_endpoint(settings)
    return VoiceHealth(
        audio_problem=audio_problem,
        portaudio=portaudio,
        devices=devices,
        input_device=input_device,
        synthesiser=local_synthesiser(),
        endpoint_host=settings.host,
        model=settings.model,
        endpoint_ok=endpoint_ok,
        endpoint_problem=endpoint_problem,
    )


def _check_endpoint(settings: SpeechSettings) -> tuple[bool, str | None]:
    from mockaws.voice.capture import SAMPLE_RATE, Recording
    from mockaws.voice.store import wav_bytes
    from mockaws.voice.transcribe import transcribe

    silence = Recording(bytes(SAMPLE_RATE), SAMPLE_RATE)  # 0.5 s of 16-bit zeros
    try:
        transcribe(wav_bytes(silence), settings, filename="health-check.wav")
    except TranscriptionError as exc:
        return False, str(exc)
    return True, None
