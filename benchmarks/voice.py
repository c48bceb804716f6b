"""Spoken answers measured against the audio that was played: pauses, pace, delay, file size.

Starts a private PulseAudio server with a null sink, speaks answers with espeak-ng with known
silences inserted, plays each into the sink while `Recorder` records its monitor (the path
`mockaws interview --voice` takes), and transcribes through the fake OpenAI-compatible server.
Needs pulseaudio, pactl, paplay, espeak-ng, libportaudio2 and `mockaws[voice]`.

    python benchmarks/voice.py [--trials N]

Figures: the error of each detected long pause against the silence inserted (and any missed or
extra), the speaking-time error, the delay from stop to transcript with the fake server (the
terminal adds its redraw to it), and the size of a minute of kept audio.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.audio import espeak_answer, start_pulse  # noqa: E402
from tests.fake_openai import FakeOpenAI, transcription  # noqa: E402

SENTENCES = [
    "I would put the web tier behind an application load balancer",
    "The instances sit in private subnets across two availability zones",
    "Sessions live in DynamoDB so any instance can serve any user",
    "and an auto scaling group replaces unhealthy instances",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--trials", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(16)
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        os.environ["MOCKAWS_HOME"] = str(base / "home")
        pulse_runner = start_pulse(base / "pulse")
        pulse = next(pulse_runner)
        os.environ["PULSE_SERVER"] = pulse.server
        from mockaws.voice.analyse import find_speech
        from mockaws.voice.answer import spoken_answer
        from mockaws.voice.capture import Recorder
        from mockaws.voice.settings import load_speech_settings

        errors: list[float] = []
        missed = extra = 0
        span_errors: list[float] = []
        delays: list[float] = []
        per_minute: list[float] = []
        with FakeOpenAI() as server:
            os.environ["MOCKAWS_SPEECH_BASE_URL"] = server.url
            settings = load_speech_settings()
            threading.Thread(target=lambda: __import__("openai"), daemon=True).start()
            for trial in range(args.trials):
                silences = [round(rng.uniform(1.2, 3.0), 2) for _ in SENTENCES[1:]]
                work = base / f"trial{trial}"
                work.mkdir()
                played = espeak_answer(work, SENTENCES, silences)
                recorder = Recorder("pulse")
                recorder.start()
                pulse.play(played.path)
                recording = recorder.stop()
                server.transcriptions.append(transcription(" ".join(SENTENCES)))
                started = time.perf_counter()
                spoken = spoken_answer(
                    recording,
                    settings,
                    folder=base / "home",
                    relative_path=f"audio/bench/{trial}.wav",
                    keep_audio=True,
                    long_pause_s=1.0,
                )
                delays.append(time.perf_counter() - started)
                found = find_speech(recording.pcm, recording.sample_rate, 1.0).pauses
                for (_, inserted), (_, seconds) in zip(played.silences, found, strict=False):
                    errors.append(abs(seconds - inserted))
                missed += max(0, len(played.silences) - len(found))
                extra += max(0, len(found) - len(played.silences))
                span_errors.append(abs(spoken.speaking_seconds - played.seconds))
                per_minute.append(spoken.audio_bytes * 60 / spoken.recorded_seconds)
        pulse_runner.close()
    print(f"trials: {args.trials}, {len(errors)} inserted silences of 1.2-3.0 s")
    print(
        f"pause length error: mean {statistics.mean(errors) * 1000:.0f} ms, "
        f"max {max(errors) * 1000:.0f} ms; missed {missed}, extra {extra}"
    )
    print(f"speaking time error: max {max(span_errors) * 1000:.0f} ms")
    print(
        f"stop to transcript (fake server, first call included): median "
        f"{statistics.median(delays) * 1000:.0f} ms, max {max(delays) * 1000:.0f} ms"
    )
    print(f"kept audio: {statistics.mean(per_minute) / 1e6:.2f} MB a minute (16 kHz mono WAV)")


if __name__ == "__main__":
    main()
