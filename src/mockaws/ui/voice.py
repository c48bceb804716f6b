"""The terminal side of spoken answers: a key to start and stop, a live level meter and timer.

It only drives the core voice modules (`mockaws.voice`) and hands back a `Spoken` record; the
interview opens the transcript in the ordinary answer editor for corrections.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mockaws.frontends import Event, Interrupt, Marks, Prompt, Reply, SpokenAnswer
from mockaws.ui.console import clock, escape, out

if TYPE_CHECKING:
    from mockaws.models import Grade, Question, Spoken
    from mockaws.ui.editor import AnswerEditor
    from mockaws.voice.capture import Recorder
    from mockaws.voice.settings import SpeechSettings
    from mockaws.voice.speak import Speaker

METER_WIDTH = 20


@dataclass(frozen=True)
class VoiceOptions:
    """How spoken answers are taken in an interview."""

    speech: SpeechSettings
    folder: Path  # the transcripts folder; recordings go under its audio/ folder
    keep_audio: bool = True
    long_pause_s: float = 1.0
    stop_after_silence_s: float | None = None
    device: str | None = None
    speak_questions: bool = False


class TypeInstead:
    """The candidate chose to type this answer."""


class Interrupted:
    """Ctrl-C while waiting to record or recording (what was recorded is dropped)."""


def _import_openai() -> None:
    import openai  # noqa: F401


def meter(level: float) -> str:
    filled = round(level * METER_WIDTH)
    return "█" * filled + "·" * (METER_WIDTH - filled)


class VoiceInput:
    """Records one answer per call, transcribes it and reports what happened in one line."""

    def __init__(self, options: VoiceOptions) -> None:
        from mockaws.voice.capture import check_input

        self.options = options
        self.device_name = check_input(options.device)  # fails early, in one line
        # The SDK takes about a second to import: do it while the first answer is spoken, not
        # between Enter and the transcript.
        threading.Thread(target=_import_openai, daemon=True).start()
        self.speaker: Speaker | None = None
        if options.speak_questions:
            from mockaws.voice.speak import Speaker

            self.speaker = Speaker(options.speech)

    def say(self, text: str) -> None:
        if self.speaker is not None:
            self.speaker.speak(text)

    def listen(self, transcript_id: str, question_id: str) -> Spoken | TypeInstead | Interrupted:
        """Wait for Enter, record until Enter (or a silence), then transcribe and keep."""
        from mockaws.voice.analyse import find_speech
        from mockaws.voice.answer import spoken_answer
        from mockaws.voice.capture import Recorder

        while True:
            recorder = Recorder(self.options.device)
            result = self._record(recorder)
            recording = recorder.stop()
            if not isinstance(result, float):
                return result
            if find_speech(recording.pcm, recording.sample_rate, self.options.long_pause_s).heard:
                break
            # Nothing worth sending: say so and let them try again (or type).
            out.print(
                f"[yellow]The microphone heard no speech in {clock(recording.seconds)} "
                f"({escape(self.device_name)}): check it is not muted, then try again.[/]"
            )
        now = time.time()
        # Milliseconds too: a follow-up answered within the second still gets a file of its own.
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now % 1 * 1000):03d}"
        relative = f"audio/{transcript_id}/{stamp}-{question_id}.wav"
        from mockaws.ui.console import waiting

        with waiting("Transcribing…"):
            spoken = spoken_answer(
                recording,
                self.options.speech,
                folder=self.options.folder,
                relative_path=relative,
                keep_audio=self.options.keep_audio,
                long_pause_s=self.options.long_pause_s,
            )
        if recorder.problem:
            out.print(f"[yellow]Audio warning: {escape(recorder.problem)}[/]")
        if spoken.audio_problem:
            out.print(f"[yellow]{escape(spoken.audio_problem)}[/]")
        if spoken.needs_transcript and spoken.audio_file is None:
            out.print(
                f"[yellow]Not transcribed: {escape(spoken.transcribe_error or '')}; type your "
                "answer instead.[/]"
            )
        elif spoken.needs_transcript:
            out.print(
                f"[yellow]Not transcribed: {escape(spoken.transcribe_error or '')}; the "
                f"recording is kept ({escape(spoken.audio_file or '')}) and `mockaws regrade "
                f"{escape(transcript_id)}` transcribes and grades it.[/]"
            )
        else:
            out.print(
                f"[dim]Recorded {clock(spoken.recorded_seconds)} · transcribed in "
                f"{spoken.transcribe_seconds or 0:.1f} s: fix any misheard words, then submit.[/]"
            )
        return spoken

    def _record(self, recorder: Recorder) -> float | TypeInstead | Interrupted:
        """Run the start/stop screen; the recorded seconds, or what the candidate chose."""
        from prompt_toolkit.application import Application
        from prompt_toolkit.formatted_text import StyleAndTextTuples
        from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
        from prompt_toolkit.layout import Layout
        from prompt_toolkit.layout.containers import Window
        from prompt_toolkit.layout.controls import FormattedTextControl

        state = {"recording": False}
        silence = self.options.stop_after_silence_s
        keys = KeyBindings()

        @keys.add("enter")
        @keys.add("space")
        def _toggle(event: KeyPressEvent) -> None:
            if state["recording"]:
                event.app.exit(result=recorder.seconds)
                return
            if self.speaker is not None:
                self.speaker.stop()  # the microphone must not hear the question
            recorder.start()
            state["recording"] = True

        @keys.add("t")
        def _type(event: KeyPressEvent) -> None:
            if not state["recording"]:
                event.app.exit(result=TypeInstead())

        @keys.add("c-c")
        def _interrupt(event: KeyPressEvent) -> None:
            event.app.exit(result=Interrupted())

        def text() -> StyleAndTextTuples:
            if not state["recording"]:
                return [("bold", " 🎙  Enter: start speaking · t: type instead · Ctrl-C: quit")]
            return [
                ("bold #ff5f5f", " ● REC "),
                ("", f"{clock(recorder.seconds)} "),
                ("#5fd75f", meter(recorder.level)),
                ("", "  Enter: stop"),
            ]

        async def stop_after_silence() -> None:
            import asyncio

            while silence is not None:
                await asyncio.sleep(0.1)
                quiet = recorder.quiet_seconds
                if state["recording"] and quiet >= silence and recorder.seconds > quiet:
                    app.exit(result=recorder.seconds)
                    return

        app: Application[float | TypeInstead | Interrupted] = Application(
            layout=Layout(Window(FormattedTextControl(text), height=1)),
            key_bindings=keys,
            refresh_interval=0.1,
            full_screen=False,
        )

        def watch() -> None:
            app.create_background_task(stop_after_silence())

        return app.run(pre_run=watch)


class VoiceFrontend:
    """Answers spoken first: the recording is transcribed, and the transcript opens in the editor
    to fix misheard words. Ctrl-T (or a recording that is not transcribed) types it instead."""

    live = True

    def __init__(self, editor: AnswerEditor, voice: VoiceInput, transcript_id: str) -> None:
        self.editor = editor
        self.voice = voice
        self.transcript_id = transcript_id
        self._heard_for: Prompt | None = None
        self._spoken: Spoken | None = None

    def read(self, prompt: Prompt, draft: str = "") -> Reply:
        if prompt is not self._heard_for:
            # Each prompt is spoken once; an answer carried on from a draft is typed.
            self._heard_for, self._spoken = prompt, None
            if not draft.strip():
                heard = self._listen(prompt)
                if isinstance(heard, Interrupt):
                    return heard
                if heard is not None and not heard.needs_transcript:
                    self._spoken = heard
                    draft = heard.raw_transcript or ""
                elif heard is not None and heard.audio_file is not None:
                    # Saved with its recording and the reason; `mockaws regrade` transcribes it.
                    return SpokenAnswer("", heard)
        reply = self.editor.read(prompt, draft)
        if isinstance(reply, str) and self._spoken is not None:
            from mockaws.session import split_command

            if split_command(reply)[0] is None:
                return SpokenAnswer(reply, self._spoken)
        return reply

    def _listen(self, prompt: Prompt) -> Spoken | Interrupt | None:
        """A spoken answer to `prompt`; None when the candidate chose to type it instead."""
        from mockaws.ui.editor import QuitChoice
        from mockaws.ui.interview import ask_prompt

        ask_prompt(prompt, prompt.mode, interactive=False)
        self.voice.say(prompt.text)
        while True:
            heard = self.voice.listen(self.transcript_id, prompt.question.id)
            if isinstance(heard, TypeInstead):
                return None
            if not isinstance(heard, Interrupted):
                return heard
            choice = self.editor.confirm_quit()
            if choice is not QuitChoice.CONTINUE:
                return Interrupt("", at_once=choice is QuitChoice.QUIT_NOW)

    def show(self, event: Event) -> None:
        self.editor.show(event)

    def mark(self, question: Question, grade: Grade, number: int) -> Marks | None:
        return self.editor.mark(question, grade, number)
