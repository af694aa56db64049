"""The periodic jobs, in one place. `python worker.py --cron` runs them (exactly one such process).

Also usable as an `rq cron app.tasks.schedule` configuration module.
"""

from __future__ import annotations

from rq.cron import CronScheduler

from .alerts import send_alert_digests
from .ats import ats_tick
from .emails import sweep_outbox
from .maintenance import expire_jobs, flush_views
from .notify import slack_periodic, sweep_notifications
from .outbound_webhooks import sweep_outbound_webhooks
from .payments import deliver_mock_webhook  # noqa: F401  (registers the task)
from .privacy import delete_due_accounts, expire_exports, retention_sweep
from .resumes import sweep_parses
from .search import ensure_index
from .webhooks import sweep_webhooks

# (task, queue, interval in seconds)
SCHEDULE = [
    (sweep_outbox, "low", 60),
    (sweep_webhooks, "low", 60),
    # Outbound webhooks: retries whose backoff has passed, and deliveries Redis never got.
    (sweep_outbound_webhooks, "low", 60),
    (expire_jobs, "low", 15 * 60),
    (flush_views, "low", 60),
    (sweep_parses, "low", 2 * 60),
    # The worker builds a missing or bloated Whoosh index; web workers only open it.
    (ensure_index, "low", 60),
    (send_alert_digests, "low", 60 * 60),
    # Each connection syncs at its own interval (1 h by default); this checks which are due.
    (ats_tick, "low", 5 * 60),
    # Trust and control: accounts past their grace period, inactive candidates (RETENTION_DAYS), old exports.
    (delete_due_accounts, "low", 60 * 60),
    (retention_sweep, "low", 6 * 60 * 60),
    (expire_exports, "low", 60 * 60),
    # SMS/WhatsApp/Slack: pick up what quiet hours or a Retry-After held back; expiring jobs, digests.
    (sweep_notifications, "low", 60),
    (slack_periodic, "low", 60 * 60),
]


def register_with(cron) -> None:
    for job_task, queue, interval in SCHEDULE:
        cron.register(job_task, queue, interval=interval, job_timeout=job_task.timeout)


try:  # `rq cron app.tasks.schedule` loads this module and reads rq.cron's registry
    from rq import cron as _rq_cron

    register_with(_rq_cron)
except ImportError:  # pragma: no cover
    pass


LOCK_KEY = "jobifies:scheduler-lock"
LOCK_SECONDS = 30
# Renew the lock if we still hold it (compare-and-expire): a process that lost it (paused past the
# TTL) must not extend another's.
_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('expire', KEYS[1], ARGV[2]) else return 0 end"


def run_locked_scheduler(connection, holder: str, stop, tick: float = 5.0, on_acquire=None, while_holding=None) -> None:
    """`python worker.py --with-cron`: schedule only while holding a Redis lock, so any number of
    workers started with the flag run exactly one scheduler between them. Polls every `tick`
    seconds to take a free lock (the holder died: its TTL ran out) or renew ours. Runs until
    `stop` (a threading.Event) is set, then releases the lock at once for another worker."""

    scheduler = None
    try:
        while not stop.is_set():
            held = bool(connection.set(LOCK_KEY, holder, nx=True, ex=LOCK_SECONDS)) or bool(
                connection.eval(_RENEW, 1, LOCK_KEY, holder, LOCK_SECONDS)
            )
            if held and scheduler is None:
                scheduler = CronScheduler(connection=connection)
                register_with(scheduler)
                if on_acquire is not None:
                    on_acquire()
            elif not held:
                scheduler = None  # another process took over; it schedules from now on
            if scheduler is not None:
                if scheduler.enqueue_jobs():
                    scheduler.save()
                if while_holding is not None:
                    while_holding()  # the scheduler's heartbeat, only from the holder
            stop.wait(tick)
    finally:
        connection.eval(
            "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
            1,
            LOCK_KEY,
            holder,
        )
