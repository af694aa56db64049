"""The OpenAPI 3.1 document: it validates, it names exactly the routes the app serves, the docs page
renders it, and schemathesis fuzzes every operation as each role against the live app (PostgreSQL
in CI): no 5xx, no response outside the document's schemas, no undocumented status code."""

from __future__ import annotations

import re

import pytest
import schemathesis
from api_support import bearer, make_world
from conftest import app_config
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.blueprints.api.spec import openapi_path

# Examples per operation and role: enough to walk each operation's parameters and bodies, few
# enough that the run stays around a minute (CI has a time limit).
MAX_EXAMPLES = 12
ROLES = ("anonymous", "candidate", "recruiter_a", "recruiter_b", "admin")


def test_document_is_valid_openapi_3_1(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema
    assert document["servers"] == [{"url": "http://127.0.0.1:5000/api/v1"}]


def test_document_names_exactly_the_served_routes(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == "/api/v1/openapi.json":
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            served.add((openapi_path(rule.rule.removeprefix("/api/v1")), method))
    assert served == documented


def test_every_operation_documents_the_envelope_and_errors(client):
    document = client.get("/api/v1/openapi.json").get_json()
    for item in document["paths"].values():
        for operation in item.values():
            success = [code for code in operation["responses"] if code.startswith("2")]
            assert len(success) == 1
            schema = operation["responses"][success[0]]["content"]["application/json"]["schema"]
            assert {"success", "data", "meta"} <= set(schema["required"])
            assert {"401", "403", "404", "422", "429"} <= set(operation["responses"])


def test_docs_page_lists_every_operation(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    document = client.get("/api/v1/openapi.json").get_json()
    for path, item in document["paths"].items():
        for method in item:
            assert f"{method.upper()} {path}" in text
    assert "<script" not in re.sub(r'<script src="/static/[^"]+"[^>]*></script>', "", text)  # no inline or CDN script


def _document() -> dict:
    """The document as the app serves it, built at collection time (schemathesis parametrizes
    from it) by an app that touches no database."""
    from app import create_app

    env = {"APP_ENV": "test", "DATABASE_URL": "sqlite://", "SECRET_KEY": "collect-" + "x" * 40}
    document_app = create_app(overrides={"TESTING": True}, env=env)
    return document_app.test_client().get("/api/v1/openapi.json").get_json()


schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture
def fuzz_world(app):
    with app.app_context():
        world = make_world()
    with app_config(app, RATE_LIMIT_API="100000 per minute", RATE_LIMIT_API_PER_IP="100000 per minute"):
        yield world


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_fuzz_every_operation_as_every_role(case, app, fuzz_world):
    for role in ROLES:
        token = fuzz_world["tokens"][role]
        # identity: the WSGI transport does not undo Flask-Compress's zstd/brotli.
        headers = {"Accept-Encoding": "identity", **(bearer(token) if token else {})}
        response = case.call(app=app, headers=headers)
        case.validate_response(
            response,
            checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
        )
