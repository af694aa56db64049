"""The periodic jobs, in one place. `python worker.py --cron` runs them (exactly one such process).

Also usable as an `rq cron app.tasks.schedule` configuration module.
"""

from __future__ import annotations

from .alerts import send_alert_digests
from .ats import ats_tick
from .emails import sweep_outbox
from .maintenance import expire_jobs, flush_views
from .payments import deliver_mock_webhook  # noqa: F401  (registers the task)
from .resumes import sweep_parses
from .search import ensure_index
from .webhooks import sweep_webhooks

# (task, queue, interval in seconds)
SCHEDULE = [
    (sweep_outbox, "low", 60),
    (sweep_webhooks, "low", 60),
    (expire_jobs, "low", 15 * 60),
    (flush_views, "low", 60),
    (sweep_parses, "low", 2 * 60),
    # The worker builds a missing or bloated Whoosh index; web workers only open it.
    (ensure_index, "low", 60),
    (send_alert_digests, "low", 60 * 60),
    # Each connection syncs at its own interval (1 h by default); this checks which are due.
    (ats_tick, "low", 5 * 60),
]


def register_with(cron) -> None:
    for job_task, queue, interval in SCHEDULE:
        cron.register(job_task, queue, interval=interval, job_timeout=job_task.timeout)


try:  # `rq cron app.tasks.schedule` loads this module and reads rq.cron's registry
    from rq import cron as _rq_cron

    register_with(_rq_cron)
except ImportError:  # pragma: no cover
    pass
