"""Workday: jobs in from a customer's job-requisition report (Report-as-a-Service, JSON), nothing out.

Workday has no self-serve API: its Recruiting web services are SOAP, set up per tenant by a Workday
admin (an integration system user, a security group and a review). What a Workday admin can give
without a project is a custom report exposed as a web service (RaaS): `GET <report URL>?format=json`
with Basic auth for an integration system user answers `{"Report_Entry": [{...}, ...]}` with the
report's own field names, which the company maps here. Writing candidates into Workday is not
supported (the settings page says why).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .base import (
    AtsAdapter,
    AtsAuthError,
    AtsError,
    AtsJob,
    CredentialField,
    Http,
    chunks,
    employment_type_from,
    workplace_from,
)

# The report's field names: these are the defaults of a typical "Job Requisitions" custom report;
# the company can change every one on the connect form.
DEFAULT_FIELDS = {
    "id": "Job_Requisition_ID",
    "title": "Job_Posting_Title",
    "description": "Job_Description",
    "location": "Primary_Location",
    "status": "Job_Requisition_Status",
    "open_values": "Open",
    "time_type": "Time_Type",
}
FIELD_LABELS = {
    "id": "Field with the requisition ID",
    "title": "Field with the posting title",
    "description": "Field with the job description (HTML or text)",
    "location": "Field with the location",
    "status": "Field with the requisition status",
    "open_values": "Status values that mean open (comma-separated)",
    "time_type": "Field with full-/part-time (optional)",
}
LOCAL_HOSTS = ("127.0.0.1", "localhost")


class WorkdayReport(AtsAdapter):
    provider = "workday"
    label = "Workday"
    applications_unsupported_reason = (
        "Workday has no self-serve API for adding candidates: its Recruiting web services are SOAP, set up per "
        "tenant by a Workday admin (an integration system user, a security group and a review). Applications "
        "to synced Workday jobs stay in Jobifies; nothing is written into Workday."
    )
    webhooks_unsupported_reason = "Workday sends no webhooks to Jobifies; the report is read on every sync."
    CREDENTIALS = (
        CredentialField(
            "report_url",
            "Report URL (RaaS, JSON)",
            hint="The custom report's web-service address, e.g. https://wd2-impl-services1.workday.com/ccx/service/"
            "customreport2/<tenant>/<owner>/Jobifies_Job_Requisitions",
        ),
        CredentialField("username", "Integration system user name"),
        CredentialField("password", "Integration system user password", secret=True),
    )

    def __init__(self, credentials, options, settings):
        super().__init__(credentials, options, settings)
        self.fields = {**DEFAULT_FIELDS, **{k: v for k, v in (options or {}).items() if k in DEFAULT_FIELDS and v}}
        self.http = Http(
            self.label,
            settings,
            auth=(credentials.get("username", ""), credentials.get("password", "")),
            headers={"Accept": "application/json"},
        )

    def report_url(self) -> str:
        """The report address, checked: https, on an allowed host; always asking for JSON."""
        url = (self.credentials.get("report_url") or "").strip()
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme not in ("https", "http") or not host:
            raise AtsAuthError("The report URL must be a full https:// address.")
        if parts.scheme == "http" and host not in LOCAL_HOSTS:
            raise AtsAuthError("The report URL must use https://.")
        allowed = self.settings.workday_allowed_hosts
        if not any(host == pattern or fnmatch.fnmatch(host, pattern) for pattern in allowed):
            raise AtsAuthError(
                f"The report must be on a Workday host ({', '.join(allowed)}); ask your Workday admin for the "
                "web-service address of the report."
            )
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "format"] + [("format", "json")]
        return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))

    def _entries(self) -> list[dict]:
        data = self.http.json(self.http.request("GET", self.report_url()))
        entries = data.get("Report_Entry") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise AtsError("The Workday report answered without a Report_Entry list: is it a RaaS report in JSON?")
        return [entry for entry in entries if isinstance(entry, dict)]

    def test_connection(self) -> str:
        entries = self._entries()
        if entries and self.fields["id"] not in entries[0]:
            raise AtsError(
                f"The report has no field {self.fields['id']!r}; its fields are: {', '.join(sorted(entries[0]))[:300]}."
            )
        return f"The Workday report answered with {len(entries)} requisition(s)."

    def list_jobs(self) -> Iterator[list[AtsJob]]:
        jobs = [self._job(entry) for entry in self._entries() if entry.get(self.fields["id"])]
        yield from chunks(jobs)

    def _job(self, entry: dict) -> AtsJob:
        f = self.fields
        open_values = {v.strip().lower() for v in f["open_values"].split(",") if v.strip()}
        status = _text(entry.get(f["status"]))
        location = _text(entry.get(f["location"]))
        description = _text(entry.get(f["description"]))
        if description and "<" not in description:
            description = "".join(f"<p>{line}</p>" for line in description.splitlines() if line.strip())
        return AtsJob(
            external_id=_text(entry[f["id"]])[:120],
            title=_text(entry.get(f["title"])) or "Untitled job",
            description_html=description,
            location=location,
            # A report that has no status field lists open requisitions only.
            is_open=(status.lower() in open_values) if f["status"] in entry else True,
            workplace=workplace_from(location),
            employment_type=employment_type_from(_text(entry.get(f["time_type"]))),
        )


def _text(value) -> str:
    """Report fields are strings, or {"Descriptor": ...} objects, or lists of either."""
    if isinstance(value, list):
        return ", ".join(filter(None, (_text(v) for v in value)))
    if isinstance(value, dict):
        return str(value.get("Descriptor") or value.get("descriptor") or value.get("ID") or "")
    return "" if value is None else str(value)
