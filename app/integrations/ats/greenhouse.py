"""Greenhouse: Harvest v3 (OAuth client credentials) both ways, and an import-only mode that reads
the public Job Board API with just a board token.

Facts (checked, see README "ATS integrations"): Harvest v1/v2 were retired on 31 Aug 2026; v3 takes
`POST https://auth.greenhouse.io/token` with Basic client_id:client_secret and
`grant_type=client_credentials` (plus `sub=<user id>` to act as a user), answers an access token
with `expires_in`, and is then called with `Authorization: Bearer`. Lists are JSON arrays paged by
a cursor that only travels in the `Link: <...>; rel="next"` header (the next URL is requested as
given). 429 carries Retry-After; X-RateLimit-Remaining / X-RateLimit-Reset describe the window.
Webhooks: `Signature: sha256 <hex>` = HMAC-SHA256 of the whole body with the webhook's secret key,
a `Greenhouse-Event-ID` header, body `{action, payload}`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import threading
import time
from collections.abc import Iterator

from .base import (
    PAGE_SIZE,
    AtsAdapter,
    AtsAuthError,
    AtsError,
    AtsJob,
    AtsWebhookRejected,
    CandidateSubmission,
    CredentialField,
    Http,
    SentApplication,
    StageChange,
    WebhookNotice,
    chunks,
    employment_type_from,
    same_origin,
    workplace_from,
)

TOKEN_MARGIN = 60  # seconds: a token that expires within this is fetched again
# Access tokens, per (auth URL, client, user, secret digest): a sync, the next sync and a webhook
# in the same process share one until it expires.
_tokens: dict[tuple, tuple[str, float]] = {}
_tokens_lock = threading.Lock()
STAGE_ACTIONS = {"candidate_stage_change", "reject_candidate", "unreject_candidate", "hire_candidate"}


def clear_token_cache() -> None:
    with _tokens_lock:
        _tokens.clear()


class GreenhouseHarvest(AtsAdapter):
    provider = "greenhouse"
    label = "Greenhouse"
    supports_applications = True
    supports_webhooks = True
    CREDENTIALS = (
        CredentialField("client_id", "Harvest v3 client ID"),
        CredentialField("client_secret", "Harvest v3 client secret", secret=True),
        CredentialField(
            "user_id",
            "Greenhouse user ID to act as (optional)",
            required=False,
            hint="Sets the token's 'sub': candidates we add show this user in Greenhouse's audit log.",
        ),
        CredentialField(
            "webhook_secret",
            "Webhook secret key (optional)",
            secret=True,
            required=False,
            hint="The secret key of the web hook you create in Greenhouse for stage changes.",
        ),
    )

    def __init__(self, credentials, options, settings):
        super().__init__(credentials, options, settings)
        self.api = settings.urls["greenhouse_api"].rstrip("/")
        self.auth_url = settings.urls["greenhouse_auth"]
        self.http = Http(self.label, settings, headers={"Accept": "application/json"})
        self._stage_names: dict[str, str] = {}

    # --- auth ----------------------------------------------------------------------------------

    def _token_key(self) -> tuple:
        secret = hashlib.sha256(self.credentials.get("client_secret", "").encode()).hexdigest()
        return (self.auth_url, self.credentials.get("client_id", ""), self.credentials.get("user_id", ""), secret)

    def _token(self, fresh: bool = False) -> str:
        key = self._token_key()
        with _tokens_lock:
            cached = _tokens.get(key)
            if cached and not fresh and cached[1] > time.monotonic():
                return cached[0]
        data = {"grant_type": "client_credentials"}
        if self.credentials.get("user_id"):
            data["sub"] = self.credentials["user_id"]
        try:
            response = self.http.request(
                "POST",
                self.auth_url,
                data=data,
                auth=(self.credentials.get("client_id", ""), self.credentials.get("client_secret", "")),
            )
        except AtsAuthError:
            raise AtsAuthError(
                "Greenhouse refused the client ID and secret. Create Harvest v3 credentials in Greenhouse's Dev "
                "Center (API Credentials) and paste them again."
            ) from None
        body = self.http.json(response)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not token:
            raise AtsError("Greenhouse's token answer had no access token.")
        try:
            lifetime = float(body.get("expires_in", 3600))
        except (TypeError, ValueError):
            lifetime = 3600.0
        with _tokens_lock:
            _tokens[key] = (token, time.monotonic() + max(lifetime - TOKEN_MARGIN, 0.0))
        return token

    def _call(self, method: str, url: str, **kwargs):
        """A Harvest call with the cached token; a 401 means it expired early: fetch one, try once more."""
        if not url.startswith("http"):
            url = self.api + url
        headers = {"Authorization": f"Bearer {self._token()}"}
        try:
            return self.http.request(method, url, headers=headers, **kwargs)
        except AtsAuthError as error:
            if error.status != 401:
                raise  # 403: the token is fine, the permissions are not
            headers = {"Authorization": f"Bearer {self._token(fresh=True)}"}
            return self.http.request(method, url, headers=headers, **kwargs)

    def _pages(self, path: str, params: dict) -> Iterator[list]:
        url, first = self.api + path, True
        while url:
            response = self._call("GET", url, params=params if first else None)
            items = self.http.json(response)
            if not isinstance(items, list):
                raise AtsError(f"Greenhouse answered {path} with something other than a list.")
            yield items
            url = response.links.get("next", {}).get("url")
            if url and not same_origin(url, self.api):
                raise AtsError("Greenhouse's next-page link pointed somewhere else; stopped there.")
            first = False

    # --- the interface ---------------------------------------------------------------------------

    def test_connection(self) -> str:
        next(self._pages("/jobs", {"per_page": 1}), None)
        return "Greenhouse Harvest v3 answered with these credentials."

    def list_jobs(self) -> Iterator[list[AtsJob]]:
        """Jobs, with the public content (title, description, location) of their live external job
        post. An open job without a live post is not public, so it is not listed here either."""
        posts: dict[str, dict] = {}
        for page in self._pages("/job_posts", {"per_page": PAGE_SIZE}):
            for post in page:
                job_id = str(post.get("job_id") or "")
                if job_id and post.get("live") and post.get("external", True) and job_id not in posts:
                    posts[job_id] = post
        for page in self._pages("/jobs", {"per_page": PAGE_SIZE}):
            yield [self._job(job, posts.get(str(job.get("id")))) for job in page if job.get("id") is not None]

    def _job(self, job: dict, post: dict | None) -> AtsJob:
        post = post or {}
        offices = job.get("offices") or []
        location = (post.get("location") or {}).get("name") or (
            ((offices[0] or {}).get("location") or {}).get("name") if offices else ""
        )
        return AtsJob(
            external_id=str(job["id"]),
            title=str(post.get("title") or job.get("name") or "Untitled job"),
            description_html=str(post.get("content") or ""),
            location=str(location or ""),
            is_open=job.get("status") == "open" and bool(post),
            workplace=workplace_from(location),
            employment_type=employment_type_from(str((job.get("custom_fields") or {}).get("employment_type") or "")),
        )

    def create_application(self, submission: CandidateSubmission) -> SentApplication:
        """Candidate + application + resume attachment, unless Greenhouse already has an application
        of this email address for this job (then nothing is created)."""
        candidate_id = None
        for candidate in self._candidates_by_email(submission.email):
            candidate_id = candidate_id or str(candidate["id"])
            for application in self._applications_of(str(candidate["id"])):
                if self._job_ids(application) & {submission.ats_job_id}:
                    return SentApplication(str(application["id"]), str(candidate["id"]), created=False)
        if candidate_id is None:
            body = {
                "first_name": submission.first_name,
                "last_name": submission.last_name,
                "email_addresses": [{"value": submission.email, "type": "personal"}],
                "phone_numbers": [{"value": submission.phone, "type": "mobile"}] if submission.phone else [],
                # Greenhouse's sources are ids set up per account; the tag says where it came from.
                "tags": [submission.source],
            }
            profile = submission.profile
            if profile.get("headline"):
                body["title"] = profile["headline"][:255]
            if profile.get("location"):
                body["addresses"] = [{"value": profile["location"], "type": "home"}]
            if profile.get("links"):
                body["website_addresses"] = [{"value": link, "type": "personal"} for link in profile["links"]]
            candidate_id = str(self.http.json(self._call("POST", "/candidates", json=body))["id"])
        application = self.http.json(
            self._call("POST", "/applications", json={"candidate_id": candidate_id, "job_id": submission.ats_job_id})
        )
        application_id = str(application["id"])
        if submission.resume is not None:
            self._call(
                "POST",
                "/attachments",
                json={
                    "application_id": application_id,
                    "filename": submission.resume.filename,
                    "type": "resume",
                    "content_type": submission.resume.content_type,
                    "content": base64.b64encode(submission.resume.data).decode(),
                },
            )
        return SentApplication(application_id, candidate_id, created=True)

    def _candidates_by_email(self, email: str) -> list[dict]:
        return [c for page in self._pages("/candidates", {"email": email, "per_page": PAGE_SIZE}) for c in page]

    def _applications_of(self, candidate_id: str) -> list[dict]:
        return [a for page in self._pages("/applications", {"candidate_id": candidate_id}) for a in page]

    @staticmethod
    def _job_ids(application: dict) -> set[str]:
        ids = {str(application["job_id"])} if application.get("job_id") is not None else set()
        return ids | {str(job.get("id")) for job in application.get("jobs") or []}

    def get_application_stage(self, external_id: str) -> str | None:
        """Rejected and hired are statuses in Greenhouse, not stages: they read as 'Rejected' and
        'Hired'. Otherwise the name of the application's current interview stage."""
        application = self.http.json(self._call("GET", f"/applications/{external_id}"))
        status = (application.get("status") or "").lower()
        if status in ("rejected", "hired"):
            return status.capitalize()
        stage_id = None
        for page in self._pages("/application_stages", {"application_id": external_id}):
            for row in page:
                if row.get("current"):
                    stage_id = (row.get("job_interview_stage") or {}).get("id") or row.get("job_interview_stage_id")
        if stage_id is None:
            return None
        stage_id = str(stage_id)
        if stage_id not in self._stage_names:
            stage = self.http.json(self._call("GET", f"/job_interview_stages/{stage_id}"))
            self._stage_names[stage_id] = str(stage.get("name") or "")
        return self._stage_names[stage_id] or None

    def verify_webhook(self, body: bytes, headers) -> None:
        secret = self.credentials.get("webhook_secret")
        if not secret:
            raise AtsWebhookRejected("no webhook secret key is saved for this connection")
        scheme, _, digest = (headers.get("Signature") or "").strip().partition(" ")
        if scheme.lower() != "sha256" or not digest:
            raise AtsWebhookRejected("missing or malformed Signature header")
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, digest.strip().lower()):
            raise AtsWebhookRejected("signature does not match the body")

    def parse_webhook(self, body: bytes, data, headers) -> WebhookNotice:
        if not isinstance(data, dict):
            raise AtsWebhookRejected("expected a JSON object with action and payload")
        action = str(data.get("action") or "")[:80]
        event_id = (headers.get("Greenhouse-Event-ID") or "").strip()[:200] or hashlib.sha256(body).hexdigest()
        if action not in STAGE_ACTIONS:
            return WebhookNotice(event_id, action or "unknown")
        application = ((data.get("payload") or {}) if isinstance(data.get("payload"), dict) else {}).get(
            "application"
        ) or {}
        if not isinstance(application, dict) or application.get("id") is None:
            raise AtsWebhookRejected(f"a {action} event without payload.application.id")
        stage = (application.get("current_stage") or {}).get("name") if action == "candidate_stage_change" else None
        return WebhookNotice(event_id, action, StageChange(str(application["id"]), stage))


class GreenhouseJobBoard(AtsAdapter):
    """Import only: the public Job Board API lists a board's live jobs with their content, and
    needs nothing but the board token (for companies without Harvest access)."""

    provider = "greenhouse_board"
    label = "Greenhouse"
    applications_unsupported_reason = (
        "The job-board import reads Greenhouse's public job board only; sending applications needs Harvest v3 "
        "credentials (connect Greenhouse with Harvest instead)."
    )
    webhooks_unsupported_reason = "The job-board import receives no webhooks."
    CREDENTIALS = (
        CredentialField(
            "board_token",
            "Job board token",
            hint="The name in your board's address: boards.greenhouse.io/<token>.",
        ),
    )

    def __init__(self, credentials, options, settings):
        super().__init__(credentials, options, settings)
        self.api = settings.urls["greenhouse_boards"].rstrip("/")
        self.http = Http(self.label, settings, headers={"Accept": "application/json"})

    def _board(self) -> list[dict]:
        token = (self.credentials.get("board_token") or "").strip()
        if not token.replace("-", "").replace("_", "").isalnum():
            raise AtsAuthError("A board token has only letters, digits, '-' and '_'.")
        try:
            response = self.http.request("GET", f"{self.api}/boards/{token}/jobs", params={"content": "true"})
        except AtsError as error:
            if error.status == 404:
                raise AtsAuthError(f"Greenhouse has no public job board called {token!r}.") from None
            raise
        data = self.http.json(response)
        jobs = data.get("jobs") if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            raise AtsError("Greenhouse's job board answered without a list of jobs.")
        return jobs

    def test_connection(self) -> str:
        return f"Greenhouse's job board lists {len(self._board())} open job(s)."

    def list_jobs(self) -> Iterator[list[AtsJob]]:
        jobs = [self._job(job) for job in self._board() if job.get("id") is not None]
        yield from chunks(jobs)

    @staticmethod
    def _job(job: dict) -> AtsJob:
        location = str((job.get("location") or {}).get("name") or "")
        return AtsJob(
            # The job's own id (as Harvest knows it), so both Greenhouse modes name a job alike.
            external_id=str(job.get("internal_job_id") or job["id"]),
            title=str(job.get("title") or "Untitled job"),
            # The board API sends the content HTML-escaped.
            description_html=html.unescape(str(job.get("content") or "")),
            location=location,
            is_open=True,  # the board lists live jobs only
            workplace=workplace_from(location),
        )
