"""Delivering our own webhooks to companies' endpoints."""

from __future__ import annotations

from datetime import timedelta

from ..services import outbound_webhooks
from . import enqueue_now
from .runtime import task


@task("outbound_webhooks.deliver", queue="default", timeout=600, retries=())
def deliver_webhooks(endpoint_id: int) -> int:
    """The endpoint's due deliveries, in order. Failures are retried by the sweeper at each
    delivery's own backoff time (recorded on its row), not by RQ."""
    return outbound_webhooks.deliver(endpoint_id)


@task("outbound_webhooks.sweep", queue="low", timeout=300, retries=())
def sweep_outbound_webhooks() -> int:
    """Enqueue every endpoint with a delivery due: retries whose backoff has passed, and
    deliveries Redis never got."""
    ids = outbound_webhooks.due_endpoint_ids(timedelta(0))
    for endpoint_id in ids:
        enqueue_now("outbound_webhooks.deliver", endpoint_id)
    return len(ids)
