"""Processing stored webhook events."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from ..services import webhooks
from . import enqueue_now
from .runtime import task


@task("webhooks.process", queue="default", timeout=120, retries=(10, 30, 120, 600, 1800))
def process_webhook_events(event_ids: list[int]) -> dict:
    """Process each event once. If any failed, raise so RQ retries (processed ones are skipped then)."""
    results, errors = {}, []
    for event_id in event_ids:
        try:
            results[event_id] = webhooks.process_event(event_id)
        except Exception as error:  # recorded on the row by process_event
            errors.append(f"{event_id}: {error}")
    if errors:
        raise RuntimeError("; ".join(errors))
    return results


@task("webhooks.sweep", queue="low", timeout=300, retries=())
def sweep_webhooks() -> int:
    """Re-enqueue events still waiting after the grace period (for example: Redis was down)."""
    grace = timedelta(seconds=current_app.config["SWEEP_GRACE_SECONDS"])
    ids = webhooks.stale_received_ids(grace)
    if ids and enqueue_now("webhooks.process", ids):
        return len(ids)
    return 0
