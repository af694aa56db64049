"""What metrics + request logging cost per request: the same app, the same pages, with the
telemetry hooks and without, in one run, interleaved so machine noise hits both alike.

    .venv/bin/python bench/metrics.py [--requests 200] [--rounds 15]

Builds the demo board on a temporary SQLite file, then drives each page through the Flask test
client (no network, so the figure is the in-process cost and the ratio is the worst case: a real
deployment adds network and proxy time to both). "with" is the app as it runs in production:
Prometheus counters and histogram for every request and every SQL statement, the request id, and one
JSON log line per request (written to /dev/null). "without" removes those hooks and the SQLAlchemy
listeners. Prints requests/s of each, the overhead in %, and the cost in microseconds per request.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_app(workdir: str):
    from flask_migrate import upgrade

    from app import create_app
    from app.seed import seed_demo_data

    env = {
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3",
        "SEARCH_INDEX_DIR": f"{workdir}/index",
        "EMBEDDED_SCHEDULER": "false",
        "RATE_LIMIT_ENABLED": "false",
        "LOG_FORMAT": "json",
    }
    app = create_app(overrides={"INSTANCE_DIR": workdir}, env=env)
    with app.app_context():
        upgrade()
        seed_demo_data()
    return app


def telemetry_hooks(app):
    """The request hooks app.telemetry installed, by registry (before, after, teardown)."""
    hooks = []
    for registry in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        for function in registry.get(None, []):
            if function.__module__.startswith("app.telemetry"):
                hooks.append((registry, function))
    return hooks


def set_telemetry(app, hooks, on: bool) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine
    from sqlalchemy.pool import Pool

    from app.telemetry import metrics

    listeners = [
        (Engine, "before_cursor_execute", metrics._before_cursor),
        (Engine, "after_cursor_execute", metrics._after_cursor),
        (Pool, "checkout", metrics._checkout),
        (Pool, "checkin", metrics._checkin),
    ]
    for registry, function in hooks:
        functions = registry[None]
        if on and function not in functions:
            functions.append(function)
        elif not on and function in functions:
            functions.remove(function)
    for target, name, function in listeners:
        present = event.contains(target, name, function)
        if on and not present:
            event.listen(target, name, function)
        elif not on and present:
            event.remove(target, name, function)
    logging.getLogger("jobifies.request").disabled = not on


def rate(client, path: str, count: int) -> float:
    """Requests per CPU-second of this process: on a shared machine, wall time mostly measures the
    neighbours; the CPU this process spends is what the telemetry adds."""
    start = time.process_time()
    for _ in range(count):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
    return count / (time.process_time() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="requests per page per round and mode")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        app = build_app(workdir)
        from app.telemetry.logs import configure_logging

        devnull = open(os.devnull, "w")  # noqa: SIM115  (open for the whole run)
        # The migrations' logging set-up added a console handler: production has only ours.
        for handler in list(logging.getLogger().handlers):
            logging.getLogger().removeHandler(handler)
        configure_logging("json", stream=devnull)
        hooks = telemetry_hooks(app)
        client = app.test_client()
        with app.app_context():
            from app.models import Job

            job = Job.query.filter_by(status="published").first()
        pages = {"/health/live": "/health/live", "a job page": f"/jobs/{job.id}/{job.slug}", "/jobs": "/jobs"}
        print(
            f"{args.rounds} rounds x {args.requests} requests per page and mode, interleaved (Flask test client); "
            "requests per CPU-second of the process, median of the rounds"
        )
        print(f"{'page':<14} {'with req/s':>11} {'without req/s':>14} {'overhead':>9} {'cost/request':>13}")
        for label, path in pages.items():
            withs, withouts = [], []
            for mode in (True, False):  # warm-up
                set_telemetry(app, hooks, mode)
                rate(client, path, max(50, args.requests // 10))
            for _ in range(args.rounds):
                for mode, results in ((True, withs), (False, withouts)):
                    set_telemetry(app, hooks, mode)
                    results.append(rate(client, path, args.requests))
            set_telemetry(app, hooks, True)
            with_rate, without_rate = statistics.median(withs), statistics.median(withouts)
            overhead = (without_rate - with_rate) / without_rate * 100
            cost_us = (1 / with_rate - 1 / without_rate) * 1e6
            print(f"{label:<14} {with_rate:>11.0f} {without_rate:>14.0f} {overhead:>8.1f}% {cost_us:>10.0f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
