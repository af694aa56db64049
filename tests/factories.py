"""Factories: every test states the data it needs."""

from __future__ import annotations

import io
import itertools
from datetime import timedelta

from app.extensions import db
from app.models import Application, ApplicationEvent, utcnow
from app.services import accounts, companies, jobs

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


def make_user(
    email: str | None = None,
    name: str = "",
    role: str = "candidate",
    password: str = PASSWORD,
    verified: bool = True,
    **fields,
):
    """A user; verified (no verification email queued) unless verified=False."""
    n = next(_seq)
    user = accounts.register_user(
        email or f"user{n}@example.com", password, name or f"User {n}", role=role, verify=not verified
    )
    if verified:
        user.verified_at = utcnow()
    for key, value in fields.items():
        setattr(user, key, value)
    db.session.commit()
    return user


def make_recruiter(company_name: str | None = None, email: str | None = None, **fields):
    """A new user who owns a new company. Returns the user (user.company is the company)."""
    n = next(_seq)
    user = make_user(email or f"recruiter{n}@example.com", role="recruiter", **fields)
    companies.create_company(user, company_name or f"Company {n}", "https://example.com", "We make things.")
    db.session.commit()
    return user


def make_job(owner, status: str = "published", **fields):
    data = {
        "title": "Backend Engineer",
        "description": "Build **things**.",
        "location": "Berlin, Germany",
        "workplace": "hybrid",
        "employment_type": "full_time",
        "seniority": "senior",
        "salary_min": 70000,
        "salary_max": 90000,
        "salary_currency": "EUR",
        "salary_period": "year",
        "skills": "Python, PostgreSQL",
    }
    timestamps = {k: fields.pop(k) for k in ("published_at", "expires_at") if k in fields}
    data.update(fields)
    job = jobs.create_job(owner.company, owner, data)
    if status != "draft":
        jobs.publish_job(job, owner)
    if status == "closed":
        jobs.close_job(job, owner)
    if status == "expired":
        job.expires_at = utcnow() - timedelta(minutes=1)
    for key, value in timestamps.items():
        setattr(job, key, value)
    db.session.commit()
    return job


def make_application(job, candidate, status: str = "applied"):
    application = Application(job=job, candidate=candidate, status="applied", cover_letter="Hello")
    application.events.append(ApplicationEvent(actor_id=candidate.id, to_status="applied"))
    if status != "applied":
        application.events.append(ApplicationEvent(from_status="applied", to_status=status))
        application.status = status
    db.session.add(application)
    db.session.commit()
    return application


def pdf_bytes(text: str = "Jane Doe\nPython developer") -> bytes:
    """A real, valid one-page PDF whose page carries `text` (pypdf extracts it back)."""
    from resume_samples import text_pdf

    return text_pdf(text)


def docx_bytes(text: str = "Jane Doe, Python developer") -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def login(client, user_or_email, password: str = PASSWORD):
    email = getattr(user_or_email, "email", user_or_email)
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def emailed_link(to: str, template: str) -> str:
    """The path of the (first) link in the newest email of `template` to `to`, as a test client
    would open it. Links are built from BASE_URL, which this strips."""
    import re

    from flask import current_app

    from app.models import EmailMessage

    db.session.expire_all()
    message = db.session.scalar(
        db.select(EmailMessage)
        .where(EmailMessage.to_address == to.lower(), EmailMessage.template == template)
        .order_by(EmailMessage.id.desc())
    )
    assert message is not None, f"no {template} email to {to}"
    base = current_app.config["BASE_URL"]
    link = re.search(re.escape(base) + r"(/\S+)", message.text_body)
    assert link, f"no link to {base} in the {template} email"
    return link.group(1)


def confirm_email(client, to: str) -> object:
    """Follow the confirmation link emailed to `to` and press the button, as the person would."""
    client.get(emailed_link(to, "verify_email"))
    return client.post("/verify")


def make_plan(
    name: str = "Starter",
    credits: int = 1,
    posting_days: int = 30,
    featured_days: int = 0,
    interval: str = "one_time",
    prices: dict | None = None,
    **fields,
):
    """A plan on offer (prices in minor units)."""
    from app.models import Plan

    plan = Plan(
        name=name,
        posting_credits=credits,
        posting_days=posting_days,
        featured_days=featured_days,
        interval=interval,
        prices=prices or {"USD": 4900, "EUR": 4500, "GBP": 3900, "INR": 399900},
        **fields,
    )
    db.session.add(plan)
    db.session.commit()
    return plan
