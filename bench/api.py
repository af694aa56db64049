"""GET /api/v1/jobs?q=… next to the HTML search page (/jobs?q=…), in the same run: requests/s and
p50/p95 latency of each, over real HTTP (a threaded Werkzeug server in this process), on a board of
N published jobs in a temporary SQLite database (or --database-url) with the default Whoosh index.

    .venv/bin/python bench/api.py --jobs 2000 --duration 10 --clients 4

Both URLs run the same search through the same SearchBackend; the difference is what is done with
the answer (the envelope's JSON against the rendered page). Rate limits are off for the run.
Timings are noisy on a shared 2-core machine: compare the two figures of one run, not runs.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TITLES = ["Python Developer", "Data Engineer", "Frontend Developer", "Site Reliability Engineer", "QA Engineer"]
SKILLS = ["Python", "PostgreSQL", "React", "Kubernetes", "Go", "Rust"]
PLACES = ["Berlin, Germany", "Lisbon, Portugal", "Remote", "London, United Kingdom", "Pune, India"]


def build(app, jobs: int) -> None:
    from app.extensions import db
    from app.models import Company, Job, User, utcnow
    from app.search import get_backend

    with app.app_context():
        db.create_all()
        owner = User(email="bench@example.com", name="Bench", role="recruiter", password_hash="x")
        company = Company(name="Bench Co", slug="bench-co")
        db.session.add_all([owner, company])
        db.session.flush()
        now = utcnow()
        for i in range(jobs):
            title = TITLES[i % len(TITLES)]
            db.session.add(
                Job(
                    company_id=company.id,
                    created_by_id=owner.id,
                    title=f"{title} {i}",
                    slug=f"job-{i}",
                    description=f"We need a {title.lower()} who knows {SKILLS[i % len(SKILLS)]}.",
                    description_html=f"<p>We need a {title.lower()}.</p>",
                    location=PLACES[i % len(PLACES)],
                    skills=[SKILLS[i % len(SKILLS)], SKILLS[(i + 1) % len(SKILLS)]],
                    status="published",
                    published_at=now,
                )
            )
        db.session.commit()
        get_backend(app).rebuild()


def drive(port: int, path: str, duration: float, clients: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + duration

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            connection.request("GET", path, headers={"Accept-Encoding": "identity"})
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies, errors[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--query", default="python")
    parser.add_argument("--database-url", default=None, help="an empty database to fill (default: temporary SQLite)")
    args = parser.parse_args()

    import logging

    from werkzeug.serving import make_server

    from app import create_app

    workdir = tempfile.mkdtemp(prefix="bench-api-")
    env = {
        "APP_ENV": "development",
        "SECRET_KEY": "bench-" + "x" * 40,
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir}/bench.sqlite3",
        "SEARCH_INDEX_DIR": os.path.join(workdir, "index"),
        "RATE_LIMIT_ENABLED": "0",
        "EMBEDDED_SCHEDULER": "0",
    }
    app = create_app(overrides={"INSTANCE_DIR": workdir}, env=env)
    print(f"building {args.jobs} jobs and the search index in {workdir} …", flush=True)
    build(app, args.jobs)

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    pages = {
        "API  GET /api/v1/jobs": f"/api/v1/jobs?q={args.query}&limit=20",
        "HTML GET /jobs": f"/jobs?q={args.query}",
    }
    for path in pages.values():  # warm-up: index readers, template cache
        drive(server.server_port, path, 1.0, 1)
    print(f"{args.clients} clients, {args.duration:.0f} s each, q={args.query!r}, {args.jobs} jobs")
    for name, path in pages.items():
        elapsed, latencies, errors = drive(server.server_port, path, args.duration, args.clients)
        latencies.sort()
        p95 = latencies[int(len(latencies) * 0.95) - 1] * 1000
        p50 = statistics.median(latencies) * 1000
        print(
            f"{name:24} {len(latencies) / elapsed:8.1f} req/s   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms"
            f"   ({len(latencies)} requests, {errors} not 200)"
        )
    server.shutdown()


if __name__ == "__main__":
    main()
