"""The openai SDK client the grader and the speech endpoint share, and its failures in one line.

Both talk to an OpenAI-compatible server through the SDK and fail in the same ways (no answer in
time, no connection, an HTTP error status); `describe_failure` words each for the endpoint that
failed. The SDK is imported where it is used: `mockaws --help` stays fast.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

from mockaws.config import PLACEHOLDER_KEY
from mockaws.safety import clean

if TYPE_CHECKING:
    from openai import OpenAI

    from mockaws.config import Settings

# The endpoint a request went to: the grader's chat completions, or the speech endpoint's
# /audio/transcriptions and /audio/speech.
Api = Literal["chat", "transcriptions", "speech"]


def openai_client(settings: Settings, *, max_retries: int | None = None) -> OpenAI:
    """A client for the server `settings` names; the SDK retries `settings.retries` times unless
    `max_retries` says otherwise."""
    from openai import OpenAI

    return OpenAI(
        # Local servers take any key, but the SDK will not start without one.
        api_key=settings.api_key or PLACEHOLDER_KEY,
        base_url=settings.effective_base_url,
        timeout=settings.timeout,
        max_retries=settings.retries if max_retries is None else max_retries,
    )


def one_line(text: str, limit: int = 160) -> str:
    """`text` with its whitespace runs made single spaces, cut to `limit` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def error_body(exc: Exception) -> dict[str, Any]:
    """The error object of a server's JSON reply ({} when it sent none)."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        return inner if isinstance(inner, dict) else {"message": inner}
    return {}


def error_detail(exc: Exception) -> str:
    """What the server said about the failure, on one line and without control characters."""
    body = error_body(exc)
    message = body.get("message") or body.get("detail")
    if message:
        said = message if isinstance(message, str) else json.dumps(message)
    else:
        said = getattr(exc, "message", "") or str(exc)
    return clean(one_line(said))


def after_retries(tries: int) -> str:
    """' after 2 retries' once a request has been retried, else nothing."""
    return f" after {tries} {'retry' if tries == 1 else 'retries'}" if tries else ""


def describe_failure(
    exc: Exception,
    api: Api,
    *,
    host: str,
    timeout: float,
    tries: int,
    model: str = "",
    timed_out: bool = False,
) -> str:
    """One line saying why a request to `api` failed after `tries` retries.

    `timed_out` marks a timeout the SDK did not raise itself (a reply that stopped arriving).
    """
    import openai

    chat = api == "chat"
    server = "the model server" if chat else "the speech endpoint"
    work = {"chat": "grading", "transcriptions": "transcription", "speech": "speech synthesis"}[api]
    sent = {"chat": "the request", "transcriptions": "the recording", "speech": "the text"}[api]
    detail = error_detail(exc)
    # The grader quotes the server (or why the connection failed) on every failure; the speech
    # endpoint only where it names what was wrong with the request (no such model, a bad recording).
    said = f": {detail}" if chat else ""
    after = after_retries(tries)
    if timed_out or isinstance(exc, openai.APITimeoutError):
        who = host if chat else f"{server} at {host}"
        return f"{who} did not answer within {timeout:g} s{after} (MOCKAWS_TIMEOUT)"
    if isinstance(exc, openai.APIConnectionError):
        cause = exc.__cause__ or exc.__context__
        why = f": {clean(one_line(str(cause), 100))}" if chat and cause and str(cause) else ""
        return f"cannot reach {server} at {host}{after}{why}"
    if not isinstance(exc, openai.APIStatusError):
        return f"{work} failed: {detail}"
    status = exc.status_code
    if isinstance(exc, openai.RateLimitError):
        return f"{host} is rate limiting {'requests' if chat else api} (HTTP 429){after}{said}"
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return f"{host} refused the API key (HTTP {status}){said}; check OPENAI_API_KEY"
    if isinstance(exc, openai.NotFoundError):
        missing = (
            f"no model '{model}' or no chat completions API"
            if chat
            else f"no model or no /audio/{api} for it"
        )
        return f"{host} has {missing} (HTTP {status}): {detail}"
    if status >= 500:
        return f"{server} at {host} failed (HTTP {status}){after}{said}"
    return f"{host} rejected {sent} (HTTP {status}): {detail}"
