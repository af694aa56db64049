"""A local Sentry ingest endpoint: the real sentry-sdk sends envelopes to a DSN on 127.0.0.1 and
the test reads what arrived (after decompression), to check what is sent and what is scrubbed."""

from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler

from servers import LocalHTTPServer


class FakeSentry(LocalHTTPServer):
    def __init__(self):
        self.events: list[dict] = []
        self.raw: list[bytes] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                encoding = (self.headers.get("Content-Encoding") or "").lower()
                if encoding == "gzip":
                    body = gzip.decompress(body)
                elif encoding == "br":
                    import brotli

                    body = brotli.decompress(body)
                with fake.lock:
                    fake.raw.append(body)
                    fake.events.extend(_events(body))
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

        self._serve(Handler)

    @property
    def dsn(self) -> str:
        host = self.url.split("://", 1)[1]
        return f"http://publickey@{host}/42"


def _events(envelope: bytes) -> list[dict]:
    """The items of type event in a Sentry envelope (header line, then item header + payload pairs)."""
    lines = envelope.split(b"\n")
    found = []
    position = 1
    while position + 1 < len(lines):
        header = json.loads(lines[position] or b"{}")
        payload = lines[position + 1]
        if header.get("type") == "event":
            found.append(json.loads(payload))
        position += 2
    return found
