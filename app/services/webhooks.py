"""The webhook gateway: store every genuine event once, process it later, idempotently.

Intake (in the request): verify the signature on the raw body, insert one row per event keyed by
(provider, provider event id) with INSERT ... ON CONFLICT DO NOTHING (duplicates and racing
deliveries become no-ops), commit, enqueue processing of the new rows. Processing (in a worker):
each event is claimed by an UPDATE that only one transaction can win, then handled; a failure is
recorded on the row and retried with backoff.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..errors import NotFound
from ..extensions import db
from ..integrations.email.sendgrid_events import SendGridEventWebhook
from ..integrations.payments import PROVIDER_CLASSES as PAYMENT_PROVIDERS
from ..integrations.payments import PROVIDER_SETTINGS as PAYMENT_SETTINGS
from ..integrations.sms import TwilioWebhook
from ..integrations.webhooks import WebhookRejected
from ..models import WebhookEvent, utcnow
from ..tasks import enqueue
from ..telemetry import metrics
from . import ats_sync, audit, channels, email_events, payments

__all__ = ["WebhookRejected", "ingest", "process_event", "provider", "replay"]


@dataclass(frozen=True)
class Provider:
    """An inbound webhook source: its adapter (verify + parse, built from these settings) and the
    handler that processes one stored event (event_type, payload) -> "processed" | "ignored".

    A per-connection source (each company's ATS, with a secret of its own) is reached at
    /webhooks/<provider>/<connection id>; its adapter is built for that connection,
    adapter(provider, connection_id), and its events go to `queue`."""

    settings: tuple[str, ...]
    adapter: Callable
    handle: Callable[[str, dict], str]
    per_connection: bool = False
    queue: str | None = None


# ATS events have medium priority: between payments (high) and email events (low).
_ATS = Provider((), ats_sync.webhook_intake, ats_sync.handle_webhook_event, per_connection=True, queue="default")


PROVIDERS: dict[str, Provider] = {
    "sendgrid": Provider(
        ("SENDGRID_WEBHOOK_PUBLIC_KEY", "WEBHOOK_MAX_AGE_SECONDS"),
        SendGridEventWebhook,
        email_events.handle_sendgrid_event,
    ),
    # Payment providers (stripe, paypal, razorpay, mock): on the high queue, handled by the orchestrator.
    **{
        name: Provider(PAYMENT_SETTINGS[name], adapter, partial(payments.handle_event, name))
        for name, adapter in PAYMENT_PROVIDERS.items()
    },
    "greenhouse": _ATS,
    "lever": _ATS,
    # SMS/WhatsApp status callbacks and inbound STOP/START (form-encoded; stored per MessageSid + status).
    "twilio": Provider(("TWILIO_AUTH_TOKEN", "BASE_URL"), TwilioWebhook, channels.handle_twilio_event),
}
_adapters: dict = {}


def provider(name: str, connection_id: int | None = None):
    """The adapter for a provider name (and connection, for per-connection providers); NotFound
    for anything else.

    Adapters are cached per configuration (parsing a public key on every delivery is wasted work);
    per-connection ones are built for each delivery, from the connection's current secret.
    """
    source = PROVIDERS.get(name)
    if source is None or source.per_connection != (connection_id is not None):
        raise NotFound(f"No webhook endpoint for {name[:40]!r}.")
    if source.per_connection:
        return source.adapter(name, connection_id)
    key = (name, *(current_app.config.get(setting) for setting in source.settings))
    if key not in _adapters:
        _adapters[key] = source.adapter(*key[1:])
    return _adapters[key]


@dataclass
class IngestResult:
    accepted: list[int]
    duplicates: int


def ingest(
    provider_name: str, body: bytes, headers, content_type: str | None, connection_id: int | None = None
) -> IngestResult:
    """Verify, store and enqueue a delivery. Raises WebhookRejected (-> 400). The caller commits."""
    adapter = provider(provider_name, connection_id)
    expected = getattr(adapter, "content_type", "application/json")  # Twilio posts forms
    if (content_type or "").split(";")[0].strip().lower() != expected:
        raise WebhookRejected(f"expected Content-Type {expected}, got {content_type or 'none'}")
    adapter.verify(body, headers)
    # Most providers put the event id in the body; those that send it in a header (Razorpay's
    # x-razorpay-event-id) say so with `reads_headers` and get the headers too.
    events = adapter.parse(body, headers) if getattr(adapter, "reads_headers", False) else adapter.parse(body)
    if not events:
        return IngestResult(accepted=[], duplicates=0)
    rows = [
        {
            "provider": adapter.name,
            "event_id": e.event_id,
            "event_type": e.event_type,
            "payload": e.payload,
            "status": "received",
            "attempts": 0,
            "received_at": utcnow(),
        }
        for e in events
    ]
    accepted = _insert_new(rows)
    metrics.webhook(adapter.name, "received", len(accepted))
    if accepted:
        enqueue("webhooks.process", accepted, queue=adapter.queue)
    return IngestResult(accepted=accepted, duplicates=len(rows) - len(accepted))


_INSERT_STATEMENTS: dict = {}


def _insert_statement(dialect: str):
    # Built once per dialect and executed with many parameter sets: SQLAlchemy caches its compiled
    # form (a statement with the values inlined would be compiled on every delivery).
    if dialect not in _INSERT_STATEMENTS:
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        table = WebhookEvent.__table__
        _INSERT_STATEMENTS[dialect] = (
            insert(table).on_conflict_do_nothing(index_elements=["provider", "event_id"]).returning(table.c.id)
        )
    return _INSERT_STATEMENTS[dialect]


def _insert_new(rows: list[dict]) -> list[int]:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id: the ids of the rows that were new.

    The one statement is atomic on its own, so when the request has not begun a transaction yet it
    runs in autocommit: one round trip instead of BEGIN, INSERT, COMMIT (intake is latency-bound).
    The rows are durable when this returns; the caller's commit still fires enqueue-after-commit,
    and if anything fails before that, the sweeper finds the rows in `received`.
    """
    if db.session().in_transaction():
        connection = db.session.connection()
    else:
        connection = db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    statement = _insert_statement(connection.dialect.name)
    if len(rows) == 1:
        return list(connection.execute(statement, rows[0]).scalars())
    return sorted(connection.execute(statement, rows).scalars())


def process_event(event_id: int) -> str:
    """Process one stored event exactly once; returns its final status. Commits (the claim with the
    handler's changes, or the failure on its own after a rollback, so it is never lost).

    The claiming UPDATE takes the row lock: a second processor of the same event waits for the
    first to commit and then finds nothing left to do.
    """
    now = utcnow()
    claimed = db.session.execute(
        update(WebhookEvent)
        .where(WebhookEvent.id == event_id, WebhookEvent.status.in_(("received", "queued", "failed")))
        .values(status="processed", processed_at=now, attempts=WebhookEvent.attempts + 1, last_error=None)
    ).rowcount
    if not claimed:
        db.session.rollback()
        return "skipped"
    event = db.session.get(WebhookEvent, event_id)
    try:
        outcome = PROVIDERS[event.provider].handle(event.event_type, json.loads(event.payload))
        if outcome == "ignored":
            event.status = "ignored"
        db.session.commit()
        metrics.webhook(event.provider, event.status)
        return event.status
    except Exception as error:
        db.session.rollback()
        db.session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.id == event_id)
            .values(
                status="failed",
                attempts=WebhookEvent.attempts + 1,
                last_error=f"{type(error).__name__}: {error}"[:2000],
            )
        )
        db.session.commit()
        metrics.webhook(event.provider, "failed")
        raise


def stale_received_ids(grace: timedelta, limit: int = 500) -> list[int]:
    cutoff = utcnow() - grace
    return list(
        db.session.scalars(
            select(WebhookEvent.id)
            .where(WebhookEvent.status.in_(("received", "queued")), WebhookEvent.received_at <= cutoff)
            .order_by(WebhookEvent.id)
            .limit(limit)
        )
    )


def get_event(event_id: int) -> WebhookEvent:
    event = db.session.get(WebhookEvent, event_id)
    if event is None:
        raise NotFound("No such webhook event.")
    return event


def replay(event_id: int, admin, reason: str = "") -> WebhookEvent:
    """Admin: process an event again (for example after fixing a bug). Flushes; caller commits.
    Audit-logged with the admin's reason."""
    event = get_event(event_id)
    audit.record(admin, "webhook.replayed", event, provider=event.provider, reason=reason)
    event.status, event.replayed_by_id, event.last_error = "queued", admin.id, None
    source = PROVIDERS.get(event.provider)
    queue = (source.queue if source is not None else None) or provider(event.provider).queue
    enqueue("webhooks.process", [event.id], queue=queue)
    db.session.flush()
    return event


def list_events(provider_name: str = "", status: str = "", limit: int = 100) -> list[WebhookEvent]:
    query = select(WebhookEvent).order_by(WebhookEvent.id.desc()).limit(limit)
    if provider_name:
        query = query.where(WebhookEvent.provider == provider_name)
    if status:
        query = query.where(WebhookEvent.status == status)
    return list(db.session.scalars(query))
