"""Fake ATSs on 127.0.0.1 that follow the real APIs' documented shapes, pagination, auth and
rate-limit headers (see the adapters' docstrings and README "ATS integrations"), for the real
adapters (requests over HTTP) to talk to.

Every fake records its requests, checks credentials like the real service, and can be scripted to
answer one request with an error (`fail(path, status, on_call, headers)`): the tests answer a 429
with Retry-After mid-way and a 500 once. Waiting is virtual: the `ats_clock` fixture makes the
adapters' pauses (Retry-After, backoff, a used-up rate-limit window) advance the fakes' clock
instead of sleeping, and records them.
"""

from __future__ import annotations

import base64
import contextlib
import email.parser
import email.policy
import hashlib
import hmac
import html
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from conftest import app_config
from servers import LocalHTTPServer

from app.integrations import http as outbound


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict  # lower-cased names
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        return self.query.get(name, [default])[0]

    def json(self):
        return json.loads(self.body or b"null")

    def basic_auth(self) -> tuple[str, str] | None:
        scheme, _, value = self.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return None
        user, _, password = base64.b64decode(value).decode().partition(":")
        return user, password

    def multipart(self) -> tuple[list[tuple[str, str]], dict[str, tuple[str, str, bytes]]]:
        """(fields, files) of a multipart/form-data body, read with the standard library."""
        raw = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode() + self.body
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        fields, files = [], {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True) or b""
            if filename is not None:
                files[name] = (filename, part.get_content_type(), payload)
            else:
                fields.append((name, payload.decode()))
        return fields, files


@dataclass
class Answer:
    status: int = 200
    body: object = None  # JSON-able, or bytes/str sent as is
    headers: dict = field(default_factory=dict)


class FakeATS(LocalHTTPServer):
    """Routes, recording, scripted faults, a virtual clock and an optional delay per list page."""

    def __init__(self):
        self.requests: list[Request] = []
        self.faults: list[dict] = []
        self.calls: dict[str, int] = {}
        self.lock = threading.RLock()
        self.clock_offset = 0.0
        self.page_delay = 0.0  # real seconds per list page (to watch a sync's progress in a browser)
        self.routes: list[tuple[str, re.Pattern, object]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self):
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                request = Request(
                    self.command,
                    parts.path,
                    parse_qs(parts.query, keep_blank_values=True),
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                answer = fake.dispatch(request)
                data = answer.body
                if not isinstance(data, (bytes, str)):
                    data = json.dumps(data)
                data = data.encode() if isinstance(data, str) else data
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.send_response(answer.status)
                    headers = {"Content-Type": "application/json", **answer.headers}
                    for name, value in headers.items():
                        self.send_header(name, str(value))
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self._serve(Handler)

    def now(self) -> float:
        return time.time() + self.clock_offset

    def route(self, method: str, pattern: str):
        def register(handler):
            self.routes.append((method, re.compile(pattern + "$"), handler))
            return handler

        return register

    def fail(self, path: str, status: int, on_call: int = 1, headers: dict | None = None) -> None:
        """Answer the `on_call`-th request to `path` (counted from now) with `status`, once."""
        with self.lock:
            self.faults.append(
                {"path": path, "at": self.calls.get(path, 0) + on_call, "status": status, "headers": headers or {}}
            )

    def dispatch(self, request: Request) -> Answer:
        with self.lock:
            self.requests.append(request)
            self.calls[request.path] = self.calls.get(request.path, 0) + 1
            for fault in list(self.faults):
                if fault["path"] == request.path and fault["at"] == self.calls[request.path]:
                    self.faults.remove(fault)
                    return Answer(fault["status"], {"message": f"fake {fault['status']}"}, fault["headers"])
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if match and method == request.method:
                with self.lock:
                    return handler(request, *match.groups())
        return Answer(404, {"message": "no such endpoint"})

    def paths(self, method: str = "GET") -> list[str]:
        return [r.path for r in self.requests if r.method == method]

    def pause(self) -> None:
        if self.page_delay:
            self.lock.release()  # let other requests through while this page "takes its time"
            try:
                time.sleep(self.page_delay)
            finally:
                self.lock.acquire()


def job_html(n: int, version: int = 1) -> str:
    return (
        f"<p>Job number {n}, version {version}. We build <strong>reliable</strong> things.</p>"
        f"<h2>What you will do</h2><ul><li>Ship features</li><li>Review code</li></ul>"
        f"<script>alert('x{n}')</script>"
    )


# --- Greenhouse -----------------------------------------------------------------------------------


class FakeGreenhouse(FakeATS):
    """Harvest v3 (OAuth client credentials, cursor pages in the Link header, rate-limit headers),
    the Job Board API, and webhook signatures."""

    CLIENT_ID, CLIENT_SECRET, WEBHOOK_SECRET, BOARD = "gh-client", "gh-secret-value", "gh-hook-secret", "acme"
    STAGES = {1: "Application Review", 2: "Phone Screen", 3: "Face to Face", 4: "Offer", 5: "Mystery Stage"}

    def __init__(self, jobs: int = 260, window_limit: int = 1000, window_seconds: int = 30):
        super().__init__()
        self.jobs: dict[int, dict] = {}
        self.posts: dict[int, dict] = {}
        self.candidates: dict[int, dict] = {}
        self.applications: dict[int, dict] = {}
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.window_limit, self.window_seconds, self.window = window_limit, window_seconds, {}
        self.ids = itertools.count(5001)
        for n in range(1, jobs + 1):
            self.add_job(n)
        self._routes()

    def add_job(self, n: int, status: str = "open", live: bool = True) -> None:
        self.jobs[n] = {"id": n, "name": f"Internal name {n}", "status": status, "offices": [
            {"id": 1, "name": "Berlin", "location": {"name": "Berlin, Germany"}}]}  # fmt: skip
        self.posts[1000 + n] = {
            "id": 1000 + n, "job_id": n, "title": f"Engineer {n}", "live": live, "external": True, "internal": False,
            "location": {"name": "Remote, Europe" if n % 5 == 0 else "Berlin, Germany"}, "content": job_html(n),
        }  # fmt: skip

    def _page(self, request: Request, items: list, per_page_default: int = 100) -> Answer:
        cursor = request.arg("cursor")
        if cursor and len(request.query) > 1:
            return Answer(422, {"message": "cursor cannot be combined with other parameters"})
        if cursor:
            state = json.loads(base64.urlsafe_b64decode(cursor))
            offset, per_page = state["offset"], state["per_page"]
        else:
            offset, per_page = 0, min(int(request.arg("per_page", str(per_page_default))), 500)
        page = items[offset : offset + per_page]
        headers = {}
        if offset + per_page < len(items):
            token = base64.urlsafe_b64encode(json.dumps({"offset": offset + per_page, "per_page": per_page}).encode())
            headers["Link"] = f'<{self.url}{request.path}?cursor={token.decode()}>; rel="next"'
        self.pause()
        return Answer(200, page, headers)

    def _authorized(self, request: Request) -> Answer | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or token not in self.tokens:
            return Answer(401, {"message": "Invalid access token"})
        window = int(self.now() // self.window_seconds)
        used = self.window.get(window, 0) + 1
        self.window[window] = used
        if used > self.window_limit:
            return Answer(429, {"message": "Rate limit exceeded"}, {"Retry-After": str(self.window_seconds)})
        return None

    def _limits(self) -> dict:
        window = int(self.now() // self.window_seconds)
        reset = (window + 1) * self.window_seconds
        return {
            "X-RateLimit-Limit": self.window_limit,
            "X-RateLimit-Remaining": max(0, self.window_limit - self.window.get(window, 0)),
            "X-RateLimit-Reset": int(reset),
        }

    def _routes(self) -> None:
        def harvest(method, pattern):
            def register(handler):
                def guarded(request, *args):
                    refused = self._authorized(request)
                    if refused is not None:
                        return refused
                    answer = handler(request, *args)
                    answer.headers.update(self._limits())
                    return answer

                return self.route(method, "/v3" + pattern)(guarded)

            return register

        @self.route("POST", "/token")
        def token(request):
            self.token_requests += 1
            form = parse_qs(request.body.decode())
            if request.basic_auth() != (self.CLIENT_ID, self.CLIENT_SECRET):
                return Answer(401, {"error": "invalid_client"})
            if form.get("grant_type") != ["client_credentials"]:
                return Answer(400, {"error": "unsupported_grant_type"})
            value = f"tok-{len(self.tokens) + 1}"
            self.tokens.add(value)
            return Answer(200, {"access_token": value, "token_type": "bearer", "expires_in": 3600})

        @harvest("GET", "/jobs")
        def jobs(request):
            return self._page(request, [self.jobs[k] for k in sorted(self.jobs)])

        @harvest("GET", "/job_posts")
        def job_posts(request):
            return self._page(request, [self.posts[k] for k in sorted(self.posts)])

        @harvest("GET", "/candidates")
        def candidates(request):
            wanted = (request.arg("email") or "").lower()
            found = [c for c in self.candidates.values() if not wanted or wanted in c["emails"]]
            return self._page(request, found)

        @harvest("POST", "/candidates")
        def new_candidate(request):
            body = request.json()
            if not body.get("first_name") or not body.get("email_addresses"):
                return Answer(422, {"message": "first_name and email_addresses are required"})
            candidate_id = next(self.ids)
            self.candidates[candidate_id] = {
                "id": candidate_id, "body": body, "emails": [e["value"].lower() for e in body["email_addresses"]],
            }  # fmt: skip
            return Answer(201, {"id": candidate_id})

        @harvest("GET", "/applications")
        def applications(request):
            candidate = request.arg("candidate_id")
            found = [a for a in self.applications.values() if str(a["candidate_id"]) == candidate]
            return self._page(request, [self._public(a) for a in found])

        @harvest("POST", "/applications")
        def new_application(request):
            body = request.json()
            if int(body["candidate_id"]) not in self.candidates or int(body["job_id"]) not in self.jobs:
                return Answer(422, {"message": "unknown candidate or job"})
            application_id = next(self.ids)
            self.applications[application_id] = {
                "id": application_id, "candidate_id": int(body["candidate_id"]), "job_id": int(body["job_id"]),
                "status": "active", "stage": 1, "attachments": [],
            }  # fmt: skip
            return Answer(201, {"id": application_id})

        @harvest("GET", r"/applications/(\d+)")
        def application(request, application_id):
            found = self.applications.get(int(application_id))
            return Answer(200, self._public(found)) if found else Answer(404, {"message": "not found"})

        @harvest("POST", "/attachments")
        def attachment(request):
            body = request.json()
            found = self.applications.get(int(body["application_id"]))
            if found is None:
                return Answer(422, {"message": "unknown application"})
            found["attachments"].append(
                {"filename": body["filename"], "type": body["type"], "content_type": body["content_type"],
                 "data": base64.b64decode(body["content"])}
            )  # fmt: skip
            return Answer(201, {"id": next(self.ids)})

        @harvest("GET", "/application_stages")
        def application_stages(request):
            found = self.applications.get(int(request.arg("application_id") or 0))
            rows = []
            if found is not None:
                stage = {"id": found["stage"]}
                rows.append({"application_id": found["id"], "job_interview_stage": stage, "current": True})
            return self._page(request, rows)

        @harvest("GET", r"/job_interview_stages/(\d+)")
        def stage(request, stage_id):
            return Answer(200, {"id": int(stage_id), "name": self.STAGES[int(stage_id)]})

        @self.route("GET", r"/v1/boards/([\w-]+)/jobs")
        def board(request, token):
            if token != self.BOARD:
                return Answer(404, {"status": 404, "error": "Job board not found"})
            listed = []
            for post in sorted(self.posts.values(), key=lambda p: p["id"]):
                job = self.jobs[post["job_id"]]
                if job["status"] == "open" and post["live"]:
                    listed.append({
                        "id": post["id"], "internal_job_id": job["id"], "title": post["title"],
                        "location": post["location"], "updated_at": "2026-11-30T10:00:00-05:00",
                        "content": html.escape(post["content"]) if request.arg("content") == "true" else None,
                    })  # fmt: skip
            return Answer(200, {"jobs": listed, "meta": {"total": len(listed)}})

    @staticmethod
    def _public(application: dict) -> dict:
        return {k: v for k, v in application.items() if k not in ("stage", "attachments")}

    def move(self, application_id: int, stage_name: str) -> None:
        stages = {name: stage_id for stage_id, name in self.STAGES.items()}
        with self.lock:
            self.applications[int(application_id)]["stage"] = stages[stage_name]

    def webhook(self, application_id: int, secret: str | None = None, event_id: str = "gh-evt-1") -> tuple[bytes, dict]:
        """A 'Candidate has changed stage' delivery, signed the documented way: (body, headers)."""
        found = self.applications[int(application_id)]
        body = json.dumps({
            "action": "candidate_stage_change",
            "payload": {"application": {"id": found["id"], "status": found["status"],
                                        "current_stage": {"id": found["stage"], "name": self.STAGES[found["stage"]]}}},
        }).encode()  # fmt: skip
        digest = hmac.new((secret or self.WEBHOOK_SECRET).encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "Signature": f"sha256 {digest}", "Greenhouse-Event-ID": event_id}
        return body, headers


# --- Lever ----------------------------------------------------------------------------------------


class FakeLever(FakeATS):
    API_KEY, SIGNATURE_TOKEN, PERFORM_AS = "lever-key", "lever-signature-token", "user-7"
    STAGES = {"lead-new": "New applicant", "stage-screen": "Recruiter screen", "stage-onsite": "On-site interview",
              "stage-offer": "Offer", "stage-odd": "Reference check"}  # fmt: skip

    def __init__(self, postings: int = 260):
        super().__init__()
        self.postings = {f"post-{n}": self._posting(n) for n in range(1, postings + 1)}
        self.opportunities: dict[str, dict] = {}
        self.ids = itertools.count(1)
        self._routes()

    @staticmethod
    def _posting(n: int, state: str = "published") -> dict:
        return {
            "id": f"post-{n}", "text": f"Designer {n}", "state": state,
            "categories": {"location": "Lisbon" if n % 2 else "Remote", "commitment": "Full-time", "team": "Design"},
            "workplaceType": "remote" if n % 2 == 0 else "onsite",
            "content": {"descriptionHtml": f"<p>Posting {n}: design <b>things</b>.</p>",
                        "lists": [{"text": "Requirements", "content": "<li>Figma</li><li>Taste</li>"}],
                        "closingHtml": "<p>Apply now.</p>"},
        }  # fmt: skip

    def _authorized(self, request: Request) -> Answer | None:
        if request.basic_auth() != (self.API_KEY, ""):
            return Answer(401, {"code": "UnauthorizedError", "message": "Invalid API key"})
        return None

    def _list(self, request: Request, items: list) -> Answer:
        limit = min(int(request.arg("limit", "100")), 100)
        offset = int((request.arg("offset") or "o0")[1:])
        page = items[offset : offset + limit]
        more = offset + limit < len(items)
        self.pause()
        return Answer(200, {"data": page, "hasNext": more, **({"next": f"o{offset + limit}"} if more else {})})

    def _routes(self) -> None:
        def api(method, pattern):
            def register(handler):
                def guarded(request, *args):
                    return self._authorized(request) or handler(request, *args)

                return self.route(method, "/v1" + pattern)(guarded)

            return register

        @api("GET", "/postings")
        def postings(request):
            return self._list(request, [self.postings[k] for k in sorted(self.postings, key=lambda k: int(k[5:]))])

        @api("GET", "/opportunities")
        def opportunities(request):
            wanted = (request.arg("email") or "").lower()
            found = [o for o in self.opportunities.values() if wanted in o["emails"]]
            expand = request.arg("expand") == "applications"
            return self._list(request, [self._public(o, expand) for o in found])

        @api("POST", "/opportunities")
        def new_opportunity(request):
            if request.arg("perform_as") != self.PERFORM_AS:
                return Answer(400, {"code": "BadRequestError", "message": "perform_as must be a user id"})
            fields, files = request.multipart()
            values: dict[str, list[str]] = {}
            for name, value in fields:
                values.setdefault(name, []).append(value)
            opportunity_id = f"opp-{next(self.ids)}"
            self.opportunities[opportunity_id] = {
                "id": opportunity_id, "contact": f"contact-{opportunity_id}", "fields": values, "files": files,
                "emails": [e.lower() for e in values.get("emails[]", [])], "stage": "lead-new", "archived": None,
                "applications": [{"id": f"app-{opportunity_id}", "posting": values.get("postings[]", [None])[0]}],
            }  # fmt: skip
            return Answer(201, {"data": self._public(self.opportunities[opportunity_id], True)})

        @api("GET", r"/opportunities/([\w-]+)")
        def opportunity(request, opportunity_id):
            found = self.opportunities.get(opportunity_id)
            return Answer(200, {"data": self._public(found, False)}) if found else Answer(404, {"message": "nope"})

        @api("GET", "/stages")
        def stages(request):
            return self._list(request, [{"id": k, "text": v} for k, v in self.STAGES.items()])

    @staticmethod
    def _public(opportunity: dict, expand: bool) -> dict:
        data = {k: opportunity[k] for k in ("id", "contact", "emails", "stage", "archived")}
        applications = opportunity["applications"]
        data["applications"] = applications if expand else [a["id"] for a in applications]
        return data

    def move(self, opportunity_id: str, stage_text: str) -> None:
        ids = {text: stage_id for stage_id, text in self.STAGES.items()}
        with self.lock:
            self.opportunities[opportunity_id]["stage"] = ids[stage_text]

    def webhook(self, opportunity_id: str, token: str | None = None, signature_token: str | None = None) -> bytes:
        """A candidateStageChange delivery: signature = HMAC-SHA256(signature token, token + triggeredAt)."""
        token = token or "tok-" + hashlib.sha1(opportunity_id.encode()).hexdigest()[:12]
        triggered_at = int(self.now() * 1000)
        signature = hmac.new(
            (signature_token or self.SIGNATURE_TOKEN).encode(), f"{token}{triggered_at}".encode(), hashlib.sha256
        ).hexdigest()
        stage = self.opportunities[opportunity_id]["stage"]
        return json.dumps({
            "triggeredAt": triggered_at, "event": "candidateStageChange", "signature": signature, "token": token,
            "data": {"opportunityId": opportunity_id, "fromStageId": "lead-new", "toStageId": stage,
                     "contactId": f"contact-{opportunity_id}"},
        }).encode()  # fmt: skip


# --- BambooHR -------------------------------------------------------------------------------------


class FakeBambooHR(FakeATS):
    SUBDOMAIN, API_KEY = "acmeco", "bamboo-key"
    STATUSES = {1: "New", 2: "Reviewed", 3: "Interviewed", 4: "Offer Sent", 5: "Hired", 6: "On hold"}

    def __init__(self, jobs: int = 260, applications: int = 0):
        super().__init__()
        self.jobs = {n: self._job(n) for n in range(1, jobs + 1)}
        self.applications: dict[int, dict] = {}
        self.ids = itertools.count(9001)
        for n in range(applications):
            self.add_application(f"someone{n}@example.com", 1 + n % jobs)
        self._routes()

    @staticmethod
    def _job(n: int, status: str = "Open") -> dict:
        return {
            "id": n, "title": {"id": None, "label": f"Accountant {n}"}, "postedDate": "2026-11-01",
            "location": {"id": 4, "label": "Salt Lake City, Utah"}, "department": {"id": 2, "label": "Finance"},
            "status": {"id": 1, "label": status}, "postingUrl": f"https://acmeco.bamboohr.com/careers/{n}",
        }  # fmt: skip

    def add_application(self, email_address: str, job_id: int, status: int = 1, files: dict | None = None) -> int:
        application_id = next(self.ids)
        self.applications[application_id] = {
            "id": application_id, "appliedDate": "2026-11-30T10:00:00Z",
            "status": {"id": status, "label": self.STATUSES[status]}, "rating": None,
            "applicant": {"id": application_id + 100000, "email": email_address, "firstName": "A", "lastName": "B"},
            "job": {"id": job_id, "title": {"id": None, "label": self.jobs[job_id]["title"]["label"]}},
            "files": files or {}, "fields": {},
        }  # fmt: skip
        return application_id

    def _routes(self) -> None:
        prefix = f"/api/gateway.php/{self.SUBDOMAIN}/v1/applicant_tracking"

        def api(method, pattern):
            def register(handler):
                def guarded(request, *args):
                    auth = request.basic_auth()
                    if auth is None or auth[0] != self.API_KEY:
                        return Answer(401, b"", {"Content-Type": "text/plain"})
                    if "application/json" not in request.headers.get("accept", ""):
                        # BambooHR answers XML unless asked for JSON.
                        return Answer(200, b"<response><xml/></response>", {"Content-Type": "text/xml"})
                    return handler(request, *args)

                return self.route(method, prefix + pattern)(guarded)

            return register

        @api("GET", "/statuses")
        def statuses(request):
            return Answer(200, [{"id": str(k), "name": v, "enabled": True} for k, v in self.STATUSES.items()])

        @api("GET", "/jobs")
        def jobs(request):
            self.pause()
            return Answer(200, [self.jobs[k] for k in sorted(self.jobs)])

        @api("GET", "/applications")
        def applications(request):
            page = int(request.arg("page", "1"))
            job_id, search = request.arg("jobId"), (request.arg("searchString") or "").lower()
            found = [a for a in sorted(self.applications.values(), key=lambda a: a["id"])
                     if (job_id is None or str(a["job"]["id"]) == job_id)
                     and (not search or search in a["applicant"]["email"].lower())]  # fmt: skip
            size = 100
            chunk = found[(page - 1) * size : page * size]
            complete = page * size >= len(found)
            next_url = None
            if not complete:
                query = {k: v[0] for k, v in request.query.items() if k != "page"} | {"page": page + 1}
                next_url = f"{self.url}{request.path}?{urlencode(query)}"
            body = [{k: v for k, v in a.items() if k not in ("files", "fields")} for a in chunk]
            return Answer(200, {"paginationComplete": complete, "nextPageUrl": next_url, "applications": body})

        @api("GET", r"/applications/(\d+)")
        def application(request, application_id):
            found = self.applications.get(int(application_id))
            if found is None:
                return Answer(404, {"message": "not found"})
            return Answer(200, {k: v for k, v in found.items() if k not in ("files", "fields")})

        @api("POST", "/application")
        def new_application(request):
            fields, files = request.multipart()
            values = dict(fields)
            if (
                not values.get("firstName")
                or not values.get("lastName")
                or int(values.get("jobId", 0)) not in self.jobs
            ):
                return Answer(400, {"message": "firstName, lastName and a valid jobId are required"})
            application_id = self.add_application(values.get("email", ""), int(values["jobId"]), files=files)
            self.applications[application_id]["fields"] = values
            return Answer(200, {"result": "success", "candidateId": application_id + 100000})

        @self.route("GET", rf"/{self.SUBDOMAIN}/careers/(\d+)/detail")
        def careers(request, job_id):
            job = self.jobs.get(int(job_id))
            if job is None or job["status"]["label"] != "Open":
                return Answer(404, {"message": "not found"})
            return Answer(200, {"result": {"jobOpening": {
                "jobOpeningName": job["title"]["label"], "description": job_html(int(job_id)),
                "employmentStatusLabel": "Full-Time"}}})  # fmt: skip

    def move(self, application_id: int, status_label: str) -> None:
        ids = {label: status_id for status_id, label in self.STATUSES.items()}
        with self.lock:
            self.applications[int(application_id)]["status"] = {"id": ids[status_label], "label": status_label}


# --- Workday --------------------------------------------------------------------------------------


class FakeWorkday(FakeATS):
    USER, PASSWORD = "ISU_Jobifies", "isu-password"
    PATH = "/ccx/service/customreport2/acme/ISU_Jobifies/Jobifies_Job_Requisitions"

    def __init__(self, requisitions: int = 260):
        super().__init__()
        self.entries = [self._entry(n) for n in range(1, requisitions + 1)]

        @self.route("GET", self.PATH)
        def report(request):
            if request.basic_auth() != (self.USER, self.PASSWORD):
                return Answer(401, b"", {"Content-Type": "text/plain"})
            if request.arg("format") != "json":
                return Answer(200, b"<wd:Report_Data/>", {"Content-Type": "text/xml"})
            self.pause()
            return Answer(200, {"Report_Entry": self.entries})

    @staticmethod
    def _entry(n: int, status: str = "Open") -> dict:
        return {
            "Job_Requisition_ID": f"R-{n:05d}", "Job_Posting_Title": f"Analyst {n}",
            "Job_Description": f"Requisition {n}.\nAnalyse things.",
            "Primary_Location": {"Descriptor": "Chicago, IL"}, "Job_Requisition_Status": status,
            "Time_Type": "Part time" if n % 4 == 0 else "Full time",
        }  # fmt: skip

    @property
    def report_url(self) -> str:
        return self.url + self.PATH


# --- Fixtures -------------------------------------------------------------------------------------


class Clock:
    """The adapters' pauses, recorded; each advances every fake's clock instead of sleeping."""

    def __init__(self):
        self.sleeps: list[float] = []
        self.fakes: list[FakeATS] = []

    def __call__(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        for fake in self.fakes:
            fake.clock_offset += seconds


@pytest.fixture
def ats_clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(outbound, "_sleep", clock)
    return clock


@pytest.fixture
def ats_env(app):
    """An encryption key, fresh breakers and token cache; the fakes' addresses come per test."""
    from cryptography.fernet import Fernet

    from app.integrations.ats import clear_token_cache
    from app.integrations.http import reset_breakers

    reset_breakers()
    clear_token_cache()
    key = Fernet.generate_key().decode()
    with app_config(app, ENCRYPTION_KEYS=[key], ATS_WORKDAY_ALLOWED_HOSTS=["127.0.0.1"], OUTBOUND_TIMEOUT_SECONDS=5):
        yield key
    reset_breakers()
    clear_token_cache()


@contextlib.contextmanager
def serving(app, clock: Clock | None, *fakes: FakeATS):
    """Start the fakes and point the app's ATS addresses at them."""
    with contextlib.ExitStack() as stack:
        urls = {}
        for fake in fakes:
            stack.enter_context(fake)
            if clock is not None:
                clock.fakes.append(fake)
            if isinstance(fake, FakeGreenhouse):
                urls |= {
                    "ATS_GREENHOUSE_API_URL": fake.url + "/v3",
                    "ATS_GREENHOUSE_AUTH_URL": fake.url + "/token",
                    "ATS_GREENHOUSE_BOARDS_URL": fake.url + "/v1",
                }
            elif isinstance(fake, FakeLever):
                urls["ATS_LEVER_API_URL"] = fake.url + "/v1"
            elif isinstance(fake, FakeBambooHR):
                urls["ATS_BAMBOOHR_API_URL"] = fake.url + "/api/gateway.php"
                urls["ATS_BAMBOOHR_CAREERS_URL"] = fake.url + "/{subdomain}/careers"
        stack.enter_context(app_config(app, **urls))
        yield fakes[0] if len(fakes) == 1 else fakes


GREENHOUSE_CREDENTIALS = {
    "client_id": FakeGreenhouse.CLIENT_ID,
    "client_secret": FakeGreenhouse.CLIENT_SECRET,
    "webhook_secret": FakeGreenhouse.WEBHOOK_SECRET,
}
LEVER_CREDENTIALS = {
    "api_key": FakeLever.API_KEY,
    "perform_as": FakeLever.PERFORM_AS,
    "signature_token": FakeLever.SIGNATURE_TOKEN,
}
BAMBOOHR_CREDENTIALS = {"subdomain": FakeBambooHR.SUBDOMAIN, "api_key": FakeBambooHR.API_KEY}


def workday_credentials(fake: FakeWorkday) -> dict:
    return {"report_url": fake.report_url, "username": FakeWorkday.USER, "password": FakeWorkday.PASSWORD}
