"""`mockaws interview`: a graded mock interview in the terminal."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from mockaws.cli.options import (
    BankOption,
    BaseUrlOption,
    GraderOption,
    LevelOption,
    ModelOption,
    TopicOption,
    TrackOption,
    TranscriptsDirOption,
    parse_level,
)
from mockaws.cli.voice_options import (
    AudioDeviceOption,
    KeepAudioOption,
    LongPauseOption,
    SpeakQuestionsOption,
    SpeechBaseUrlOption,
    SpeechModelOption,
    StopAfterSilenceOption,
    VoiceOption,
)

if TYPE_CHECKING:
    from mockaws.bank import Catalogue
    from mockaws.config import Settings
    from mockaws.grading import Grader
    from mockaws.models import Level, Mode, Question, Track, Turn
    from mockaws.session import Interview, Outcome, QuestionPlan
    from mockaws.ui.voice import VoiceInput

MAX_FOLLOW_UPS = 2


def interview(
    topic: TopicOption = None,
    track: TrackOption = None,
    level: LevelOption = None,
    count: Annotated[
        int | None,
        typer.Option("-n", "--count", metavar="N", help="How many questions to ask (default 5)."),
    ] = None,
    loop: Annotated[
        str | None,
        typer.Option(
            "--loop",
            metavar="TRACK",
            help="A mock loop for this role: 1 behavioural, 3 technical (concept, scenario or "
            "troubleshooting, as the role weights them), 1 design a level up; real mode and "
            "loop timing unless you say otherwise (--level sets your level, default mid).",
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            "--seed", metavar="N", help="Seed for the choice of questions (reproducible)."
        ),
    ] = None,
    grader: GraderOption = "auto",
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            metavar="MODE",
            help="study: feedback after each answer, /hint and /reveal (the default). "
            "real: no feedback until the end, like the real thing (the default of --loop).",
        ),
    ] = None,
    follow_ups: Annotated[
        int | None,
        typer.Option(
            "--follow-ups",
            metavar="N",
            help="Follow-up questions after each answer, 0 to 2 "
            "(default 1 at a terminal, 0 for piped answers).",
        ),
    ] = None,
    time_limit: Annotated[
        int | None,
        typer.Option(
            "--time-limit",
            metavar="SECONDS",
            help="Time per answer: the toolbar counts down and warns when it runs out "
            "(for every question of a --loop too, instead of its timing).",
        ),
    ] = None,
    adaptive: Annotated[
        bool,
        typer.Option(
            "--adaptive",
            help="Step the level up after a strong answer and down after a weak one "
            "(starts at --level, or mid).",
        ),
    ] = False,
    model: ModelOption = None,
    base_url: BaseUrlOption = None,
    transcripts_dir: TranscriptsDirOption = None,
    bank: BankOption = None,
    voice: VoiceOption = False,
    keep_audio: KeepAudioOption = True,
    speak_questions: SpeakQuestionsOption = False,
    speech_model: SpeechModelOption = None,
    speech_base_url: SpeechBaseUrlOption = None,
    audio_device: AudioDeviceOption = None,
    long_pause: LongPauseOption = 1.0,
    stop_after_silence: StopAfterSilenceOption = None,
) -> None:
    """Run a mock interview: answer each question as you would aloud, get graded point by point.

    At a terminal you type in an editor: Enter makes a new line, Esc then Enter (or Alt-Enter,
    or Ctrl-D) submits. Piped answers end at a line holding only '.'. Type /hint, /reveal,
    /repeat, /skip or /quit as the answer. Each answer is saved the moment it is submitted and
    graded in the background; `mockaws resume` continues an interrupted interview.

    With --voice you speak instead: Enter starts and stops recording, the transcript opens in
    the editor to fix misheard words, and pace and pauses are measured from the audio.

    --loop TRACK is a technical screen for that role, in the order interviewers use: a
    behavioural story (Leadership Principles, STAR form), three technical questions at your
    level, then a design a level above it. Time per first answer, spoken pace: 3 min for the
    story, 2 for a concept, 4 for a scenario or troubleshooting, 10 for a first pass at the
    design; a real round spends the rest of its hour on follow-ups. The summary scores the
    loop by kind of question and by topic.

    Examples:
      mockaws interview -n 3 --topic networking --level senior
      mockaws interview --track sre --track security --seed 7
      mockaws interview --loop sre --seed 42        # the same loop every time
      mockaws interview --loop solutions-architect --level senior --mode study
      mockaws interview --voice --speak-questions
      mockaws interview --voice --speech-base-url http://localhost:8000/v1 --no-keep-audio
      mockaws interview -n 1 --grader offline < answers.txt
    """
    from mockaws import ui
    from mockaws.bank import load_catalogue, parse_tracks
    from mockaws.config import load_settings
    from mockaws.config import transcripts_dir as resolve_transcripts_dir
    from mockaws.errors import BadInputError
    from mockaws.grading import make_grader
    from mockaws.grading.runner import GradingRunner
    from mockaws.loops import LOOP_TIME_LIMITS
    from mockaws.models import Mode, SessionSettings
    from mockaws.session import Interview
    from mockaws.transcripts import TranscriptStore

    chosen_level = parse_level(level)
    chosen_tracks = parse_tracks(track or [])
    loop_track = parse_tracks([loop])[0] if loop is not None else None
    if loop_track is not None:
        _refuse_with_loop(topic=topic, track=track, count=count, adaptive=adaptive)
    if loop_track is not None and mode is None:
        chosen_mode = Mode.REAL  # a loop is a dress rehearsal
    else:
        chosen_mode = parse_mode(mode or Mode.STUDY.value)
    if follow_ups is None:
        follow_ups = 1 if ui.is_interactive() else 0
    if not 0 <= follow_ups <= MAX_FOLLOW_UPS:
        raise BadInputError(f"--follow-ups must be 0, 1 or 2 (got {follow_ups})")
    if time_limit is not None and time_limit < 1:
        raise BadInputError(f"--time-limit must be a positive number of seconds (got {time_limit})")
    grader_settings = load_settings(model=model, base_url=base_url)
    chosen_grader, notice = make_grader(grader, grader_settings)
    if chosen_grader.name == "openai":
        chosen_grader, notice = offline_if_unreachable(chosen_grader, grader_settings, notice)
    loaded = load_catalogue(bank or [])
    plan, count, seed = _choose_plan(
        loaded,
        topics=topic or [],
        tracks=chosen_tracks,
        level=chosen_level,
        count=count,
        seed=seed,
        adaptive=adaptive,
        loop=loop_track,
    )
    if notice:
        ui.notice(notice)
    settings = SessionSettings(
        topics=sorted(topic or []),
        level=chosen_level,
        count=count,
        seed=seed,
        mode=chosen_mode,
        grader=chosen_grader.name,
        follow_ups=follow_ups,
        time_limit_s=time_limit,
        adaptive=adaptive,
        banks=[str(path.resolve()) for path in bank or []],
        tracks=chosen_tracks,
        loop=loop_track,
        time_limits_s=dict(LOOP_TIME_LIMITS) if loop_track and time_limit is None else {},
        model=grader_settings.model if chosen_grader.name != "offline" else None,
        base_url_host=grader_settings.base_url_host if chosen_grader.name != "offline" else None,
    )
    folder = resolve_transcripts_dir(transcripts_dir)
    from mockaws.cli.voice_options import voice_input

    voice_in = voice_input(
        enabled=voice,
        grader_settings=grader_settings,
        folder=folder,
        keep_audio=keep_audio,
        speak_questions=speak_questions,
        speech_model=speech_model,
        speech_base_url=speech_base_url,
        audio_device=audio_device,
        long_pause=long_pause,
        stop_after_silence=stop_after_silence,
    )
    session = Interview(plan, GradingRunner(chosen_grader), TranscriptStore(folder), settings)
    drive(session, voice=voice_in)


def offline_if_unreachable(
    grader: Grader, settings: Settings, notice: str | None
) -> tuple[Grader, str | None]:
    """A model server that does not answer is said at once, not after every answer.

    At a terminal the user chooses: the offline grader now, or the model (answers are kept
    ungraded for `mockaws regrade`). Piped, the interview goes on offline with a notice.
    """
    from mockaws import ui
    from mockaws.doctor import unreachable_reason
    from mockaws.grading.offline import OfflineGrader

    reason = unreachable_reason(settings)
    if reason is None:
        return grader, notice
    ui.warning(f"the model server does not answer: {reason}")
    if ui.is_interactive() and not ui.confirm("Continue with the offline grader?"):
        return grader, "Answers the model cannot grade are kept for `mockaws regrade`."
    return OfflineGrader(), "Grading with the offline grader (`mockaws doctor` checks the server)."


def _choose_plan(
    loaded: Catalogue,
    *,
    topics: list[str],
    tracks: list[Track],
    level: Level | None,
    count: int | None,
    seed: int | None,
    adaptive: bool,
    loop: Track | None,
) -> tuple[QuestionPlan, int, int | None]:
    """The session's questions, with the count and seed to record for it."""
    import secrets

    from mockaws.bank import check_count, select_questions
    from mockaws.errors import BadInputError
    from mockaws.loops import select_loop
    from mockaws.models import Level
    from mockaws.session import AdaptivePlan, FixedPlan

    if loop is not None:
        chosen = select_loop(loaded.questions(), loop, level or Level.MID, seed)
        return FixedPlan(chosen), len(chosen), seed
    count = 5 if count is None else count
    if not adaptive:
        candidates = loaded.filter(topics, level, tracks)
        check_count(count, candidates)
        # Only the questions asked are read whole.
        chosen = [loaded.question(q.id) for q in select_questions(candidates, count, seed)]
        return FixedPlan(chosen), count, seed
    if count < 1:
        raise BadInputError(f"-n must be at least 1 (got {count})")
    pool = [loaded.question(q.id) for q in loaded.filter(topics, tracks=tracks)]
    if not pool:
        raise BadInputError("no questions match the chosen topic and track")
    # A seed is always recorded, so the session can be resumed (and replayed) exactly.
    seed = seed if seed is not None else secrets.randbelow(1_000_000)
    return AdaptivePlan(pool, count, seed, level or Level.MID), count, seed


def _refuse_with_loop(
    *, topic: list[str] | None, track: list[str] | None, count: int | None, adaptive: bool
) -> None:
    """A loop picks its own questions: options that pick them too are a mistake, not a filter."""
    from mockaws.errors import BadInputError

    given = {"--topic": bool(topic), "--track": bool(track), "-n": count is not None}
    given["--adaptive"] = adaptive
    clash = next((name for name, present in given.items() if present), None)
    if clash is not None:
        raise BadInputError(f"--loop chooses its own questions: leave out {clash}")


def parse_mode(value: str) -> Mode:
    """The Mode named by `value`, or a BadInputError naming the choices."""
    from mockaws.errors import BadInputError
    from mockaws.models import Mode

    choices = (Mode.STUDY, Mode.REAL)  # drill sessions belong to `mockaws drill`
    chosen = next((m for m in choices if m.value == value.lower()), None)
    if chosen is None:
        names = ", ".join(m.value for m in choices)
        raise BadInputError(f"--mode: unknown mode '{value}' (choose from: {names})")
    return chosen


def drive(
    session: Interview,
    *,
    on_answer: Callable[[Question, Turn], None] | None = None,
    voice: VoiceInput | None = None,
) -> None:
    """Run `session` at the terminal (or from piped stdin) through the core loop; then report.

    `on_answer` is called after each main answer once its grade is in (drills use it to ask
    for a rating), so with it the interview waits for each grade. With `voice`, each answer is
    first spoken and its transcript opens in the editor.
    """
    from mockaws import ui
    from mockaws.session import run_interview

    frontend = ui.frontend_for(session, session.transcript.id, voice=voice)
    outcome = run_interview(session, frontend, on_answer=on_answer)
    _close(session, outcome)


def _close(session: Interview, outcome: Outcome) -> None:
    """Wait for the last grades (unless quitting at once), save, summarise, and say where."""
    from mockaws import ui
    from mockaws.errors import GradingError, SaveError, SessionInterruptedError
    from mockaws.models import Mode, SessionStatus
    from mockaws.session import Outcome
    from mockaws.summary import report

    at_once = outcome is Outcome.INTERRUPTED_NOW
    if not at_once and session.pending_grades:
        try:
            with ui.grading_progress() as progress:
                session.wait_for_grades(progress)
        except KeyboardInterrupt:
            at_once = True
    status = SessionStatus.COMPLETED if outcome is Outcome.DONE else SessionStatus.ABANDONED
    try:
        paths = session.finish(status)
    except SaveError:
        ui.last_resort_copy(session.answers_typed())
        raise
    transcript = session.transcript
    if paths is None:
        ui.notice("Nothing was answered: the session is not kept.")
        if outcome in (Outcome.INTERRUPTED, Outcome.INTERRUPTED_NOW):
            raise SessionInterruptedError("interrupted before any answer: nothing to keep")
        return
    if not at_once:
        if session.settings.mode is Mode.REAL:
            ui.final_feedback(session)
        else:
            for graded in session.take_events():
                ui.show_event(graded, transcript.id)
        ui.interview_summary(report(transcript, session.known), transcript)
    elif session.pending_grades or session.ungraded:
        ui.notice(f"Answers not graded yet are kept: `mockaws resume {transcript.id}` grades them.")
    ui.saved([paths.json, paths.markdown])
    if outcome in (Outcome.INTERRUPTED, Outcome.INTERRUPTED_NOW):
        raise SessionInterruptedError(
            f"interrupted: the interview was saved (`mockaws resume {transcript.id}` continues it)"
        )
    failed = session.ungraded
    if failed and not session.pending_grades:
        raise GradingError(
            f"{failed} {'answer was' if failed == 1 else 'answers were'} not graded and "
            f"{'is' if failed == 1 else 'are'} saved: `mockaws regrade {transcript.id}` grades "
            f"{'it' if failed == 1 else 'them'}"
        )
