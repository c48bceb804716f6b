"""A fake OpenAI-compatible server on 127.0.0.1, scripted per test.

Each request to `/v1/chat/completions` takes the next scripted `Reply` from the queue (or the
`fallback` once the queue is empty); a reply can also be a function of the request, to play a
model that reacts to what it is sent. Every request body is kept in `requests`.

`/v1/audio/transcriptions` (multipart) has a queue of its own, `transcriptions`: the server reads
the uploaded file as a WAV, as a real endpoint decodes it, answers 400 when it is not one, and
records its length in seconds with the form fields in `audio_requests`.

model that reacts to what it is sent. Every request body is kept in `requests`, its keys in the
order they came over the wire.

The `*_server` functions play what real servers do with our requests (finding 1 of issue 10):
llama-cpp-python's 500 on `json_schema`, LM Studio's 400 on `json_object`, servers that ignore an
output cap they do not know, parameters a model refuses, vLLM's context-length 400.
"""

from __future__ import annotations

import io
import json
import threading
import wave
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from mockaws.models import Question

# A tiny server-directed retry delay keeps the SDK's retries fast in tests.
FAST_RETRY = {"retry-after-ms": "1"}


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (to cause a client timeout)
    trickle: float = 0.0  # seconds between bytes of the body (a server that never quite stops)
    drop: bool = False  # close the connection without any response


Script = Reply | Callable[[dict[str, Any]], Reply]


def completion(
    content: str | None,
    *,
    finish_reason: str = "stop",
    refusal: str | None = None,
    prompt_tokens: int = 1200,
    cached_tokens: int = 1024,
    completion_tokens: int = 300,
    usage: bool = True,
) -> Reply:
    """A chat completion with one choice."""
    body: dict[str, Any] = {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "fake-model",
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
            }
        ],
    }
    if usage:
        body["usage"] = {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": cached_tokens},
        }
    return Reply(body=body)


def error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    """An OpenAI-style error response."""
    return Reply(
        status=status,
        body={"error": {"message": message, "type": "fake_error", "code": None}},
        headers=dict(FAST_RETRY if headers is None else headers),
    )


def labels(
    question: Question,
    verdicts: Mapping[str, tuple[str, str]] | None = None,
    *,
    red_flags: Iterable[tuple[str, str]] = (),
    addresses_grader: bool = False,
    follow_up: str = "What would you check first?",
) -> str:
    """A grader reply as JSON: `verdicts` maps point ids to (verdict, quote); others missed."""
    chosen = verdicts or {}
    points = [
        {
            "point_id": point.id,
            "evidence": chosen.get(point.id, ("missed", ""))[1],
            "note": "fake note",
            "verdict": chosen.get(point.id, ("missed", ""))[0],
        }
        for point in question.rubric
    ]
    return json.dumps(
        {
            "points": points,
            "red_flags": [{"flag_id": f, "evidence": e} for f, e in red_flags],
            "feedback": {
                "strengths": ["names the key idea"],
                "gaps": ["misses the rest"],
                "outline": ["say the key idea", "then the rest"],
            },
            "follow_up": follow_up,
            "answer_addresses_grader": addresses_grader,
        }
    )


def user_message(request: Mapping[str, Any]) -> str:
    """The text of the last user message in a chat completions request."""
    users = [m["content"] for m in request["messages"] if m["role"] == "user"]
    return str(users[-1]) if users else ""


def transcription(
    text: str, words: Iterable[tuple[str, float, float]] = (), *, duration: float = 0.0
) -> Reply:
    """A verbose_json transcription reply; `words` are (word, start, end) timings."""
    return Reply(
        body={
            "task": "transcribe",
            "language": "english",
            "duration": duration,
            "text": text,
            "words": [{"word": w, "start": a, "end": b} for w, a, b in words],
        }
    )


def _multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """The fields of a multipart/form-data body; the file's bytes under "file"."""
    message = BytesParser(policy=HTTP).parsebytes(
        f"content-type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if part.get_filename() is not None:
            fields[str(name)] = payload
            fields["filename"] = part.get_filename()
        elif isinstance(name, str):
            value = payload.decode() if isinstance(payload, bytes) else str(payload)
            if name.endswith("[]"):
                fields.setdefault(name, []).append(value)
            else:
                fields[name] = value
    return fields


def wav_seconds(data: bytes) -> float | None:
    """The length of a WAV file in seconds, or None when it is not a WAV file."""
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            return reader.getnframes() / reader.getframerate()
    except (wave.Error, EOFError):
        return None


class FakeOpenAI:
    """A scripted OpenAI-compatible server; use as a context manager."""

    def __init__(self) -> None:
        self.queue: deque[Script] = deque()
        self.fallback: Script | None = None
        self.requests: list[dict[str, Any]] = []
        self.transcriptions: deque[Script] = deque()
        self.audio_requests: list[dict[str, Any]] = []
        # `/v1/audio/speech`: replies whose body is bytes are sent as they are (audio).
        self.speech: deque[Script] = deque()
        self.speech_requests: list[dict[str, Any]] = []
        self._closing = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                if self.path.endswith("/audio/transcriptions"):
                    reply = fake._transcribe(self.headers, self.rfile.read(length))
                elif self.path.endswith("/audio/speech"):
                    body = json.loads(self.rfile.read(length) or b"{}")
                    fake.speech_requests.append(body)
                    script = fake.speech.popleft() if fake.speech else None
                    reply = error(500, "fake server: no speech scripted")
                    if script is not None:
                        reply = script(body) if callable(script) else script
                else:
                    body = json.loads(self.rfile.read(length) or b"{}")
                    fake.requests.append({"path": self.path, **body})
                    script = fake.queue.popleft() if fake.queue else fake.fallback
                    if script is None:
                        reply = error(500, "fake server: nothing scripted for this request")
                    else:
                        reply = script(body) if callable(script) else script
                if reply.delay:
                    fake._closing.wait(reply.delay)
                if reply.drop:
                    self.close_connection = True
                    return
                payload = (
                    reply.body
                    if isinstance(reply.body, bytes)
                    else (
                        reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
                    ).encode()
                )
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(payload)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    if not reply.trickle:
                        self.wfile.write(payload)
                    for byte in payload if reply.trickle else b"":
                        if fake._closing.wait(reply.trickle):
                            break
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                except OSError:
                    pass  # the client gave up (timeout): nothing to do

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def _transcribe(self, headers: Any, body: bytes) -> Reply:
        fields = _multipart(str(headers.get("content-type", "")), body)
        audio = fields.get("file", b"")
        seconds = wav_seconds(audio) if isinstance(audio, bytes) else None
        request = {**fields, "audio_seconds": seconds}
        self.audio_requests.append(request)
        script = self.transcriptions.popleft() if self.transcriptions else None
        if seconds is None and script is None:
            return error(400, "Invalid file format. Supported formats: flac, mp3, wav, webm")
        if script is None:
            return error(500, "fake server: no transcription scripted")
        return script(request) if callable(script) else script

    def enqueue(self, *scripts: Script) -> FakeOpenAI:
        self.queue.extend(scripts)
        return self

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._closing.set()
        self.server.shutdown()
        self.server.server_close()


# ------------------------------------------------------------------ real servers' behaviours


def response_format_type(request: Mapping[str, Any]) -> str | None:
    value = request.get("response_format")
    return value.get("type") if isinstance(value, dict) else None


def llama_cpp_python_server(model: Script) -> Script:
    """llama-cpp-python: `json_schema` fails request validation with HTTP 500; JSON mode (with
    its `schema` field) works; an output cap only as `max_tokens`."""

    def serve(request: dict[str, Any]) -> Reply:
        if response_format_type(request) == "json_schema":
            return Reply(
                status=500,
                body={
                    "error": {
                        "message": "[{'type': 'literal_error', 'loc': ('body', "
                        "'response_format', 'type'), 'msg': \"Input should be 'text' or "
                        "'json_object'\", 'input': 'json_schema'}]",
                        "type": "internal_server_error",
                    }
                },
                headers=dict(FAST_RETRY),
            )
        return ignores_max_completion_tokens(model)(request)

    return serve


def lm_studio_server(model: Script) -> Script:
    """LM Studio: `json_object` is refused with HTTP 400; `json_schema` and plain text work."""

    def serve(request: dict[str, Any]) -> Reply:
        if response_format_type(request) == "json_object":
            return error(400, "'response_format.type' must be 'json_schema' or 'text'")
        return model(request) if callable(model) else model

    return serve


def ignores_max_completion_tokens(model: Script) -> Script:
    """A server (Ollama, llama-cpp-python) that honours `max_tokens` only: without it, a small
    model writes until its context is full."""

    def serve(request: dict[str, Any]) -> Reply:
        if "max_tokens" not in request:
            return completion(
                '{"points": [{"point_id": "x", "evidence": "' + "word " * 2000,
                finish_reason="length",
                completion_tokens=30000,
            )
        return model(request) if callable(model) else model

    return serve


def refuses_parameters(model: Script, refused: Mapping[str, str]) -> Script:
    """A model that refuses some parameters (name -> OpenAI's message), as gpt-5.x refuses
    `reasoning_effort: minimal` and `temperature: 0`."""

    def serve(request: dict[str, Any]) -> Reply:
        for name, message in refused.items():
            if name in request:
                return Reply(
                    status=400,
                    body={
                        "error": {
                            "message": message,
                            "type": "invalid_request_error",
                            "param": name,
                            "code": "unsupported_value",
                        }
                    },
                )
        return model(request) if callable(model) else model

    return serve


def vllm_context_server(model: Script, *, context: int, prompt_tokens: int) -> Script:
    """vLLM: prompt plus output cap beyond `max_model_len` is refused with HTTP 400."""

    def serve(request: dict[str, Any]) -> Reply:
        cap = request.get("max_tokens") or request.get("max_completion_tokens") or 0
        if prompt_tokens + cap > context:
            return error(
                400,
                f"This model's maximum context length is {context} tokens. However, you "
                f"requested {prompt_tokens + cap} tokens ({prompt_tokens} in the messages, "
                f"{cap} in the completion). Please reduce the length of the messages or "
                "completion.",
            )
        return model(request) if callable(model) else model

    return serve
