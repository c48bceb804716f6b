"""Spoken answers: pauses and pace from real audio, transcription faults, keys at a terminal.

The end-to-end test plays an espeak-ng answer into a PulseAudio null sink while
`mockaws interview --voice` records the sink's monitor through sounddevice, then transcribes it
through the scripted fake server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockaws.bank import load_bank
from mockaws.grading.runner import GradingRunner
from mockaws.models import SessionSettings, Transcript
from mockaws.regrade import Regrader
from mockaws.session import Interview
from mockaws.transcripts import TranscriptStore, load_transcript
from tests.audio import (
    Pulse,
    espeak_answer,
    need_audio_stack,
    need_numpy,
    start_pulse,
    use_pulse,
)
from tests.conftest import MINI_BANK
from tests.fake_openai import FakeOpenAI, Reply, error, transcription
from tests.fakes import ScriptedGrader
from tests.terminal import SUBMIT, Terminal

SG = load_bank([MINI_BANK]).get("mini-sg-vs-nacl")
SAID = "Um, security groups are stateful, so, uh, return traffic is allowed. NACLs are stateless."
RATE = 16_000


def tone_and_silence(pattern: list[tuple[str, float]]) -> bytes:
    """16-bit PCM: 'speech' (a noisy 220 Hz tone) and 'silence' (faint noise), in turn."""
    import numpy as np

    rng = np.random.default_rng(7)
    pieces = []
    for kind, seconds in pattern:
        n = int(seconds * RATE)
        noise = rng.normal(0, 30, n)
        if kind == "speech":
            t = np.arange(n) / RATE
            noise = noise + 8000 * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(9 * t))
        pieces.append(noise)
    return np.concatenate(pieces).astype("<i2").tobytes()


def recording_interview(server: FakeOpenAI, home: Path, *options: str) -> Terminal:
    """A one-question voice interview of the mini bank, graded offline, its recording started."""
    term = Terminal.mockaws(
        *("interview", "--voice", "--bank", str(MINI_BANK), "--topic", "networking", "-n", "1"),
        *("--grader", "offline", "--follow-ups", "0", "--speech-base-url", server.url, *options),
        home=home,
    )
    term.expect("Enter: start speaking")
    term.send("\r")
    term.expect("● REC")
    return term


def test_long_pauses_are_found_where_the_silences_are() -> None:
    need_numpy()
    from mockaws.voice.analyse import find_speech

    pcm = tone_and_silence(
        [
            ("silence", 0.5),
            ("speech", 2.0),
            ("silence", 1.6),
            ("speech", 1.0),
            ("silence", 0.4),
            ("speech", 1.5),
            ("silence", 2.2),
            ("speech", 1.0),
            ("silence", 0.8),
        ]
    )
    activity = find_speech(pcm, RATE, long_pause_s=1.0)
    assert activity.speech_start == pytest.approx(0.5, abs=0.04)
    assert activity.speech_end == pytest.approx(10.2, abs=0.04)
    # The 0.4 s break is a breath, not a long pause.
    assert [start for start, _ in activity.pauses] == pytest.approx([2.5, 7.0], abs=0.04)
    assert [seconds for _, seconds in activity.pauses] == pytest.approx([1.6, 2.2], abs=0.04)


def test_a_recording_without_speech_has_no_speaking_time() -> None:
    need_numpy()
    from mockaws.voice.analyse import find_speech

    activity = find_speech(tone_and_silence([("silence", 3.0)]), RATE, 1.0)
    assert not activity.heard and activity.pauses == []


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        monkeypatch.setenv("MOCKAWS_SPEECH_BASE_URL", fake.url)
        monkeypatch.setenv("MOCKAWS_RETRIES", "0")
        monkeypatch.setenv("MOCKAWS_TIMEOUT", "0.5")
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-key-1234567890")
        yield fake


def speak_into_session(tmp_path: Path, keep_audio: bool = True) -> tuple[Interview, Any]:
    from mockaws.voice.answer import spoken_answer
    from mockaws.voice.capture import Recording
    from mockaws.voice.settings import load_speech_settings

    folder = tmp_path / "transcripts"
    runner = GradingRunner(ScriptedGrader())
    session = Interview([SG], runner, TranscriptStore(folder), SessionSettings())
    recording = Recording(tone_and_silence([("speech", 2.0), ("silence", 1.5), ("speech", 2.0)]))
    spoken = spoken_answer(
        recording,
        load_speech_settings(),
        folder=folder,
        relative_path=f"audio/{session.transcript.id}/01-{SG.id}.wav",
        keep_audio=keep_audio,
        long_pause_s=1.0,
    )
    return session, spoken


FAULTS = {
    "rate-limit": (error(429, "Rate limit reached"), "rate limiting transcriptions (HTTP 429)"),
    "server-error": (error(500, "boom"), "failed (HTTP 500)"),
    "timeout": (Reply(delay=3.0, body={"text": "late"}), "did not answer within 0.5 s"),
    "bad-format": (
        error(400, "Invalid file format. Supported formats: flac, mp3, wav"),
        "rejected the recording (HTTP 400): Invalid file format",
    ),
}


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("keep_audio", [True, False])
def test_a_failed_transcription_keeps_the_turn_and_its_audio_and_regrade_finishes_it(
    server: FakeOpenAI, tmp_path: Path, fault: str, keep_audio: bool
) -> None:
    need_numpy()
    reply, reason = FAULTS[fault]
    server.transcriptions.append(reply)
    session, spoken = speak_into_session(tmp_path, keep_audio)
    assert spoken.needs_transcript
    assert reason in spoken.transcribe_error and "\n" not in spoken.transcribe_error
    assert "sk-test-secret" not in spoken.transcribe_error
    audio = tmp_path / "transcripts" / spoken.audio_file
    assert audio.is_file() and spoken.audio_bytes == audio.stat().st_size
    session.submit("", spoken)
    saved = load_transcript(session.store.json_path(session.transcript.id))
    turn = saved.turns[0]
    assert turn.spoken is not None and turn.spoken.audio_file == spoken.audio_file
    assert turn.grade is None and reason in (turn.grade_error or "")
    assert session.ungraded == 1
    assert "sk-test-secret" not in session.store.json_path(session.transcript.id).read_text()

    server.transcriptions.append(transcription(SAID))
    from mockaws.voice.settings import load_speech_settings

    regrader = Regrader(session.store, {SG.id: SG}, ScriptedGrader(), speech=load_speech_settings())
    report = regrader.run(session.store.json_path(session.transcript.id))
    assert len(report.graded) == 1 and not report.skipped
    done = load_transcript(session.store.json_path(session.transcript.id)).turns[0]
    assert done.answer == SAID and done.grade is not None
    assert done.delivery is not None and done.delivery.measured
    assert done.delivery.fillers == {"um": 1, "uh": 1}
    assert audio.is_file() is keep_audio  # kept only until transcribed with --no-keep-audio


def test_the_recording_sent_is_the_recording_made(server: FakeOpenAI, tmp_path: Path) -> None:
    need_numpy()
    server.transcriptions.append(transcription(SAID))
    _, spoken = speak_into_session(tmp_path)
    sent = server.audio_requests[0]
    assert sent["audio_seconds"] == pytest.approx(5.5)
    assert sent["model"] == "whisper-1" and sent["response_format"] == "verbose_json"
    assert sent["timestamp_granularities[]"] == ["word"]
    assert "Umm" in sent["prompt"]  # asks for fillers to be kept
    assert spoken.raw_transcript == SAID


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pulse]:
    need_audio_stack()
    yield from start_pulse(tmp_path_factory.mktemp("pulse"))


SENTENCES = [
    "Security groups are stateful so return traffic is allowed",
    "Network access control lists are stateless",
    "and they are evaluated in rule number order",
]
SILENCES = [2.0, 1.5]


def test_a_spoken_answer_is_recorded_transcribed_edited_graded_and_kept(
    pulse: Pulse, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    played = espeak_answer(tmp_path, SENTENCES, SILENCES)
    said = " ".join(SENTENCES)
    with FakeOpenAI() as server:

        def check(request: dict[str, Any]) -> Reply:
            seconds = request["audio_seconds"]
            if seconds is None or not played.seconds - 0.1 <= seconds <= played.seconds + 30:
                return error(400, f"expected {played.seconds:.2f} s of audio, got {seconds}")
            return transcription(said)

        server.transcriptions.append(check)
        monkeypatch.setenv("PULSE_SERVER", pulse.server)
        monkeypatch.setenv("MOCKAWS_AUDIO_DEVICE", "pulse")
        term = recording_interview(server, home)
        pulse.play(played.path)
        term.send("\r")
        stopped = time.monotonic()
        term.expect("transcribed in")
        term.expect("rule number order")
        delay = time.monotonic() - stopped
        term.send(" Also the default NACL allows all traffic.")
        term.send(SUBMIT)
        term.expect("Saved")
        assert term.wait_exit() == 0
        shown = " ".join(term.text().split())
    # The delivery line after the answer and the session summary both give the measured pace.
    assert shown.count("words a minute") >= 2 and "long pauses 2" in shown

    [path] = (home / "transcripts").glob("*.json")
    turn = Transcript.model_validate(json.loads(path.read_text())).turns[0]
    assert turn.grade is not None
    assert turn.answer.endswith("Also the default NACL allows all traffic.")
    spoken = turn.spoken
    assert spoken is not None and spoken.raw_transcript == said and spoken.audio_file
    assert (home / "transcripts" / spoken.audio_file).stat().st_size == spoken.audio_bytes
    # The inserted silences are the long pauses, as long as they were and between the right words.
    assert len(spoken.pauses) == len(SILENCES)
    errors = [abs(p.seconds - s) for p, s in zip(spoken.pauses, SILENCES, strict=True)]
    assert max(errors) < 0.1
    offset = spoken.pauses[0].start - played.silences[0][0]
    for pause, (start, _) in zip(spoken.pauses, played.silences, strict=True):
        assert pause.start - offset == pytest.approx(start, abs=0.1)
    assert spoken.speaking_seconds == pytest.approx(played.seconds, abs=0.1)
    delivery = turn.delivery
    assert delivery is not None and delivery.measured
    expected_wpm = len(played.words) * 60 / played.seconds
    assert delivery.words_per_minute == pytest.approx(expected_wpm, rel=0.03)
    placed = [p.after_words for p in delivery.long_pauses]
    assert all(abs(a - b) <= 2 for a, b in zip(placed, played.words_before_silence, strict=True))
    print(
        f"\nvoice figures: stop-to-transcript {delay:.2f} s; pause error max {max(errors):.3f} s; "
        f"kept audio {spoken.audio_bytes * 60 / spoken.recorded_seconds / 1e6:.2f} MB/min"
    )


def test_a_transcription_fault_at_the_terminal_keeps_the_turn_and_regrade_finishes_it(
    pulse: Pulse, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from mockaws.cli import app

    played = espeak_answer(tmp_path, SENTENCES[:2], SILENCES[:1])
    monkeypatch.setenv("PULSE_SERVER", pulse.server)
    monkeypatch.setenv("MOCKAWS_AUDIO_DEVICE", "pulse")
    monkeypatch.setenv("MOCKAWS_RETRIES", "0")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-key-1234567890")
    with FakeOpenAI() as server:
        server.transcriptions.append(error(429, "Rate limit reached for whisper-1"))
        term = recording_interview(server, home)
        pulse.play(played.path)
        term.send("\r")
        term.expect("Not transcribed: ")
        assert term.wait_exit() == 3
        shown = " ".join(term.text().split())
        assert "rate limiting transcriptions (HTTP 429)" in shown
        assert "mockaws regrade" in shown and "sk-test-secret" not in shown
        [path] = (home / "transcripts").glob("*.json")
        turn = Transcript.model_validate(json.loads(path.read_text())).turns[0]
        assert turn.grade is None and turn.spoken is not None and turn.spoken.audio_file
        assert (home / "transcripts" / turn.spoken.audio_file).is_file()
        assert "sk-test-secret" not in path.read_text()

        server.transcriptions.append(transcription(" ".join(SENTENCES[:2])))
        result = CliRunner().invoke(
            app,
            [
                "regrade",
                "latest",
                "--grader",
                "offline",
                "--speech-base-url",
                server.url,
                "--bank",
                str(MINI_BANK),
            ],
        )
        assert result.exit_code == 0, result.output
    turn = Transcript.model_validate(json.loads(path.read_text())).turns[0]
    assert turn.grade is not None and turn.answer == " ".join(SENTENCES[:2])
    assert turn.delivery is not None and len(turn.delivery.long_pauses) == 1


def test_the_health_report_lists_devices_and_checks_the_endpoint(
    pulse: Pulse, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockaws.voice.health import voice_health
    from mockaws.voice.settings import load_speech_settings

    use_pulse(pulse, monkeypatch)
    monkeypatch.setenv("MOCKAWS_RETRIES", "0")
    with FakeOpenAI() as server:
        server.transcriptions.extend([transcription(""), error(500, "down")])
        settings = load_speech_settings(speech_base_url=server.url)
        healthy = voice_health(settings, device="pulse")
        failing = voice_health(settings, device="pulse")
        assert server.audio_requests[0]["audio_seconds"] == pytest.approx(0.5)
    assert healthy.audio_problem is None and healthy.portaudio
    assert any(d.name == "pulse" and d.inputs for d in healthy.devices)
    assert healthy.input_device == "pulse" and healthy.endpoint_ok and healthy.ready
    assert failing.endpoint_ok is False and "failed (HTTP 500)" in (failing.endpoint_problem or "")
    assert not failing.ready


def test_a_question_read_aloud_reaches_the_speakers_and_stops_on_demand(
    pulse: Pulse, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockaws.voice.analyse import find_speech
    from mockaws.voice.capture import Recorder
    from mockaws.voice.speak import Speaker

    use_pulse(pulse, monkeypatch)
    speaker = Speaker()
    assert speaker.via == "espeak-ng"
    recorder = Recorder("pulse")
    recorder.start()
    speaker.speak(SG.question)
    assert speaker._process is not None
    deadline = time.monotonic() + 30
    while recorder.seconds < 2.0 and time.monotonic() < deadline:
        time.sleep(0.05)
    speaker.stop()
    recording = recorder.stop()
    assert find_speech(recording.pcm, recording.sample_rate, 1.0).heard
    assert speaker._process is None


def test_recording_stops_by_itself_after_the_chosen_silence(
    pulse: Pulse, home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import wave

    played = espeak_answer(tmp_path, SENTENCES[:1], [])
    quiet = tmp_path / "quiet.wav"
    with wave.open(str(quiet), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(16_000)
        writer.writeframes(bytes(2 * 16_000 * 3))  # three seconds of silence
    monkeypatch.setenv("PULSE_SERVER", pulse.server)
    monkeypatch.setenv("MOCKAWS_AUDIO_DEVICE", "pulse")
    with FakeOpenAI() as server:
        server.transcriptions.append(transcription(SENTENCES[0]))
        term = recording_interview(server, home, "--stop-after-silence", "1")
        pulse.play(played.path)
        pulse.play(quiet)
        term.expect("transcribed in")  # no key pressed to stop
        term.send(SUBMIT)
        term.expect("Saved")
        assert term.wait_exit() == 0
        recorded = server.audio_requests[0]["audio_seconds"]
    # Stopped after a second of silence, not at the end of the three played.
    assert played.seconds + 0.9 <= recorded < played.seconds + 3.0


def test_the_speech_endpoint_reads_a_question_aloud(
    pulse: Pulse, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockaws.errors import TranscriptionError
    from mockaws.voice.analyse import find_speech
    from mockaws.voice.capture import Recorder
    from mockaws.voice.settings import load_speech_settings
    from mockaws.voice.speak import play_wav, synthesise

    voiced = espeak_answer(tmp_path, [SG.question], []).path.read_bytes()
    use_pulse(pulse, monkeypatch)
    monkeypatch.setenv("MOCKAWS_RETRIES", "0")
    with FakeOpenAI() as server:
        server.speech.extend([Reply(body=voiced), error(429, "slow down")])
        settings = load_speech_settings(speech_base_url=server.url)
        audio = synthesise(SG.question, settings)
        with pytest.raises(TranscriptionError, match=r"rate limiting speech \(HTTP 429\)"):
            synthesise(SG.question, settings)
        sent = server.speech_requests[0]
    assert audio == voiced
    assert sent["input"] == SG.question and sent["response_format"] == "wav"
    assert sent["model"] == "gpt-4o-mini-tts" and sent["voice"] == "alloy"
    recorder = Recorder("pulse")
    recorder.start()
    play_wav(audio)
    recording = recorder.stop()
    assert find_speech(recording.pcm, recording.sample_rate, 1.0).heard


def test_silence_is_not_sent_and_t_types_the_answer_instead(
    pulse: Pulse, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULSE_SERVER", pulse.server)
    monkeypatch.setenv("MOCKAWS_AUDIO_DEVICE", "pulse")
    with FakeOpenAI() as server:
        term = recording_interview(server, home)
        term.send("\r")  # nothing was said
        term.expect("heard no speech")
        # The record screen again, under the message.
        deadline = time.monotonic() + 60
        while "Enter: start speaking" not in term.text().rpartition("heard no speech")[2]:
            assert not term.ended and time.monotonic() < deadline, term.text()
            term.pump()
        term.send("t")
        term.expect("Submit:")
        term.type("Security groups are stateful; NACLs are stateless.")
        term.send(SUBMIT)
        term.expect("Saved")
        assert term.wait_exit() == 0
        assert server.audio_requests == []
    [path] = (home / "transcripts").glob("*.json")
    turn = Transcript.model_validate(json.loads(path.read_text())).turns[0]
    assert turn.spoken is None and turn.grade is not None
    assert turn.delivery is not None and not turn.delivery.measured


@pytest.mark.parametrize(
    ("damage", "reason"),
    [("delete", "is missing"), ("truncate", "cannot be read")],
)
def test_regrade_says_in_one_line_when_a_kept_recording_is_gone_or_damaged(
    server: FakeOpenAI, tmp_path: Path, damage: str, reason: str
) -> None:
    need_numpy()
    server.transcriptions.append(error(500, "down"))
    session, spoken = speak_into_session(tmp_path)
    session.submit("", spoken)
    audio = tmp_path / "transcripts" / spoken.audio_file
    if damage == "delete":
        audio.unlink()
    else:
        audio.write_bytes(b"RIFF\\x00\\x00")
    from mockaws.voice.settings import load_speech_settings

    regrader = Regrader(session.store, {SG.id: SG}, ScriptedGrader(), speech=load_speech_settings())
    report = regrader.run(session.store.json_path(session.transcript.id))
    [line] = report.skipped
    assert line.startswith(f"1 {SG.id}: not transcribed: ") and reason in line
    assert server.audio_requests[1:] == []  # nothing was sent
    turn = load_transcript(session.store.json_path(session.transcript.id)).turns[0]
    assert turn.needs_transcript and turn.spoken is not None
    assert turn.spoken.audio_file == spoken.audio_file


def test_a_recording_that_cannot_be_written_is_still_transcribed(
    server: FakeOpenAI, tmp_path: Path
) -> None:
    need_numpy()
    from mockaws.voice.answer import spoken_answer
    from mockaws.voice.capture import Recording
    from mockaws.voice.settings import load_speech_settings

    folder = tmp_path / "transcripts"
    folder.mkdir()
    (folder / "audio").write_text("a file where the audio folder should be")
    server.transcriptions.append(transcription(SAID))
    spoken = spoken_answer(
        Recording(tone_and_silence([("speech", 2.0)])),
        load_speech_settings(),
        folder=folder,
        relative_path="audio/s/01-q.wav",
        keep_audio=True,
        long_pause_s=1.0,
    )
    assert spoken.raw_transcript == SAID and spoken.audio_file is None
    assert spoken.audio_problem is not None
    assert spoken.audio_problem.startswith("the recording could not be saved: ")
