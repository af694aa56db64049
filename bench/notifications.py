"""Notification fan-out benchmark: N notifications per channel (SMS, WhatsApp, Slack) handed to RQ
and sent by real worker processes (`worker.py --burst`) through the official clients (twilio,
slack_sdk) to local fakes of Twilio and of a Slack webhook.

    .venv/bin/python bench/notifications.py [--n 10000] [--workers 2] [--channels sms,whatsapp,slack]

Uses its own database (jobifies_bench_notify on the local PostgreSQL, wiped) and a redis-server
of its own on a free port (BENCH_REDIS_URL to use another, which is flushed). For each channel it
prints how long the workers took from the first enqueue until every row was recorded as sent, the
rate, and checks that the fake received each message exactly once.
The figure is our pipeline's capacity: real Slack accepts about one message per second per
webhook (429 with Retry-After beyond that, which the senders honour), and Twilio queues by sender.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fakes_twilio import FakeSlack, FakeTwilio, twilio_config  # noqa: E402
from servers import PrivateRedis  # noqa: E402
from support import fresh_database  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/jobifies_bench_notify")
REDIS_URL = os.environ.get("BENCH_REDIS_URL")
RECIPIENTS = 200


def prepare(env: dict, redis_url: str) -> None:
    fresh_database(PG_ADMIN, DB_URL, env)
    import redis

    redis.Redis.from_url(redis_url).flushdb()


def seed(app, slack_url: str) -> tuple[list[tuple[int, str]], int, int]:
    """Recipients with a verified phone who chose SMS and WhatsApp, and a company on Slack."""
    from app.extensions import db
    from app.models import NotificationSettings, SlackConnection, User, utcnow
    from app.services import accounts, channels, companies, credentials

    with app.app_context():
        recipients = []
        for n in range(RECIPIENTS):
            user = accounts.register_user(f"bench{n}@example.com", "bench-password-123", f"Bench {n}", verify=False)
            db.session.flush()
            phone = f"+1415555{n:04d}"
            db.session.add(
                NotificationSettings(user_id=user.id, phone=phone, phone_verified_at=utcnow(), quiet_hours=False)
            )
            db.session.flush()
            channels.save_preferences(user, {("interview_invitation", "sms"), ("interview_invitation", "whatsapp")})
            recipients.append((user.id, phone))
        owner = accounts.register_user("owner@example.com", "bench-password-123", "Owner", role="recruiter")
        db.session.flush()
        company = companies.create_company(owner, "Bench Co", "https://example.com", "Benchmarks.")
        db.session.flush()
        connection = SlackConnection(
            company_id=company.id,
            webhook_token=credentials.encrypt({"url": slack_url}),
            events=list(channels.SLACK_EVENTS),
        )
        db.session.add(connection)
        db.session.commit()
        assert db.session.get(User, recipients[0][0]) is not None
        return recipients, company.id, connection.id


def insert_rows(app, channel: str, n: int, recipients, company_id: int, connection_id: int) -> list[int]:
    """N pending rows, as the events would write them (without enqueueing: that is timed)."""
    from sqlalchemy import insert

    from app.extensions import db
    from app.models import Notification, utcnow

    now = utcnow()
    rows = []
    for i in range(n):
        if channel == "slack":
            target = {"company_id": company_id, "to_address": f"slack:{connection_id}", "kind": "new_application"}
        else:
            user_id, phone = recipients[i % len(recipients)]
            target = {"user_id": user_id, "to_address": phone, "kind": "interview_invitation"}
        rows.append(
            {
                **target,
                "channel": channel,
                "body": f"Bench message {i} on {channel}",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": f"*Bench* {i}"}}]
                if channel == "slack"
                else None,
                "dedupe_key": f"bench:{channel}:{i}",
                "status": "pending",
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
    with app.app_context():
        ids = []
        for start in range(0, n, 2000):
            result = db.session.execute(insert(Notification).returning(Notification.id), rows[start : start + 2000])
            ids.extend(result.scalars())
        db.session.commit()
        return ids


def enqueue_all(app, ids: list[int]) -> None:
    from rq import Queue

    from app.tasks.runtime import redis_connection, registered

    task = registered("notify.send")
    with app.app_context():
        queue = Queue(task.queue, connection=redis_connection(app))
        jobs = [Queue.prepare_data(task.path, args=(i,), timeout=task.timeout, result_ttl=60) for i in ids]
        for start in range(0, len(jobs), 1000):
            queue.enqueue_many(jobs[start : start + 1000])


def count_sent(app, channel: str) -> tuple[int, int]:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Notification

    with app.app_context():
        rows = dict(
            db.session.execute(
                select(Notification.status, func.count())
                .where(Notification.channel == channel)
                .group_by(Notification.status)
            ).all()
        )
        db.session.remove()
    return rows.get("sent", 0), sum(rows.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000, help="notifications per channel")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--channels", default="sms,whatsapp,slack")
    args = parser.parse_args()

    private = None
    if REDIS_URL is None:
        private = PrivateRedis()
        private.start()
    redis_url = REDIS_URL or private.url
    try:
        return run(args, redis_url)
    finally:
        if private is not None:
            private.stop()


def run(args, redis_url: str) -> int:
    with FakeTwilio() as twilio, FakeSlack() as slack:
        env = {
            **os.environ,
            "APP_ENV": "development",
            "DATABASE_URL": DB_URL,
            "REDIS_URL": redis_url,
            "EMBEDDED_SCHEDULER": "false",
            "ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "SLACK_WEBHOOK_PREFIXES": slack.url + "/",
            **twilio_config(twilio),
        }
        prepare(env, redis_url)
        from app import create_app

        app = create_app(env=env)
        recipients, company_id, connection_id = seed(app, slack.hook_url)
        print(f"{args.n:,} notifications per channel, {args.workers} worker processes, fakes on 127.0.0.1")
        for channel in args.channels.split(","):
            ids = insert_rows(app, channel, args.n, recipients, company_id, connection_id)
            before = len(twilio.requests) if channel != "slack" else len(slack.requests)
            started = time.perf_counter()
            enqueue_all(app, ids)
            enqueued = time.perf_counter() - started
            workers = [
                subprocess.Popen(
                    [sys.executable, "worker.py", "--burst", "--queues", "default", "--no-parse-worker"],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for _ in range(args.workers)
            ]
            for worker in workers:
                worker.wait()
            elapsed = time.perf_counter() - started
            sent, total = count_sent(app, channel)
            received = (len(twilio.requests) if channel != "slack" else len(slack.requests)) - before
            print(
                f"{channel:>9}: {sent:,}/{total:,} sent in {elapsed:.1f} s (enqueue {enqueued:.1f} s) = "
                f"{sent / elapsed:,.0f} notifications/s; the fake received {received:,}"
                + ("" if received == sent == args.n else "  <-- MISMATCH")
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
