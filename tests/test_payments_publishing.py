"""Credits in use: publishing spends one, "Choose a plan" leads back to publishing, featured jobs,
free reopening inside the paid period, the billing page, receipts, admin plans and gifts."""

from datetime import timedelta

import pytest
from conftest import app_config
from factories import login, make_job, make_plan, make_recruiter, make_user
from fakes_payments import charging  # noqa: F401

from app.extensions import db
from app.models import CreditEntry, Job, Order, Payment, Plan, utcnow
from app.services import credits, payments


def _ledger(company_id) -> list[tuple]:
    db.session.expire_all()
    return [
        (e.delta, e.reason)
        for e in db.session.scalars(
            db.select(CreditEntry).where(CreditEntry.company_id == company_id).order_by(CreditEntry.id)
        )
    ]


def _buy_with_the_mock(client, plan, job_id="") -> Order:
    response = client.post(
        "/billing/checkout",
        data={"plan_id": plan.id, "currency": "USD", "country": "US", "method": "card", "job_id": job_id},
    )
    assert "/billing/mock-checkout/" in response.headers["Location"], response.text[:300]
    order = db.session.scalars(db.select(Order).order_by(Order.id.desc())).first()
    client.post(f"/billing/mock-checkout/{order.provider_ref}/pay")
    return order


@pytest.fixture
def owner(client, app_ctx):
    user = make_recruiter("Publishing Co")
    login(client, user)
    return user


def test_with_charging_off_publishing_costs_nothing(client, owner):
    job = make_job(owner, status="draft")
    client.post(f"/recruiter/jobs/{job.id}/publish")
    db.session.expire_all()
    assert db.session.get(Job, job.id).is_open
    assert _ledger(owner.company.id) == []


def test_without_credits_publish_leads_to_a_plan_and_paying_publishes_and_features_the_job(client, owner, charging):
    plan = make_plan("Featured posting", credits=1, posting_days=45, featured_days=7)
    job = make_job(owner, status="draft", title="Paid Role")
    response = client.post(f"/recruiter/jobs/{job.id}/publish")
    assert response.headers["Location"] == f"/billing/plans?job={job.id}"
    page = client.get(response.headers["Location"]).text
    assert "Publishing “Paid Role” takes one posting credit." in page
    assert f'name="job_id" type="hidden" value="{job.id}"' in page
    db.session.expire_all()
    assert not db.session.get(Job, job.id).is_open

    order = _buy_with_the_mock(client, plan, job_id=job.id)
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert job.is_open
    now = utcnow()
    assert abs(job.expires_at - (now + timedelta(days=45))) < timedelta(minutes=1)
    assert abs(job.featured_until - (now + timedelta(days=7))) < timedelta(minutes=1)
    assert _ledger(owner.company.id) == [(1, "purchase"), (-1, "publish")]
    back = client.get(f"/billing/orders/{order.id}/return").text
    assert "“Paid Role” is live on the job board and featured until" in back
    home = client.get("/").text
    assert "Featured" in home.split("Paid Role")[1][:400]


def test_publishing_spends_one_credit_each_and_the_last_credit_once(client, owner, charging):
    credits.gift(make_user("admin@example.com", role="admin"), owner.company.id, 1, posting_days=10)
    db.session.commit()
    first, second = make_job(owner, status="draft", title="First"), make_job(owner, status="draft", title="Second")
    client.post(f"/recruiter/jobs/{first.id}/publish")
    refused = client.post(f"/recruiter/jobs/{second.id}/publish")
    assert refused.headers["Location"] == f"/billing/plans?job={second.id}"
    db.session.expire_all()
    assert db.session.get(Job, first.id).is_open
    assert not db.session.get(Job, second.id).is_open
    assert _ledger(owner.company.id) == [(1, "admin_gift"), (-1, "publish")]
    assert credits.balance(owner.company.id) == 0


def test_reopening_a_closed_job_within_its_paid_period_is_free_and_after_it_costs_a_credit(client, owner, charging):
    credits.gift(make_user("admin@example.com", role="admin"), owner.company.id, 2, posting_days=30)
    db.session.commit()
    job = make_job(owner, status="draft")
    client.post(f"/recruiter/jobs/{job.id}/publish")
    client.post(f"/recruiter/jobs/{job.id}/close")
    client.post(f"/recruiter/jobs/{job.id}/reopen")
    db.session.expire_all()
    assert db.session.get(Job, job.id).is_open
    assert _ledger(owner.company.id) == [(2, "admin_gift"), (-1, "publish")]

    job = db.session.get(Job, job.id)
    job.status, job.expires_at = "expired", utcnow() - timedelta(days=1)
    db.session.commit()
    client.post(f"/recruiter/jobs/{job.id}/reopen")
    assert _ledger(owner.company.id) == [(2, "admin_gift"), (-1, "publish"), (-1, "publish")]


def test_featuring_a_live_job_spends_a_credit_from_a_plan_with_featured_days(client, owner, charging):
    admin = make_user("admin@example.com", role="admin")
    credits.gift(admin, owner.company.id, 1, posting_days=30)  # no featured days
    db.session.commit()
    job = make_job(owner, title="Star Role")  # spends the gift
    refused = client.post(f"/billing/jobs/{job.id}/feature")
    assert refused.headers["Location"] == "/billing/plans"
    credits.gift(admin, owner.company.id, 1, posting_days=30, featured_days=14)
    db.session.commit()
    client.post(f"/billing/jobs/{job.id}/feature")
    db.session.expire_all()
    job = db.session.get(Job, job.id)
    assert abs(job.featured_until - (utcnow() + timedelta(days=14))) < timedelta(minutes=1)
    assert _ledger(owner.company.id)[-1] == (-1, "feature")
    assert "Featured until" in client.get("/recruiter/").text


def test_a_featured_job_stops_being_marked_when_its_period_ends(client, owner):
    job = make_job(owner, title="Old Star")
    job.featured_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert "Featured" not in client.get("/").text.split("Old Star")[1][:400]


def test_the_billing_page_shows_the_ledger_payments_and_a_printable_receipt(client, owner):
    plan = make_plan("Five pack", credits=5)
    client.post("/billing/details", data={"country": "de", "address": "Hauptstr. 1\nBerlin", "tax_id": "DE123456789"})
    _buy_with_the_mock(client, plan)
    _buy_with_the_mock(client, plan)
    page = client.get("/billing/").text
    assert "Posting credits: <strong>10</strong>" in page
    assert "R-000002" in page
    assert "R-000001" in page
    payment = db.session.scalars(db.select(Payment).order_by(Payment.id)).first()
    receipt = client.get(f"/billing/receipts/{payment.id}").text
    assert "Receipt R-000001" in receipt
    assert "Tax id (VAT/GSTIN): DE123456789" in receipt
    assert "USD 49.00" in receipt
    assert "Hauptstr. 1, Berlin" in receipt
    client.post("/logout")
    login(client, make_recruiter("Nosy Co"))
    assert client.get(f"/billing/receipts/{payment.id}").status_code == 404


def test_admin_manages_plans_and_archived_plans_are_not_offered(client, app_ctx):
    admin = make_user("admin@example.com", role="admin")
    login(client, admin)
    response = client.post(
        "/admin/plans/new",
        data={
            "name": "Growth",
            "description": "For busy teams",
            "posting_credits": 10,
            "posting_days": 60,
            "featured_days": 14,
            "interval": "one_time",
            "price_usd": "199.00",
            "price_inr": "14999.00",
        },
    )
    assert response.status_code == 302
    plan = db.session.scalar(db.select(Plan))
    assert plan.prices == {"USD": 19900, "INR": 1499900}
    invalid = client.post(
        f"/admin/plans/{plan.id}/edit",
        data={
            "name": "Growth",
            "posting_credits": 10,
            "posting_days": 10,
            "featured_days": 30,
            "interval": "one_time",
            "price_usd": "199.00",
        },
    )
    assert invalid.status_code == 422
    assert "A job cannot be featured for longer than it is posted." in invalid.text
    assert client.post(f"/admin/plans/{plan.id}/archive").status_code == 422  # a reason is required
    assert db.session.get(Plan, plan.id).archived_at is None
    assert client.post(f"/admin/plans/{plan.id}/archive", data={"note": "Replaced by Growth 2"}).status_code == 302
    recruiter = make_recruiter("Shopper Co")
    client.post("/logout")
    login(client, recruiter)
    assert "Growth" not in client.get("/billing/plans").text
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).archived_at is not None  # archived, never deleted


def test_admin_gives_credits_and_the_ledger_says_why(client, app_ctx):
    owner = make_recruiter("Gifted Co")
    login(client, make_user("admin@example.com", role="admin"))
    client.post(
        f"/admin/companies/{owner.company.id}/credits",
        data={"credits": 3, "posting_days": 30, "featured_days": 0, "note": "Launch partner"},
    )
    assert _ledger(owner.company.id) == [(3, "admin_gift")]
    assert "Launch partner" in client.get(f"/admin/companies/{owner.company.id}/credits").text


def test_the_admin_payments_list_filters_by_fallback(app, client, app_ctx):
    owner = make_recruiter("Filter Co")
    for method in ("card", "paypal"):  # neither provider is configured: both fall back to the mock
        order = payments.create_order(owner.company, owner, make_plan().id, "USD", method, "US")
        payments.start_checkout(order, owner.email)
        db.session.add(
            Payment(
                order_id=order.id,
                company_id=owner.company.id,
                provider="mock",
                status="paid",
                provider_payment_id=f"mock_{method}",
                amount=4900,
                currency="USD",
            )
        )
    with app_config(app, PAYMENT_PROVIDERS=["mock"]):
        direct = payments.create_order(owner.company, owner, make_plan().id, "USD", "card", "US")
        direct.selected_provider = "mock"
        payments.start_checkout(direct, owner.email)
    db.session.add(
        Payment(
            order_id=direct.id,
            company_id=owner.company.id,
            provider="mock",
            status="paid",
            provider_payment_id="mock_direct",
            amount=4900,
            currency="USD",
        )
    )
    db.session.commit()
    login(client, make_user("admin@example.com", role="admin"))
    fell_back = client.get("/admin/payments?fallback=yes").text.split("Latest orders")[0]
    assert ("mock_card" in fell_back, "mock_paypal" in fell_back, "mock_direct" in fell_back) == (True, True, False)
    first_choice = client.get("/admin/payments?fallback=no").text.split("Latest orders")[0]
    assert ("mock_direct" in first_choice, "mock_card" in first_choice) == (True, False)
