"""`mockaws doctor`: is this installation ready to grade, and with what?

Each check is one line (a status and what was found). The model checks go through the LLM
grader itself, so what the doctor reports (and remembers) is what an interview will meet.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockaws.config import Settings
    from mockaws.grading.llm import RequestShape
    from mockaws.voice.settings import SpeechSettings

# How long the tiny request that asks whether anything is listening may take.
REACH_TIMEOUT_S = 5.0
# Above this a grade still arrives, but each answer's feedback visibly lags.
SLOW_ROUND_TRIP_S = 10.0
# What `mockaws doctor --json` prints: bump on a change a script could trip on.
JSON_SCHEMA_VERSION = 1
# The question the model checks grade a one-sentence answer to: small, and in every bank.
PROBE_QUESTION = "sg-vs-nacl"
PROBE_ANSWER = "Security groups are stateful and NACLs are stateless."


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Check:
    """One thing the doctor looked at: a name, how it went and what it found."""

    name: str
    status: Status
    detail: str


def check_home(home: Path) -> Check:
    """The home folder exists (or can be made) and a file can be written in it."""
    try:
        home.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=home, prefix=".doctor-"):
            pass
    except OSError as exc:
        from mockaws.files import describe_os_error

        return Check("home folder", Status.FAIL, f"{home}: not writable: {describe_os_error(exc)}")
    return Check("home folder", Status.OK, f"{home} (writable)")


def check_bank(extra: Sequence[Path] = ()) -> Check:
    from mockaws.bank import load_bank
    from mockaws.errors import MockawsError

    try:
        bank = load_bank(extra)
    except MockawsError as exc:
        return Check("question bank", Status.FAIL, exc.message)
    return Check(
        "question bank",
        Status.OK,
        f"{len(bank)} questions over {len(bank.topics)} topics",
    )


def check_tokens(model: str) -> Check:
    """The token counter: exact from a cached encoding, or an estimate; never a download."""
    from mockaws.tokens import counter_for, encoding_for_model

    counter = counter_for(model)
    if counter.exact:
        return Check("token counts", Status.OK, f"{counter.name} (exact, offline)")
    return Check(
        "token counts",
        Status.WARN,
        f"estimated: the {encoding_for_model(model)} encoding is not cached "
        "(pip install 'mockaws[tokens]' for exact counts; never downloaded)",
    )


def check_price(model: str) -> Check:
    from mockaws.tokens import price_for

    price = price_for(model)
    if price is None:
        return Check("price", Status.WARN, f"unknown for {model}: costs show tokens only")
    return Check(
        "price",
        Status.OK,
        f"{model}: ${price.input} in, ${price.cached_input} cached, ${price.output} out per 1M",
    )


def check_model(settings: Settings) -> list[Check]:
    """Ask the server a tiny request, then grade one short answer through the LLM grader.

    The grade starts from a blank memory of the server, so every response format is tried
    afresh; what it learns is then remembered for later interviews, as a first grade would.
    """
    from mockaws.bank import load_bank
    from mockaws.errors import MockawsError
    from mockaws.grading import grade_answer
    from mockaws.grading.llm import OpenAIGrader, ServerMemory

    server = f"{settings.model} at {settings.display_base_url}"
    started = time.perf_counter()
    reason = unreachable_reason(settings, timeout=min(settings.timeout, REACH_TIMEOUT_S))
    tiny = time.perf_counter() - started
    if reason is not None:
        return [
            Check("model server", Status.FAIL, f"{server}: {reason}"),
            check_price(settings.model),
        ]
    try:
        question = load_bank().get(PROBE_QUESTION)
    except MockawsError as exc:
        return [Check("model server", Status.SKIP, f"no probe question: {exc.message}")]
    with tempfile.TemporaryDirectory(prefix="mockaws-doctor-") as scratch:
        fresh = ServerMemory(Path(scratch) / "servers.json")
        started = time.perf_counter()
        try:
            # No retries: the doctor reports the first failure rather than waiting it out.
            probe = replace(settings, retries=0)
            grade = grade_answer(OpenAIGrader(probe, memory=fresh), question, PROBE_ANSWER)
        except MockawsError as exc:
            elapsed = time.perf_counter() - started
            return [
                Check(
                    "model server",
                    Status.FAIL,
                    f"{server} answers ({tiny * 1000:.0f} ms) but cannot grade: {exc.message} "
                    f"({elapsed:.1f} s)",
                ),
                check_price(settings.model),
            ]
        elapsed = time.perf_counter() - started
        learnt = fresh.shape(settings.effective_base_url, settings.model)
    formats = _format_detail(learnt)
    if learnt is not None:
        ServerMemory().remember(settings.effective_base_url, settings.model, learnt)
    speed = Status.WARN if elapsed > SLOW_ROUND_TRIP_S else Status.OK
    advice = (
        " (slow: raise MOCKAWS_GRADE_TIMEOUT if grades time out)" if speed is Status.WARN else ""
    )
    return [
        Check("model server", Status.OK, f"{server} answers and grades (score {grade.score})"),
        Check("response format", Status.OK, formats),
        Check(
            "round trip",
            speed,
            f"{tiny * 1000:.0f} ms for a tiny request, {elapsed:.1f} s for one short grade{advice}",
        ),
        check_price(settings.model),
    ]


def _format_detail(learnt: RequestShape | None) -> str:
    """What the grade's request settled on, e.g. "json_object with the schema accepted"."""
    from mockaws.grading.llm import RESPONSE_MODES

    if learnt is None:
        return "json_schema accepted"
    refused = RESPONSE_MODES[: RESPONSE_MODES.index(learnt.mode)]
    detail = f"{learnt.describe()} accepted"
    if refused:
        detail += f" ({', '.join(refused)} refused)"
    return detail + "; remembered for this server and model"


def run_checks(settings: Settings, home: Path, bank: Sequence[Path] = ()) -> list[Check]:
    """Every check, in the order a user would fix them."""
    checks = [check_home(home), check_bank(bank), check_tokens(settings.model)]
    if not settings.model_configured:
        checks.append(
            Check(
                "model",
                Status.SKIP,
                "none configured: the offline grader is used "
                "(mockaws config set model NAME, or base_url URL)",
            )
        )
        return checks
    return checks + check_model(settings)


def check_voice(speech: SpeechSettings, *, check_endpoint: bool) -> list[Check]:
    """Spoken answers: the audio library and microphone, and (when asked) the speech endpoint.

    Checking the endpoint transcribes half a second of silence, which a paid endpoint bills, so
    it runs only with `mockaws doctor --voice`.
    """
    from mockaws.voice.health import voice_health

    health = voice_health(speech, check_endpoint=check_endpoint)
    if health.audio_problem is not None:
        audio = Check("audio", Status.SKIP, f"{health.audio_problem} (needed only for --voice)")
    elif health.input_device is None:
        audio = Check("audio", Status.WARN, "no microphone found: --voice cannot record here")
    else:
        inputs = sum(1 for d in health.devices if d.inputs)
        audio = Check(
            "audio",
            Status.OK,
            f"PortAudio {health.portaudio}; records from {health.input_device} "
            f"({inputs} input {'device' if inputs == 1 else 'devices'})",
        )
    checks = [audio]
    if health.endpoint_ok is None:
        checks.append(
            Check(
                "speech endpoint",
                Status.SKIP,
                f"{health.model} at {health.endpoint_host}: not checked "
                "(mockaws doctor --voice sends it half a second of silence)",
            )
        )
    elif health.endpoint_ok:
        checks.append(
            Check(
                "speech endpoint",
                Status.OK,
                f"{health.model} at {health.endpoint_host} transcribes",
            )
        )
    else:
        checks.append(
            Check("speech endpoint", Status.FAIL, health.endpoint_problem or "did not transcribe")
        )
    return checks


def to_json(checks: Sequence[Check]) -> dict[str, Any]:
    """The shape `mockaws doctor --json` prints (documented in the README)."""
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "ok": all(c.status is not Status.FAIL for c in checks),
        "checks": [asdict(c) | {"status": c.status.value} for c in checks],
    }


def unreachable_reason(settings: Settings, timeout: float = 3.0) -> str | None:
    """Why the model server cannot be reached now (None when it answers at all).

    Any HTTP reply counts as an answer, even an error: this only asks whether something is
    listening, quickly and without spending tokens, before an interview relies on it.
    """
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(settings.effective_base_url)
    host = parts.hostname or ""
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    kind = http.client.HTTPSConnection if secure else http.client.HTTPConnection
    connection = kind(host, port, timeout=timeout)
    try:
        connection.request("GET", (parts.path.rstrip("/") or "") + "/models")
        connection.getresponse().read(0)
    except TimeoutError:
        return (
            f"{settings.base_url_host} did not answer within {timeout:g} s"
            " (busy with another request, or overloaded?)"
        )
    except OSError as exc:
        from mockaws.files import describe_os_error

        return f"cannot reach {settings.base_url_host}: {describe_os_error(exc)}"
    except http.client.HTTPException as exc:
        return f"{settings.base_url_host} sent something that is not HTTP ({type(exc).__name__})"
    finally:
        connection.close()
    return None
