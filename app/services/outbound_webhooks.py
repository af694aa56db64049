"""Outbound webhooks: companies subscribe endpoints to events; every event becomes one delivery
row per subscribed endpoint, written in the transaction that caused the event (so an event that
commits is never lost, and one that rolls back is never sent); a worker delivers them signed.

Delivery is per endpoint and in order: deliver(endpoint) sends its due deliveries oldest first and
stops at the first failure, which is retried with exponential backoff (1 min, 2, 4 … about a day
in all). After MAX_CONSECUTIVE_FAILURES failed attempts in a row (a day of them) the endpoint is
disabled and the company's owner is emailed; enabling it again sends what was waiting. A sweeper
re-enqueues due deliveries (Redis down, a dead worker)."""

from __future__ import annotations

import json
import secrets
import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select

from ..errors import NotFound, ValidationError
from ..extensions import db
from ..integrations import outbound_webhooks as transport
from ..models import OUTBOUND_EVENTS, Company, Membership, User, WebhookDelivery, WebhookEndpoint, utcnow
from ..tasks import enqueue
from . import notifications

MAX_ATTEMPTS = 11  # 1+2+4+…+512 minutes between them: about 17 hours, then the delivery fails
# An endpoint is disabled once it has failed this many attempts in a row: a whole day of retries.
MAX_CONSECUTIVE_FAILURES = MAX_ATTEMPTS
MAX_ENDPOINTS = 10


def backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** max(0, attempts - 1))


def _allow_private() -> bool:
    return bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"])


def _owned_endpoint(owner: User, endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or owner.company is None or endpoint.company_id != owner.company.id:
        raise NotFound("No such webhook endpoint.")
    return endpoint


def add_endpoint(owner: User, url: str, events: list[str]) -> tuple[WebhookEndpoint, str]:
    """Subscribe `url` to `events` for the owner's company; returns (endpoint, secret), the secret
    to be shown once. Flushes."""
    company = require_owner(owner)
    url = (url or "").strip()
    if not url or len(url) > 500:
        raise ValidationError("Enter the URL to send events to (at most 500 characters).", field="url")
    try:
        transport.check_url(url, _allow_private())
    except transport.UnsafeAddress as error:
        raise ValidationError(str(error), field="url") from None
    events = [e for e in dict.fromkeys(events or []) if e in OUTBOUND_EVENTS]
    if not events:
        raise ValidationError("Choose at least one event.", field="events")
    count = db.session.scalar(select(db.func.count(WebhookEndpoint.id)).where(WebhookEndpoint.company_id == company.id))
    if count >= MAX_ENDPOINTS:
        raise ValidationError(f"A company can have at most {MAX_ENDPOINTS} endpoints.")
    secret = "whsec_" + secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint(company_id=company.id, url=url, events=events, secret=secret)
    db.session.add(endpoint)
    db.session.flush()
    return endpoint, secret


def require_owner(user: User) -> Company:
    if user.membership is None or not user.membership.is_owner:
        raise NotFound("Only the company's owner manages webhooks.")
    return user.membership.company


def remove_endpoint(owner: User, endpoint_id: int) -> None:
    db.session.delete(_owned_endpoint(owner, endpoint_id))
    db.session.flush()


def enable_endpoint(owner: User, endpoint_id: int) -> WebhookEndpoint:
    endpoint = _owned_endpoint(owner, endpoint_id)
    endpoint.active, endpoint.consecutive_failures, endpoint.disabled_reason = True, 0, None
    db.session.flush()
    enqueue("outbound_webhooks.deliver", endpoint.id)
    return endpoint


def endpoints(company: Company) -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.company_id == company.id).order_by(WebhookEndpoint.id)
        )
    )


def deliveries(owner: User, endpoint_id: int, limit: int = 50) -> tuple[WebhookEndpoint, list[WebhookDelivery]]:
    endpoint = _owned_endpoint(owner, endpoint_id)
    rows = db.session.scalars(
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit)
    )
    return endpoint, list(rows)


def _queue(endpoint: WebhookEndpoint, event_type: str, data: dict) -> WebhookDelivery:
    event_id = "evt_" + uuid.uuid4().hex
    payload = json.dumps(
        {"id": event_id, "type": event_type, "created": int(utcnow().timestamp()), "data": data},
        separators=(",", ":"),
        sort_keys=True,
    )
    delivery = WebhookDelivery(
        endpoint_id=endpoint.id, event_id=event_id, event_type=event_type, payload=payload, next_attempt_at=utcnow()
    )
    db.session.add(delivery)
    db.session.flush()
    enqueue("outbound_webhooks.deliver", endpoint.id)  # after this transaction commits
    return delivery


def emit(company_id: int, event_type: str, data: dict) -> int:
    """Record `event_type` for every active endpoint of the company subscribed to it, in the
    current transaction. Returns how many deliveries were written."""
    rows = db.session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.company_id == company_id, WebhookEndpoint.active.is_(True))
    ).all()
    subscribed = [endpoint for endpoint in rows if event_type in endpoint.events]
    for endpoint in subscribed:
        _queue(endpoint, event_type, data)
    return len(subscribed)


def send_test_event(owner: User, endpoint_id: int) -> WebhookDelivery:
    endpoint = _owned_endpoint(owner, endpoint_id)
    return _queue(endpoint, "ping", {"message": "A test event from the webhook settings page."})


def resend(owner: User, delivery_id: int) -> WebhookDelivery:
    """Send an earlier delivery's event again, as a new delivery with the same event id (receivers
    deduplicate on it)."""
    original = db.session.get(WebhookDelivery, delivery_id)
    if original is None:
        raise NotFound("No such delivery.")
    endpoint = _owned_endpoint(owner, original.endpoint_id)
    copy = WebhookDelivery(
        endpoint_id=endpoint.id,
        event_id=original.event_id,
        event_type=original.event_type,
        payload=original.payload,
        next_attempt_at=utcnow(),
    )
    db.session.add(copy)
    db.session.flush()
    enqueue("outbound_webhooks.deliver", endpoint.id)
    return copy


def deliver(endpoint_id: int) -> int:
    """Send the endpoint's due deliveries, oldest first, committing after each attempt; stop at the
    first failure (ordering: a later event never overtakes an earlier one). Returns how many were
    delivered. Safe to run twice at once: each delivery is claimed by pushing its next attempt
    time forward in an UPDATE only one transaction can win."""
    sent = 0
    while True:
        endpoint = db.session.get(WebhookEndpoint, endpoint_id)
        if endpoint is None or not endpoint.active:
            return sent
        now = utcnow()
        delivery = db.session.scalar(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == "pending")
            .order_by(WebhookDelivery.id)
            .limit(1)
        )
        if delivery is None or (delivery.next_attempt_at is not None and delivery.next_attempt_at > now):
            return sent
        claimed = db.session.execute(
            db.update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery.id,
                WebhookDelivery.status == "pending",
                or_(WebhookDelivery.next_attempt_at.is_(None), WebhookDelivery.next_attempt_at <= now),
            )
            .values(next_attempt_at=now + timedelta(seconds=current_app.config["OUTBOUND_TIMEOUT_SECONDS"] + 30))
        ).rowcount
        db.session.commit()
        if not claimed:
            return sent  # another worker has it
        attempt = transport.post(
            endpoint.url,
            endpoint.secret,
            delivery.payload.encode(),
            delivery.event_id,
            delivery.event_type,
            timeout=current_app.config["OUTBOUND_TIMEOUT_SECONDS"],
            allow_private=_allow_private(),
        )
        delivery.attempts += 1
        delivery.last_status_code, delivery.last_error = attempt.status_code, attempt.error
        delivery.last_duration_ms = attempt.duration_ms
        if attempt.ok:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", utcnow(), None
            endpoint.consecutive_failures = 0
            db.session.commit()
            sent += 1
            continue
        endpoint.consecutive_failures += 1
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.status, delivery.next_attempt_at = "failed", None
        else:
            delivery.next_attempt_at = utcnow() + backoff(delivery.attempts)
        if endpoint.consecutive_failures >= MAX_CONSECUTIVE_FAILURES:
            _disable(endpoint, delivery)
        db.session.commit()
        return sent


def _disable(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> None:
    endpoint.active = False
    endpoint.disabled_reason = (
        f"Disabled after {endpoint.consecutive_failures} failed attempts in a row "
        f"(last: {delivery.last_status_code or delivery.last_error})."
    )
    owner = db.session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.company_id == endpoint.company_id, Membership.role == "owner")
    )
    if owner is not None:
        notifications.queue_email(
            owner.email,
            "webhook_disabled",
            user=owner,
            name=owner.display_name,
            url=endpoint.url,
            reason=endpoint.disabled_reason,
            settings_link=notifications.external_url("api.webhooks"),
        )


def due_endpoint_ids(grace: timedelta) -> list[int]:
    """Endpoints with a delivery due for longer than `grace` (for the sweeper)."""
    cutoff = utcnow() - grace
    return list(
        db.session.scalars(
            select(WebhookDelivery.endpoint_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
            .where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= cutoff,
                WebhookEndpoint.active.is_(True),
            )
            .distinct()
        )
    )
