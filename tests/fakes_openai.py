"""A fake of OpenAI's Chat Completions endpoint for the real `openai` client, and a fixture for it.

The fake is a ThreadingHTTPServer on 127.0.0.1. It records every request (path, headers, JSON
body) and answers like the API: a `chat.completion` object whose message content is the JSON of the
structured output (that is what `client.chat.completions.parse` turns into `.parsed`). Scripted
answers (errors, delays, refusals) are consumed in order; error answers carry `retry-after-ms` so the
SDK's own retries stay fast in tests (the SDK honours that header).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import pytest
from conftest import app_config
from servers import LocalHTTPServer

RESUME_ANSWER = {
    "contact": {
        "name": "Jane Doe",
        "email": "jane.doe@example.com",
        "phone": "+49 30 1234 5678",
        "location": "Berlin, Germany",
        "links": ["https://linkedin.com/in/janedoe"],
    },
    "headline": "Staff Platform Engineer",
    "summary": "Platform engineer (from the fake OpenAI).",
    "experience": [
        {
            "company": "Acme GmbH",
            "title": "Staff Platform Engineer",
            "start": "2019-01",
            "end": "Present",
            "description": "Kubernetes platform.",
        }
    ],
    "education": [{"institution": "TU Munich", "degree": "M.Sc. Computer Science", "start": "2012", "end": "2014"}],
    "skills": ["Python", "Kubernetes", "Go"],
    "confidence": 0.93,
}
MATCH_ANSWER = {
    "score": 77,
    "skills_matched": ["Python"],
    "skills_missing": ["Rust"],
    "experience_fit": "Eight years; fits a senior role.",
    "strengths": ["Payments background"],
    "summary": "Strong backend candidate (from the fake OpenAI).",
}


@dataclass
class Answer:
    status: int = 200
    content: dict | str | None = None  # None: the default answer for the requested schema
    refusal: str | None = None
    finish_reason: str = "stop"
    delay: float = 0.0
    headers: dict = field(default_factory=dict)


class FakeOpenAI(LocalHTTPServer):
    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[Answer] = []
        self.answers = {"ResumeProfile": RESUME_ANSWER, "MatchResult": MATCH_ANSWER}
        self.on_request: Callable[[dict], None] | None = None
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = {
                    "path": self.path,
                    "headers": {k.lower(): v for k, v in self.headers.items()},
                    "json": json.loads(raw or b"{}"),
                }
                with fake.lock:
                    fake.requests.append(request)
                    answer = fake.script.pop(0) if fake.script else Answer()
                if fake.on_request is not None:
                    fake.on_request(request)
                if answer.delay:
                    time.sleep(answer.delay)
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up
                    self._answer(request, answer)

            def _answer(self, request, answer: Answer):
                if answer.status != 200:
                    payload = {"error": {"message": f"fake {answer.status}", "type": "server_error", "code": None}}
                    headers = {"retry-after-ms": "10", **answer.headers}
                else:
                    payload, headers = fake.completion(request["json"], answer), answer.headers
                data = json.dumps(payload).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        self._serve(Handler, "/v1")

    def completion(self, body: dict, answer: Answer) -> dict:
        schema_name = body.get("response_format", {}).get("json_schema", {}).get("name", "")
        content = answer.content if answer.content is not None else self.answers.get(schema_name, {})
        message = {
            "role": "assistant",
            "refusal": answer.refusal,
            "content": None if answer.refusal else (content if isinstance(content, str) else json.dumps(content)),
        }
        return {
            "id": f"chatcmpl-fake-{len(self.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", ""),
            "system_fingerprint": "fp_fake",
            "choices": [{"index": 0, "message": message, "finish_reason": answer.finish_reason, "logprobs": None}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150},
        }

    def fail(self, times: int, status: int = 500) -> None:
        self.script += [Answer(status=status) for _ in range(times)]

    def user_message(self, index: int = -1) -> str:
        return next(m["content"] for m in self.requests[index]["json"]["messages"] if m["role"] == "user")


# Kept under its old name for the tests that import it from here.
configured = app_config


@pytest.fixture
def fake_openai(app):
    """The app configured for OpenAI, pointed at a fresh fake; breakers reset before and after."""
    from app.integrations.http import reset_breakers

    reset_breakers()
    with (
        FakeOpenAI() as fake,
        configured(
            app,
            OPENAI_API_KEY="sk-test-key",
            OPENAI_BASE_URL=fake.url,
            OPENAI_MODEL="gpt-test-mini",
            OUTBOUND_TIMEOUT_SECONDS=5,
        ),
    ):
        yield fake
    reset_breakers()
