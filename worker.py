"""Background worker: `python worker.py` (RQ worker on high, default, low with the scheduler),
or `python worker.py --cron` (the one process that enqueues periodic jobs).

The app is built once per process; every job runs in its app context (app/tasks/runtime.py).
SIGTERM is RQ's warm shutdown: the current job finishes, then the worker exits.
"""
from __future__ import annotations

import argparse
import importlib
import logging
import sys

from app import create_app
from app.tasks import QUEUES
from app.tasks.runtime import redis_connection, set_worker_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cron", action="store_true", help="run the periodic-job scheduler instead of a worker")
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--fork", action="store_true",
                        help="fork a work-horse per job (isolation; much slower for short jobs)")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    set_worker_app(app)
    # Import every job module once here, so each forked work-horse starts with them loaded.
    importlib.import_module("app.tasks.schedule")
    connection = redis_connection(app)
    if connection is None:
        print("REDIS_URL is not set: without Redis, jobs run inline in the web process; no worker is needed.",
              file=sys.stderr)
        return 2

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
    worker = worker_class(list(QUEUES), connection=connection)
    worker.work(with_scheduler=True, burst=args.burst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
