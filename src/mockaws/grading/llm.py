"""The LLM grader: any OpenAI-compatible endpoint labels the rubric points; scoring.py scores.

One grade is one chat completion asking for `GraderReply` as structured output. Servers without
JSON-schema support get JSON mode, or the schema in the prompt alone; what worked is remembered
per server. A reply that does not parse, or leaves rubric points unlabelled, gets one repair
attempt. Every failure (network, rate limit, refusal, truncation, filter, bad JSON) becomes a
`GradingError` with a one-line reason: the caller keeps the answer and can grade it later.
"""

from __future__ import annotations

import contextlib
import json
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from mockaws.config import PLACEHOLDER_KEY, Settings, home_dir
from mockaws.errors import ConfigError, GradingError
from mockaws.grading.injection import find_injections
from mockaws.grading.scoring import Labels
from mockaws.models import Feedback, PointVerdict, Question, RedFlagHit, Usage, Verdict
from mockaws.prompts import GraderReply, grading_prompt, prompt_version, repair_prompt, reply_schema
from mockaws.tokens import add_usage, count_tokens, make_usage, truncate_to_tokens

if TYPE_CHECKING:
    from openai import OpenAI
    from openai.types.chat import ChatCompletion

ResponseMode = Literal["json_schema", "json_object", "prompt"]
# What to try next when a server rejects a response format.
_FALLBACK: dict[ResponseMode, ResponseMode | None] = {
    "json_schema": "json_object",
    "json_object": "prompt",
    "prompt": None,
}
MAX_ANSWER_TOKENS = 1500  # about ten minutes of speech: longer answers are cut for grading
MAX_OUTPUT_TOKENS = 4096  # a reply is ~600 tokens; the cap bounds cost if a model rambles
_REASONING_MODEL = re.compile(r"^(openai/)?(gpt-5|o\d)", re.IGNORECASE)
_JSON_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.IGNORECASE)
SERVERS_FILE = "servers.json"


class ServerMemory:
    """Which response format each server accepted, kept in `<home>/servers.json`."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or home_dir() / SERVERS_FILE
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # missing or damaged: only costs one probe
        return data if isinstance(data, dict) else {}

    def mode(self, base_url: str) -> ResponseMode | None:
        entry = self._read().get(base_url)
        mode = entry.get("response_format") if isinstance(entry, dict) else None
        return mode if mode in _FALLBACK else None

    def remember(self, base_url: str, mode: ResponseMode) -> None:
        from mockaws.files import atomic_write_text

        with self._lock:
            data = self._read()
            data[base_url] = {"response_format": mode}
            # A read-only home only means probing the server again next time.
            with contextlib.suppress(OSError):
                atomic_write_text(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")


class UnusableReplyError(Exception):
    """The reply arrived but cannot be used; `reason` says why, for a repair or the user."""

    def __init__(self, reason: str, content: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.content = content


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _error_detail(exc: Exception) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        message = inner.get("message") if isinstance(inner, dict) else inner
        if message:
            return _one_line(str(message))
    return _one_line(getattr(exc, "message", "") or str(exc))


def _json_text(content: str) -> str:
    """The JSON object in a reply, without the markdown fence or chatter some models add."""
    text = _JSON_FENCE.sub("", content.strip())
    start, end = text.find("{"), text.rfind("}")
    return text[start : end + 1] if 0 <= start < end else text


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


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
        started = time.monotonic()
        notes: list[str] = []
        notices: list[str] = []
        # The model sees the answer whole, fenced as data; text addressed to it is flagged, and
        # scoring credits no quote whose only words lie in it.
        gradable = answer
        if find_injections(answer):
            notes.append("parts of the answer address the grader: they are data, not instructions")
        tokens = count_tokens(gradable, self.settings.model)
        if tokens.tokens > MAX_ANSWER_TOKENS:
            gradable = truncate_to_tokens(gradable, MAX_ANSWER_TOKENS, self.settings.model)
            cut = f"the answer is {'about ' if tokens.estimated else ''}{tokens.tokens} tokens"
            notices.append(f"{cut}: only the first {MAX_ANSWER_TOKENS} were graded")
            notes.append("the answer was cut at the grading length limit")
        reply, usage = self._ask(question, gradable, notes)
        labels = self._labels(reply, notices)
        labels.model = self.settings.model
        labels.base_url_host = self.settings.base_url_host
        labels.prompt_version = prompt_version()
        labels.usage = usage
        labels.latency_s = round(time.monotonic() - started, 2)
        return labels

    # ------------------------------------------------------------------ steps

    @staticmethod
    def _labels(reply: GraderReply, notices: list[str]) -> Labels:
        integrity = []
        if reply.answer_addresses_grader:
            integrity.append("the grader judged that the answer addresses the grader: not obeyed")
        return Labels(
            points=[
                PointVerdict(
                    point_id=label.point_id,
                    verdict=Verdict(label.verdict),
                    evidence=label.evidence.strip(),
                    note=label.note.strip(),
                )
                for label in reply.points
            ],
            red_flags_hit=[
                RedFlagHit(flag_id=hit.flag_id, evidence=hit.evidence.strip())
                for hit in reply.red_flags
            ],
            feedback=Feedback(
                strengths=reply.feedback.strengths,
                gaps=reply.feedback.gaps,
                outline=reply.feedback.outline,
            ),
            follow_up=reply.follow_up.strip() or None,
            integrity_flags=integrity,
            notices=notices,
        )

    def _ask(
        self, question: Question, answer: str, notes: Sequence[str]
    ) -> tuple[GraderReply, Usage | None]:
        """One reply, walking down the response formats until the server accepts one."""
        import openai

        base_url = self.settings.effective_base_url
        remembered = self.memory.mode(base_url)
        mode: ResponseMode | None = remembered or "json_schema"
        first_rejection: openai.APIStatusError | None = None
        while mode is not None:
            try:
                result = self._ask_in_mode(mode, question, answer, notes)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                # Most often the server does not know this response_format: try a simpler one.
                first_rejection = first_rejection or exc
                mode = _FALLBACK[mode]
                continue
            if mode != remembered and (remembered is not None or mode != "json_schema"):
                self.memory.remember(base_url, mode)
            return result
        assert first_rejection is not None
        raise self._failure(first_rejection)

    def _ask_in_mode(
        self, mode: ResponseMode, question: Question, answer: str, notes: Sequence[str]
    ) -> tuple[GraderReply, Usage | None]:
        import openai

        schema = reply_schema()
        prompt = grading_prompt(
            question, answer, notes=notes, json_schema=None if mode == "json_schema" else schema
        )
        messages: list[dict[str, str]] = prompt.messages
        usage: Usage | None = None
        for attempt in range(2):
            try:
                completion = self._complete(mode, messages, schema)
            except openai.APIStatusError as exc:
                rejected = openai.BadRequestError | openai.UnprocessableEntityError
                if attempt == 0 and isinstance(exc, rejected):
                    raise  # a format the server rejects: the caller falls back
                raise self._failure(exc) from None
            except openai.OpenAIError as exc:  # connection, timeout, client-side failures
                raise self._failure(exc) from None
            usage = add_usage(usage, self._usage(completion, messages))
            try:
                return self._parse(question, completion), usage
            except UnusableReplyError as bad:
                if attempt == 1:
                    raise GradingError(
                        f"the model's reply was not usable, even after one repair attempt: "
                        f"{bad.reason}"
                    ) from None
                messages = [
                    *messages,
                    {"role": "assistant", "content": bad.content},
                    {"role": "user", "content": repair_prompt(bad.reason)},
                ]
        raise AssertionError("unreachable")

    def _complete(
        self, mode: ResponseMode, messages: list[dict[str, str]], schema: dict[str, Any]
    ) -> ChatCompletion:
        extra: dict[str, Any] = {}
        if mode == "json_schema":
            extra["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "grade", "strict": True, "schema": schema},
            }
        elif mode == "json_object":
            extra["response_format"] = {"type": "json_object"}
        effort = self.settings.reasoning_effort
        explicit = self.settings.sources.get("reasoning_effort", "default") != "default"
        if effort != "off" and (explicit or _REASONING_MODEL.match(self.settings.model)):
            extra["reasoning_effort"] = effort
        return self.client.chat.completions.create(
            model=self.settings.model,
            messages=messages,  # type: ignore[arg-type]
            max_completion_tokens=MAX_OUTPUT_TOKENS,
            **extra,
        )

    def _parse(self, question: Question, completion: ChatCompletion) -> GraderReply:
        if not completion.choices:
            raise GradingError("the model server returned no reply")
        choice = completion.choices[0]
        message = choice.message
        if message.refusal:
            raise GradingError(
                f"the model refused to grade this answer: {_one_line(message.refusal)}"
            )
        if choice.finish_reason == "length":
            raise GradingError(
                f"the model's reply was cut off at its length limit ({MAX_OUTPUT_TOKENS} tokens)"
            )
        if choice.finish_reason == "content_filter":
            raise GradingError("the provider's content filter blocked the model's reply")
        content = message.content or ""
        if not content.strip():
            raise UnusableReplyError("the reply was empty", content)
        try:
            reply = GraderReply.model_validate_json(_json_text(content))
        except ValidationError as exc:
            raise UnusableReplyError(
                f"it does not match the schema ({_describe(exc)})", content
            ) from None
        labelled = {label.point_id for label in reply.points}
        expected = [point.id for point in question.rubric]
        missing = [point_id for point_id in expected if point_id not in labelled]
        unknown = sorted(labelled - set(expected))
        if missing or unknown:
            parts = []
            if missing:
                parts.append("no label for rubric points " + ", ".join(missing))
            if unknown:
                parts.append("labels for unknown points " + ", ".join(unknown))
            raise UnusableReplyError("; ".join(parts), content)
        return reply

    def _usage(self, completion: ChatCompletion, messages: list[dict[str, str]]) -> Usage:
        reported = completion.usage
        if reported is not None and reported.prompt_tokens:
            details = reported.prompt_tokens_details
            return make_usage(
                self.settings.model,
                reported.prompt_tokens,
                (details.cached_tokens or 0) if details else 0,
                reported.completion_tokens or 0,
                estimated=False,
            )
        # Some local servers report no usage: count it ourselves, and say so.
        content = completion.choices[0].message.content or "" if completion.choices else ""
        prompt = sum(count_tokens(m["content"], self.settings.model).tokens for m in messages)
        return make_usage(
            self.settings.model,
            prompt,
            0,
            count_tokens(content, self.settings.model).tokens,
            estimated=True,
        )

    # ------------------------------------------------------------------ plumbing

    @property
    def client(self) -> OpenAI:
        """The SDK client, made on first use: `import openai` costs start-up time."""
        with self._lock:
            if self._client is None:
                from openai import OpenAI

                self._client = OpenAI(
                    api_key=self.settings.api_key or PLACEHOLDER_KEY,
                    base_url=self.settings.effective_base_url,
                    timeout=self.settings.timeout,
                    max_retries=self.settings.retries,
                )
            return self._client

    def _failure(self, exc: Exception) -> GradingError:
        """One line saying why the call failed, after the SDK's own retries."""
        import openai

        host = self.settings.base_url_host
        tries = self.settings.retries
        after = f" after {tries} {'retry' if tries == 1 else 'retries'}" if tries else ""
        if isinstance(exc, openai.APITimeoutError):
            return GradingError(
                f"{host} did not answer within {self.settings.timeout:g} s{after} (MOCKAWS_TIMEOUT)"
            )
        if isinstance(exc, openai.APIConnectionError):
            cause = exc.__cause__ or exc.__context__
            detail = f": {_one_line(str(cause), 100)}" if cause and str(cause) else ""
            return GradingError(f"cannot reach the model server at {host}{after}{detail}")
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            detail = _error_detail(exc)
            if isinstance(exc, openai.RateLimitError):
                return GradingError(f"{host} is rate limiting requests (HTTP 429){after}: {detail}")
            if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
                return GradingError(
                    f"{host} refused the API key (HTTP {status}): {detail}; check OPENAI_API_KEY"
                )
            if isinstance(exc, openai.NotFoundError):
                return GradingError(
                    f"{host} has no model '{self.settings.model}' or no chat completions API "
                    f"(HTTP 404): {detail}"
                )
            if status >= 500:
                return GradingError(f"the model server at {host} failed (HTTP {status}){after}")
            return GradingError(f"{host} rejected the request (HTTP {status}): {detail}")
        return GradingError(f"grading failed: {_error_detail(exc)}")
