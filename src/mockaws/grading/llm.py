"""The LLM grader: any OpenAI-compatible endpoint labels the rubric points; scoring.py scores.

One grade is one chat completion asking for the reply schema as structured output (labels first,
point ids constrained to the question's). What each server accepts is learnt from what it says
when it refuses a request, and remembered per endpoint and model: a rejected `response_format`
moves to the next format (JSON mode with the schema, JSON mode, the schema in the prompt alone);
a rejected parameter is dropped. The reply is read tolerantly (fences, `<think>` blocks, id
variants, omitted or duplicated points become notices) and scored strictly.

One deadline bounds the whole grade: connecting, retries, waits a server asks for, and a reply
trickling in. Every failure becomes a `GradingError` with a one-line reason: the caller keeps the
answer and can grade it later.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mockaws.config import OPENAI_BASE_URL, Settings, home_dir
from mockaws.errors import ConfigError, GradingError
from mockaws.models import Feedback, PointVerdict, Question, RedFlagHit, Usage, Verdict
from mockaws.openai_client import (
    after_retries,
    describe_failure,
    error_body,
    error_detail,
    one_line,
    openai_client,
)
from mockaws.prompts import VERDICTS, grading_prompt, prompt_version, repair_prompt, reply_schema
from mockaws.safety import without_userinfo
from mockaws.tokens import add_usage, count_tokens, make_usage, truncate_to_tokens

if TYPE_CHECKING:
    from openai import OpenAI
    from openai.types.chat import ChatCompletion

    from mockaws.grading.scoring import Labels

ResponseMode = Literal["json_schema", "json_object_schema", "json_object", "prompt"]
# What to try next when a server rejects a response format. "json_object_schema" is JSON mode
# with the schema in llama-cpp-python's `schema` field (its grammar-constrained JSON mode).
_FALLBACK: dict[ResponseMode, ResponseMode | None] = {
    "json_schema": "json_object_schema",
    "json_object_schema": "json_object",
    "json_object": "prompt",
    "prompt": None,
}
# Best first: the order a new server is tried in.
RESPONSE_MODES: tuple[ResponseMode, ...] = (
    "json_schema",
    "json_object_schema",
    "json_object",
    "prompt",
)
_MODE_NAMES: dict[ResponseMode, str] = {
    "json_schema": "json_schema (structured outputs)",
    "json_object_schema": "json_object with the schema",
    "json_object": "json_object (JSON mode)",
    "prompt": "schema in the prompt only",
}
# Request parameters a server may refuse; each is dropped (once) when it does.
DROPPABLE = ("reasoning_effort", "max_completion_tokens", "max_tokens", "temperature", "seed")
MAX_ANSWER_TOKENS = 1500  # about ten minutes of speech: longer answers are cut for grading
# Output caps: a reply is ~400-600 tokens; reasoning models also spend their hidden reasoning
# from the cap. A local model that ignores the end of the JSON stops here, not at its context.
REASONING_OUTPUT_TOKENS = 4096
PLAIN_OUTPUT_TOKENS = 1024
_REASONING_MODEL = re.compile(r"^(openai/|azure/)?(gpt-5|o\d)", re.IGNORECASE)
# gpt-5 chat models take no reasoning effort and answer like ordinary chat models.
_CHAT_VARIANT = re.compile(r"chat", re.IGNORECASE)
_THINK_BLOCK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.IGNORECASE | re.DOTALL)
_CONTEXT_WORDS = re.compile(
    r"context[ _-]?(length|size|window)|max_model_len|too many tokens|exceed_context|"
    r"maximum context|prompt is too long",
    re.IGNORECASE,
)
_FORMAT_WORDS = re.compile(r"response_format|json_schema|json_object", re.IGNORECASE)
_RETRYABLE = {408, 409, 429}
# A server's prompt count this far below ours means its chat template dropped something.
_DROPPED_PROMPT_RATIO = 0.5
_CONSERVATIVE_ORDER = ("contradicted", "missed", "partial", "covered")
SERVERS_FILE = "servers.json"


def is_reasoning_model(model: str) -> bool:
    """OpenAI's gpt-5 and o-series reasoning models (not the gpt-5 chat variants)."""
    return bool(_REASONING_MODEL.match(model)) and not _CHAT_VARIANT.search(model)


def output_cap(settings: Settings) -> int:
    """The reply's token cap: configured, else one sized for the model's kind."""
    if settings.max_output_tokens:
        return settings.max_output_tokens
    return REASONING_OUTPUT_TOKENS if is_reasoning_model(settings.model) else PLAIN_OUTPUT_TOKENS


@dataclass(frozen=True)
class RequestShape:
    """How to ask one server for a grade: the response format and the parameters it refused."""

    mode: ResponseMode = "json_schema"
    dropped: frozenset[str] = frozenset()

    def describe(self) -> str:
        text = _MODE_NAMES[self.mode]
        if self.dropped:
            text += "; not sent: " + ", ".join(sorted(self.dropped))
        return text


class ServerMemory:
    """What each server accepted, per endpoint and model, kept in `<home>/servers.json`.

    Keyed by model too: one model without structured outputs must not downgrade the others
    served from the same endpoint.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or home_dir() / SERVERS_FILE
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # missing or damaged: only costs one probe
        return data if isinstance(data, dict) else {}

    def shape(self, base_url: str, model: str) -> RequestShape | None:
        endpoint = self._read().get(without_userinfo(base_url))
        entry = endpoint.get(model) if isinstance(endpoint, dict) else None
        if not isinstance(entry, dict):
            return None  # also an entry from before models were told apart: probe again
        mode = entry.get("response_format")
        dropped = entry.get("dropped", [])
        if mode not in _FALLBACK or not isinstance(dropped, list):
            return None
        return RequestShape(mode, frozenset(p for p in dropped if p in DROPPABLE))

    def remember(self, base_url: str, model: str, shape: RequestShape) -> None:
        from mockaws.files import atomic_write_text

        # Credentials in the URL's userinfo never reach the file.
        base_url = without_userinfo(base_url)
        with self._lock:
            data = self._read()
            endpoint = data.get(base_url)
            if not isinstance(endpoint, dict) or "response_format" in endpoint:
                endpoint = {}
            endpoint[model] = {"response_format": shape.mode, "dropped": sorted(shape.dropped)}
            data[base_url] = endpoint
            # A read-only home only means probing the server again next time.
            with contextlib.suppress(OSError):
                atomic_write_text(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")


class UnusableReplyError(Exception):
    """The reply arrived but cannot be used; `reason` says why, for a repair or the user."""

    def __init__(self, reason: str, content: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.content = content


class _FormatRejectedError(Exception):
    def __init__(self, failure: GradingError, *, named: bool) -> None:
        super().__init__(failure.message)
        self.failure = failure
        self.named = named  # the server named the response format: not a guess


class _ParamRejectedError(Exception):
    def __init__(self, param: str, failure: GradingError) -> None:
        super().__init__(param)
        self.param = param
        self.failure = failure


class _ContextOverflowError(Exception):
    def __init__(self, context: int | None, prompt: int | None, detail: str) -> None:
        super().__init__(detail)
        self.context = context
        self.prompt = prompt
        self.detail = detail


class _DeadlineReachedError(Exception):
    pass


class _ReadTimeoutError(Exception):
    """The reply stopped arriving part way through."""


class _ConnectionLostError(Exception):
    """The connection failed part way through the reply."""


@dataclass
class _Run:
    """One grade in progress: its deadline, the tokens it has spent and what to tell the user."""

    limit: float
    started: float = field(default_factory=time.monotonic)
    usage: Usage | None = None
    notices: list[str] = field(default_factory=list)
    cap: int = 0

    @property
    def left(self) -> float:
        return self.limit - (time.monotonic() - self.started)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def notice(self, text: str) -> None:
        if text not in self.notices:
            self.notices.append(text)


def _error_text(exc: Exception) -> str:
    """Everything the server said, for classifying the failure (message, param, details)."""
    body = getattr(exc, "body", None)
    text = json.dumps(body) if body is not None else ""
    response = getattr(exc, "response", None)
    with contextlib.suppress(Exception):
        text += " " + response.text if response is not None else ""
    return text + " " + str(getattr(exc, "message", "") or "")


def _first_int(pattern: str, text: str) -> int | None:
    found = re.search(pattern, text, re.IGNORECASE)
    return int(found.group(1).replace(",", "")) if found else None


def _context_numbers(exc: Exception) -> tuple[int | None, int | None]:
    """The model's context size and the prompt's tokens, where the server says them."""
    body, text = error_body(exc), _error_text(exc)
    context = body.get("n_ctx") if isinstance(body.get("n_ctx"), int) else None
    prompt = body.get("n_prompt_tokens") if isinstance(body.get("n_prompt_tokens"), int) else None
    context = context or _first_int(r"maximum context length is ([\d,]+)", text)
    context = context or _first_int(r"context (?:length|size|window)[^\d]{0,20}([\d,]+)", text)
    prompt = prompt or _first_int(r"([\d,]+) (?:tokens )?in the messages", text)
    return context, prompt


def _backoff(tries: int) -> float:
    jitter = 0.75 + random.random() / 2  # spreads the retries of concurrent grades
    return float(min(8.0, 0.5 * 2**tries) * jitter)


def _transport_errors() -> tuple[type[Exception], type[Exception]]:
    """Timeout and transport errors of the HTTP library the SDK uses (httpx, or its successor)."""
    import sys

    import openai

    base = vars(sys.modules["openai._base_client"])
    http = base.get("httpx2") or base.get("httpx")
    if http is None:  # an SDK we do not know: its own errors still apply
        return openai.APITimeoutError, openai.APIConnectionError
    return http.TimeoutException, http.TransportError


def _retry_after(exc: Exception) -> float | None:
    """The wait a server asked for (Retry-After or retry-after-ms), in seconds."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    with contextlib.suppress(TypeError, ValueError):
        if headers.get("retry-after-ms"):
            return float(str(headers["retry-after-ms"])) / 1000
        if headers.get("retry-after"):
            return float(str(headers["retry-after"]))
    return None


# ---------------------------------------------------------------------- reading the reply


def _normal_id(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _id_index(ids: Sequence[str]) -> dict[str, str]:
    """Spellings that name exactly one id: the id itself, and its normal form if unshared."""
    by_normal: dict[str, list[str]] = {}
    for one in ids:
        by_normal.setdefault(_normal_id(one), []).append(one)
    index = {normal: found[0] for normal, found in by_normal.items() if len(found) == 1}
    index.update({one: one for one in ids})
    return index


def _lookup(index: Mapping[str, str], raw: str) -> str | None:
    cleaned = raw.strip().strip("`'\"")
    return index.get(cleaned) or index.get(_normal_id(cleaned))


def _json_objects(content: str) -> Iterator[dict[str, Any]]:
    """Every JSON object in the text, outermost first, past fences, chatter and think blocks."""
    text = _THINK_BLOCK.sub(" ", content)
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\{", text):
        try:
            found, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(found, dict):
            yield found


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    return (
        [item.strip() for item in value if isinstance(item, str) and item.strip()]
        if (isinstance(value, list))
        else []
    )


def _resolve_duplicates(found: dict[str, list[PointVerdict]]) -> list[str]:
    """Keep one label per point, the most conservative, and say where there were several."""
    notices = []
    for point_id, labels in found.items():
        if len(labels) > 1:
            kept = min(labels, key=lambda p: _CONSERVATIVE_ORDER.index(p.verdict.value))
            given = ", ".join(p.verdict.value for p in labels)
            notices.append(
                f"the grader labelled {point_id} {len(labels)} times ({given}): "
                f"the most conservative label, {kept.verdict.value}, was kept"
            )
            found[point_id] = [kept]
    return notices


def _red_flags(question: Question, raw: Any) -> list[RedFlagHit]:
    """Red flags the reply names by one of the question's ids (others are no flag at all)."""
    flags = _id_index([flag.id for flag in question.red_flags])
    hits = []
    for hit in raw if isinstance(raw, list) else []:
        flag_id = _lookup(flags, _text(hit.get("flag_id"))) if isinstance(hit, dict) else None
        if flag_id is not None:
            hits.append(RedFlagHit(flag_id=flag_id, evidence=_text(hit.get("evidence"))))
    return hits


def read_reply(question: Question, content: str) -> Labels:
    """The labels in a model's reply, read as leniently as can be done without guessing.

    Points are taken from the reply object or, when it does not parse (a reply cut off after its
    labels), from the point objects that do. Raises UnusableReplyError, listing every problem,
    when no rubric point can be read.
    """
    objects = list(_json_objects(content))
    whole = next((o for o in objects if isinstance(o.get("points"), list)), None)
    if whole is not None:
        raw_points: list[Any] = whole["points"]
    else:
        raw_points = [o for o in objects if "point_id" in o and "verdict" in o]
        whole = {}
    index = _id_index([point.id for point in question.rubric])
    problems: list[str] = []
    unknown: list[str] = []
    found: dict[str, list[PointVerdict]] = {}
    for position, item in enumerate(raw_points):
        if not isinstance(item, dict):
            problems.append(f"points[{position}] is not an object")
            continue
        raw_id = _text(item.get("point_id"))
        point_id = _lookup(index, raw_id) if raw_id else None
        if point_id is None:
            unknown.append(raw_id or f"points[{position}] (no point_id)")
            continue
        verdict = _text(item.get("verdict")).lower()
        if verdict not in VERDICTS:
            problems.append(
                f"point {point_id}: verdict '{one_line(verdict, 30)}' is not one of "
                + ", ".join(VERDICTS)
            )
            continue
        found.setdefault(point_id, []).append(
            PointVerdict(
                point_id=point_id,
                verdict=Verdict(verdict),
                evidence=_text(item.get("evidence")),
                note=_text(item.get("note")),
            )
        )
    missing = [point.id for point in question.rubric if point.id not in found]
    if unknown:
        problems.append(
            "labels for points this question does not have: "
            + ", ".join(one_line(u, 40) for u in unknown)
        )
    if not found:
        if not objects:
            problems.insert(0, "the reply holds no JSON object")
        elif not raw_points:
            problems.insert(0, 'the reply has no "points" list')
        problems.append("no label for rubric points " + ", ".join(missing))
        raise UnusableReplyError("; ".join(problems), content)

    notices = [*problems, *_resolve_duplicates(found)]
    points = [labels[0] for labels in found.values()]
    if missing:
        notices.append(f"the grader gave no label for {', '.join(missing)}: counted as missed")
    red_flags = _red_flags(question, whole.get("red_flags"))
    feedback = whole.get("feedback") if isinstance(whole.get("feedback"), dict) else {}
    assert isinstance(feedback, dict)
    addressed = whole.get("answer_addresses_grader")
    integrity = []
    if addressed is True or (isinstance(addressed, str) and addressed.lower() == "true"):
        integrity.append("the grader judged that the answer addresses the grader: not obeyed")
    from mockaws.grading.scoring import Labels  # here: `config show` imports this module

    return Labels(
        points=points,
        red_flags_hit=red_flags,
        feedback=Feedback(
            strengths=_texts(feedback.get("strengths")),
            gaps=_texts(feedback.get("gaps")),
            outline=_texts(feedback.get("outline")),
        ),
        follow_up=_text(whole.get("follow_up")) or None,
        integrity_flags=integrity,
        notices=notices,
    )


# ---------------------------------------------------------------------- the grader


class OpenAIGrader:
    """Grades through the chat completions API of OpenAI or any compatible server."""

    name = "openai"
    thread_safe = True  # the SDK client is; regrade runs several grades at once

    def __init__(self, settings: Settings, *, memory: ServerMemory | None = None) -> None:
        if settings.api_key is None and settings.base_url is None:
            raise ConfigError(
                "no API key for OpenAI: set OPENAI_API_KEY, or point OPENAI_BASE_URL "
                "(or --base-url) at a compatible server"
            )
        self.settings = settings
        self.memory = memory or ServerMemory()
        self._client: OpenAI | None = None
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ public

    def label(self, question: Question, answer: str) -> Labels:
        """Label the answer with the model (scoring, in code, is `grade_answer`'s)."""
        run = _Run(limit=self.settings.grade_timeout, cap=output_cap(self.settings))
        notes: list[str] = []
        # The model sees the answer whole, fenced as data; text addressed to it is flagged, and
        # scoring credits no quote whose only words lie in it.
        gradable = answer
        from mockaws.grading.injection import find_injections

        if find_injections(answer):
            notes.append("parts of the answer address the grader: they are data, not instructions")
        tokens = count_tokens(gradable, self.settings.model)
        if tokens.tokens > MAX_ANSWER_TOKENS:
            gradable = truncate_to_tokens(gradable, MAX_ANSWER_TOKENS, self.settings.model)
            cut = f"the answer is {'about ' if tokens.estimated else ''}{tokens.tokens} tokens"
            run.notice(f"{cut}: only the first {MAX_ANSWER_TOKENS} were graded")
            notes.append("the answer was cut at the grading length limit")
        try:
            labels = self._ask(question, gradable, notes, run)
        except GradingError as exc:
            spent = run.usage
            if spent is None or not (spent.prompt_tokens or spent.completion_tokens):
                raise
            tokens_spent = f"{spent.prompt_tokens + spent.completion_tokens:,} tokens spent"
            raise GradingError(f"{exc.message} ({tokens_spent})") from None
        return self._with_provenance(labels, run)

    # ------------------------------------------------------------------ steps

    def _with_provenance(self, labels: Labels, run: _Run) -> Labels:
        """The labels with what produced them: the model, its host, the prompt, the usage."""
        labels.notices[:0] = run.notices
        labels.model = self.settings.model
        labels.base_url_host = self.settings.base_url_host
        labels.prompt_version = prompt_version()
        labels.usage = run.usage
        labels.latency_s = round(run.elapsed, 2)
        return labels

    def _ask(self, question: Question, answer: str, notes: Sequence[str], run: _Run) -> Labels:
        """Labels, walking down the request shapes until the server accepts one."""
        base_url, model = self.settings.effective_base_url, self.settings.model
        remembered = self.memory.shape(base_url, model)
        shape = remembered or RequestShape()
        first_rejection: GradingError | None = None
        while True:
            try:
                labels = self._ask_in_shape(shape, question, answer, notes, run)
            except _FormatRejectedError as rejected:
                first_rejection = first_rejection or rejected.failure
                next_mode = _FALLBACK[shape.mode]
                if next_mode is None:
                    raise first_rejection from None
                shape = replace(shape, mode=next_mode)
                if rejected.named:
                    # Known now, whatever becomes of this grade: the next skips the refusal.
                    self.memory.remember(base_url, model, shape)
                    remembered = shape
                continue
            except _ParamRejectedError as rejected:
                if rejected.param in shape.dropped:
                    raise rejected.failure from None
                shape = replace(shape, dropped=shape.dropped | {rejected.param})
                self.memory.remember(base_url, model, shape)
                remembered = shape
                continue
            if shape != remembered:
                self.memory.remember(base_url, model, shape)
            return labels

    def _ask_in_shape(
        self,
        shape: RequestShape,
        question: Question,
        answer: str,
        notes: Sequence[str],
        run: _Run,
    ) -> Labels:
        in_prompt = None if shape.mode == "json_schema" else reply_schema()
        prompt = grading_prompt(question, answer, notes=notes, json_schema=in_prompt)
        messages: list[dict[str, str]] = prompt.messages
        for attempt in range(2):
            completion = self._complete(shape, question, messages, run)
            try:
                return self._read(question, completion, run)
            except UnusableReplyError as bad:
                if attempt == 1:
                    raise GradingError(
                        f"the model's reply was not usable, even after one repair attempt: "
                        f"{one_line(bad.reason, 300)}"
                    ) from None
                messages = [
                    *messages,
                    {"role": "assistant", "content": bad.content},
                    {"role": "user", "content": repair_prompt(bad.reason)},
                ]
        raise AssertionError("unreachable")

    def _params(self, shape: RequestShape, question: Question, cap: int) -> dict[str, Any]:
        settings = self.settings
        reasoning = is_reasoning_model(settings.model)
        params: dict[str, Any] = {}
        # OpenAI's reasoning models take only max_completion_tokens; most other servers
        # (llama.cpp, Ollama, llama-cpp-python) honour only max_tokens.
        cap_names = ["max_completion_tokens", "max_tokens"]
        if not reasoning:
            cap_names.reverse()
        cap_name = next((n for n in cap_names if n not in shape.dropped), None)
        if cap_name:
            params[cap_name] = cap
        if not reasoning:
            params["temperature"] = settings.temperature
            params["seed"] = settings.seed
        effort = settings.reasoning_effort
        explicit = settings.sources.get("reasoning_effort", "default") != "default"
        if effort != "off" and (explicit or reasoning):
            params["reasoning_effort"] = effort
        for name in shape.dropped:
            params.pop(name, None)
        # OpenAI puts the schema before the system message in its prompt cache: a schema that
        # names each question's ids would make every grade's prefix new. Its models label by
        # id well without the constraint; small local models need it (and cache nothing).
        schema = reply_schema(None if settings.effective_base_url == OPENAI_BASE_URL else question)
        if shape.mode == "json_schema":
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "grade", "strict": True, "schema": schema},
            }
        elif shape.mode == "json_object_schema":
            params["response_format"] = {"type": "json_object", "schema": schema}
        elif shape.mode == "json_object":
            params["response_format"] = {"type": "json_object"}
        return params

    def _complete(
        self, shape: RequestShape, question: Question, messages: list[dict[str, str]], run: _Run
    ) -> ChatCompletion:
        """One completion, retried on transient faults while the grade's deadline allows."""
        import openai

        tries = 0
        while True:
            params = self._params(shape, question, run.cap)
            if run.left <= 0:
                raise self._deadline_failure(run, "the model had not finished")
            try:
                completion = self._post(params, messages, run)
            except _DeadlineReachedError:
                raise self._deadline_failure(run, "the reply was still arriving") from None
            except openai.APIStatusError as exc:
                try:
                    self._classify(exc, params)
                except _ContextOverflowError as overflow:
                    if self._fit_cap(overflow, messages, run):
                        continue
                    raise self._context_failure(overflow, messages, run) from None
                retryable = exc.status_code in _RETRYABLE or exc.status_code >= 500
                if not retryable or tries >= self.settings.retries:
                    raise self._failure(exc, tries) from None
                wait = _retry_after(exc)
                if wait is not None and wait > run.left:
                    raise GradingError(
                        f"{self.settings.base_url_host} asked to retry after {wait:g} s "
                        f"(HTTP {exc.status_code}), more than the {max(run.left, 0):.0f} s left "
                        f"of the {run.limit:g} s limit (MOCKAWS_GRADE_TIMEOUT)"
                    ) from None
                self._sleep(wait if wait is not None else _backoff(tries), run)
                tries += 1
                continue
            except (
                openai.APIConnectionError,
                openai.APITimeoutError,
                _ReadTimeoutError,
                _ConnectionLostError,
            ) as exc:
                if run.left <= 0:
                    raise self._deadline_failure(run, "no reply came") from None
                if tries >= self.settings.retries:
                    raise self._failure(exc, tries) from None
                self._sleep(_backoff(tries), run)
                tries += 1
                continue
            self._count(completion, messages, run)
            return completion

    def _sleep(self, seconds: float, run: _Run) -> None:
        if seconds >= run.left:
            raise self._deadline_failure(run, "retries did not fit")
        time.sleep(max(0.0, seconds))

    def _post(
        self, params: dict[str, Any], messages: list[dict[str, str]], run: _Run
    ) -> ChatCompletion:
        """Send the request and read the body in pieces, checking the deadline as they come."""
        import openai
        from openai.types.chat import ChatCompletion
        from pydantic import ValidationError

        timed_out, transport_failed = _transport_errors()
        limit = max(0.05, min(self.settings.timeout, run.left))
        create = self.client.chat.completions.with_streaming_response.create
        try:
            with create(
                model=self.settings.model,
                messages=messages,  # type: ignore[arg-type]
                timeout=limit,
                **params,
            ) as response:
                body = bytearray()
                for piece in response.iter_bytes():
                    body += piece
                    if run.left <= 0:
                        raise _DeadlineReachedError
        except openai.OpenAIError:
            raise
        except timed_out as exc:  # while the body was being read
            raise _ReadTimeoutError from exc
        except transport_failed as exc:
            raise _ConnectionLostError(str(exc)) from exc
        try:
            return ChatCompletion.model_validate_json(bytes(body))
        except ValidationError:
            raise GradingError(
                f"{self.settings.base_url_host} sent something that is not a chat completion"
            ) from None

    def _classify(self, exc: Exception, params: Mapping[str, Any]) -> None:
        """Raise what the server's refusal means; return if it is none of the known kinds."""
        text = _error_text(exc)
        status = getattr(exc, "status_code", 0)
        failure = self._failure(exc, 0)
        if _CONTEXT_WORDS.search(text):
            context, prompt = _context_numbers(exc)
            raise _ContextOverflowError(context, prompt, error_detail(exc))
        named = error_body(exc).get("param")
        sent = [name for name in DROPPABLE if name in params]
        if isinstance(named, str) and named in sent:
            raise _ParamRejectedError(named, failure)
        if _FORMAT_WORDS.search(text) and "response_format" in params:
            raise _FormatRejectedError(failure, named=True)
        for name in sent:
            if re.search(rf"\b{name}\b", text):
                raise _ParamRejectedError(name, failure)
        if status in (400, 422) and "response_format" in params:
            # An unexplained refusal: a simpler request may still pass.
            raise _FormatRejectedError(failure, named=False)

    def _fit_cap(
        self, overflow: _ContextOverflowError, messages: list[dict[str, str]], run: _Run
    ) -> bool:
        """Shrink the output cap once so prompt and reply fit the server's context."""
        if overflow.context is None or run.cap != output_cap(self.settings):
            return False
        prompt = overflow.prompt or self._prompt_tokens(messages)
        room = overflow.context - prompt - 16
        if room < 256 or room >= run.cap:
            return False
        run.cap = room
        run.notice(f"the reply was capped at {room} tokens to fit the model's context")
        return True

    def _context_failure(
        self, overflow: _ContextOverflowError, messages: list[dict[str, str]], run: _Run
    ) -> GradingError:
        prompt = overflow.prompt or self._prompt_tokens(messages)
        window = f"{overflow.context:,}" if overflow.context else "unknown"
        return GradingError(
            f"the grading prompt ({prompt:,} tokens) and reply cap ({run.cap:,}) do not fit the "
            f"context of {self.settings.model} at {self.settings.base_url_host} ({window} "
            f"tokens): {overflow.detail}; use a longer context or lower MOCKAWS_MAX_OUTPUT_TOKENS"
        )

    def _deadline_failure(self, run: _Run, what: str) -> GradingError:
        return GradingError(
            f"{self.settings.base_url_host} did not finish the grade within the {run.limit:g} s "
            f"limit (MOCKAWS_GRADE_TIMEOUT): {what}"
        )

    def _read(self, question: Question, completion: ChatCompletion, run: _Run) -> Labels:
        if not completion.choices:
            raise GradingError("the model server returned no reply")
        choice = completion.choices[0]
        message = choice.message
        if message.refusal:
            raise GradingError(
                f"the model refused to grade this answer: {one_line(message.refusal)}"
            )
        if choice.finish_reason == "content_filter":
            raise GradingError("the provider's content filter blocked the model's reply")
        content = message.content or ""
        cut_off = choice.finish_reason == "length"
        try:
            if not content.strip():
                raise UnusableReplyError("the reply was empty", content)
            labels = read_reply(question, content)
        except UnusableReplyError:
            if cut_off:  # asking again would only be cut off again
                raise GradingError(
                    f"the model's reply was cut off at its length limit ({run.cap} tokens) "
                    "before any rubric point was labelled"
                ) from None
            raise
        if cut_off:
            labels.notices.append(
                f"the model's reply was cut off at its length limit ({run.cap} tokens): "
                "the labels it finished were used"
            )
        return labels

    def _prompt_tokens(self, messages: Sequence[Mapping[str, str]]) -> int:
        return sum(count_tokens(m["content"], self.settings.model).tokens for m in messages)

    def _count(self, completion: ChatCompletion, messages: list[dict[str, str]], run: _Run) -> None:
        """Add a completion's tokens to the grade's, and notice a prompt the server cut."""
        reported = completion.usage
        ours = self._prompt_tokens(messages)
        if reported is not None and reported.prompt_tokens:
            details = reported.prompt_tokens_details
            reasoning = reported.completion_tokens_details
            usage = make_usage(
                self.settings.model,
                reported.prompt_tokens,
                (details.cached_tokens or 0) if details else 0,
                reported.completion_tokens or 0,
                estimated=False,
                reasoning_tokens=(reasoning.reasoning_tokens or 0) if reasoning else 0,
            )
            if reported.prompt_tokens < _DROPPED_PROMPT_RATIO * ours:
                run.notice(
                    f"the server counted {reported.prompt_tokens:,} prompt tokens where about "
                    f"{ours:,} were sent: its chat template may drop the grading instructions "
                    "(the system message)"
                )
        else:
            # Some local servers report no usage: count it ourselves, and say so.
            content = (completion.choices[0].message.content or "") if completion.choices else ""
            usage = make_usage(
                self.settings.model,
                ours,
                0,
                count_tokens(content, self.settings.model).tokens,
                estimated=True,
            )
        run.usage = add_usage(run.usage, usage)

    # ------------------------------------------------------------------ plumbing

    @property
    def client(self) -> OpenAI:
        """The SDK client, made on first use: `import openai` costs start-up time."""
        with self._lock:
            if self._client is None:
                # Retries are ours: they must fit the grade's deadline.
                self._client = openai_client(self.settings, max_retries=0)
            return self._client

    def _failure(self, exc: Exception, tries: int) -> GradingError:
        """One line saying why the call failed, after any retries."""
        host = self.settings.base_url_host
        if isinstance(exc, _ConnectionLostError):
            return GradingError(
                f"the connection to {host} failed mid-reply{after_retries(tries)}: {exc}"
            )
        return GradingError(
            describe_failure(
                exc,
                "chat",
                host=host,
                timeout=self.settings.timeout,
                tries=tries,
                timed_out=isinstance(exc, _ReadTimeoutError),
                model=self.settings.model,
            )
        )
