"""Job-alert digests."""

from __future__ import annotations

import logging

from ..extensions import db
from ..services import alerts
from .runtime import task

log = logging.getLogger(__name__)


@task("alerts.send_digests", queue="low", timeout=900, retries=())
def send_alert_digests() -> int:
    """Send every digest that is due (run hourly). Returns how many emails were queued."""
    sent = 0
    for alert_id in alerts.due_alert_ids():
        try:
            sent += 1 if alerts.send_digest(alert_id) else 0
        except Exception:  # one broken alert must not stop the others; it is tried again next hour
            log.exception("Job alert %s failed", alert_id)
            db.session.rollback()
    return sent
