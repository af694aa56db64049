"""Real HTTP servers on 127.0.0.1 for tests: the app itself, and small fakes of outside APIs."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from werkzeug.serving import make_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_app(app):
    """Serve `app` over real HTTP (threaded werkzeug) for concurrency tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


class _FakeProviderServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a scripted slow answer must not hold up the test's end

    def handle_error(self, request, client_address):
        # A client that timed out on a scripted slow answer has gone when the answer is written:
        # expected, and socketserver's default would print a traceback into whatever captures
        # stderr at that moment (another test's output).
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class LocalHTTPServer:
    """A fake provider on a free local port, served from a daemon thread; use it in a `with` block."""

    def _serve(self, handler, path: str = "") -> None:
        self.server = _FakeProviderServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}{path}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class FakeSendGrid(LocalHTTPServer):
    """Speaks enough of SendGrid's v3 Mail Send for the official client: records requests, answers
    with scripted statuses (default 202 with an X-Message-Id), optionally after a delay."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple[int, float]] = []  # (status, delay seconds), consumed in order
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with fake.lock:
                    fake.requests.append(
                        {"path": self.path, "headers": dict(self.headers), "json": json.loads(body or b"{}")}
                    )
                    status, delay = fake.script.pop(0) if fake.script else (202, 0)
                    number = len(fake.requests)
                if delay:
                    time.sleep(delay)
                payload = b"" if status == 202 else json.dumps({"errors": [{"message": f"fake {status}"}]}).encode()
                self.send_response(status)
                if status == 202:
                    self.send_header("X-Message-Id", f"fake-sg-{number}")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self._serve(Handler)

    def sent_to(self) -> list[str]:
        return [r["json"]["personalizations"][0]["to"][0]["email"] for r in self.requests]


class PrivateRedis:
    """A redis-server of our own on a free port, so a test can stop and start it."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("redis-server") is not None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis.from_url(self.url).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def kill_process_tree(pid: int) -> None:
    """SIGKILL a process and all its descendants. RQ's work-horse calls setsid(), so killing the
    worker's process group would leave the job running; we find the children through /proc."""
    import signal

    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    victims, stack = [], [pid]
    while stack:
        current = stack.pop()
        victims.append(current)
        stack.extend(children.get(current, []))
    for victim in victims:
        with suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)


def worker_env(app, **extra) -> dict:
    """Environment for a real `python worker.py` subprocess using the test app's database."""
    env = dict(os.environ)
    env.update(
        {
            "APP_ENV": "test",
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env
