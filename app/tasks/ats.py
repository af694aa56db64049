"""ATS sync jobs: a connection's sync, one application sent, and the periodic tick that queues
syncs when they are due and picks up what was lost."""

from __future__ import annotations

import logging

from ..extensions import db
from ..services import ats_sync
from . import enqueue_now
from .runtime import task

log = logging.getLogger(__name__)


# No RQ retries: each request retries with backoff on its own, and a failed run is recorded and
# followed by the next scheduled one. The timeout leaves room for rate-limit pauses.
@task("ats.sync", queue="ats", timeout=1800, retries=())
def sync_connection(run_id: int) -> str:
    """Run one queued sync, committing after every step (progress shows on the settings page)."""
    try:
        for _step in ats_sync.run_sync(run_id):
            db.session.commit()
    except Exception as error:
        db.session.rollback()
        message = ats_sync.plain_error(error)
        if message == ats_sync.UNEXPECTED:
            log.exception("ATS sync run %s failed", run_id)
        else:
            log.warning("ATS sync run %s failed: %s", run_id, message)
        ats_sync.fail_run(run_id, message)
        db.session.commit()
        return "failed"
    return "done"


@task("ats.send_application", queue="ats", timeout=300, retries=(30, 120, 600, 1800, 3600))
def send_application(application_id: int) -> str:
    """Send one application to the company's ATS (after the apply committed). Raises for RQ to
    retry while another attempt makes sense; the link records every failure."""
    if not ats_sync.claim_send(application_id):
        db.session.rollback()
        return "not pending"  # sent already, given up on, or another sender has it
    db.session.commit()  # the claim is visible before the call out
    try:
        outcome = ats_sync.send_application(application_id)
    except Exception as error:
        db.session.rollback()
        retry = ats_sync.record_send_failure(application_id, error)
        db.session.commit()
        if ats_sync.plain_error(error) == ats_sync.UNEXPECTED:
            log.exception("Sending application %s to its ATS failed", application_id)
        if retry:
            raise
        return "failed"
    db.session.commit()
    return outcome


@task("ats.tick", queue="low", timeout=300, retries=())
def ats_tick() -> dict:
    """Queue the syncs that are due, re-queue runs and sends whose jobs were lost, fail runs whose
    worker died."""
    queued = ats_sync.schedule_due_syncs()
    db.session.commit()  # the new runs' jobs are enqueued by this commit
    lost, dead = ats_sync.recover_stale_runs()
    db.session.commit()
    requeued = sum(1 for run_id in lost if enqueue_now("ats.sync", run_id))
    sends = sum(
        1 for application_id in ats_sync.stale_send_ids() if enqueue_now("ats.send_application", application_id)
    )
    return {"queued": len(queued), "requeued": requeued, "failed": dead, "sends": sends}
