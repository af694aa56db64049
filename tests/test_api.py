"""REST API v1: the envelope, errors, request ids, tokens, session + CSRF, rate limits, and each
resource doing what the HTML side does through the same services."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from api_support import bearer, make_world, stored_resume, token_for
from conftest import app_config
from factories import login, make_job, make_recruiter, make_user, pdf_bytes

from app.extensions import db
from app.models import ApiToken, Application, Job, utcnow


@pytest.fixture
def world(app, app_ctx):
    return make_world()


def call(client, method, path, token=None, **kwargs):
    headers = dict(kwargs.pop("headers", {}) or {})
    if token:
        headers.update(bearer(token))
    return client.open(path, method=method, headers=headers, csrf=False, **kwargs)


JOB = {"title": "Data Engineer", "description": "Pipelines.", "location": "Lisbon, Portugal", "skills": ["python"]}


# --- Envelope, request ids, errors ----------------------------------------------------------------


def test_success_envelope_and_request_id_echoed(client, world):
    response = call(client, "GET", f"/api/v1/jobs/{world['ids']['job']}", headers={"X-Request-Id": "req-abc-123"})
    body = response.get_json()
    assert response.status_code == 200
    assert body["success"] is True
    assert body["data"]["id"] == world["ids"]["job"]
    assert body["meta"]["requestId"] == "req-abc-123"
    assert body["meta"]["version"] == "1.0"
    assert response.headers["X-Request-Id"] == "req-abc-123"
    assert body["data"]["url"].startswith("http://127.0.0.1:5000/jobs/")  # BASE_URL, not the request host


def test_insane_request_id_is_replaced(client, world):
    response = call(client, "GET", "/api/v1/jobs", headers={"X-Request-Id": "x" * 500})
    generated = response.headers["X-Request-Id"]
    assert len(generated) == 32
    assert response.get_json()["meta"]["requestId"] == generated


def test_error_envelope_codes(client, world):
    missing = call(client, "GET", "/api/v1/jobs/999999").get_json()
    assert missing["success"] is False
    assert missing["error"]["code"] == "RESOURCE_NOT_FOUND"
    assert missing["meta"]["requestId"]
    assert call(client, "GET", "/api/v1/users/me").get_json()["error"]["code"] == "UNAUTHORIZED"
    assert call(client, "GET", "/api/v1/users/me", token="jbf_nope").get_json()["error"]["code"] == "INVALID_TOKEN"
    huge = call(client, "GET", "/api/v1/jobs/99999999999999999999")
    assert huge.status_code == 404
    assert huge.get_json()["error"]["code"] == "RESOURCE_NOT_FOUND"


def test_bad_bodies_are_validation_errors(client, world):
    token = world["tokens"]["recruiter_a"]
    wrong_type = call(client, "POST", "/api/v1/jobs", token, data="title=x", content_type="text/plain")
    assert wrong_type.status_code == 415
    assert wrong_type.get_json()["error"]["code"] == "VALIDATION_ERROR"
    malformed = call(client, "POST", "/api/v1/jobs", token, data="{nope", content_type="application/json")
    assert malformed.status_code == 400
    assert malformed.get_json()["error"]["code"] == "VALIDATION_ERROR"
    unknown = call(client, "POST", "/api/v1/jobs", token, json={**JOB, "owner": "me"})
    assert unknown.status_code == 422
    assert "owner" in unknown.get_json()["error"]["details"]["fields"]
    nul = call(client, "POST", "/api/v1/jobs", token, json={**JOB, "title": "a\x00b"})
    assert nul.status_code == 400
    too_big = call(
        client, "POST", "/api/v1/jobs", token, data=b"x" * (7 * 1024 * 1024), content_type="application/json"
    )
    assert too_big.status_code == 413
    assert too_big.get_json()["error"]["code"] == "VALIDATION_ERROR"
    assert db.session.scalar(db.select(db.func.count(Job.id)).where(Job.title == "Data Engineer")) == 0


def test_service_rule_errors_name_the_field(client, world):
    body = {**JOB, "salary_min": 90000, "salary_max": 10000}
    response = call(client, "POST", "/api/v1/jobs", world["tokens"]["recruiter_a"], json=body)
    assert response.status_code == 422
    assert response.get_json()["error"]["details"] == {
        "fields": {"salary_max": ["The maximum salary must not be below the minimum."]}
    }


# --- Jobs -----------------------------------------------------------------------------------------


def test_job_lifecycle(client, world):
    token = world["tokens"]["recruiter_a"]
    created = call(client, "POST", "/api/v1/jobs", token, json=JOB)
    assert created.status_code == 201
    job = created.get_json()["data"]
    assert job["status"] == "draft"
    assert job["skills"] == ["Python"]
    assert job["url"] is None
    assert created.headers["Location"] == f"http://127.0.0.1:5000/api/v1/jobs/{job['id']}"
    # A draft is invisible to others, visible to its company.
    assert call(client, "GET", f"/api/v1/jobs/{job['id']}").status_code == 404
    assert call(client, "GET", f"/api/v1/jobs/{job['id']}", world["tokens"]["recruiter_b"]).status_code == 404
    assert call(client, "GET", f"/api/v1/jobs/{job['id']}", token).status_code == 200

    patched = call(client, "PATCH", f"/api/v1/jobs/{job['id']}", token, json={"title": "Senior Data Engineer"})
    assert patched.get_json()["data"]["title"] == "Senior Data Engineer"
    assert patched.get_json()["data"]["location"] == "Lisbon, Portugal"  # untouched
    put = call(client, "PUT", f"/api/v1/jobs/{job['id']}", token, json={"title": "Replaced", "description": "New."})
    assert put.get_json()["data"]["location"] == ""  # PUT replaces: left-out fields take their defaults

    assert call(client, "POST", f"/api/v1/jobs/{job['id']}/publish", token).get_json()["data"]["status"] == "published"
    assert call(client, "GET", f"/api/v1/jobs/{job['id']}").status_code == 200
    assert call(client, "DELETE", f"/api/v1/jobs/{job['id']}", token).get_json()["data"]["status"] == "closed"
    assert db.session.get(Job, job["id"]) is not None  # closed, never deleted
    assert call(client, "POST", f"/api/v1/jobs/{job['id']}/reopen", token).get_json()["data"]["status"] == "published"


def test_publish_needs_a_confirmed_address_as_on_the_html_side(client, app_ctx):
    owner = make_recruiter("Unconfirmed Co")
    owner.verified_at = None
    db.session.commit()
    job = make_job(owner, status="draft")
    response = call(client, "POST", f"/api/v1/jobs/{job.id}/publish", token_for(owner))
    assert response.status_code == 422
    assert "Confirm your email" in response.get_json()["error"]["message"]


def test_job_search_goes_through_the_search_backend(client, app_ctx):
    owner = make_recruiter("Search Co")
    make_job(owner, title="Rust Developer", workplace="remote", skills="Rust")
    make_job(owner, title="Python Developer", workplace="onsite")
    make_job(owner, title="Python Tester", workplace="remote")
    response = call(client, "GET", "/api/v1/jobs?q=python&workplace=remote&limit=1")
    body = response.get_json()
    assert [job["title"] for job in body["data"]] == ["Python Tester"]
    assert body["pagination"] == {"page": 1, "limit": 1, "total": 1, "pages": 1}
    everything = call(client, "GET", "/api/v1/jobs?limit=2&page=2").get_json()
    assert everything["pagination"] == {"page": 2, "limit": 2, "total": 3, "pages": 2}
    assert len(everything["data"]) == 1
    assert call(client, "GET", "/api/v1/jobs?limit=101").status_code == 422
    assert call(client, "GET", "/api/v1/jobs?workplace=moon").status_code == 422


# --- Applications ---------------------------------------------------------------------------------


def test_apply_with_stored_resume_then_move_and_withdraw(client, app_ctx):
    owner = make_recruiter("Hiring Co")
    job = make_job(owner)
    candidate = make_user("jane@example.com")
    resume = stored_resume(candidate)
    candidate_token, recruiter_token = token_for(candidate), token_for(owner)

    applied = call(
        client, "POST", f"/api/v1/jobs/{job.id}/applications", candidate_token, json={"resume_id": resume.id}
    )
    assert applied.status_code == 201
    application_id = applied.get_json()["data"]["id"]
    assert applied.get_json()["data"]["source"] == "api"
    again = call(client, "POST", f"/api/v1/jobs/{job.id}/applications", candidate_token, json={"resume_id": resume.id})
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "CONFLICT"

    listed = call(client, "GET", f"/api/v1/jobs/{job.id}/applications?stage=applied", recruiter_token).get_json()
    assert [a["id"] for a in listed["data"]] == [application_id]
    moved = call(
        client, "PATCH", f"/api/v1/applications/{application_id}", recruiter_token, json={"status": "interview"}
    )
    assert moved.get_json()["data"]["status"] == "interview"
    # The candidate cannot move it; they can withdraw it.
    refused = call(client, "PATCH", f"/api/v1/applications/{application_id}", candidate_token, json={"status": "hired"})
    assert refused.status_code == 422
    withdrawn = call(
        client, "PATCH", f"/api/v1/applications/{application_id}", candidate_token, json={"status": "withdrawn"}
    )
    assert withdrawn.get_json()["data"]["status"] == "withdrawn"
    events = call(client, "GET", f"/api/v1/applications/{application_id}/events", candidate_token).get_json()["data"]
    assert [e["to_status"] for e in events] == ["applied", "interview", "withdrawn"]
    assert all(e["note"] is None for e in events)  # timeline notes are the company's


def test_apply_with_someone_elses_resume_is_not_found(client, world):
    response = call(
        client,
        "POST",
        f"/api/v1/jobs/{world['ids']['job']}/applications",
        world["tokens"]["other_candidate"],
        json={"resume_id": world["ids"]["resume"]},
    )
    assert response.status_code == 404


def test_apply_multipart_with_a_file(client, app_ctx):
    owner = make_recruiter("Upload Co")
    job = make_job(owner)
    candidate = make_user("upload@example.com")
    response = call(
        client,
        "POST",
        f"/api/v1/jobs/{job.id}/applications",
        token_for(candidate),
        data={"resume": (BytesIO(pdf_bytes()), "cv.pdf"), "cover_letter": "Hi"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201
    application = db.session.get(Application, response.get_json()["data"]["id"])
    assert application.resume.filename == "cv.pdf"
    assert application.cover_letter == "Hi"


# --- Users and companies --------------------------------------------------------------------------


def test_me_and_rename(client, world):
    token = world["tokens"]["candidate"]
    assert call(client, "GET", "/api/v1/users/me", token).get_json()["data"]["email"] == "candidate-a@example.com"
    renamed = call(client, "PATCH", "/api/v1/users/me", token, json={"name": "  Jane   Doe "})
    assert renamed.get_json()["data"]["name"] == "Jane Doe"
    mine = call(client, "GET", f"/api/v1/users/{world['ids']['candidate']}/applications", token).get_json()["data"]
    assert [a["id"] for a in mine] == [world["ids"]["application"]]


def test_admin_manages_users(client, world):
    token = world["tokens"]["admin"]
    created = call(
        client, "POST", "/api/v1/users", token, json={"email": "new@example.com", "password": "long enough pw"}
    )
    assert created.status_code == 201
    user_id = created.get_json()["data"]["id"]
    listed = call(client, "GET", "/api/v1/users?q=new%40&limit=5", token).get_json()
    assert [u["id"] for u in listed["data"]] == [user_id]
    assert listed["pagination"]["total"] == 1
    assert call(client, "DELETE", f"/api/v1/users/{user_id}", token).get_json()["data"]["active"] is False
    assert call(client, "PATCH", f"/api/v1/users/{user_id}", token, json={"active": True}).get_json()["data"]["active"]
    # An admin cannot deactivate themselves (the same rule as the admin pages).
    me = world["users"]["admin"].id
    assert call(client, "DELETE", f"/api/v1/users/{me}", token).status_code == 422


def test_company_profile_and_team(client, world):
    profile = call(client, "GET", f"/api/v1/companies/{world['ids']['company_a']}").get_json()["data"]
    assert [j["id"] for j in profile["open_jobs"]] == [world["ids"]["job"]]  # no draft
    team = call(client, "GET", f"/api/v1/companies/{world['ids']['company_a']}/team", world["tokens"]["recruiter_a"])
    assert [m["role"] for m in team.get_json()["data"]] == ["owner"]
    outsider = call(
        client, "GET", f"/api/v1/companies/{world['ids']['company_a']}/team", world["tokens"]["recruiter_b"]
    )
    assert outsider.status_code == 404


# --- Tokens ---------------------------------------------------------------------------------------


def test_token_stored_hashed_scoped_expiring_revocable(client, world):
    candidate = world["users"]["candidate"]
    read_only = token_for(candidate, scopes=["jobs:read"])
    row = db.session.scalar(db.select(ApiToken).order_by(ApiToken.id.desc()))
    assert read_only not in (row.token_hash, row.prefix)
    assert row.token_hash != read_only
    assert row.last_used_at is None
    assert call(client, "GET", "/api/v1/users/me", read_only).status_code == 200
    db.session.refresh(row)
    assert row.last_used_at is not None
    no_scope = call(client, "GET", f"/api/v1/users/{candidate.id}/applications", read_only)
    assert no_scope.status_code == 403
    assert no_scope.get_json()["error"]["code"] == "FORBIDDEN"

    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = call(client, "GET", "/api/v1/users/me", read_only)
    assert expired.status_code == 401
    assert expired.get_json()["error"]["code"] == "TOKEN_EXPIRED"

    fresh = token_for(candidate)
    fresh_row = db.session.scalar(db.select(ApiToken).order_by(ApiToken.id.desc()))
    login(client, candidate)
    client.post(f"/api/tokens/{fresh_row.id}/revoke")
    revoked = call(client, "GET", "/api/v1/users/me", fresh)
    assert revoked.status_code == 401
    assert revoked.get_json()["error"]["code"] == "INVALID_TOKEN"


def test_admin_scope_only_for_admins(client, app_ctx):
    candidate = make_user("plain@example.com")
    login(client, candidate)
    response = client.post("/api/tokens", data={"name": "x", "scopes": ["admin"], "expires_in_days": "30"})
    assert response.status_code == 422
    assert "cannot grant admin" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_tokens_page_shows_the_secret_once(client, app_ctx):
    user = make_user("tokens@example.com")
    login(client, user)
    created = client.post("/api/tokens", data={"name": "nightly", "scopes": ["jobs:read"], "expires_in_days": "30"})
    assert created.status_code == 201
    page = created.get_data(as_text=True)
    secret = page.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith("jbf_")
    assert call(client, "GET", "/api/v1/users/me", secret, headers={"Cookie": ""}).status_code == 200
    listing = client.get("/api/tokens").get_data(as_text=True)
    assert "nightly" in listing
    assert secret not in listing


# --- Session cookies and CSRF ---------------------------------------------------------------------


def test_session_needs_the_csrf_header_for_writes(client, world):
    login(client, world["users"]["candidate"])
    assert client.get("/api/v1/users/me").get_json()["data"]["email"] == "candidate-a@example.com"
    forged = client.patch("/api/v1/users/me", json={"name": "Mallory"}, csrf=False)
    assert forged.status_code == 400
    assert forged.get_json()["error"]["code"] == "VALIDATION_ERROR"
    db.session.refresh(world["users"]["candidate"])
    assert world["users"]["candidate"].name != "Mallory"
    same_origin = client.patch("/api/v1/users/me", json={"name": "Jane"})  # CsrfClient sends X-CSRFToken
    assert same_origin.status_code == 200


def test_token_calls_need_no_csrf(client, world):
    response = call(client, "PATCH", "/api/v1/users/me", world["tokens"]["candidate"], json={"name": "Jane"})
    assert response.status_code == 200


# --- Rate limits ----------------------------------------------------------------------------------


def test_rate_limit_per_token_with_headers(app, client, world):
    with app_config(app, RATE_LIMIT_API="3 per minute"):
        token = world["tokens"]["candidate"]
        responses = [call(client, "GET", "/api/v1/users/me", token) for _ in range(4)]
        assert [r.status_code for r in responses] == [200, 200, 200, 429]
        assert responses[0].headers["RateLimit-Limit"] == "3"
        assert responses[2].headers["RateLimit-Remaining"] == "0"
        limited = responses[3]
        assert limited.get_json()["error"]["code"] == "RATE_LIMIT_EXCEEDED"
        assert int(limited.headers["Retry-After"]) > 0
        # Another token has its own allowance.
        assert call(client, "GET", "/api/v1/users/me", world["tokens"]["admin"]).status_code == 200


def test_cors_is_off_unless_the_origin_is_listed(app, client, world):
    plain = call(client, "GET", "/api/v1/jobs", headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in plain.headers
    with app_config(app, CORS_ORIGINS=["https://app.example"]):
        listed = call(client, "GET", "/api/v1/jobs", headers={"Origin": "https://app.example"})
        assert listed.headers["Access-Control-Allow-Origin"] == "https://app.example"
        assert "Access-Control-Allow-Credentials" not in listed.headers  # tokens only, never cookies
        preflight = client.options(
            "/api/v1/jobs",
            headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
        )
        assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
        other = call(client, "GET", "/api/v1/jobs", headers={"Origin": "https://elsewhere.example"})
        assert "Access-Control-Allow-Origin" not in other.headers
