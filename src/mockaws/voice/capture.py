"""Recording from the microphone through sounddevice (PortAudio), 16 kHz mono 16-bit.

`load_sounddevice` turns a missing library, a missing PortAudio or a machine without an input
device into one `AudioError` line that says what to install. The recorder's callback only
appends blocks and updates the level, so the terminal can poll `level` and `seconds` for its
meter while the audio thread never waits on it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from mockaws.errors import AudioError

# Speech recognisers work at 16 kHz; more only makes the kept files bigger.
SAMPLE_RATE = 16_000
BLOCK_S = 0.05
DEVICE_ENV = "MOCKAWS_AUDIO_DEVICE"
INSTALL_EXTRA = "pip install 'mockaws[voice]'"
INSTALL_PORTAUDIO = (
    "install PortAudio (Debian/Ubuntu: sudo apt install libportaudio2; Fedora: sudo dnf install "
    "portaudio; macOS: brew install portaudio)"
)


def load_sounddevice() -> ModuleType:
    """The sounddevice module, or an AudioError saying what to install."""
    try:
        import sounddevice
    except ImportError:
        raise AudioError(f"spoken answers need the audio libraries: {INSTALL_EXTRA}") from None
    except OSError:  # sounddevice raises this when the PortAudio library is missing
        raise AudioError(f"spoken answers need PortAudio: {INSTALL_PORTAUDIO}") from None
    module: ModuleType = sounddevice
    return module


def chosen_device(device: str | None = None) -> str | int | None:
    """The input device asked for (`--audio-device`, else MOCKAWS_AUDIO_DEVICE), or None."""
    value = device if device is not None else os.environ.get(DEVICE_ENV, "").strip() or None
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def check_input(device: str | None = None) -> str:
    """The name of the input device a recording would use, or an AudioError saying why none."""
    sd = load_sounddevice()
    chosen = chosen_device(device)
    try:
        info: Any = sd.query_devices(chosen, kind="input")
    except (ValueError, sd.PortAudioError) as exc:
        if chosen is None:
            raise AudioError(
                "no microphone found: PortAudio lists no input device (plug one in, or choose "
                f"one with --audio-device / {DEVICE_ENV}; `python -m sounddevice` lists them)"
            ) from None
        raise AudioError(f"audio device '{chosen}': {exc}") from None
    return str(info["name"])


@dataclass(frozen=True)
class Recording:
    """Mono 16-bit little-endian PCM samples."""

    pcm: bytes
    sample_rate: int = SAMPLE_RATE

    @property
    def seconds(self) -> float:
        return len(self.pcm) / 2 / self.sample_rate


class Recorder:
    """Records from an input device until stopped; `level` and `seconds` feed a live meter."""

    def __init__(self, device: str | None = None, sample_rate: int = SAMPLE_RATE) -> None:
        self.device = chosen_device(device)
        self.sample_rate = sample_rate
        self._blocks: list[bytes] = []
        self._frames = 0
        self._level_db = -100.0
        self._quiet_s = 0.0
        self._lock = threading.Lock()
        self._stream: Any = None
        self.problem: str | None = None  # an overflow or device fault seen while recording

    def start(self) -> None:
        """Open the device and start recording (AudioError if it cannot be opened)."""
        sd = load_sounddevice()
        from mockaws.voice.analyse import QUIET_DB, block_level_db

        def callback(data: Any, frames: int, _time: Any, status: Any) -> None:
            block = bytes(data)
            level = block_level_db(block)
            with self._lock:
                self._blocks.append(block)
                self._frames += frames
                self._level_db = level
                self._quiet_s = self._quiet_s + frames / self.sample_rate if level < QUIET_DB else 0
                if status and self.problem is None:
                    self.problem = str(status)

        try:
            self._stream = sd.RawInputStream(
                samplerate=self.sample_rate,
                channels=1,
                dtype="int16",
                blocksize=int(self.sample_rate * BLOCK_S),
                device=self.device,
                callback=callback,
            )
            self._stream.start()
        except (ValueError, sd.PortAudioError) as exc:
            self._stream = None
            check_input(None if self.device is None else str(self.device))
            raise AudioError(f"cannot record from the microphone: {exc}") from None

    @property
    def seconds(self) -> float:
        with self._lock:
            return self._frames / self.sample_rate

    @property
    def level(self) -> float:
        """The last block's loudness from 0 (silence) to 1 (full scale), for a meter."""
        with self._lock:
            db = self._level_db
        return max(0.0, min(1.0, (db + 60.0) / 60.0))

    @property
    def quiet_seconds(self) -> float:
        """How long the input has been quiet (for stopping after a silence)."""
        with self._lock:
            return self._quiet_s

    def stop(self) -> Recording:
        """Stop recording and return everything recorded."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop()
            stream.close()
        with self._lock:
            return Recording(b"".join(self._blocks), self.sample_rate)
