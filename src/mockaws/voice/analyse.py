"""What the audio of a spoken answer shows: where speech starts and ends, and its long pauses.

Loudness is measured in 20 ms frames. The threshold between speech and silence sits 40% of the
way from the quiet floor (10th percentile of frame levels) to the speech level (95th
percentile), so it follows the room and the microphone rather than a fixed number. Gaps in
speech shorter than the long-pause threshold are the ordinary breaks between words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from mockaws.models import Delivery, Pause, Question, Spoken, WordTime

FRAME_S = 0.02
QUIET_DB = -50.0  # below this a block counts as quiet for the stop-after-silence timer
SILENT_DB = -100.0  # digital silence is clamped here rather than at minus infinity
MIN_SPEECH_RANGE_DB = 12.0  # less contrast than this between floor and speech: nothing heard
THRESHOLD_SHARE = 0.4
WORDS_BEFORE_PAUSE = 4


def block_level_db(pcm: bytes) -> float:
    """The RMS level of 16-bit PCM in dB full scale (SILENT_DB for silence)."""
    import numpy as np

    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    if samples.size == 0:
        return SILENT_DB
    rms = math.sqrt(float(np.mean(samples * samples))) / 32768.0
    return max(SILENT_DB, 20 * math.log10(rms)) if rms > 0 else SILENT_DB


@dataclass(frozen=True)
class Activity:
    """Speech found in a recording: its first and last moments and the long silences between."""

    speech_start: float
    speech_end: float
    pauses: list[tuple[float, float]]  # (start, seconds), in order

    @property
    def heard(self) -> bool:
        return self.speech_end > self.speech_start


def find_speech(pcm: bytes, sample_rate: int, long_pause_s: float) -> Activity:
    """Where speech is in 16-bit mono PCM, and the silences of at least `long_pause_s` inside it."""
    import numpy as np

    frame = max(1, int(sample_rate * FRAME_S))
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0
    count = samples.size // frame
    if count == 0:
        return Activity(0.0, 0.0, [])
    frames = samples[: count * frame].reshape(count, frame)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    db = np.maximum(SILENT_DB, 20 * np.log10(np.maximum(rms, 1e-12)))
    floor = float(np.percentile(db, 10))
    loud = float(np.percentile(db, 95))
    if loud - floor < MIN_SPEECH_RANGE_DB:
        return Activity(0.0, 0.0, [])
    voiced = db > floor + THRESHOLD_SHARE * (loud - floor)
    indices = np.flatnonzero(voiced)
    first, last = int(indices[0]), int(indices[-1])
    pauses: list[tuple[float, float]] = []
    gap_start: int | None = None
    for i in range(first, last + 1):
        if not voiced[i]:
            gap_start = i if gap_start is None else gap_start
        elif gap_start is not None:
            seconds = (i - gap_start) * frame / sample_rate
            if seconds >= long_pause_s:
                pauses.append((round(gap_start * frame / sample_rate, 2), round(seconds, 2)))
            gap_start = None
    return Activity(
        speech_start=round(first * frame / sample_rate, 2),
        speech_end=round((last + 1) * frame / sample_rate, 2),
        pauses=pauses,
    )


_WORD = re.compile(r"[\w'\u2019-]+")


def place_pauses(spoken: Spoken, transcript: str) -> list[Pause]:
    """The spoken answer's pauses with the words said before each.

    With word timings from the endpoint the place is exact; without them it is estimated from
    the share of speaking time (less the pauses) that had passed.
    """
    words = _WORD.findall(transcript)
    placed: list[Pause] = []
    for pause in spoken.pauses:
        before = _words_before(pause, spoken, len(words), spoken.words)
        shown = " ".join(words[max(0, before - WORDS_BEFORE_PAUSE) : before])
        placed.append(pause.model_copy(update={"after_words": before, "after": shown}))
    return placed


def _words_before(pause: Pause, spoken: Spoken, total: int, timed: Sequence[WordTime]) -> int:
    if timed:
        return sum(1 for w in timed if w.end <= pause.start + FRAME_S)
    talking = spoken.speaking_seconds - sum(p.seconds for p in spoken.pauses)
    if talking <= 0:
        return 0
    earlier = sum(p.seconds for p in spoken.pauses if p.start < pause.start)
    elapsed = pause.start - spoken.speech_start - earlier
    return max(0, min(total, round(total * elapsed / talking)))


def spoken_delivery(spoken: Spoken, question: Question | None = None) -> Delivery:
    """Delivery facts of a spoken answer: fillers and words as transcribed, time from the audio."""
    from mockaws.delivery import analyse

    transcript = spoken.raw_transcript or ""
    facts = analyse(transcript, question)
    return facts.model_copy(
        update={
            "speaking_seconds": spoken.speaking_seconds,
            "measured": True,
            "long_pauses": place_pauses(spoken, transcript),
        }
    )
