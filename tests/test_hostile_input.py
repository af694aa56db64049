"""No 5xx on hostile input, anywhere: every GET and POST route of app.url_map, anonymous and as each
role, with hostile values in the path, the query string and the form.

The suite runs with TESTING on, so an unhandled error is not turned into a 500 page: it fails this
test with its traceback. Runs on PostgreSQL in CI (where out-of-range integers and NUL bytes used to
surface as database errors) and on SQLite.
"""

from __future__ import annotations

import itertools
import re
from urllib.parse import quote

import pytest
from factories import PASSWORD, make_application, make_job, make_plan, make_recruiter, make_user
from werkzeug.routing import AnyConverter, IntegerConverter

from app.extensions import db, limiter
from app.models import ApplicationNote, AtsConnection, Invitation, JobAlert, Membership, Payment, WebhookEvent
from app.services import alerts, companies, payments

HOSTILE_INTS = ["2147483648", "9223372036854775808", "99999999999999999999999", "0", "-1"]
# %00 a NUL; %ED%A0%80 a UTF-8-encoded lone surrogate; a very long value; path traversal.
HOSTILE_TEXT = ["%00", "a%00b", "%ED%A0%80", "x" * 3000, "..%2F..%2Fetc", "%F0%9F%92%A9"]
HOSTILE_QUERY = (
    "page=100000000000000000000&q=%00&sort=%ED%A0%80&status=%00&salary_min=1e999"
    "&posted=%00&workplace=%00&location=" + "l" * 3000 + "&to=%00&provider=%00&use=%00&seen=%00"
    "&job=%00&token=%00&currency=%00&fallback=%00"
)
FORM_FIELDS = [
    "email",
    "password",
    "name",
    "title",
    "description",
    "body",
    "note",
    "status",
    "q",
    "reason",
    "company_name",
    "website",
    "about",
    "skills",
    "headline",
    "summary",
    "location",
    "phone",
    "cover_letter",
    "frequency",
    "next",
    "current_password",
    "new_password",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "workplace",
    "employment_type",
    "seniority",
    "action",
    "saved",
    "experience-0-title",
    "education-0-institution",
    "List-Unsubscribe",
    "plan_id",
    "currency",
    "country",
    "method",
    "job_id",
    "tax_id",
    "address",
    "credits",
    "posting_credits",
    "posting_days",
    "featured_days",
    "interval",
    "price_usd",
    "razorpay_payment_id",
    "razorpay_signature",
]
HOSTILE_FORM_VALUES = ["%00", "%ED%A0%80", "9" * 400, "x" * 20000]


@pytest.fixture
def world(app_ctx):
    """One of everything a route can reach by id, and a user per role."""
    owner = make_recruiter("Hostile Co", email="owner@hostile.example.com")
    job = make_job(owner, title="Target Role")
    candidate = make_user("candidate@hostile.example.com")
    application = make_application(job, candidate)
    note = ApplicationNote(application_id=application.id, author_id=owner.id, body="note")
    colleague = make_user("colleague@hostile.example.com")
    db.session.add_all([note, Membership(company_id=owner.company.id, user_id=colleague.id, role="recruiter")])
    invitation, token = companies.invite_member(owner, "invitee@hostile.example.com")
    alert, _ = alerts.create_alert(candidate, {"q": ["role"]}, "daily")
    event = WebhookEvent(provider="sendgrid", event_id="evt-1", event_type="delivered", payload="{}")
    db.session.add(event)
    plan = make_plan()
    order = payments.create_order(owner.company, owner, plan.id, "USD", "card", "US")
    payments.start_checkout(order, owner.email)
    payment = Payment(
        order_id=order.id,
        company_id=owner.company.id,
        provider="mock",
        provider_payment_id="mock_pay_1",
        amount=4900,
        currency="USD",
        status="paid",
        receipt_number=1,
    )
    db.session.add(payment)
    admin = make_user("admin@hostile.example.com", role="admin")
    # An ATS connection whose credentials no key opens: every ATS route must still answer calmly.
    connection = AtsConnection(company_id=owner.company.id, provider="greenhouse", credentials="not-a-fernet-token")
    db.session.add(connection)
    db.session.commit()
    real = {
        "job_id": job.id,
        "application_id": application.id,
        "note_id": note.id,
        "invitation_id": invitation.id,
        "membership_id": colleague.membership.id,
        "alert_id": alert.id,
        "user_id": candidate.id,
        "event_id": event.id,
        "document_id": 1,
        "message_id": 1,
        "slug": owner.company.slug,
        "token": token,
        "provider": "sendgrid",
        "queue": "default",
        "filename": "css/app.css",
        "order_id": order.id,
        "payment_id": payment.id,
        "plan_id": plan.id,
        "company_id": owner.company.id,
        "reference": order.provider_ref,
        "connection_id": connection.id,
    }
    return {
        "real": real,
        "roles": {"anonymous": None, "candidate": candidate.email, "recruiter": owner.email, "admin": admin.email},
        "alert_token": alert.unsubscribe_token,
    }


def _paths(rule, real: dict) -> list[str]:
    """The rule's URL with real values, then with each argument hostile in turn."""

    def build(values: dict) -> str:
        return re.sub(r"<(?:[^<>:]+:)?(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)

    base = {}
    for name, converter in rule._converters.items():
        base[name] = (
            sorted(converter.items)[0]
            if isinstance(converter, AnyConverter)
            else quote(str(real.get(name, "x")), safe="/")
        )
    paths = [build(base)]
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            continue
        values = HOSTILE_INTS if isinstance(converter, IntegerConverter) else HOSTILE_TEXT
        paths += [build({**base, name: value}) for value in values]
    return paths


def _hostile_form() -> str:
    pairs = itertools.cycle(HOSTILE_FORM_VALUES)
    return "&".join(f"{quote(field)}={next(pairs)}" for field in FORM_FIELDS)


def _log_in(client, email):
    if email:
        client.post("/login", data={"email": email, "password": PASSWORD})


@pytest.mark.parametrize("role", ["anonymous", "candidate", "recruiter", "admin"])
def test_no_route_answers_5xx_to_hostile_input(app, client, world, role):
    limiter.enabled = False  # the limits would answer 429 before the handlers see the input
    failures = []
    try:
        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if rule.endpoint in ("auth.logout", "auth.end_other_sessions"):
                continue  # logging this client out would only test the anonymous role again
            for path in _paths(rule, world["real"]):
                for method in sorted({"GET", "POST"} & rule.methods):
                    _log_in(client, world["roles"][role])
                    for query in ("", HOSTILE_QUERY):
                        url = f"{path}?{query}" if query else path
                        if method == "GET":
                            response = client.get(url)
                        else:
                            response = client.post(
                                url, data=_hostile_form(), content_type="application/x-www-form-urlencoded"
                            )
                        if response.status_code >= 500:
                            failures.append(f"{role} {method} {url[:120]} -> {response.status_code}")
    finally:
        limiter.enabled = True
    assert failures == []


def test_hostile_json_to_the_webhook_gateway_is_a_400(client, signer):
    """Deep nesting, a 400-digit timestamp, a lone surrogate or NUL inside an event."""
    deep = "[" * 5000 + "]" * 5000
    for body, timestamp in [(deep, None), ("[]", "9" * 400), ("[]", "-5"), ("[]", "1e9")]:
        headers = signer.headers(body)
        if timestamp is not None:
            headers["X-Twilio-Email-Event-Webhook-Timestamp"] = timestamp
        response = client.post("/webhooks/sendgrid", data=body.encode(), headers=headers, csrf=False)
        assert response.status_code == 400, body[:20]
        assert response.get_json()["success"] is False


def test_a_nul_or_lone_surrogate_inside_one_event_does_not_fail_the_batch(client, signer, app_ctx):
    body = (
        '[{"sg_event_id": "ok-1", "event": "bounce", "email": "a\\u0000b@example.com", '
        '"reason": "\\ud800 broken"}, {"sg_event_id": "ok-2", "event": "delivered", "email": '
        '"c@example.com", "timestamp": 99999999999999999999}]'
    )
    response = client.post("/webhooks/sendgrid", data=body.encode(), headers=signer.headers(body), csrf=False)
    assert response.status_code == 200
    assert response.get_json()["data"]["accepted"] == 2
    db.session.expire_all()
    statuses = {e.event_id: (e.status, e.attempts) for e in db.session.scalars(db.select(WebhookEvent))}
    assert statuses == {"ok-1": ("processed", 1), "ok-2": ("processed", 1)}


def test_unknown_things_in_admin_and_invitation_routes_are_404_not_500(client, world):
    _log_in(client, world["roles"]["admin"])
    assert client.post("/admin/queues/nope/failed/x/retry").status_code == 404
    assert client.get(f"/invitations/{'z' * 5000}").status_code == 404
    assert db.session.scalar(db.select(db.func.count(Invitation.id))) == 1
    assert db.session.scalar(db.select(db.func.count(JobAlert.id))) == 1
