"""Gunicorn settings, read automatically from the working directory (Procfile and render.yaml run a
bare `gunicorn wsgi:app`); flags on the command line still win. Gunicorn itself binds
0.0.0.0:$PORT when PORT is set (Render sets it), else 127.0.0.1:8000.

gthread with few processes: every process keeps its own search index caches, so threads share them;
bench/webhooks.py compares this with sync workers (README, "Benchmarks").
"""

import os


def _setting(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()  # set but empty means the default
    return int(value) if value else default


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    return default if not value else value in ("1", "true", "yes", "on")


worker_class = "gthread"
# Each worker opens its own listening socket with SO_REUSEPORT, so the kernel spreads new
# connections over the workers. With one shared socket, whichever worker woke first took every
# keep-alive connection of a burst and the others idled (bench/pages.py shows the spread).
reuse_port = _flag("GUNICORN_REUSE_PORT", True)
workers = _setting("WEB_CONCURRENCY", 2)
threads = _setting("GUNICORN_THREADS", 8)
timeout = 60
