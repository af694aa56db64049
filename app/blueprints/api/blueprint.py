"""The API blueprint: who is calling (a bearer token or the browser session), request ids, rate
limits, the JSON envelope, and `operation`, which registers a route together with its OpenAPI
description (spec.py builds the document from these records)."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

import pydantic
from flask import Blueprint, Response, current_app, g, jsonify, request
from flask_login import current_user
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.routing import BaseConverter

from ...errors import AppError, Forbidden, InvalidToken, Unauthorized, ValidationError, envelope_meta
from ...extensions import csrf, limiter
from ...models import API_SCOPES, User
from ...services import api_sessions, api_tokens
from .. import limits

bp = Blueprint("api", __name__)
PREFIX = "/api/v1"  # every operation's rule starts here; the docs page sits at /api/docs

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_ID = 2**31 - 1  # every id column is a 32-bit INTEGER (as app/web.py's bounded <int:>)


class ApiIdConverter(BaseConverter):
    """<id:…>: any run of digits routes, and one too large for an id column is a 404 (the bounded
    int converter would not match at all, and Werkzeug would answer 405 for a method that another
    rule on a similar path serves)."""

    regex = r"\d{1,30}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise HTTPNotFound()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


@bp.record_once
def _install_id_converter(state) -> None:
    # Recorded before any rule: the converter exists when the operations' rules are added. (Request
    # ids, in meta.requestId and the X-Request-ID header, come from app/telemetry/logs.py, the one
    # place that also puts them on every log line and into the jobs a request enqueues.)
    state.app.url_map.converters["id"] = ApiIdConverter


# --- Who is calling ------------------------------------------------------------------------------


@dataclass
class Caller:
    user: User | None
    scopes: frozenset[str] = field(default_factory=frozenset)
    via: str = "anonymous"  # "token", "session" or "anonymous"


def caller() -> Caller:
    return g.api_caller


def _bearer() -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise InvalidToken("Send the token as 'Authorization: Bearer <token>'.")
    return secret.strip()


@bp.before_request
def _authenticate() -> None:
    g.api_caller = Caller(None)
    secret = _bearer()
    if secret is not None and secret.startswith(api_tokens.PREFIX):
        token = api_tokens.authenticate(secret)
        g.api_caller = Caller(token.user, frozenset(token.scopes), "token")
    elif secret is not None:  # a JWT access token (POST /auth/token): the user's own rights
        g.api_caller = Caller(api_sessions.user_for_access_token(secret), frozenset(API_SCOPES), "jwt")
    elif current_user.is_authenticated:
        # The browser session counts only with the CSRF header (same-origin pages have it; another
        # site's form or fetch cannot read it), so a logged-in visitor's cookie cannot be ridden.
        if request.method not in SAFE_METHODS:
            csrf.protect()
        g.api_caller = Caller(current_user._get_current_object(), frozenset(API_SCOPES), "session")


def require(scope: str | None = None) -> User:
    """The calling user (401 without one), holding `scope` if given (403 without it)."""
    who = caller()
    if who.user is None:
        raise Unauthorized("Authenticate with a bearer token or a browser session.")
    if scope is not None and scope not in who.scopes:
        raise Forbidden(f"This token lacks the '{scope}' scope.")
    return who.user


def require_recruiter(scope: str) -> User:
    user = require(scope)
    if user.membership is None:
        raise Forbidden("Only members of a company's team can do this.")
    return user


def require_admin() -> User:
    user = require("admin")
    if not user.is_admin:
        raise Forbidden("Only administrators can do this.")
    return user


# --- Rate limits: per token (or per IP without one), and per IP ----------------------------------


def _token_or_ip() -> str:
    header = request.headers.get("Authorization", "")
    if header:
        return "api-token:" + hashlib.sha256(header.encode("utf-8", "replace")).hexdigest()[:32]
    return "api-" + limits.client_ip()


limiter.limit(lambda: current_app.config["RATE_LIMIT_API"], key_func=_token_or_ip)(bp)
limiter.limit(lambda: current_app.config["RATE_LIMIT_API_PER_IP"], key_func=limits.client_ip, scope="api-ip")(bp)


@bp.after_request
def _rate_limit_headers(response: Response) -> Response:
    """The IETF draft's RateLimit-* fields for the tightest limit this request counted against."""
    counted = limiter.current_limits
    current = min(counted, key=lambda limit: limit.remaining) if counted else None
    if current is not None:
        response.headers["RateLimit-Limit"] = str(current.limit.amount)
        response.headers["RateLimit-Remaining"] = str(max(0, current.remaining))
        response.headers["RateLimit-Reset"] = str(max(0, int(current.reset_at - time.time())))
    response.headers["Cache-Control"] = "no-store"
    return _cors(response)


def _cors(response: Response) -> Response:
    """CORS only for the origins CORS_ORIGINS lists, and never with credentials: another site's
    page may call the API with a bearer token it holds, never with our visitor's cookies."""
    response.vary.add("Origin")
    origin = request.headers.get("Origin", "")
    if origin and origin in current_app.config["CORS_ORIGINS"]:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = (
            "X-Request-Id, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, Location"
        )
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE"
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, X-Request-Id"
            response.headers["Access-Control-Max-Age"] = "600"
    return response


# --- Bodies and answers --------------------------------------------------------------------------


class RequestInvalid(ValidationError):
    """Input that does not match the schema: the envelope's details list each field's problems."""

    def __init__(self, message: str, details: dict | None = None, status: int = 422):
        super().__init__(message)
        self.details = details or {}
        self.status_code = status


def _field_errors(error: pydantic.ValidationError) -> dict:
    fields: dict[str, list[str]] = {}
    for problem in error.errors(include_url=False, include_input=False):
        name = ".".join(str(p) for p in problem["loc"]) or "body"
        fields.setdefault(name, []).append(problem["msg"])
    return {"fields": fields}


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def json_body(model: type[pydantic.BaseModel]) -> pydantic.BaseModel:
    """The request's JSON body as `model`: 415 for another content type, 400 for malformed JSON
    or NUL bytes, 422 with per-field details for anything the schema refuses (unknown fields too)."""
    if request.mimetype != "application/json":
        raise RequestInvalid("Send a JSON body with Content-Type: application/json.", status=415)
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise RequestInvalid("The body is not valid JSON.", status=400) from None
    if _has_nul(data):
        raise RequestInvalid("The body contains a NUL character, which we cannot store.", status=400)
    return validate(model, data)


def validate(model: type[pydantic.BaseModel], data: Any) -> pydantic.BaseModel:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        raise RequestInvalid("Some fields are not valid.", _field_errors(error)) from None


def query(model: type[pydantic.BaseModel]) -> pydantic.BaseModel:
    """The query string as `model`; list fields take repeated parameters (?workplace=a&workplace=b)."""
    args: MultiDict = request.args
    data: dict[str, Any] = {}
    for name in args:
        info = model.model_fields.get(name)
        is_list = info is not None and getattr(info.annotation, "__origin__", None) is list
        data[name] = args.getlist(name) if is_list else args.get(name)
    return validate(model, data)


def ok(
    data: Any, status: int = 200, pagination: dict | None = None, headers: dict | None = None
) -> tuple[Response, int]:
    body: dict[str, Any] = {"success": True, "data": data}
    if pagination is not None:
        body["pagination"] = pagination
    body["meta"] = envelope_meta()
    response = jsonify(body)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response, status


def paginate(page: int, limit: int, total: int) -> dict:
    return {"page": page, "limit": limit, "total": total, "pages": max(1, -(-total // limit))}


# --- Operations (route + OpenAPI description) ----------------------------------------------------


@dataclass
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    tag: str
    response: Any  # a pydantic model, list[model], or None (no body beyond the envelope)
    status: int = 200
    body: Any = None
    multipart: Any = None
    query: Any = None
    scope: str | None = None
    auth: str = "required"  # "required", "optional" or "none"
    paginated: bool = False
    description: str = ""
    extra_statuses: tuple[int, ...] = ()


OPERATIONS: list[Operation] = []


def operation(method: str, rule: str, **details):
    """Register `view` at `rule` for `method`, and describe it for the OpenAPI document."""

    def decorate(view):
        endpoint = f"{view.__name__}_{method.lower()}"
        # A bearer token is never sent by a browser on its own: token calls need no CSRF token.
        # Session calls are checked in _authenticate (the HTML token pages keep the usual check).
        csrf.exempt(view)
        bp.add_url_rule(PREFIX + rule, endpoint=endpoint, view_func=view, methods=[method])
        OPERATIONS.append(
            Operation(method=method, rule=rule, endpoint=endpoint, description=(view.__doc__ or "").strip(), **details)
        )
        return view

    return decorate


__all__ = ["AppError", "bp", "operation", "ok", "require", "json_body", "query", "caller"]
