"""Benchmark of an ATS sync: time, memory and requests to sync N jobs from a fake ATS.

    .venv/bin/python bench/ats.py                                  # 5,000 jobs from fake Greenhouse, SQLite
    .venv/bin/python bench/ats.py --provider all --database postgres --cpu 0

For each provider: a fake of its API (tests/fakes_ats.py: the real shapes, pagination and auth,
over real HTTP on 127.0.0.1) serves N jobs; a company connects it and the sync job
(app.tasks.ats.sync_connection, exactly what the `ats` queue runs) runs three times: the first sync
creates N jobs, the second changes nothing, the third follows 5% of the jobs being edited in the
ATS. Then the first sync again on an empty company under tracemalloc for the peak Python memory
(tracing slows Python down, so the timings come from the untraced runs). Prints wall time, jobs
per second, requests made and the peak memory. `--database postgres` uses (and drops) its own
database bench_ats_sync on the local server.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "bench_ats_sync"


def fake_for(provider: str, n: int):
    from fakes_ats import FakeBambooHR, FakeGreenhouse, FakeLever, FakeWorkday

    return {
        "greenhouse": lambda: FakeGreenhouse(jobs=n),
        "lever": lambda: FakeLever(postings=n),
        "bamboohr": lambda: FakeBambooHR(jobs=n),
        "workday": lambda: FakeWorkday(requisitions=n),
    }[provider]()


def credentials_for(provider: str, fake) -> dict:
    from fakes_ats import BAMBOOHR_CREDENTIALS, GREENHOUSE_CREDENTIALS, LEVER_CREDENTIALS, workday_credentials

    return {
        "greenhouse": GREENHOUSE_CREDENTIALS,
        "lever": LEVER_CREDENTIALS,
        "bamboohr": BAMBOOHR_CREDENTIALS,
        "workday": workday_credentials(fake) if provider == "workday" else None,
    }[provider]


def edit_five_percent(provider: str, fake, n: int) -> int:
    step = 20
    changed = 0
    for i in range(1, n + 1, step):
        if provider == "greenhouse":
            fake.posts[1000 + i]["title"] += " (edited)"
        elif provider == "lever":
            fake.postings[f"post-{i}"]["text"] += " (edited)"
        elif provider == "bamboohr":
            fake.jobs[i]["title"]["label"] += " (edited)"
        else:
            fake.entries[i - 1]["Job_Posting_Title"] += " (edited)"
        changed += 1
    return changed


def make_app(database: str, instance: str):
    from app import create_app

    if database == "postgres":
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE}"))
            conn.execute(text(f"CREATE DATABASE {PG_DATABASE}"))
        admin.dispose()
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DATABASE
    else:
        url = f"sqlite:///{instance}/bench.sqlite3"
    app = create_app(
        overrides={"INSTANCE_DIR": instance, "PASSWORD_HASH_METHOD": "scrypt:1024:8:1", "EMBEDDED_SCHEDULER": False},
        env={"APP_ENV": "test", "DATABASE_URL": url, "SECRET_KEY": "bench-" + "x" * 40},
    )
    app.config.update(
        ENCRYPTION_KEYS=[Fernet.generate_key().decode()], ATS_WORKDAY_ALLOWED_HOSTS=["127.0.0.1"], REDIS_URL=None
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    return app


def point_at(app, provider: str, fake) -> None:
    base = fake.url
    app.config.update(
        ATS_GREENHOUSE_API_URL=base + "/v3",
        ATS_GREENHOUSE_AUTH_URL=base + "/token",
        ATS_GREENHOUSE_BOARDS_URL=base + "/v1",
        ATS_LEVER_API_URL=base + "/v1",
        ATS_BAMBOOHR_API_URL=base + "/api/gateway.php",
        ATS_BAMBOOHR_CAREERS_URL=base + "/{subdomain}/careers",
    )


def timed_sync(connection_id: int) -> tuple[float, object]:
    from app.extensions import db
    from app.models import AtsConnection, AtsSyncRun
    from app.services import ats
    from app.tasks.ats import sync_connection

    run = ats.request_sync(db.session.get(AtsConnection, connection_id), "manual")
    run_id = run.id
    # Without Redis the job would run inline at this commit; the bench calls it itself, to time it.
    db.session.info.pop("jobifies_pending_jobs", None)
    db.session.commit()
    started = time.perf_counter()
    outcome = sync_connection(run_id)
    elapsed = time.perf_counter() - started
    db.session.expire_all()
    run = db.session.get(AtsSyncRun, run_id)
    if outcome != "done" or run.status != "succeeded":
        raise SystemExit(f"sync failed: {run.error}")
    return elapsed, run


def bench_provider(app, provider: str, n: int) -> list[dict]:
    import factories

    from app.extensions import db
    from app.integrations.ats import clear_token_cache
    from app.integrations.http import reset_breakers
    from app.services import ats

    reset_breakers()
    clear_token_cache()
    fake = fake_for(provider, n)
    rows = []
    with fake, app.app_context():
        point_at(app, provider, fake)
        owner = factories.make_recruiter(f"Bench {provider}")
        connection, _ = ats.connect(owner, provider, credentials_for(provider, fake))
        db.session.commit()
        connection_id = connection.id
        for label in ("first sync (creates)", "second sync (no change)", "third sync (5% edited)"):
            if label.startswith("third"):
                edit_five_percent(provider, fake, n)
            fake.requests.clear()
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            elapsed, run = timed_sync(connection_id)
            rows.append({
                "provider": provider, "sync": label, "seconds": elapsed, "jobs": run.jobs_seen,
                "created": run.jobs_created, "updated": run.jobs_updated, "requests": len(fake.requests),
                "rss_growth_mb": (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024,
            })  # fmt: skip

        # The first sync again, into a company with no jobs yet, under tracemalloc.
        other = factories.make_recruiter(f"Bench {provider} traced")
        traced, _ = ats.connect(other, provider, credentials_for(provider, fake))
        db.session.commit()
        tracemalloc.start()
        timed_sync(traced.id)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows[0]["peak_mb"] = peak / 1024 / 1024
        db.session.remove()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument(
        "--provider", choices=["greenhouse", "lever", "bamboohr", "workday", "all"], default="greenhouse"
    )
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--cpu", type=int, help="pin this process to one CPU")
    args = parser.parse_args()
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})
    logging.disable(logging.WARNING)
    providers = ["greenhouse", "lever", "bamboohr", "workday"] if args.provider == "all" else [args.provider]
    with tempfile.TemporaryDirectory() as instance:
        app = make_app(args.database, instance)
        rows = [row for provider in providers for row in bench_provider(app, provider, args.jobs)]
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()
    if args.database == "postgres":
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {PG_DATABASE}"))
        admin.dispose()

    print(f"\nATS sync of {args.jobs:,} jobs · {args.database} · Python {platform.python_version()} · "
          f"{os.cpu_count()} CPUs{' (pinned to ' + str(args.cpu) + ')' if args.cpu is not None else ''}")  # fmt: skip
    print(f"{'provider':<11} {'sync':<25} {'seconds':>8} {'jobs/s':>8} {'created':>8} {'updated':>8} "
          f"{'requests':>9} {'peak MB':>8}")  # fmt: skip
    for row in rows:
        peak = f"{row['peak_mb']:.1f}" if "peak_mb" in row else ""
        print(f"{row['provider']:<11} {row['sync']:<25} {row['seconds']:>8.2f} {row['jobs'] / row['seconds']:>8,.0f} "
              f"{row['created']:>8} {row['updated']:>8} {row['requests']:>9} {peak:>8}")  # fmt: skip
    print("peak MB: Python allocations during a first sync (tracemalloc), not the process's size.")


if __name__ == "__main__":
    main()
