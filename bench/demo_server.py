"""A throwaway demo board for the design scripts (bench/screenshots.py, bench/lighthouse.py):
`flask seed-demo` on SQLite in a temporary directory, served by `flask run` on a free port.

    with demo_server() as base_url: ...          # or pass --base-url to reuse a running `make run`
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLASK = [sys.executable, "-m", "flask", "--app", "wsgi"]
DEMO_PASSWORD = "jobifies-demo"  # noqa: S105  (the published demo password, README "Demo")
DEMO_RECRUITER = "recruiter@acme.example.com"
DEMO_CANDIDATE = "candidate@example.com"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def demo_server(base_url: str | None = None) -> Iterator[str]:
    """Yield the address of a seeded demo board: `base_url` as given, or a new one torn down after."""
    if base_url:
        yield base_url.rstrip("/")
        return
    with tempfile.TemporaryDirectory(prefix="jobifies-demo-") as tmp:
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp}/demo.db",
            "SEARCH_INDEX_DIR": f"{tmp}/index",
            "BASE_URL": url,
            "REDIS_URL": "",
            "APP_ENV": "development",
        }
        for step in (["db", "upgrade"], ["seed-demo"], ["search", "reindex"]):
            subprocess.run([*FLASK, *step], cwd=ROOT, env=env, check=True, capture_output=True)
        server = subprocess.Popen(  # noqa: S603  (our own interpreter and arguments)
            [*FLASK, "run", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(f"{url}/healthz", timeout=2)  # noqa: S310  (our own local server)
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("the demo server did not start") from None
                    time.sleep(0.3)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=10)
