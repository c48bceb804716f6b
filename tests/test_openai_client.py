"""The grader and the speech endpoint word an OpenAI-compatible server's failures one way each."""

from __future__ import annotations

import httpx2
import openai
import pytest

from mockaws.config import PLACEHOLDER_KEY, Settings
from mockaws.errors import TranscriptionError
from mockaws.openai_client import Api, describe_failure, openai_client
from mockaws.voice.settings import SpeechSettings
from mockaws.voice.transcribe import failure

REQUEST = httpx2.Request("POST", "http://127.0.0.1:9/v1/audio/transcriptions")
# The SDK raises a subclass of APIStatusError per status it knows.
STATUS_ERRORS: dict[int, type[openai.APIStatusError]] = {
    400: openai.BadRequestError,
    401: openai.AuthenticationError,
    403: openai.PermissionDeniedError,
    404: openai.NotFoundError,
    409: openai.ConflictError,
    429: openai.RateLimitError,
    500: openai.InternalServerError,
    503: openai.InternalServerError,
}


def status_error(status: int, body: object) -> openai.APIStatusError:
    response = httpx2.Response(status, request=REQUEST)
    return STATUS_ERRORS[status](f"Error code: {status}", response=response, body=body)


def refused_connection() -> openai.APIConnectionError:
    try:
        raise openai.APIConnectionError(request=REQUEST) from OSError("[Errno 111] refused")
    except openai.APIConnectionError as exc:
        return exc


def described(exc: Exception, api: Api = "chat", **extra: bool) -> str:
    return describe_failure(exc, api, host="h:9", timeout=2.5, tries=2, model="m-1", **extra)


OPENAI_BODY = {"error": {"message": "the words", "type": "x"}}
# Each way a request fails, as the grader and as the speech endpoint say it.
MESSAGES = {
    "timeout": (
        openai.APITimeoutError(request=REQUEST),
        "h:9 did not answer within 2.5 s after 2 retries (MOCKAWS_TIMEOUT)",
        "the speech endpoint at h:9 did not answer within 2.5 s after 2 retries (MOCKAWS_TIMEOUT)",
    ),
    "refused connection": (
        refused_connection(),
        "cannot reach the model server at h:9 after 2 retries: [Errno 111] refused",
        "cannot reach the speech endpoint at h:9 after 2 retries",
    ),
    "rate limited": (
        status_error(429, OPENAI_BODY),
        "h:9 is rate limiting requests (HTTP 429) after 2 retries: the words",
        "h:9 is rate limiting transcriptions (HTTP 429) after 2 retries",
    ),
    "bad key": (
        status_error(401, OPENAI_BODY),
        "h:9 refused the API key (HTTP 401): the words; check OPENAI_API_KEY",
        "h:9 refused the API key (HTTP 401); check OPENAI_API_KEY",
    ),
    "forbidden": (
        status_error(403, OPENAI_BODY),
        "h:9 refused the API key (HTTP 403): the words; check OPENAI_API_KEY",
        "h:9 refused the API key (HTTP 403); check OPENAI_API_KEY",
    ),
    "no such model": (
        status_error(404, OPENAI_BODY),
        "h:9 has no model 'm-1' or no chat completions API (HTTP 404): the words",
        "h:9 has no model or no /audio/transcriptions for it (HTTP 404): the words",
    ),
    "server error": (
        status_error(503, OPENAI_BODY),
        "the model server at h:9 failed (HTTP 503) after 2 retries: the words",
        "the speech endpoint at h:9 failed (HTTP 503) after 2 retries",
    ),
    "bad request": (
        status_error(400, OPENAI_BODY),
        "h:9 rejected the request (HTTP 400): the words",
        "h:9 rejected the recording (HTTP 400): the words",
    ),
    "conflict": (
        status_error(409, OPENAI_BODY),
        "h:9 rejected the request (HTTP 409): the words",
        "h:9 rejected the recording (HTTP 409): the words",
    ),
    "something else": (
        openai.OpenAIError("no reply at all"),
        "grading failed: no reply at all",
        "transcription failed: no reply at all",
    ),
}


@pytest.mark.parametrize("failure_kind", MESSAGES)
def test_each_way_a_request_fails_has_its_own_words(failure_kind: str) -> None:
    exc, grading, speech = MESSAGES[failure_kind]
    assert described(exc) == grading
    assert described(exc, "transcriptions") == speech


def test_a_reply_that_stopped_arriving_is_a_timeout() -> None:
    stalled = described(ValueError("stalled"), timed_out=True)
    assert stalled == "h:9 did not answer within 2.5 s after 2 retries (MOCKAWS_TIMEOUT)"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"error": {"message": "red \x1b[31malert\x1b[0m\nline 2"}}, "red [31malert[0m line 2"),
        ({"detail": "Not Found"}, "Not Found"),  # FastAPI-style servers
        ({"error": {"message": {"field": "file"}}}, '{"field": "file"}'),
        ({"error": {"message": "x" * 500}}, "x" * 159 + "…"),
    ],
)
@pytest.mark.parametrize("api", ["chat", "transcriptions"])
def test_what_the_server_said_is_one_line_without_control_characters(
    body: object, detail: str, api: Api
) -> None:
    assert described(status_error(400, body), api).endswith(f"(HTTP 400): {detail}")


def test_reading_a_question_aloud_names_what_failed() -> None:
    # Speech synthesis sends text, not a recording: its failures say so.
    assert described(status_error(400, OPENAI_BODY), "speech") == (
        "h:9 rejected the text (HTTP 400): the words"
    )
    assert (
        described(openai.OpenAIError("no audio"), "speech") == "speech synthesis failed: no audio"
    )


def test_speech_failures_keep_their_words_and_type() -> None:
    url = "http://127.0.0.1:9/v1"
    speech = SpeechSettings(Settings(model="m", base_url=url, retries=1), base_url=url)
    got = failure(status_error(429, OPENAI_BODY), speech, "speech")
    assert isinstance(got, TranscriptionError)
    assert str(got) == "127.0.0.1:9 is rate limiting speech (HTTP 429) after 1 retry"
    missing = failure(status_error(404, {"detail": "Not Found"}), speech)
    assert str(missing) == (
        "127.0.0.1:9 has no model or no /audio/transcriptions for it (HTTP 404): Not Found"
    )


def test_the_client_goes_to_the_configured_server_with_its_retries() -> None:
    settings = Settings(model="m", base_url="http://127.0.0.1:9/v1", timeout=7.0, retries=3)
    client = openai_client(settings)
    assert str(client.base_url) == "http://127.0.0.1:9/v1/"
    assert client.api_key == PLACEHOLDER_KEY  # local servers take any key; the SDK needs one
    assert (client.max_retries, client.timeout) == (3, 7.0)
    assert openai_client(settings, max_retries=0).max_retries == 0
