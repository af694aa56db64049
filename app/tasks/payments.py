"""Payment work in the background: the mock provider's webhooks."""

from __future__ import annotations

from ..extensions import db
from ..services import payments, webhooks
from .runtime import task


@task("payments.mock_deliver", queue="high", timeout=60, retries=(5, 30, 120))
def deliver_mock_webhook(order_id: int, event_type: str) -> int:
    """The mock provider's side: send its signed webhook for an order through the same gateway the
    real providers use (verify, store once, process on the high queue). Returns the events accepted."""
    body, headers = payments.mock_delivery(order_id, event_type)
    result = webhooks.ingest("mock", body, headers, headers["Content-Type"])
    db.session.commit()
    return len(result.accepted)
