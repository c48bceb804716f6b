"""Spoken answers read back: show, export (HTML plays the recording), stats, summary lines."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mockaws.bank import load_bank
from mockaws.cli import app
from mockaws.errors import AudioError
from mockaws.grading.runner import GradingRunner
from mockaws.models import Pause, SessionSettings, Spoken
from mockaws.session import Interview
from mockaws.transcripts import TranscriptStore
from mockaws.voice.capture import Recording
from mockaws.voice.store import wav_bytes, write_audio
from tests.conftest import MINI_BANK
from tests.fakes import ScriptedGrader

runner = CliRunner()
BANK = ["--bank", str(MINI_BANK)]
SG = load_bank([MINI_BANK]).get("mini-sg-vs-nacl")
SAID = "Um, security groups are stateful. Uh, NACLs are stateless and, um, evaluated in order."


def spoken_session(home: Path) -> tuple[Interview, Spoken]:
    folder = home / "transcripts"
    runner = GradingRunner(ScriptedGrader())
    session = Interview([SG], runner, TranscriptStore(folder), SessionSettings())
    relative = f"audio/{session.transcript.id}/01-{SG.id}.wav"
    wav = wav_bytes(Recording(bytes(2 * 16_000 * 6)))  # six seconds
    write_audio(folder / relative, wav)
    spoken = Spoken(
        audio_file=relative,
        audio_bytes=len(wav),
        recorded_seconds=6.0,
        speech_start=0.5,
        speech_end=6.5,
        pauses=[Pause(start=2.5, seconds=1.5)],
        raw_transcript=SAID,
        model="whisper-1",
    )
    session.submit(SAID, spoken)
    session.wait_for_grades()
    session.finish()
    return session, spoken


def test_a_spoken_turn_carries_measured_delivery(home: Path) -> None:
    session, _ = spoken_session(home)
    delivery = session.transcript.turns[0].delivery
    assert delivery is not None and delivery.measured
    assert delivery.speaking_seconds == 6.0
    assert delivery.words_per_minute == pytest.approx(14 * 60 / 6.0)
    assert delivery.fillers == {"um": 2, "uh": 1}
    [pause] = delivery.long_pauses
    # No word timings: the place is estimated from the share of talking time before the pause.
    assert pause.seconds == 1.5 and pause.after_words == 6
    assert pause.after == "groups are stateful Uh"


def test_show_and_export_name_and_play_the_recording(home: Path, tmp_path: Path) -> None:
    session, spoken = spoken_session(home)
    result = runner.invoke(app, ["transcripts", "show", "latest", *BANK])
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())  # as read, whatever the terminal's width
    assert "words a minute" in shown and "long pauses 1 (1.5 s after" in shown
    assert f"recording: {spoken.audio_file}" in shown
    out = tmp_path / "export"
    out.mkdir()
    result = runner.invoke(
        app, ["transcripts", "export", "latest", "--format", "html", "--output", str(out), *BANK]
    )
    assert result.exit_code == 0, result.output
    page = (out / f"{session.transcript.id}.html").read_text()
    assert spoken.audio_file is not None
    name = spoken.audio_file.rpartition("/")[2]
    assert f'<audio controls preload="none" src="{name}"></audio>' in page
    # Beside the page, in no folder of its own: an export creates no folders.
    assert (out / name).read_bytes() == (home / "transcripts" / spoken.audio_file).read_bytes()
    assert sorted(p.name for p in out.iterdir()) == sorted([name, f"{session.transcript.id}.html"])


def test_an_export_never_links_a_recording_path_a_transcript_was_edited_to_hold(
    home: Path, tmp_path: Path
) -> None:
    session, _ = spoken_session(home)
    path = session.store.json_path(session.transcript.id)
    document = json.loads(path.read_text())
    document["turns"][0]["spoken"]["audio_file"] = "javascript:alert(1)//x.wav"
    path.write_text(json.dumps(document))
    out = tmp_path / "page.html"
    result = runner.invoke(
        app, ["transcripts", "export", "latest", "--format", "html", "--output", str(out), *BANK]
    )
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "<audio" not in page and 'src="javascript' not in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "page.html"]


def test_stats_follow_pace_pauses_and_fillers_across_sessions(home: Path) -> None:
    spoken_session(home)
    result = runner.invoke(app, ["stats", *BANK])
    assert result.exit_code == 0, result.output
    assert "Spoken answers" in result.stdout and "140 words/min" in result.stdout
    result = runner.invoke(app, ["stats", "--json", *BANK])
    [point] = json.loads(result.stdout)["spoken"]
    assert point["words_per_minute"] == 140.0
    assert point["long_pauses_per_answer"] == 1.0
    assert point["fillers_per_100_words"] == pytest.approx(21.4)


def test_without_the_audio_library_one_line_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from mockaws.voice.capture import check_input

    monkeypatch.setitem(sys.modules, "sounddevice", None)
    with pytest.raises(AudioError, match=r"pip install 'mockaws\[voice\]'"):
        check_input()


def test_voice_needs_a_terminal() -> None:
    result = runner.invoke(app, ["interview", "--voice", *BANK], input="")
    assert result.exit_code == 2
    assert "--voice needs a terminal" in result.stderr


def test_speech_settings_come_from_flag_then_environment_then_config_file(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mockaws.errors import ConfigError
    from mockaws.voice.settings import load_speech_settings

    home.mkdir(parents=True)
    (home / "config.toml").write_text(
        'base_url = "http://localhost:11434/v1"\n'
        'speech_model = "file-model"\nspeech_base_url = "http://localhost:8000/v1"\n'
    )
    from_file = load_speech_settings()
    assert (from_file.model, from_file.base_url) == ("file-model", "http://localhost:8000/v1")
    monkeypatch.setenv("MOCKAWS_SPEECH_MODEL", "env-model")
    assert load_speech_settings().model == "env-model"
    assert load_speech_settings(speech_model="flag-model").model == "flag-model"
    (home / "config.toml").write_text('base_url = "http://localhost:11434/v1"\n')
    # Without a speech endpoint of its own, the grader's server transcribes too.
    assert load_speech_settings().base_url == "http://localhost:11434/v1"
    result = runner.invoke(app, ["config", "show"])
    assert "env-model" in result.stdout and "MOCKAWS_SPEECH_MODEL" in result.stdout
    monkeypatch.setenv("MOCKAWS_SPEECH_BASE_URL", "ftp://example")
    with pytest.raises(ConfigError, match="MOCKAWS_SPEECH_BASE_URL: 'ftp://example' is not an"):
        load_speech_settings()


def test_word_timings_place_each_pause_between_the_exact_words() -> None:
    from mockaws.models import WordTime
    from mockaws.voice.analyse import place_pauses

    said = "Use a queue. Then scale the consumers on its depth."
    timings = [
        ("Use", 0.0, 0.2), ("a", 0.2, 0.3), ("queue.", 0.3, 0.8),
        ("Then", 3.0, 3.2), ("scale", 3.2, 3.6), ("the", 3.6, 3.7),
        ("consumers", 3.7, 4.3), ("on", 6.0, 6.1), ("its", 6.1, 6.3), ("depth.", 6.3, 6.8),
    ]  # fmt: skip
    spoken = Spoken(
        speech_start=0.0,
        speech_end=6.8,
        pauses=[Pause(start=0.8, seconds=2.2), Pause(start=4.3, seconds=1.7)],
        raw_transcript=said,
        words=[WordTime(word=w, start=a, end=b) for w, a, b in timings],
    )
    first, second = place_pauses(spoken, said)
    assert (first.after_words, first.after) == (3, "Use a queue")
    assert (second.after_words, second.after) == (7, "Then scale the consumers")
