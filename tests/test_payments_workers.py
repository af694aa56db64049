"""Payment webhooks with real Redis and real RQ workers: nothing lost when Redis is down, one grant
when two worker processes race over the same payment."""

from __future__ import annotations

import pytest
from conftest import app_config
from factories import make_plan, make_recruiter
from fakes_payments import (  # noqa: F401
    RAZORPAY_KEY_SECRET,
    RAZORPAY_WEBHOOK_SECRET,
    fake_razorpay,
    fake_stripe,
    razorpay_event,
    razorpay_headers,
    razorpay_payment,
    stripe_event,
    stripe_headers,
    stripe_session_completed,
)
from sqlalchemy import create_engine, text
from test_real_workers import start_worker, stop, wait_for
from test_resilience import _burst_worker, private_redis  # noqa: F401

from app.extensions import db
from app.models import CreditEntry, Payment, WebhookEvent
from app.services import credits, payments
from app.tasks.webhooks import sweep_webhooks

pytestmark = pytest.mark.redis


def _events():
    db.session.expire_all()
    return [
        (e.event_id, e.status, e.attempts)
        for e in db.session.scalars(db.select(WebhookEvent).order_by(WebhookEvent.id))
    ]


def test_redis_down_when_a_payment_webhook_arrives_it_is_stored_and_processed_once_redis_is_back(
    app,
    client,
    app_ctx,
    private_redis,
    fake_stripe,  # noqa: F811
):
    owner = make_recruiter("Outage Co")
    order = payments.create_order(owner.company, owner, make_plan(credits=2).id, "USD", "card", "US")
    payments.start_checkout(order, owner.email)
    db.session.commit()
    body = stripe_event(
        "checkout.session.completed", stripe_session_completed(order.id, order.provider_ref), event_id="evt_outage"
    )
    with app_config(app, REDIS_URL=private_redis.url, SWEEP_GRACE_SECONDS=0):
        app.extensions.pop("jobifies_redis", None)
        private_redis.stop()
        response = client.post("/webhooks/stripe", data=body.encode(), headers=stripe_headers(body), csrf=False)
        assert response.status_code == 200  # Stripe must not retry for days because our Redis was away
        assert _events() == [("evt_outage", "received", 0)]
        assert credits.balance(owner.company.id) == 0

        private_redis.start()  # back, and empty
        assert sweep_webhooks() == 1
        _burst_worker(app, private_redis.url)
        assert _events() == [("evt_outage", "processed", 1)]
        assert sweep_webhooks() == 0
    app.extensions.pop("jobifies_redis", None)
    db.session.expire_all()
    assert credits.balance(owner.company.id) == 2


def test_payment_webhooks_go_on_the_high_queue(app, client, app_ctx, rq, fake_stripe):
    owner = make_recruiter("Queue Co")
    order = payments.create_order(owner.company, owner, make_plan().id, "USD", "card", "US")
    payments.start_checkout(order, owner.email)
    db.session.commit()
    body = stripe_event("checkout.session.completed", stripe_session_completed(order.id, order.provider_ref))
    client.post("/webhooks/stripe", data=body.encode(), headers=stripe_headers(body), csrf=False)
    assert rq.queued() == {"high": 1, "default": 0, "low": 0, "ats": 0, "parse": 0}
    rq.work()
    db.session.expire_all()
    assert credits.balance(owner.company.id) == 1


@pytest.mark.postgres
def test_two_workers_processing_two_events_of_one_payment_at_once_grant_once(app, rq, client, app_ctx, fake_razorpay):
    """payment.captured and order.paid for the same payment, each taken by its own worker process.

    An outside transaction holds the payment's unique key until both workers wait on it, so both are
    inside the race for sure; then it rolls back and lets them go."""
    owner = make_recruiter("Race Co")
    order = payments.create_order(owner.company, owner, make_plan(credits=3).id, "INR", "upi", "IN")
    payments.start_checkout(order, owner.email)
    db.session.commit()
    payment = razorpay_payment("pay_race", order.provider_ref)
    for event_id, kind in (("evt_captured", "payment.captured"), ("evt_paid", "order.paid")):
        body = razorpay_event(kind, payment=payment, order={"id": order.provider_ref, "notes": {}})
        response = client.post(
            "/webhooks/razorpay", data=body.encode(), headers=razorpay_headers(body, event_id), csrf=False
        )
        assert response.status_code == 200
    assert rq.queued()["high"] == 2
    settings = {
        "RAZORPAY_KEY_ID": "rzp_test_fake",
        "RAZORPAY_KEY_SECRET": RAZORPAY_KEY_SECRET,
        "RAZORPAY_WEBHOOK_SECRET": RAZORPAY_WEBHOOK_SECRET,
        "RAZORPAY_API_BASE": fake_razorpay.url,
    }
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    workers = []
    try:
        with engine.connect() as blocker:
            transaction = blocker.begin()
            blocker.execute(
                text(
                    "INSERT INTO payments (provider, provider_payment_id, renewal, amount, currency, "
                    "amount_refunded, status, created_at, updated_at) "
                    "VALUES ('razorpay', 'pay_race', false, 0, '', 0, 'paid', now(), now())"
                )
            )
            workers = [
                start_worker(app, "--burst", "--queues", "high", "--no-parse-worker", **settings) for _ in range(2)
            ]

            def both_waiting():
                with engine.connect() as probe:
                    return (
                        probe.scalar(
                            text(
                                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                                "AND query ILIKE 'INSERT INTO payments%'"
                            )
                        )
                        == 2
                    )

            wait_for(both_waiting, 30, "both workers to wait on the payment's unique key")
            transaction.rollback()
        for worker in workers:
            worker.wait(30)
    finally:
        for worker in workers:
            stop(worker)
        engine.dispose()
    assert _events() == [("evt_captured", "processed", 1), ("evt_paid", "processed", 1)]
    grants = db.session.scalars(db.select(CreditEntry).where(CreditEntry.company_id == owner.company.id)).all()
    assert [(g.delta, g.reason) for g in grants] == [(3, "purchase")]
    assert db.session.scalar(db.select(db.func.count(Payment.id))) == 1
    assert db.session.scalar(db.select(Payment.receipt_number)) == 1
