"""/api/v1/openapi.json and the readable docs page at /api/docs (server-rendered from the same
document: no script, no CDN, nothing to vendor)."""

from __future__ import annotations

from flask import current_app, jsonify, render_template

from .blueprint import OPERATIONS, bp
from .spec import build_spec, openapi_path

_CACHE = "jobifies_openapi"


def spec() -> dict:
    cached = current_app.extensions.get(_CACHE)
    if cached is None:
        cached = current_app.extensions[_CACHE] = build_spec()
    return cached


@bp.get("/api/v1/openapi.json")
def openapi_json():
    return jsonify(spec())


@bp.get("/api/docs")
def docs():
    document = spec()
    operations = [
        {"op": op, "path": openapi_path(op.rule), "doc": document["paths"][openapi_path(op.rule)][op.method.lower()]}
        for op in OPERATIONS
    ]
    return render_template("api/docs.html", document=document, operations=operations)
