"""The answer editor and the other front ends: typed, piped, and the line prompts."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, TextIO

from rich.text import Text

from mockaws.frontends import (
    Asked,
    EndOfInput,
    Event,
    Frontend,
    Interrupt,
    LiveSession,
    Marks,
    Reply,
)
from mockaws.models import (
    Grade,
    Mode,
    Question,
    Turn,
    Verdict,
    mark_command,
)
from mockaws.safety import clean

if TYPE_CHECKING:
    from mockaws.frontends import Graded, Prompt
    from mockaws.ui.voice import VoiceInput
from mockaws.ui.console import (
    _VERDICT_STYLE,
    END_OF_ANSWER,
    REPLACEMENT_CHARACTER,
    _hanging,
    clock,
    escape,
    is_interactive,
    notice,
    out,
    replaced_bytes_notice,
)
from mockaws.ui.interview import (
    SUBMIT_KEYS,
    _commands_for,
    ask_prompt,
    graded_feedback,
    nothing_to_submit,
    prompt_header,
    show_event,
)
from mockaws.ui.reports import _grader_said, score_line


class AnswerReader:
    """Reads one multi-line answer at a time, each ending at a line holding only '.'.

    `pending` keeps what was typed of the current answer, so an interruption loses nothing.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdin
        self.pending: list[str] = []
        self._told_of_bad_bytes = False

    @property
    def interactive(self) -> bool:
        return self.stream.isatty()

    def read(self, draft: str = "") -> str | None:
        """The next answer (after `draft`, if any), or None at end of input with nothing typed."""
        self.pending = draft.splitlines()
        while True:
            line = self.stream.readline()
            if not line:
                return "\n".join(self.pending) if self.pending else None
            line = line.rstrip("\r\n")
            if REPLACEMENT_CHARACTER in line and not self._told_of_bad_bytes:
                self._told_of_bad_bytes = True
                replaced_bytes_notice("standard input")
            if line.strip() == END_OF_ANSWER:
                answer = "\n".join(self.pending)
                self.pending = []
                return answer
            self.pending.append(line)


# The draft being typed is saved when typing pauses this long, and at least this often while
# it goes on: a killed terminal loses a few seconds of typing at most.
DRAFT_PAUSE_S = 1.0


DRAFT_EVERY_S = 4.0


class QuitChoice(Enum):
    CONTINUE = "continue"
    QUIT = "quit"
    QUIT_NOW = "quit-now"


@dataclass(frozen=True)
class Interrupted:
    """Ctrl-C in the editor, with what had been typed."""

    draft: str


class AnswerEditor:
    """A multi-line answer editor for a person at a terminal (prompt_toolkit).

    Enter makes a new line and pastes keep their lines; Esc then Enter (Alt-Enter) or Ctrl-D
    submits; Ctrl-C returns `Interrupted` with the text so far. A toolbar shows the keys, the
    in-answer commands and the time; grades arriving in the background are printed above.
    """

    live = True

    def __init__(
        self, session: LiveSession | None = None, transcript_id: str | None = None
    ) -> None:
        from prompt_toolkit import PromptSession

        self.live_session = session
        self.transcript_id = transcript_id  # named in advice on grades to check
        self.session: PromptSession[str] = PromptSession()
        self._interrupted_with: str | None = None
        self._shown_at = time.monotonic()

    def read(self, prompt: Prompt, draft: str = "") -> Reply:
        """The answer (never empty), or an Interrupt once the user confirms quitting."""
        while True:
            typed = self.edit(prompt, draft)
            if isinstance(typed, Interrupted):
                choice = self.confirm_quit()
                if choice is QuitChoice.CONTINUE:
                    draft = typed.draft
                    continue
                return Interrupt(typed.draft, at_once=choice is QuitChoice.QUIT_NOW)
            if not typed.strip():
                nothing_to_submit()
                draft = ""
                continue
            return typed

    def show(self, event: Event) -> None:
        if not isinstance(event, Asked):  # the editor shows its prompt itself
            show_event(event, self.transcript_id)

    def _elapsed(self) -> float:
        if self.live_session is not None:
            return self.live_session.elapsed
        return time.monotonic() - self._shown_at

    def edit(self, prompt: Prompt, draft: str = "") -> str | Interrupted:
        """One editing of an answer: the text submitted, or `Interrupted` with the text so far."""
        from prompt_toolkit.formatted_text import ANSI, StyleAndTextTuples
        from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
        from prompt_toolkit.styles import Style

        mode = prompt.mode
        limit = None if prompt.is_follow_up else prompt.time_limit
        keys = KeyBindings()

        @keys.add("c-d")
        def _submit(event: KeyPressEvent) -> None:
            event.current_buffer.validate_and_handle()

        @keys.add("enter")
        @keys.add("c-j")
        def _newline(event: KeyPressEvent) -> None:
            # A last line holding only '.' submits, as it does for piped answers.
            buffer = event.current_buffer
            document = buffer.document
            if document.is_cursor_at_the_end and document.current_line.strip() == END_OF_ANSWER:
                buffer.text = "\n".join(document.lines[:-1])
                buffer.validate_and_handle()
            else:
                buffer.newline(copy_margin=False)

        @keys.add("c-c")
        def _interrupt(event: KeyPressEvent) -> None:
            self._interrupted_with = event.current_buffer.text
            event.app.exit(exception=KeyboardInterrupt())

        def toolbar() -> StyleAndTextTuples:
            elapsed = self._elapsed()
            timer = f"⏱ {clock(elapsed)}"
            style = "class:bottom-toolbar"
            if limit:
                left = limit - elapsed
                if left >= 0:
                    timer += f" · {clock(left)} left"
                else:
                    timer += " · time is up: wrap up"
                    style = "class:bottom-toolbar.over"
            live = self.live_session
            grading = live.pending_grades if live is not None and mode is not Mode.REAL else 0
            commands = " ".join(_commands_for(prompt, mode))
            return [
                (
                    "class:bottom-toolbar",
                    f" Submit: {SUBMIT_KEYS} · Enter: new line · Ctrl-C: quit\n",
                ),
                ("class:bottom-toolbar", f" Commands: {commands}   "),
                (style, timer),
                ("class:bottom-toolbar", f" · grading {grading}" if grading else ""),
            ]

        with out.capture() as captured:
            out.print(prompt_header(prompt, mode))
            if os.environ.get("TERM") == "dumb":
                # A dumb terminal draws no toolbar and reads no Esc-Enter: say here how to submit.
                commands = " ".join(_commands_for(prompt, mode))
                out.print(
                    "Submit: Ctrl-D, or a last line holding only '.' · Enter: new line · "
                    f"Commands: {commands}"
                )
        message = ANSI("\n" + captured.get())
        style = Style.from_dict(
            {
                "bottom-toolbar": "noreverse bg:#303030 #d0d0d0",
                "bottom-toolbar.over": "noreverse bg:#303030 #ff8700 bold",
                "placeholder": "#808080 italic",
            }
        )
        self._interrupted_with = None
        try:
            return self.session.prompt(
                message,
                default=draft,
                multiline=True,
                key_bindings=keys,
                bottom_toolbar=toolbar,
                refresh_interval=0.5,
                style=style,
                prompt_continuation="",
                placeholder=[("class:placeholder", "Answer as you would say it out loud…")],
                pre_run=lambda: self._start_feed(prompt),
            )
        except KeyboardInterrupt:
            return Interrupted(self._interrupted_with or "")
        except EOFError:
            return Interrupted(draft)

    def _start_feed(self, prompt: Prompt) -> None:
        if self.live_session is not None:
            self.session.app.create_background_task(self._show_feed())
            self.session.app.create_background_task(self._keep_drafts(prompt))
            self.session.app.create_background_task(self._warm_up())

    async def _warm_up(self) -> None:
        # Tasks start once the application has drawn the prompt: the question is on screen.
        assert self.live_session is not None
        self.live_session.warm_up()

    async def _keep_drafts(self, prompt: Prompt) -> None:
        """Save the text typed, on every pause in typing and every few seconds, off this thread."""
        import asyncio

        assert self.live_session is not None
        keep = self.live_session.keep_draft
        buffer = self.session.default_buffer
        loop = asyncio.get_running_loop()
        saved = buffer.text
        changed_at = saved_at = loop.time()
        seen = saved
        while True:
            await asyncio.sleep(DRAFT_PAUSE_S / 4)
            text, now = buffer.text, loop.time()
            if text != seen:
                seen, changed_at = text, now
            paused = now - changed_at >= DRAFT_PAUSE_S
            if text != saved and (paused or now - saved_at >= DRAFT_EVERY_S):
                saved, saved_at = text, now
                # An atomic write of the session file: not on the thread that draws the editor.
                await loop.run_in_executor(None, keep, prompt, text)

    async def _show_feed(self) -> None:
        """Print grades above the editor as they arrive, without touching what is typed."""
        import asyncio

        from prompt_toolkit.application import run_in_terminal

        assert self.live_session is not None
        while True:
            await asyncio.sleep(0.2)
            items = self.live_session.take_events()
            if items:

                def show(items: list[Graded] = items) -> None:
                    for graded in items:
                        graded_feedback(graded, self.transcript_id)
                    out.print()

                await run_in_terminal(show)

    def read_line(self, message: str) -> str | None:
        return read_line(message)

    def mark(self, question: Question, grade: Grade, number: int) -> Marks | None:
        """The checklist of the question's points, ticked as the grade has them now."""
        out.print(f"[bold]Question {number}[/] · {escape(question.id)}")
        return checklist(question, grade, self.read_line)

    def confirm_quit(self) -> QuitChoice:
        """Ask once whether to quit; Ctrl-C again quits at once."""
        from prompt_toolkit import prompt as ask_line
        from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

        keys = KeyBindings()

        @keys.add("c-c")
        def _again(event: KeyPressEvent) -> None:
            event.app.exit(result="\x03")

        try:
            reply = ask_line(
                "Quit the interview? Everything so far is saved. [y/N] (Ctrl-C again: quit now) ",
                key_bindings=keys,
            )
        except EOFError:
            return QuitChoice.QUIT_NOW
        if reply == "\x03":
            return QuitChoice.QUIT_NOW
        return QuitChoice.QUIT if reply.strip().lower() in {"y", "yes"} else QuitChoice.CONTINUE


def read_line(message: str) -> str | None:
    """One line typed at the terminal (the checklist); None at Ctrl-D or Ctrl-C."""
    from prompt_toolkit import prompt as ask_line

    try:
        return ask_line(message)
    except (EOFError, KeyboardInterrupt):
        return None


CHECKLIST_HELP = (
    "Type the numbers of points to tick or untick (e.g. 2 3), Enter to save, /cancel to leave it."
)


def _checklist_rows(question: Question, grade: Grade, ticked: set[str]) -> None:
    graders = {v.point_id: v.verdict for v in grade.points}
    rows: list[tuple[str | Text, ...]] = []
    for number, point in enumerate(question.rubric, start=1):
        box = Text(
            "[x]" if point.id in ticked else "[ ]", style="bold green" if point.id in ticked else ""
        )
        said = graders.get(point.id, Verdict.MISSED)
        label, colour = _VERDICT_STYLE[said]
        text = Text(clean(point.point))
        text.append("  (grader: ", style="dim")
        text.append(label, style=colour)
        text.append(f"; id {clean(point.id)})", style="dim")
        rows.append((Text(str(number), style="dim"), box, text))
    out.print(_hanging(rows, (3, 3)))


def checklist(
    question: Question, grade: Grade, read_line: Callable[[str], str | None]
) -> Marks | None:
    """Ask which rubric points an answer covered; returns the points to mark covered and missed.

    Points covered now (by the grader or an earlier marking) start ticked. None: left unchanged
    (/cancel, or the end of input).
    """
    current = {v.point_id for v in grade.effective_points if v.verdict is Verdict.COVERED}
    ticked = set(current)
    ids = [p.id for p in question.rubric]
    out.print(f"[bold]Which points did your answer cover?[/] [dim]{CHECKLIST_HELP}[/]")
    _checklist_rows(question, grade, ticked)
    while True:
        line = read_line("tick> ")
        if line is None or line.strip().lower() in {"/cancel", "q"}:
            out.print("[dim]Left as it was.[/]")
            return None
        words = line.replace(",", " ").split()
        if not words:
            break
        wrong = [w for w in words if not w.isdigit() or not 1 <= int(w) <= len(ids)]
        if wrong:
            out.print(f"[yellow]Not a point number: {escape(wrong[0])} (1 to {len(ids)})[/]")
            continue
        for word in words:
            ticked ^= {ids[int(word) - 1]}
        _checklist_rows(question, grade, ticked)
    covered = [i for i in ids if i in ticked and i not in current]
    missed = [i for i in ids if i not in ticked and i in current]
    return covered, missed


def marking(question: Question, turn: Turn, transcript_id: str, number: int) -> None:
    """`transcripts mark` without changes: each point with its id, the grader's and yours."""
    grade = turn.grade
    assert grade is not None
    out.print(f"[bold]{escape(turn.question)}[/]")
    out.print(f"[dim]{escape(transcript_id)} · question {number} · {escape(turn.question_id)}[/]")
    out.print(score_line(grade))
    own = {v.point_id: v.verdict for v in grade.effective_points}
    rows: list[tuple[str | Text, ...]] = []
    for verdict in grade.points:
        point = question.point(verdict.point_id)
        label, colour = _VERDICT_STYLE[own.get(verdict.point_id, verdict.verdict)]
        text = Text(clean(point.point if point else verdict.point_id))
        said = _grader_said(grade, verdict.point_id)
        if said is not None:
            text.append("  ")
            text.append_text(said)
        rows.append((Text(clean(verdict.point_id), style="cyan"), Text(label, style=colour), text))
    width = max((len(v.point_id) for v in grade.points), default=2)
    out.print(_hanging(rows, (width, 15)))
    out.print(
        f"[dim]Mark: mockaws transcripts mark {escape(transcript_id)} --question {number} "
        "--covered ID (or --missed ID)[/]"
    )


def edit_answer(question: Question) -> str | None:
    """One answer to `question` typed in the interview's editor; None when the user quits."""
    from mockaws.frontends import Prompt

    reply = AnswerEditor().read(Prompt(question, number=1, total=1))
    return reply if isinstance(reply, str) else None


class PipeFrontend:
    """Answers read line by line (piped, or typed at a terminal without the editor)."""

    live = False

    def __init__(self, transcript_id: str | None = None, stream: TextIO | None = None) -> None:
        self.reader = AnswerReader(stream)
        self.transcript_id = transcript_id

    def read(self, prompt: Prompt, draft: str = "") -> Reply:
        try:
            text = self.reader.read(draft)
        except KeyboardInterrupt:
            return Interrupt("\n".join(self.reader.pending), at_once=True)
        return EndOfInput() if text is None else text

    def show(self, event: Event) -> None:
        if isinstance(event, Asked):
            ask_prompt(event.prompt, event.prompt.mode, interactive=self.reader.interactive)
        else:
            show_event(event, self.transcript_id)

    def mark(self, question: Question, grade: Grade, number: int) -> Marks | None:
        """No checklist on a pipe: the command that marks points from a script."""
        if self.transcript_id is not None:
            notice(f"Mark points from a script with: {mark_command(self.transcript_id, number)}")
        return None


def frontend_for(
    session: LiveSession,
    transcript_id: str,
    stream: TextIO | None = None,
    voice: VoiceInput | None = None,
) -> Frontend:
    """The editor for a person at a terminal (spoken first with `voice`), else the line reader."""
    if stream is None and is_interactive():
        editor = AnswerEditor(session, transcript_id)
        if voice is not None:
            from mockaws.ui.voice import VoiceFrontend

            return VoiceFrontend(editor, voice, transcript_id)
        return editor
    return PipeFrontend(transcript_id, stream)


def confirm(question: str, *, default: bool = True) -> bool:
    """A yes/no question at the terminal; Enter takes the default."""
    from rich.prompt import Confirm

    return Confirm.ask(question, console=out, default=default)


MARK_REPLY = "/mark"


def choose_rating(suggested: str, choices: Sequence[str], *, markable: bool = False) -> str:
    """Ask which rating to record: Enter keeps the suggestion, a word or its first letter picks.

    With `markable`, /mark is a reply of its own (MARK_REPLY): the user wants to tick the
    points they covered first.
    """
    from rich.prompt import Prompt

    listed = "/".join(choices)
    mark = " [dim](/mark: tick the points you covered)[/]" if markable else ""
    while True:
        reply = Prompt.ask(
            f"How well did you know it? [magenta]\\[{listed}][/] [cyan]({suggested})[/]{mark}",
            console=out,
            default=suggested,
            show_default=False,
        )
        typed = reply.strip().lower()
        if markable and typed == MARK_REPLY:
            return MARK_REPLY
        matches = [c for c in choices if typed and c.startswith(typed)]
        if len(matches) == 1:
            return matches[0]
        out.print(f"[yellow]Type one of {', '.join(choices)}, or press Enter for {suggested}.[/]")
