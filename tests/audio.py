"""The audio stack for voice tests: a PulseAudio server with a null sink, and espeak-ng answers.

Tests that need a part that is missing skip with the reason, except under CI=true, where the
audio stack is installed by `.ci/run` and a missing part is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import wave
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

TOOLS = ("pulseaudio", "pactl", "paplay", "espeak-ng")


def need(reason: str) -> None:
    """Skip for `reason`, or fail under CI, where everything the voice tests use is installed."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI has no {reason}")
    pytest.skip(f"no {reason} (install the voice extra and {', '.join(TOOLS)})")


def need_numpy() -> None:
    try:
        import numpy  # noqa: F401
    except ImportError:
        need("numpy (pip install 'mockaws[voice]')")


def need_audio_stack() -> None:
    need_numpy()
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        need(", ".join(missing))
    # Not imported here: PortAudio lists devices once, when loaded, so it must first see the
    # test's PulseAudio server (see `use_pulse`).
    import ctypes.util
    import importlib.util

    if importlib.util.find_spec("sounddevice") is None:
        need("sounddevice (pip install 'mockaws[voice]')")
    if ctypes.util.find_library("portaudio") is None:
        need("PortAudio (libportaudio2)")


def use_pulse(pulse: Pulse, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point this process's audio at `pulse`, reloading PortAudio's device list if loaded."""
    monkeypatch.setenv("PULSE_SERVER", pulse.server)
    import sys

    sd = sys.modules.get("sounddevice")
    if sd is not None:
        sd._terminate()
        sd._initialize()


@dataclass(frozen=True)
class Pulse:
    server: str  # the PULSE_SERVER value clients use

    def play(self, path: Path) -> None:
        subprocess.run(
            ["paplay", "--device=answer", str(path)],
            env={**os.environ, "PULSE_SERVER": self.server},
            check=True,
            timeout=60,
        )


def start_pulse(folder: Path) -> Iterator[Pulse]:
    """A private PulseAudio server whose default source is the monitor of a null sink."""
    folder.mkdir(parents=True, exist_ok=True)
    socket = folder / "native"
    script = folder / "server.pa"
    script.write_text(
        "load-module module-null-sink sink_name=answer rate=16000 channels=1\n"
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={socket}\n"
        "set-default-sink answer\n"
        "set-default-source answer.monitor\n"
    )
    env = {
        **os.environ,
        "HOME": str(folder),
        "PULSE_RUNTIME_PATH": str(folder / "run"),
        "PULSE_STATE_PATH": str(folder / "state"),
    }
    log = (folder / "pulse.log").open("w")
    process = subprocess.Popen(
        [
            "pulseaudio",
            "--daemonize=no",
            "--system=false",
            "--exit-idle-time=-1",
            "--use-pid-file=false",
            "--log-target=stderr",
            "-n",
            "-F",
            str(script),
        ],
        env=env,
        stdout=log,
        stderr=log,
    )
    server = f"unix:{socket}"
    try:
        deadline = time.monotonic() + 30
        while subprocess.run(
            ["pactl", "info"], check=False, env={**env, "PULSE_SERVER": server}, capture_output=True
        ).returncode:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"PulseAudio did not start: {(folder / 'pulse.log').read_text()}"
                )
            time.sleep(0.1)
        yield Pulse(server)
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@dataclass(frozen=True)
class SpokenFile:
    path: Path
    seconds: float  # the whole file: speech and the silences inserted between
    silences: list[tuple[float, float]]  # (start, seconds) of each inserted silence
    words: list[str]
    words_before_silence: list[int]


def espeak_answer(folder: Path, sentences: Sequence[str], silences: Sequence[float]) -> SpokenFile:
    """An answer spoken by espeak-ng, trimmed to its speech, with exact silences between."""
    import numpy as np

    parts: list[np.ndarray] = []
    rate = 0
    for number, sentence in enumerate(sentences):
        path = folder / f"part{number}.wav"
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), sentence], check=True)
        with wave.open(str(path), "rb") as reader:
            rate = reader.getframerate()
            samples = np.frombuffer(reader.readframes(reader.getnframes()), dtype="<i2")
        loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > 300)
        parts.append(samples[loud[0] : loud[-1] + 1])
    pieces: list[np.ndarray] = []
    inserted: list[tuple[float, float]] = []
    words: list[str] = []
    before: list[int] = []
    position = 0
    for number, part in enumerate(parts):
        pieces.append(part)
        position += part.size
        words += sentences[number].split()
        if number < len(silences):
            gap = int(silences[number] * rate)
            inserted.append((position / rate, silences[number]))
            before.append(len(words))
            pieces.append(np.zeros(gap, dtype="<i2"))
            position += gap
    audio = np.concatenate(pieces)
    out = folder / "answer.wav"
    with wave.open(str(out), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(audio.tobytes())
    return SpokenFile(out, audio.size / rate, inserted, words, before)
