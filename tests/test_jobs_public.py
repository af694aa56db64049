import json
import re
from datetime import timedelta

import pytest
from factories import login, make_job, make_recruiter, make_user

from app.extensions import db
from app.models import utcnow


def _json_ld(html: str):
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1)) if match else None


def test_jobs_are_listed_newest_first_and_paginated(app, client, app_ctx):
    owner = make_recruiter("Paging Co")
    now = utcnow()
    for n in range(25):
        make_job(owner, title=f"Role {n:02d}", published_at=now - timedelta(hours=n))
    first = client.get("/jobs").text
    assert "25 open jobs" in first
    titles = re.findall(r"Role \d\d", first)
    assert titles[:3] == ["Role 00", "Role 01", "Role 02"]
    assert "Role 20" not in titles
    second = client.get("/jobs?page=2").text
    assert re.findall(r"Role \d\d", second)[:5] == ["Role 20", "Role 21", "Role 22", "Role 23", "Role 24"]
    assert "Page 2 of 2" in second


def test_only_open_jobs_are_listed(client, app_ctx):
    owner = make_recruiter()
    make_job(owner, title="Open Role")
    make_job(owner, title="Draft Role", status="draft")
    make_job(owner, title="Closed Role", status="closed")
    make_job(owner, title="Expired Role", status="expired")
    html = client.get("/jobs").text
    assert "Open Role" in html
    assert "Draft Role" not in html
    assert "Closed Role" not in html
    assert "Expired Role" not in html


def test_job_page_shows_everything_a_candidate_needs(client, app_ctx):
    owner = make_recruiter("Acme Analytics")
    job = make_job(
        owner,
        title="Data Engineer",
        location="Lisbon, Portugal",
        workplace="remote",
        employment_type="contract",
        seniority="lead",
        salary_min=500,
        salary_max=650,
        salary_currency="EUR",
        salary_period="day",
        description="## Stack\n- **Python**",
    )
    html = client.get(f"/jobs/{job.id}/{job.slug}").text
    for text in (
        "Data Engineer",
        "Acme Analytics",
        "Lisbon, Portugal",
        "Remote",
        "Contract",
        "Lead",
        "EUR 500–650 per day",
        job.published_at.strftime("%b %-d, %Y"),
        "<h2>Stack</h2>",
        "<strong>Python</strong>",
        "Apply for this job",
    ):
        assert text in html, text
    assert f'href="/companies/{owner.company.slug}"' in html


def test_job_url_without_or_with_wrong_slug_redirects_to_the_canonical_one(client, app_ctx):
    job = make_job(make_recruiter(), title="Site Reliability Engineer")
    response = client.get(f"/jobs/{job.id}/old-title")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"/jobs/{job.id}/site-reliability-engineer")


@pytest.mark.parametrize("status", ["closed", "expired"])
def test_closed_or_expired_job_keeps_its_page_with_a_notice_and_no_apply_button(client, app_ctx, status):
    job = make_job(make_recruiter(), title="Gone Role", status=status)
    response = client.get(f"/jobs/{job.id}/{job.slug}")
    assert response.status_code == 200
    assert "This job is no longer accepting applications." in response.text
    assert "Apply for this job" not in response.text
    assert _json_ld(response.text) is None


def test_draft_and_unknown_jobs_are_not_found(client, app_ctx):
    draft = make_job(make_recruiter(), status="draft")
    assert client.get(f"/jobs/{draft.id}/{draft.slug}").status_code == 404
    missing = client.get("/jobs/987654")
    assert missing.status_code == 404
    assert "We could not find that page" in missing.text or "This job does not exist" in missing.text


def test_description_markdown_is_sanitised(client, app_ctx):
    job = make_job(
        make_recruiter(),
        description=(
            "Hello <script>alert(1)</script> <img src=x onerror=alert(2)> "
            '[click](javascript:alert(3)) <a href="https://ok.example.com" onclick="x()">ok</a>'
        ),
    )
    html = client.get(f"/jobs/{job.id}/{job.slug}").text
    body = html.split('aria-label="Job description"', 1)[1]
    assert "<script>alert" not in body
    assert "onerror" not in body
    assert "onclick" not in body
    assert "javascript:" not in body
    assert 'href="https://ok.example.com"' in body


def test_open_job_carries_job_posting_json_ld(client, app_ctx):
    owner = make_recruiter("Globex")
    job = make_job(
        owner,
        title="Remote </script> Engineer",
        workplace="remote",
        location="Canada",
        salary_min=100000,
        salary_max=120000,
        salary_currency="CAD",
    )
    html = client.get(f"/jobs/{job.id}/{job.slug}").text
    data = _json_ld(html)
    assert data["@type"] == "JobPosting"
    assert data["title"] == "Remote </script> Engineer"  # escaped inside the script tag, intact in JSON
    assert data["datePosted"] == job.published_at.date().isoformat()
    assert data["validThrough"].startswith(job.expires_at.date().isoformat())
    assert data["employmentType"] == "FULL_TIME"
    assert data["hiringOrganization"]["name"] == "Globex"
    assert data["jobLocationType"] == "TELECOMMUTE"
    assert data["baseSalary"] == {
        "@type": "MonetaryAmount",
        "currency": "CAD",
        "value": {"@type": "QuantitativeValue", "unitText": "YEAR", "minValue": 100000, "maxValue": 120000},
    }
    assert data["description"] == job.description_html


def test_onsite_job_json_ld_has_a_job_location(client, app_ctx):
    job = make_job(make_recruiter(), workplace="onsite", location="Pune, India")
    data = _json_ld(client.get(f"/jobs/{job.id}/{job.slug}").text)
    assert data["jobLocation"]["address"]["addressLocality"] == "Pune"
    assert data["jobLocation"]["address"]["addressCountry"] == "India"
    assert "jobLocationType" not in data


def test_company_page_lists_its_open_jobs(client, app_ctx):
    owner = make_recruiter("Northwind Health")
    make_job(owner, title="Nurse Informaticist")
    make_job(owner, title="Closed Thing", status="closed")
    make_job(make_recruiter("Other Co"), title="Elsewhere Role")
    html = client.get(f"/companies/{owner.company.slug}").text
    assert "Northwind Health" in html
    assert "Nurse Informaticist" in html
    assert "Closed Thing" not in html
    assert "Elsewhere Role" not in html
    assert client.get("/companies/no-such-company").status_code == 404


def test_simple_search_filters_the_listing(client, app_ctx):
    owner = make_recruiter()
    make_job(owner, title="Python Developer")
    make_job(owner, title="Sales Manager", description="Sell.", skills="")
    html = client.get("/jobs?q=python").text
    assert "Python Developer" in html
    assert "Sales Manager" not in html
    assert "1 open job matching" in html


def test_home_page_shows_latest_jobs(client, app_ctx):
    make_job(make_recruiter(), title="Fresh Role")
    html = client.get("/").text
    assert "Fresh Role" in html
    assert "Latest jobs" in html


def test_expired_jobs_are_marked_by_the_expiry_command(runner, app_ctx):
    job = make_job(make_recruiter(), status="expired")
    assert job.status == "published"
    assert job.effective_status == "expired"
    result = runner.invoke(args=["jobs", "expire"])
    assert "1 job(s) expired." in result.output
    db.session.refresh(job)
    assert job.status == "expired"


def test_published_jobs_expire_after_the_configured_days(app, client, app_ctx):
    owner = make_recruiter()
    app.config["JOB_EXPIRY_DAYS"] = 10
    try:
        job = make_job(owner)
    finally:
        app.config["JOB_EXPIRY_DAYS"] = 30
    assert timedelta(days=9, hours=23) < job.expires_at - job.published_at <= timedelta(days=10)
    job.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "Backend Engineer" not in client.get("/jobs").text
    candidate = make_user()
    login(client, candidate)
    response = client.post(f"/jobs/{job.id}/apply", data={})
    assert "This job is no longer accepting applications." in response.text
