"""The OpenAPI 3.1 document, generated from the registered operations (blueprint.OPERATIONS) and
the pydantic schemas they name: paths and methods come from the same records that registered the
Flask routes, so a route cannot exist undocumented (tests/test_api_openapi.py checks both ways)."""

from __future__ import annotations

import re
from typing import Any, get_args, get_origin

from flask import current_app
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from ...models import API_SCOPES
from . import schemas as s
from .blueprint import OPERATIONS, PREFIX, Operation

ERROR_STATUSES = {
    400: "Malformed request (bad JSON, NUL bytes, CSRF header missing on a session call)",
    401: "No credentials, or an invalid or expired token",
    403: "Authenticated, but not allowed (missing scope or role)",
    404: "No such object, or not yours to see",
    409: "Conflict with the current state (already applied, no posting credit)",
    413: "Body too large",
    415: "Not application/json",
    422: "Validation failed; details.fields names each problem",
    429: "Rate limit exceeded; see Retry-After",
}
_CONVERTER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_PATH_SCHEMAS = {
    "id": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
    "string": {"type": "string", "minLength": 1, "maxLength": 140, "pattern": "^[a-z0-9][a-z0-9-]*$"},
}
REF = "#/components/schemas/{model}"


def _model_of(annotation) -> type[BaseModel] | None:
    if get_origin(annotation) is list:
        return _model_of(get_args(annotation)[0])
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _schemas() -> tuple[dict, dict]:
    """(refs by (model, mode), component schemas) for every model any operation names."""
    wanted = {(s.ErrorEnvelope, "serialization"), (s.Meta, "serialization"), (s.Pagination, "serialization")}
    for op in OPERATIONS:
        for annotation, mode in ((op.response, "serialization"), (op.body, "validation"), (op.multipart, "validation")):
            model = _model_of(annotation)
            if model is not None:
                wanted.add((model, mode))
    refs, defs = models_json_schema(sorted(wanted, key=lambda m: (m[0].__name__, m[1])), ref_template=REF)
    return refs, defs.get("$defs", {})


def _data_schema(annotation, refs: dict) -> dict:
    if annotation is None:
        return {"type": "null"}
    if get_origin(annotation) is list:
        return {"type": "array", "items": _data_schema(get_args(annotation)[0], refs)}
    return refs[(annotation, "serialization")]


def _parameters(op: Operation) -> list[dict]:
    params = []
    for converter, name in _CONVERTER.findall(op.rule):
        params.append({"name": name, "in": "path", "required": True, "schema": _PATH_SCHEMAS[converter or "string"]})
    if op.query is not None:
        properties = op.query.model_json_schema(ref_template=REF)["properties"]
        for name, schema in properties.items():
            schema = {k: v for k, v in schema.items() if k != "title"}
            param = {"name": name, "in": "query", "required": False, "schema": schema}
            if schema.get("type") == "array":
                param.update(style="form", explode=True)
            params.append(param)
    return params


def _operation(op: Operation, refs: dict) -> dict:
    envelope: dict[str, Any] = {
        "type": "object",
        "required": ["success", "data", "meta"] + (["pagination"] if op.paginated else []),
        "properties": {
            "success": {"const": True},
            "data": _data_schema(op.response, refs),
            "meta": {"$ref": REF.format(model="Meta")},
        },
    }
    if op.paginated:
        envelope["properties"]["pagination"] = {"$ref": REF.format(model="Pagination")}
    responses: dict[str, Any] = {
        str(op.status): {"description": "Success", "content": {"application/json": {"schema": envelope}}}
    }
    for status in ERROR_STATUSES:
        responses[str(status)] = {"$ref": f"#/components/responses/Error{status}"}
    doc: dict[str, Any] = {
        "operationId": op.endpoint,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": _parameters(op),
        "responses": responses,
    }
    if op.description:
        doc["description"] = op.description
    if op.scope:
        doc["x-scope"] = op.scope
        doc["description"] = (doc.get("description", "") + f"\n\nToken scope: `{op.scope}`.").strip()
    doc["security"] = {
        "none": [{}],
        "optional": [{}, {"bearerAuth": []}],
        "required": [{"bearerAuth": []}, {"sessionCookie": []}],
    }[op.auth]
    if op.body is not None or op.multipart is not None:
        content = {}
        if op.body is not None:
            content["application/json"] = {"schema": refs[(op.body, "validation")]}
            examples = op.body.model_config.get("json_schema_extra", {})
            if isinstance(examples, dict) and examples.get("examples"):
                content["application/json"]["example"] = examples["examples"][0]
        if op.multipart is not None:
            content["multipart/form-data"] = {"schema": refs[(op.multipart, "validation")]}
        doc["requestBody"] = {"required": True, "content": content}
    return doc


def openapi_path(rule: str) -> str:
    """/jobs/<int:job_id> -> /jobs/{job_id}"""
    return _CONVERTER.sub(lambda m: "{" + m.group(2) + "}", rule)


def build_spec() -> dict:
    refs, components = _schemas()
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        paths.setdefault(openapi_path(op.rule), {})[op.method.lower()] = _operation(op, refs)
    error_responses = {
        f"Error{status}": {
            "description": text,
            "content": {"application/json": {"schema": {"$ref": REF.format(model="ErrorEnvelope")}}},
        }
        for status, text in ERROR_STATUSES.items()
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{current_app.config['SITE_NAME']} API",
            "version": "1.0",
            "description": (
                "Jobs, applications, users and companies. Every answer is the envelope "
                "{success, data, pagination?, meta}; errors are {success: false, error: {code, message, "
                "details}, meta}. Authenticate with a personal access token (Authorization: Bearer jbf_…) "
                "from your account page, or a browser session plus the X-CSRFToken header. Scopes: "
                + ", ".join(f"`{k}` ({v})" for k, v in API_SCOPES.items())
                + "."
            ),
        },
        "servers": [{"url": current_app.config["BASE_URL"].rstrip("/") + PREFIX}],
        "paths": paths,
        "components": {
            "schemas": components,
            "responses": error_responses,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal access token (jbf_…) or an access token from /auth/token",
                },
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }
