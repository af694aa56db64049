"""Authorization of every API operation for every role, as one table (the pattern of
tests/test_authorization.py): objects of another company or candidate are 404 (ids are not
confirmed), a missing role or scope is 403, no credentials 401."""

from __future__ import annotations

import re

import pytest
from api_support import ALL_SCOPES, bearer, make_world, token_for
from factories import PASSWORD

from app.blueprints.api.blueprint import OPERATIONS
from app.extensions import db
from app.models import User

ROLES = ("anonymous", "candidate", "other_candidate", "recruiter_a", "recruiter_b", "admin")
JOB = {"title": "T", "description": "D"}


def row(method, path, body, anonymous, candidate, other_candidate, recruiter_a, recruiter_b, admin):
    return (
        method,
        path,
        body,
        dict(zip(ROLES, (anonymous, candidate, other_candidate, recruiter_a, recruiter_b, admin), strict=True)),
    )


OWN_JOB = (401, 403, 403, 200, 404, 403)  # a company-A-only action on company A's job
TABLE = [
    row("GET", "/jobs", None, 200, 200, 200, 200, 200, 200),
    row("POST", "/jobs", JOB, 401, 403, 403, 201, 201, 403),
    row("GET", "/jobs/{job}", None, 200, 200, 200, 200, 200, 200),
    row("GET", "/jobs/{draft}", None, 404, 404, 404, 200, 404, 404),
    row("PUT", "/jobs/{job}", JOB, *OWN_JOB),
    row("PATCH", "/jobs/{job}", {"title": "New"}, *OWN_JOB),
    row("DELETE", "/jobs/{job}", None, *OWN_JOB),
    row("POST", "/jobs/{draft}/publish", None, *OWN_JOB),
    row("POST", "/jobs/{job}/close", None, *OWN_JOB),
    row("POST", "/jobs/{job}/reopen", None, *OWN_JOB),
    # Only the candidate's own stored resume can be sent (they already applied: 409).
    row("POST", "/jobs/{job}/applications", {"resume_id": "{resume}"}, 401, 409, 404, 404, 404, 404),
    row("GET", "/jobs/{job}/applications", None, *OWN_JOB),
    row("GET", "/applications/{application}", None, 401, 200, 404, 200, 404, 404),
    # The candidate may only withdraw (422 for a stage); another candidate or company: 404.
    row("PATCH", "/applications/{application}", {"status": "screening"}, 401, 422, 404, 200, 404, 404),
    row("GET", "/applications/{application}/events", None, 401, 200, 404, 200, 404, 404),
    row("GET", "/applications/{application}/notes", None, 401, 403, 403, 200, 404, 403),
    row("GET", "/users/me", None, 401, 200, 200, 200, 200, 200),
    row("PATCH", "/users/me", {"name": "New"}, 401, 200, 200, 200, 200, 200),
    row("GET", "/users/{candidate}/applications", None, 401, 200, 404, 404, 404, 404),
    row("GET", "/users", None, 401, 403, 403, 403, 403, 200),
    row("POST", "/users", {"email": "n@example.com", "password": "long enough pw"}, 401, 403, 403, 403, 403, 201),
    row("GET", "/users/{other}", None, 401, 403, 403, 403, 403, 200),
    row("PUT", "/users/{other}", {"name": "N", "active": True}, 401, 403, 403, 403, 403, 200),
    row("PATCH", "/users/{other}", {"name": "N"}, 401, 403, 403, 403, 403, 200),
    row("DELETE", "/users/{other}", None, 401, 403, 403, 403, 403, 200),
    row("GET", "/companies/{company_a}", None, 200, 200, 200, 200, 200, 200),
    row("POST", "/auth/token", {"email": "candidate-a@example.com", "password": PASSWORD}, *[200] * 6),
    row("POST", "/auth/refresh", {"refresh_token": "not-a-token"}, *[401] * 6),
    row("POST", "/auth/logout", {}, 401, 200, 200, 200, 200, 200),
    row("GET", "/companies/{company_a}/team", None, 401, 404, 404, 200, 404, 404),
]
CASES = [(method, path, body, role, expected[role]) for method, path, body, expected in TABLE for role in ROLES]


@pytest.fixture
def world(app, app_ctx):
    return make_world()


def _fill(template, ids):
    if isinstance(template, dict):
        return {k: _fill(v, ids) for k, v in template.items()}
    if isinstance(template, str) and template.startswith("{") and template.endswith("}") and "/" not in template:
        return ids[template[1:-1]]
    return template.format(**ids) if isinstance(template, str) else template


def _send(client, method, path, body, token):
    return client.open("/api/v1" + path, method=method, json=body, headers=bearer(token) if token else {}, csrf=False)


@pytest.mark.parametrize(("method", "path", "body", "role", "expected"), CASES)
def test_every_operation_for_every_role(client, world, method, path, body, role, expected):
    ids = world["ids"]
    response = _send(client, method, _fill(path, ids), _fill(body, ids), world["tokens"][role])
    assert response.status_code == expected, response.get_data(as_text=True)[:300]
    assert response.get_json()["success"] is (expected < 300)


def test_the_table_covers_every_operation():
    shapes = {(m, _shape(p)) for m, p, _, _ in TABLE}
    assert shapes == {(op.method, _shape(op.rule)) for op in OPERATIONS}


def _shape(path: str) -> str:
    """/jobs/{job} and /jobs/<id:job_id> -> /jobs/{}"""
    return re.sub(r"\{[^}]*\}|<[^>]*>", "{}", path)


@pytest.mark.parametrize(("method", "path", "body", "expected"), TABLE)
def test_a_token_without_the_operations_scope_is_refused(client, world, method, path, body, expected):
    operation = next(op for op in OPERATIONS if op.method == method and _shape(op.rule) == _shape(path))
    if operation.scope is None:
        pytest.skip("needs no scope")
    role = next(r for r in ROLES if expected[r] not in (401, 403, 404))  # one the rest of the table lets through
    user = db.session.get(User, _user_of(world, role).id)
    token = token_for(user, scopes=[s for s in ALL_SCOPES if s != operation.scope])
    response = _send(client, method, _fill(path, world["ids"]), _fill(body, world["ids"]), token)
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == f"This token lacks the '{operation.scope}' scope."


def _user_of(world, role):
    names = {"candidate": "candidate", "other_candidate": "other", "recruiter_a": "owner_a", "recruiter_b": "owner_b"}
    return world["users"][names.get(role, role)]
