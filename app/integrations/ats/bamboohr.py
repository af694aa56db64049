"""BambooHR applicant tracking: job openings in, applications out, statuses read back on each sync.

Facts: `https://api.bamboohr.com/api/gateway.php/{company}/v1/applicant_tracking/...`, the API key as
the Basic user (any password), `Accept: application/json` (BambooHR answers XML otherwise).
`GET .../jobs` lists every opening in one answer (title, location and status as {id, label}; no
description, which the public careers page `/careers/{id}/detail` has for open jobs).
`GET .../applications` is paged: `{applications, paginationComplete, nextPageUrl}`.
`POST .../application` takes multipart/form-data (firstName, lastName, jobId, email, phoneNumber,
source, the `resume` file) and answers `{"result": "success", "candidateId": N}`.
BambooHR's webhooks report changes to employee records only, never applicant statuses, so there
is nothing to subscribe to: statuses are read back on every sync instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from .base import (
    AtsAdapter,
    AtsAuthError,
    AtsError,
    AtsJob,
    AtsUnavailable,
    CandidateSubmission,
    CredentialField,
    Http,
    SentApplication,
    chunks,
    same_origin,
    workplace_from,
)

SUBDOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


class BambooHR(AtsAdapter):
    provider = "bamboohr"
    label = "BambooHR"
    supports_applications = True
    webhooks_unsupported_reason = (
        "BambooHR's webhooks report changes to employee records only, not applicant statuses: statuses are "
        "read back on every sync instead."
    )
    CREDENTIALS = (
        CredentialField(
            "subdomain",
            "Company subdomain",
            hint="The first part of your BambooHR address: <subdomain>.bamboohr.com.",
        ),
        CredentialField(
            "api_key",
            "API key",
            secret=True,
            hint="Made by a user with access to ATS settings (profile menu → API Keys).",
        ),
    )

    def __init__(self, credentials, options, settings):
        super().__init__(credentials, options, settings)
        self.subdomain = (credentials.get("subdomain") or "").strip().lower()
        self.api = f"{settings.urls['bamboohr_api'].rstrip('/')}/{self.subdomain}/v1/applicant_tracking"
        self.careers = settings.urls["bamboohr_careers"].format(subdomain=self.subdomain).rstrip("/")
        self.http = Http(
            self.label, settings, auth=(credentials.get("api_key", ""), "x"), headers={"Accept": "application/json"}
        )

    def _check_subdomain(self) -> None:
        if not SUBDOMAIN.match(self.subdomain):
            raise AtsAuthError("A BambooHR subdomain has only lowercase letters, digits and '-'.")

    def _get(self, url: str, params: dict | None = None):
        self._check_subdomain()
        if not url.startswith("http"):
            url = self.api + url
        return self.http.json(self.http.request("GET", url, params=params))

    def test_connection(self) -> str:
        statuses = self._get("/statuses")
        if not isinstance(statuses, list):
            raise AtsError("BambooHR answered the status list with something else.")
        return "BambooHR's applicant tracking answered with this API key."

    def list_jobs(self) -> Iterator[list[AtsJob]]:
        jobs = self._get("/jobs", {"statusGroups": "ALL"})
        if not isinstance(jobs, list):
            raise AtsError("BambooHR answered the job list with something else.")
        yield from chunks([self._job(job) for job in jobs if isinstance(job, dict) and job.get("id") is not None])

    @staticmethod
    def _job(job: dict) -> AtsJob:
        location = job.get("location") or {}
        label = location.get("label") if isinstance(location, dict) else str(location)
        status = (job.get("status") or {}).get("label") if isinstance(job.get("status"), dict) else job.get("status")
        title = job.get("title")
        return AtsJob(
            external_id=str(job["id"]),
            title=str((title or {}).get("label") if isinstance(title, dict) else title or "Untitled job"),
            description_html=None,  # not in the list: fetch_description() when the job is new or changed
            location=str(label or ""),
            is_open=str(status or "").lower() == "open",
            workplace=workplace_from(label),
        )

    def fetch_description(self, external_id: str) -> str:
        """From the public careers page (open jobs only; others have no public description)."""
        self._check_subdomain()
        try:
            data = self.http.json(self.http.request("GET", f"{self.careers}/{external_id}/detail"))
        except AtsError as error:
            if error.status == 404:
                return ""
            raise
        opening = ((data or {}).get("result") or {}).get("jobOpening") or {}
        return str(opening.get("description") or "")

    def create_application(self, submission: CandidateSubmission) -> SentApplication:
        existing = self._find(submission.email, submission.ats_job_id)
        if existing is not None:
            return SentApplication(existing, None, created=False)
        fields = {
            "firstName": submission.first_name,
            "lastName": submission.last_name,
            "email": submission.email,
            "jobId": submission.ats_job_id,
            "source": submission.source,
        }
        if submission.phone:
            fields["phoneNumber"] = submission.phone
        profile = submission.profile
        if profile.get("location"):
            fields["city"] = profile["location"]
        if profile.get("links"):
            fields["websiteUrl"] = profile["links"][0]
        files = None
        if submission.resume is not None:
            resume = submission.resume
            files = {"resume": (resume.filename, resume.data, resume.content_type)}
        self._check_subdomain()
        answer = self.http.json(self.http.request("POST", f"{self.api}/application", data=fields, files=files))
        candidate = answer.get("candidateId") if isinstance(answer, dict) else None
        candidate_id = str(candidate) if candidate else None
        # BambooHR answers the candidate's id; the application's id is read back by email + job.
        application_id = self._find(submission.email, submission.ats_job_id)
        if application_id is None:
            raise AtsUnavailable("BambooHR took the candidate but has not listed the application yet; trying again.")
        return SentApplication(application_id, candidate_id, created=True)

    def _applications(self, params: dict) -> Iterator[list[dict]]:
        url, query = "/applications", dict(params)
        while url:
            body = self._get(url, query)
            if not isinstance(body, dict) or not isinstance(body.get("applications"), list):
                raise AtsError("BambooHR answered the application list with something else.")
            yield body["applications"]
            if body.get("paginationComplete", True) or not body.get("nextPageUrl"):
                return
            url, query = str(body["nextPageUrl"]), None
            if not same_origin(url, self.api):
                raise AtsError("BambooHR's next-page link pointed somewhere else; stopped there.")

    def _find(self, email: str, job_id: str) -> str | None:
        email = email.strip().lower()
        for page in self._applications({"jobId": job_id, "searchString": email, "applicationStatus": "ALL"}):
            for application in page:
                applicant = application.get("applicant") or {}
                job = application.get("job") or {}
                if str(applicant.get("email") or "").strip().lower() == email and str(job.get("id")) == job_id:
                    return str(application["id"])
        return None

    def get_application_stage(self, external_id: str) -> str | None:
        application = self._get(f"/applications/{external_id}")
        return _status_label(application)

    def application_stages(self, external_ids: Iterable[str]) -> Iterator[tuple[str, str | None]]:
        """One walk through the paged application list answers every status at once."""
        wanted = {str(i) for i in external_ids}
        for page in self._applications({"applicationStatus": "ALL", "jobStatusGroups": "ALL"}):
            for application in page:
                application_id = str(application.get("id"))
                if application_id in wanted:
                    wanted.discard(application_id)
                    yield application_id, _status_label(application)
            if not wanted:
                return


def _status_label(application) -> str | None:
    status = (application or {}).get("status") if isinstance(application, dict) else None
    if isinstance(status, dict):
        return str(status.get("label") or "") or None
    return str(status) if status else None
