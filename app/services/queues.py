"""What the admin sees of the background queues (RQ in Redis) and the durable rows behind them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from sqlalchemy import func, select

from ..errors import NotFound
from ..extensions import db
from ..models import EmailMessage, WebhookEvent
from ..tasks import QUEUES
from ..tasks.runtime import redis_connection
from . import audit


@dataclass
class FailedJob:
    queue: str
    id: str
    description: str
    error: str
    ended_at: object


def overview() -> dict:
    connection = redis_connection(current_app)
    data = {
        "inline": connection is None,
        "queues": [],
        "failed": [],
        "redis_error": None,
        "emails": dict(
            db.session.execute(select(EmailMessage.status, func.count()).group_by(EmailMessage.status)).all()
        ),
        "webhooks": dict(
            db.session.execute(select(WebhookEvent.status, func.count()).group_by(WebhookEvent.status)).all()
        ),
    }
    if connection is None:
        return data
    try:
        for name in QUEUES:
            queue = Queue(name, connection=connection)
            registry = queue.failed_job_registry
            data["queues"].append(
                {
                    "name": name,
                    "queued": len(queue),
                    "failed": registry.count,
                    "started": queue.started_job_registry.count,
                    "scheduled": queue.scheduled_job_registry.count,
                }
            )
            for job in queue.job_class.fetch_many(registry.get_job_ids(0, 49), connection=connection):
                if job is None:
                    continue
                error = (job.latest_result().exc_string if job.latest_result() else job.exc_info) or ""
                data["failed"].append(
                    FailedJob(
                        queue=name,
                        id=job.id,
                        description=job.description or job.func_name,
                        error=error.strip().splitlines()[-1] if error.strip() else "",
                        ended_at=job.ended_at,
                    )
                )
    except RedisError as error:
        data["redis_error"] = str(error)
    return data


def ensure_queue(queue_name: str):
    """The Redis connection of a known queue; NotFound for an unknown queue or without Redis."""
    connection = redis_connection(current_app)
    if connection is None or queue_name not in QUEUES:
        raise NotFound("No such queue.")
    return connection


def retry_failed_job(queue_name: str, job_id: str, admin=None, reason: str = "") -> None:
    """Put a failed RQ job back on its queue; audit-logged with the admin's reason."""
    connection = ensure_queue(queue_name)
    registry = Queue(queue_name, connection=connection).failed_job_registry
    try:
        registry.requeue(job_id)
    except (NoSuchJobError, InvalidJobOperation):
        raise NotFound("That failed job is no longer there (it may have been retried already).") from None
    audit.record(admin, "queue.job_retried", None, queue=queue_name, job=job_id, reason=reason)
