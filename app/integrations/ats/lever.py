"""Lever: postings in, opportunities out (the resume as a file upload), stage changes back.

Facts: `https://api.lever.co/v1`, the API key as the Basic user with an empty password; lists
answer `{data, hasNext, next}` and the next page is asked for with `offset=<next>`; creating an
opportunity needs `perform_as=<Lever user id>` and takes multipart/form-data with `resumeFile`.
Webhooks carry `token`, `triggeredAt` and `signature` in the JSON body: the signature is the hex
HMAC-SHA256 of `token + triggeredAt`, keyed with the webhook's signature token. (Lever's own page
could not be read from here; several independent integrations agree on this scheme. See README.)
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator

from ..webhooks import WebhookRejected, load_json
from .base import (
    PAGE_SIZE,
    AtsAdapter,
    AtsError,
    AtsJob,
    AtsWebhookRejected,
    CandidateSubmission,
    CredentialField,
    Http,
    SentApplication,
    StageChange,
    WebhookNotice,
    employment_type_from,
    workplace_from,
)

STAGE_EVENTS = {"candidateStageChange", "candidateArchiveChange", "candidateHired"}


class Lever(AtsAdapter):
    provider = "lever"
    label = "Lever"
    supports_applications = True
    supports_webhooks = True
    CREDENTIALS = (
        CredentialField("api_key", "API key", secret=True, hint="Settings → Integrations and API → API credentials."),
        CredentialField(
            "perform_as",
            "Lever user ID to add candidates as",
            required=False,
            hint="Needed to send applications: Lever records every new opportunity as made by a user.",
        ),
        CredentialField(
            "signature_token",
            "Webhook signature token (optional)",
            secret=True,
            required=False,
            hint="Shown with the 'Candidate stage change' webhook in Lever's settings.",
        ),
    )

    def __init__(self, credentials, options, settings):
        super().__init__(credentials, options, settings)
        self.api = settings.urls["lever_api"].rstrip("/")
        self.http = Http(self.label, settings, auth=(credentials.get("api_key", ""), ""))
        self._stages: dict[str, str] | None = None

    def _get(self, path: str, params: dict | None = None):
        return self.http.json(self.http.request("GET", self.api + path, params=params))

    def _pages(self, path: str, params: dict) -> Iterator[list]:
        params = dict(params)
        while True:
            body = self._get(path, params)
            if not isinstance(body, dict) or not isinstance(body.get("data"), list):
                raise AtsError(f"Lever answered {path} without a data list.")
            yield body["data"]
            if not body.get("hasNext") or not body.get("next"):
                return
            params["offset"] = body["next"]

    def test_connection(self) -> str:
        next(self._pages("/postings", {"limit": 1}), None)
        return "Lever answered with this API key."

    def list_jobs(self) -> Iterator[list[AtsJob]]:
        for page in self._pages("/postings", {"limit": PAGE_SIZE}):
            yield [self._job(posting) for posting in page if posting.get("id")]

    @staticmethod
    def _job(posting: dict) -> AtsJob:
        categories = posting.get("categories") or {}
        content = posting.get("content") or {}
        parts = [content.get("descriptionHtml") or ""]
        for section in content.get("lists") or []:
            parts.append(f"<h3>{section.get('text') or ''}</h3><ul>{section.get('content') or ''}</ul>")
        parts.append(content.get("closingHtml") or "")
        location = str(categories.get("location") or "")
        return AtsJob(
            external_id=str(posting["id"]),
            title=str(posting.get("text") or "Untitled job"),
            description_html="".join(parts),
            location=location,
            is_open=posting.get("state") == "published",
            workplace=workplace_from(posting.get("workplaceType")) or workplace_from(location),
            employment_type=employment_type_from(categories.get("commitment")),
        )

    def create_application(self, submission: CandidateSubmission) -> SentApplication:
        for opportunity in self._opportunities_by_email(submission.email):
            postings = {
                str(a.get("posting") if not isinstance(a.get("posting"), dict) else a["posting"].get("id"))
                for a in opportunity.get("applications") or []
                if isinstance(a, dict)
            }
            if submission.ats_job_id in postings:
                return SentApplication(str(opportunity["id"]), _contact(opportunity), created=False)
        perform_as = (self.credentials.get("perform_as") or "").strip()
        if not perform_as:
            raise AtsError(
                "Lever needs a user ID to add candidates as: enter it under 'Lever user ID to add candidates as'."
            )
        fields = [
            ("name", f"{submission.first_name} {submission.last_name}".strip()),
            ("emails[]", submission.email),
            ("postings[]", submission.ats_job_id),
            ("sources[]", submission.source),
            ("origin", "applied"),
        ]
        if submission.phone:
            fields.append(("phones[]", submission.phone))
        profile = submission.profile
        if profile.get("headline"):
            fields.append(("headline", profile["headline"]))
        if profile.get("location"):
            fields.append(("location", profile["location"]))
        fields += [("links[]", link) for link in profile.get("links") or []]
        files = None
        if submission.resume is not None:
            resume = submission.resume
            files = {"resumeFile": (resume.filename, resume.data, resume.content_type)}
        response = self.http.request(
            "POST", f"{self.api}/opportunities", params={"perform_as": perform_as}, data=fields, files=files
        )
        opportunity = (self.http.json(response) or {}).get("data") or {}
        if not opportunity.get("id"):
            raise AtsError("Lever's answer to the new opportunity had no id.")
        return SentApplication(str(opportunity["id"]), _contact(opportunity), created=True)

    def _opportunities_by_email(self, email: str) -> list[dict]:
        return [
            o
            for page in self._pages("/opportunities", {"email": email, "expand": "applications", "limit": PAGE_SIZE})
            for o in page
        ]

    def get_application_stage(self, external_id: str) -> str | None:
        opportunity = self._get(f"/opportunities/{external_id}").get("data") or {}
        if opportunity.get("archived"):
            return "Archived"
        stage = opportunity.get("stage")
        stage_id = stage.get("id") if isinstance(stage, dict) else stage
        return self._stage_name(str(stage_id)) if stage_id else None

    def _stage_name(self, stage_id: str) -> str | None:
        if self._stages is None:
            self._stages = {str(s["id"]): str(s.get("text") or "") for page in self._pages("/stages", {}) for s in page}
        return self._stages.get(stage_id) or None

    def verify_webhook(self, body: bytes, headers) -> None:
        # The signature covers two fields of the body, not the body, so it is read first (with the
        # same hostile-input guards as every webhook).
        secret = self.credentials.get("signature_token")
        if not secret:
            raise AtsWebhookRejected("no webhook signature token is saved for this connection")
        try:
            data = load_json(body)
        except WebhookRejected as error:
            raise AtsWebhookRejected(str(error)) from None
        if not isinstance(data, dict):
            raise AtsWebhookRejected("expected a JSON object")
        token, triggered_at, signature = data.get("token"), data.get("triggeredAt"), data.get("signature")
        if not (isinstance(token, str) and isinstance(signature, str) and triggered_at is not None):
            raise AtsWebhookRejected("missing token, triggeredAt or signature")
        expected = hmac.new(secret.encode(), f"{token}{triggered_at}".encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, signature.strip().lower()):
            raise AtsWebhookRejected("signature does not match")

    def parse_webhook(self, body: bytes, data, headers) -> WebhookNotice:
        if not isinstance(data, dict):
            raise AtsWebhookRejected("expected a JSON object")
        event = str(data.get("event") or "")[:80]
        payload = data.get("data") if isinstance(data.get("data"), dict) else {}
        # Whatever Lever's token is (per delivery or per webhook), these together name one event.
        identity = f"{event}|{data.get('token')}|{data.get('triggeredAt')}|{payload.get('opportunityId')}"
        event_id = hashlib.sha256(identity.encode()).hexdigest()
        if event not in STAGE_EVENTS:
            return WebhookNotice(event_id, event or "unknown")
        if not payload.get("opportunityId"):
            raise AtsWebhookRejected(f"a {event} event without data.opportunityId")
        return WebhookNotice(event_id, event, StageChange(str(payload["opportunityId"]), None))


def _contact(opportunity: dict) -> str | None:
    contact = opportunity.get("contact")
    return str(contact) if contact else None
