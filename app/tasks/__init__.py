"""Background work: one enqueue interface for the whole app, keyed by task name.

    from app.tasks import enqueue
    enqueue("emails.send", message.id)          # runs after the current transaction commits

Services enqueue by name and never import a task module, so the imports run one way: task modules
import services, services import only this package (the registry is filled when the app factory
imports app.tasks.schedule, which imports every task module).

Jobs are handed to RQ only after the database transaction that caused them commits (a rolled-back
change enqueues nothing, and a worker never looks for a row that is not there yet). Without
REDIS_URL (the embedded default) they run inline right after the commit, so `make run` needs no
Redis. If Redis is down at that moment the job is not lost: its row is still pending in the
database and a sweeper enqueues it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db
from ..telemetry.logs import current_request_id
from .runtime import Task, redis_connection, registered, run_inline

log = logging.getLogger(__name__)
# The order a worker reads them in. Resume parsing has a queue (and a worker process) of its own,
# so a slow or hostile file never holds up emails and webhooks. ATS syncs and sends come last: a
# worker takes them only when nothing more urgent waits (a big tenant can run a worker of its own
# with `--queues ats`, README).
ATS_QUEUE = "ats"
MAIN_QUEUES = ("high", "default", "low", ATS_QUEUE)
PARSE_QUEUE = "parse"
QUEUES = MAIN_QUEUES + (PARSE_QUEUE,)
_PENDING = "jobifies_pending_jobs"


@dataclass
class PendingJob:
    task: Task
    args: tuple
    queue: str


def enqueue(name: str, *args, queue: str | None = None, session=None) -> None:
    """Schedule task `name` with `args` (ids, plain values) to run after the current transaction
    commits. An unknown name raises KeyError at once, not after the commit."""
    task = registered(name)
    target = session if session is not None else db.session()
    target.info.setdefault(_PENDING, []).append(PendingJob(task, args, queue or task.queue))


def enqueue_now(name: str, *args, queue: str | None = None) -> bool:
    """Hand a job to RQ immediately (for sweepers and admin retries: their rows are already committed).

    Returns False if Redis could not take it (the sweeper will try again).
    """
    task = registered(name)
    return _dispatch([PendingJob(task, args, queue or task.queue)])


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    jobs = session.info.pop(_PENDING, None)
    if jobs:
        _dispatch(jobs)


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    session.info.pop(_PENDING, None)


def _dispatch(jobs: list[PendingJob]) -> bool:
    app = current_app._get_current_object()
    connection = redis_connection(app)
    if connection is None:
        for job in jobs:
            run_inline(app, job.task, job.args)
        return True
    ok = True
    for job in jobs:
        try:
            Queue(job.queue, connection=connection).enqueue(
                job.task.path,
                *job.args,
                job_timeout=job.task.timeout,
                retry=job.task.retry(),
                failure_ttl=7 * 24 * 3600,
                result_ttl=3600,
                description=f"{job.task.name}{job.args}",
                meta={"request_id": current_request_id()},  # the job's log lines carry the request's id
            )
        except RedisError as error:
            ok = False
            log.warning(
                "Could not enqueue %s%s (%s); the sweeper will enqueue it again", job.task.name, job.args, error
            )
    return ok
