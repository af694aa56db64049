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
# SIGTERM (Render's deploys and scale-downs) stops accepting and lets in-flight requests finish for
# this long before the workers are killed: inside Render's 30 s shutdown window.
graceful_timeout = _setting("GUNICORN_GRACEFUL_TIMEOUT", 25)

# Prometheus multiprocess mode: every worker process writes its metrics to files in this directory
# and /metrics adds them up. It must be set before a worker imports prometheus_client, and be empty
# when the server starts (values of a previous run would be counted again).
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="jobifies-metrics-")


def on_starting(server):
    import glob

    for stale in glob.glob(os.path.join(os.environ["PROMETHEUS_MULTIPROC_DIR"], "*.db")):
        os.remove(stale)


def child_exit(server, worker):
    # A dead worker's live gauges (connections in use) must not be counted any more.
    from app.telemetry.metrics import mark_process_dead

    mark_process_dead(worker.pid)
