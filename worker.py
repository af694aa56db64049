"""Background worker.

    python worker.py                  RQ worker on high, default, low, ats (with RQ's scheduler), plus
                                      one child process working the `parse` queue (resume parsing)
    python worker.py --queues parse   only the given queues (e.g. a separate parse worker)
    python worker.py --cron           the one process that enqueues periodic jobs
    python worker.py --with-cron      a worker that also schedules, while it holds a Redis lock (any
                                      number of them run exactly one scheduler: the cheap layout)

Resume parsing has a worker process of its own so that a slow or hostile file never holds up
emails and webhook events; the reading itself runs in a forked child with a memory limit and a
timeout (app/integrations/documents/sandbox.py).

The app is built once per process; every job runs in its app context (app/tasks/runtime.py).
SIGTERM is RQ's warm shutdown: the current job finishes, then the worker exits; the parse child is
asked to do the same and waited for.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import signal
import subprocess
import sys
import threading

from redis import Redis

from app import create_app
from app.tasks import MAIN_QUEUES, PARSE_QUEUE, QUEUES
from app.tasks.runtime import redis_connection, set_worker_app
from app.telemetry import heartbeats

CHILD_SHUTDOWN_SECONDS = 25  # within Render's 30 s shutdown window


def _parse_queues(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - set(QUEUES))
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"queues must be among {', '.join(QUEUES)}; got {text!r}")
    return names


def _start_parse_worker(args) -> subprocess.Popen | None:
    if args.queues != list(MAIN_QUEUES) or args.no_parse_worker:
        return None
    command = [sys.executable, os.path.abspath(__file__), "--queues", PARSE_QUEUE]
    if args.burst:
        command.append("--burst")
    return subprocess.Popen(command)  # noqa: S603  (our own interpreter and script, fixed arguments)


def _stop(child: subprocess.Popen | None) -> None:
    if child is None or child.poll() is not None:
        return
    child.send_signal(signal.SIGTERM)  # RQ's warm shutdown: finish the current parse, then exit
    try:
        child.wait(CHILD_SHUTDOWN_SECONDS)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def _start_locked_scheduler(connection, stop: threading.Event) -> threading.Thread:
    from app.tasks.schedule import run_locked_scheduler

    holder = heartbeats.process_name()

    def acquired():
        logging.getLogger("jobifies.scheduler").info("scheduler lock taken by %s: scheduling here", holder)

    thread = threading.Thread(
        target=run_locked_scheduler,
        args=(connection, holder, stop),
        kwargs={"on_acquire": acquired, "while_holding": lambda: heartbeats.beat(connection, "scheduler", holder)},
        daemon=True,
    )
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cron", action="store_true", help="run the periodic-job scheduler instead of a worker")
    parser.add_argument(
        "--with-cron",
        action="store_true",
        help="also run the scheduler while this worker holds the scheduler lock (one among all workers)",
    )
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument(
        "--queues",
        type=_parse_queues,
        default=list(MAIN_QUEUES),
        help=f"comma-separated queues to work, in priority order (default: {','.join(MAIN_QUEUES)})",
    )
    parser.add_argument(
        "--no-parse-worker",
        action="store_true",
        help="do not start the child process for the parse queue (run one elsewhere)",
    )
    parser.add_argument(
        "--fork", action="store_true", help="fork a work-horse per job (isolation; much slower for short jobs)"
    )
    args = parser.parse_args(argv)

    app = create_app()  # configures logging (LOG_FORMAT: json lines in production)
    set_worker_app(app)
    # Import every job module once here, so each forked work-horse starts with them loaded.
    importlib.import_module("app.tasks.schedule")
    connection = redis_connection(app)
    if connection is None:
        print(
            "REDIS_URL is not set: without Redis, jobs run inline in the web process; no worker is needed.",
            file=sys.stderr,
        )
        return 2

    # /health and the "heartbeat missing" alert read these. The heartbeat and the scheduler lock get
    # a Redis client of their own: RQ raises the socket timeout of the worker's pool for its
    # blocking dequeue, but only for connections opened after it starts; one opened earlier by
    # another thread would keep the short timeout and end the worker at its first idle wait.
    side_connection = Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=5)
    heartbeats.start(side_connection, "scheduler" if args.cron else "worker")
    if args.cron:
        from rq.cron import CronScheduler

        from app.tasks.schedule import register_with

        scheduler = CronScheduler(connection=connection)
        register_with(scheduler)
        scheduler.start()
        return 0

    from rq import SimpleWorker, Worker

    # Our jobs are short and I/O-bound (emails, webhook events): running them in this process is an
    # order of magnitude faster than forking per job. Timeouts still apply (SIGALRM), and a crash
    # of the process leaves the job to RQ's abandoned-job handling and our sweepers.
    worker_class = Worker if args.fork else SimpleWorker
    child = _start_parse_worker(args)
    stop_cron = threading.Event()
    cron_thread = _start_locked_scheduler(side_connection, stop_cron) if args.with_cron else None
    try:
        worker = worker_class(args.queues, connection=connection)
        worker.work(with_scheduler=PARSE_QUEUE not in args.queues or len(args.queues) > 1, burst=args.burst)
    finally:
        stop_cron.set()
        if cron_thread is not None:
            cron_thread.join(5)  # releases the lock: another worker takes over at its next tick
        if args.burst and child is not None:
            child.wait()
        _stop(child)
    return 0


if __name__ == "__main__":
    sys.exit(main())
