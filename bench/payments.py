"""Payment webhook benchmark: intake-to-grant latency and throughput at 32 concurrent senders.

    .venv/bin/python bench/payments.py [--payments 2000] [--senders 32] [--rq-workers 2]

gunicorn (gunicorn.conf.py, production settings) with PostgreSQL and Redis, real RQ workers on the
`high` queue running while the deliveries come in. Every payment is a signed Stripe
`checkout.session.completed`; a share of them is delivered again (the same event: a provider retry)
and another share also gets `checkout.session.async_payment_succeeded` (another event about the same
payment), sent by different senders at about the same moment, so duplicates race each other.

Intake-to-grant latency = the grant row's created_at minus the moment the first delivery for that
payment was sent (one clock: everything runs on this machine). At the end it prints how many payments
were lost (no grant) and how many were granted twice; both must be 0.

Uses its own database (bench_payments_intake on the local PostgreSQL, dropped and created) and
Redis DB 11 (flushed).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import redis
from rq import Worker
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakes_payments import STRIPE_WEBHOOK_SECRET, stripe_event, stripe_headers, stripe_session_completed  # noqa: E402
from support import fresh_database, percentile, wait_for  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_payments_intake")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11")


def prepare(env, payments: int) -> list[tuple[int, str]]:
    """A fresh database with one company, a plan and `payments` open Stripe orders: [(order id, session)]."""
    fresh_database(PG_ADMIN, DB_URL, env)
    engine = create_engine(DB_URL)
    with engine.begin() as conn:
        company = conn.execute(
            text(
                "INSERT INTO companies (name, slug, website, about, created_at, updated_at) "
                "VALUES ('Bench Co', 'bench-co', '', '', now(), now()) RETURNING id"
            )
        ).scalar()
        plan = conn.execute(
            text(
                "INSERT INTO plans (name, description, posting_credits, posting_days, featured_days, interval, "
                "prices, created_at, updated_at) "
                "VALUES ('Bench plan', '', 1, 30, 0, 'one_time', '{\"USD\": 4900}', now(), now()) RETURNING id"
            )
        ).scalar()
        rows = conn.execute(
            text(
                "INSERT INTO orders (company_id, plan_id, interval, currency, amount, country, method, "
                "selected_provider, provider, provider_ref, status, created_at, updated_at) "
                "SELECT :company, :plan, 'one_time', 'USD', 4900, 'US', 'card', 'stripe', 'stripe', 'cs_bench_' || n, "
                "'awaiting_payment', now(), now() FROM generate_series(1, :n) AS n RETURNING id, provider_ref"
            ),
            {"company": company, "plan": plan, "n": payments},
        ).all()
    engine.dispose()
    redis.Redis.from_url(REDIS_URL).flushdb()
    return [(row[0], row[1]) for row in rows]


def send(port: int, deliveries: list, senders: int, first_sent: dict, pace: float = 0.0):
    """`senders` keep-alive connections working through the deliveries in order."""
    latencies, statuses = [], []
    lock = threading.Lock()
    cursor = iter(deliveries)

    def sender():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                connection.close()
                return
            payment, body = item
            headers = stripe_headers(body)
            started = time.perf_counter()
            with lock:
                first_sent.setdefault(payment, time.time())
            connection.request("POST", "/webhooks/stripe", body=body.encode(), headers=headers)
            response = connection.getresponse()
            response.read()
            with lock:
                latencies.append(time.perf_counter() - started)
                statuses.append(response.status)
            if pace:
                time.sleep(pace)

    pool = [threading.Thread(target=sender) for _ in range(senders)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return latencies, statuses


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--payments", type=int, default=2000)
    parser.add_argument("--senders", type=int, default=32)
    parser.add_argument("--redeliver-ratio", type=float, default=0.2, help="payments whose event is sent twice")
    parser.add_argument(
        "--second-event-ratio", type=float, default=0.2, help="payments that also get async_payment_succeeded"
    )
    parser.add_argument("--rq-workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=5078)
    parser.add_argument("--pace", type=float, default=0.0, help="seconds each sender waits between deliveries")
    parser.add_argument(
        "--workers-after",
        action="store_true",
        help="start the RQ workers only once intake is done (measures each phase alone)",
    )
    args = parser.parse_args()

    env = {
        **os.environ,
        "APP_ENV": "production",
        "SECRET_KEY": "bench-" + "k" * 40,
        "DATABASE_URL": DB_URL,
        "REDIS_URL": REDIS_URL,
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "STRIPE_WEBHOOK_SECRET": STRIPE_WEBHOOK_SECRET,
        "PAYMENT_PROVIDERS": "stripe",
        "PROXY_HOPS": "0",
        "SESSION_COOKIE_SECURE": "false",
        "BASE_URL": f"http://127.0.0.1:{args.port}",
        "RATE_LIMIT_WEBHOOKS": "1000000 per minute",
    }
    orders = prepare(env, args.payments)
    deliveries = []
    for index, (order_id, session) in enumerate(orders):
        obj = stripe_session_completed(order_id, session, payment_intent=f"pi_bench_{order_id}")
        completed = stripe_event("checkout.session.completed", obj, event_id=f"evt_c_{order_id}")
        deliveries.append((order_id, completed))
        if index % round(1 / args.redeliver_ratio) == 0:
            deliveries.append((order_id, completed))  # the same event again: a retry
        if index % round(1 / args.second_event_ratio) == 1:
            deliveries.append(
                (order_id, stripe_event("checkout.session.async_payment_succeeded", obj, event_id=f"evt_a_{order_id}"))
            )
    # A payment's deliveries sit next to each other in the list, so they go out on different
    # connections at about the same moment and race each other through intake and the workers.

    # gunicorn.conf.py's settings (gthread, WEB_CONCURRENCY x GUNICORN_THREADS), on a port of ours.
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{args.port}", "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )
    workers = []
    try:
        wait_for(f"http://127.0.0.1:{args.port}/healthz")

        def start_workers():
            return [
                subprocess.Popen(
                    [sys.executable, "worker.py", "--queues", "high", "--no-parse-worker"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(args.rq_workers)
            ]

        if not args.workers_after:
            workers = start_workers()
            connection = redis.Redis.from_url(REDIS_URL)
            deadline = time.monotonic() + 60
            while Worker.count(connection=connection) < args.rq_workers and time.monotonic() < deadline:
                time.sleep(0.2)  # the workers are up and listening before the first delivery
        first_sent: dict[int, float] = {}
        started = time.perf_counter()
        latencies, statuses = send(args.port, deliveries, args.senders, first_sent, args.pace)
        intake_seconds = time.perf_counter() - started
        processing_started = time.perf_counter()
        if args.workers_after:
            workers = start_workers()

        engine = create_engine(DB_URL)
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                pending = conn.execute(
                    text("SELECT count(*) FROM webhook_events WHERE status IN ('received', 'queued', 'failed')")
                ).scalar()
            if not pending:
                break
            time.sleep(0.2)
        end_to_end = time.perf_counter() - started
        processing_seconds = time.perf_counter() - processing_started
        with engine.connect() as conn:
            grants = conn.execute(
                text(
                    "SELECT o.id, c.created_at FROM credit_entries c JOIN payments p ON p.id = c.payment_id "
                    "JOIN orders o ON o.id = p.order_id WHERE c.payment_effect = 'grant'"
                )
            ).all()
            events = dict(conn.execute(text("SELECT status, count(*) FROM webhook_events GROUP BY status")).all())
            attempts = dict(conn.execute(text("SELECT attempts, count(*) FROM webhook_events GROUP BY attempts")).all())
            balance = conn.execute(text("SELECT coalesce(sum(delta), 0) FROM credit_entries")).scalar()
            receipts = conn.execute(
                text("SELECT count(DISTINCT receipt_number), max(receipt_number) FROM payments")
            ).one()
        engine.dispose()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(60)
        server.terminate()
        server.wait(30)

    per_payment: dict[int, int] = {}
    grant_latency = []
    for order_id, created_at in grants:
        per_payment[order_id] = per_payment.get(order_id, 0) + 1
        granted = created_at.replace(tzinfo=UTC) if created_at.tzinfo is None else created_at
        grant_latency.append(granted.timestamp() - first_sent[order_id])
    lost = sum(1 for order_id, _ in orders if order_id not in per_payment)
    doubled = sum(1 for n in per_payment.values() if n > 1)
    ms = [x * 1000 for x in latencies]
    grant_ms = [x * 1000 for x in grant_latency]
    print(
        json.dumps(
            {
                "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                "payments": len(orders),
                "deliveries": len(deliveries),
                "senders": args.senders,
                "rq_workers": args.rq_workers,
                "http_statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
                "intake_per_second": round(len(deliveries) / intake_seconds, 1),
                "intake_ms": {
                    "p50": round(percentile(ms, 50), 1),
                    "p95": round(percentile(ms, 95), 1),
                    "p99": round(percentile(ms, 99), 1),
                },
                "grants_per_second_end_to_end": round(len(grants) / end_to_end, 1),
                "events_processed_per_second_after_intake": round(sum(events.values()) / processing_seconds, 1)
                if args.workers_after
                else None,
                "intake_to_grant_ms": {
                    "p50": round(percentile(grant_ms, 50), 1),
                    "p95": round(percentile(grant_ms, 95), 1),
                    "max": round(max(grant_ms), 1),
                    "mean": round(statistics.mean(grant_ms), 1),
                },
                "webhook_events": events,
                "processing_attempts": attempts,
                "credit_balance": balance,
                "receipts": {"distinct": receipts[0], "highest": receipts[1]},
                "lost": lost,
                "granted_twice": doubled,
            },
            indent=2,
        )
    )
    print(f"{lost} lost / {doubled} granted twice (of {len(orders)} payments)")
    sys.exit(0 if lost == 0 and doubled == 0 and balance == len(orders) else 1)


if __name__ == "__main__":
    main()
