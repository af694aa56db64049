"""Background worker: `python worker.py` (RQ worker on high, default, low with the scheduler),
or `python worker.py --cron` (the one process that enqueues periodic jobs).

The app is built once per process; every job runs in its app context (app/tasks/runtime.py).
SIGTERM is RQ's warm shutdown: the current job finishes, then the worker exits.
"""
from __future__ import annotations

import argparse
import logging
import sys

from app import create_app
from app.tasks import QUEUES
from app.tasks.runtime import redis_connection, set_worker_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cron", action="store_true", help="run the periodic-job scheduler instead of a worker")
    parser.add_argument("--burst", action="store_true", help="exit when the queues are empty")
    parser.add_argument("--simple", action="store_true", help="run jobs in this process (no fork per job)")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    set_worker_app(app)
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
    worker_class = SimpleWorker if args.simple else Worker
    worker = worker_class(list(QUEUES), connection=connection)
    worker.work(with_scheduler=True, burst=args.burst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
