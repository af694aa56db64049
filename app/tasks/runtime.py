"""How a task runs: in a worker (its own app context, built once per process), or inline; and the
registry of tasks by name."""

from __future__ import annotations

import logging
import os
import time
from contextlib import contextmanager
from functools import update_wrapper

from flask import Flask, has_app_context
from redis import Redis
from rq import Retry, get_current_job

from ..extensions import db
from ..telemetry import metrics
from ..telemetry.logs import JOB_ID, REQUEST_ID

log = logging.getLogger(__name__)
_worker_app: Flask | None = None
_app_pid: int | None = None
_TASKS: dict[str, Task] = {}


def set_worker_app(app: Flask) -> None:
    """worker.py builds the app once and registers it here; every job runs in its context."""
    global _worker_app, _app_pid
    _worker_app, _app_pid = app, os.getpid()


def worker_app() -> Flask:
    global _app_pid
    if _worker_app is None:
        raise RuntimeError(
            "No app for background jobs: run them with `python worker.py`, which builds it "
            "(or call app.tasks.runtime.set_worker_app first)."
        )
    if _app_pid != os.getpid():
        # A forked work-horse must not reuse its parent's pooled connections.
        with _worker_app.app_context():
            db.engine.dispose(close=False)
        _app_pid = os.getpid()
    return _worker_app


@contextmanager
def task_context():
    if has_app_context():
        yield
        return
    with worker_app().app_context():
        try:
            yield
        finally:
            db.session.remove()


class Task:
    """A background job function with its name, queue, timeout and retry policy."""

    def __init__(self, fn, name: str, queue: str, timeout: int, retries: tuple[int, ...]):
        update_wrapper(self, fn)
        self.fn, self.name, self.queue, self.timeout, self.retries = fn, name, queue, timeout, retries
        self.path = f"{fn.__module__}.{fn.__name__}"  # what RQ imports in the worker

    def __reduce__(self):
        # rq.cron enqueues the Task object itself, which RQ pickles: by its registered name, so the
        # worker unpickles its own registered Task (pickling the wrapped function by reference
        # fails: its module attribute is this Task, "not the same object").
        return (registered, (self.name,))

    def retry(self) -> Retry | None:
        if not self.retries:
            return None
        return Retry(max=len(self.retries), interval=list(self.retries))

    def __call__(self, *args, **kwargs):
        with task_context(), _job_ids():
            start, status = time.perf_counter(), "failed"
            try:
                result = self.fn(*args, **kwargs)
                status = "ok"
                return result
            finally:
                metrics.job(self.name, status, time.perf_counter() - start)


@contextmanager
def _job_ids():
    """While an RQ job runs, log lines carry its id and the id of the request that enqueued it."""

    job = get_current_job()
    if job is None:
        yield
        return
    job_token = JOB_ID.set(job.id)
    request_token = REQUEST_ID.set(job.meta.get("request_id") or REQUEST_ID.get())
    try:
        yield
    finally:
        REQUEST_ID.reset(request_token)
        JOB_ID.reset(job_token)


def task(name: str, queue: str = "default", timeout: int = 60, retries: tuple[int, ...] = (10, 30, 120, 600, 1800)):
    """Declare a job function under `name` ("emails.send"). Retries back off (seconds between attempts)."""

    def decorate(fn) -> Task:
        if name in _TASKS:
            raise ValueError(f"two tasks are named {name!r}")
        _TASKS[name] = Task(fn, name, queue, timeout, retries)
        return _TASKS[name]

    return decorate


def registered(name: str) -> Task:
    try:
        return _TASKS[name]
    except KeyError:
        raise KeyError(f"no background task named {name!r} (known: {', '.join(sorted(_TASKS))})") from None


def redis_connection(app: Flask) -> Redis | None:
    """The app's Redis connection, or None in the embedded mode (no REDIS_URL)."""
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    connection = app.extensions.get("jobifies_redis")
    if connection is None or app.extensions.get("jobifies_redis_url") != url:
        # Short timeouts: a request must not hang on a dead Redis; the sweeper catches up later.
        connection = Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)
        app.extensions["jobifies_redis"] = connection
        app.extensions["jobifies_redis_url"] = url
    return connection


def run_inline(app: Flask, task: Task, args: tuple) -> None:
    """Embedded mode: run now, in a fresh app context and session, outside the caller's transaction."""
    with app.app_context():
        try:
            task.fn(*args)
        except Exception:  # the row the job works on records the failure; a sweeper retries it
            log.exception("Inline job %s%s failed", task.name, args)
            db.session.rollback()
        finally:
            db.session.remove()
