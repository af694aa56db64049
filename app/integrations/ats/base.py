"""One interface for every ATS adapter, and the HTTP plumbing they share.

An adapter is built from a connection's decrypted credentials and non-secret options; it knows
nothing of our models or of Flask. Every error it raises is an AtsError whose message is written
in plain words for the company's owner and never contains a credential.

The interface:
    test_connection()               -> a short description of what was reached; AtsError if not
    list_jobs()                     -> an iterator of pages (lists of AtsJob), following pagination
    fetch_description(job_id)       -> HTML, for adapters whose job lists carry no description
    create_application(submission)  -> SentApplication; looks the candidate up by email + job first
    get_application_stage(id)       -> the ATS's current stage name for one application
    application_stages(ids)         -> (id, stage name) pairs, as cheaply as the ATS allows
    verify_webhook(body, headers)   -> None, or AtsWebhookRejected
    parse_webhook(body, data, headers) -> WebhookNotice
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import requests

from .. import http
from ..http import CircuitOpenError, RetryableError, call_with_retries

log = logging.getLogger(__name__)

ATTEMPTS = 5  # per request: a 429 and a 500 in one sync must not end it
MAX_RETRY_AFTER = 60.0  # seconds; a longer Retry-After fails the run, the next one tries again
MAX_RATE_LIMIT_WAIT = 30.0  # Greenhouse's windows are 30 s; never pause longer for a header
PAGE_SIZE = 100


@dataclass(frozen=True)
class AtsJob:
    external_id: str
    title: str
    # None: the list did not carry it; ask fetch_description() when the job is new or changed.
    description_html: str | None
    location: str = ""
    is_open: bool = True
    workplace: str | None = None  # onsite | hybrid | remote
    employment_type: str | None = None  # full_time | part_time | contract | temporary | internship


@dataclass(frozen=True)
class Resume:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class CandidateSubmission:
    ats_job_id: str
    first_name: str
    last_name: str
    email: str
    phone: str = ""
    resume: Resume | None = None
    source: str = "Jobifies"
    # Only when the company turned candidate sync on: headline, location, links.
    profile: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SentApplication:
    external_id: str
    external_candidate_id: str | None
    created: bool  # False: it was already in the ATS (found by email + job), nothing was created


@dataclass(frozen=True)
class StageChange:
    external_application_id: str
    stage: str | None  # as the webhook named it; the current stage is read again before moving
    actor: str | None = None


@dataclass(frozen=True)
class WebhookNotice:
    event_id: str
    event_type: str
    stage_change: StageChange | None = None


@dataclass(frozen=True)
class CredentialField:
    """One thing the connect form asks for. Secret fields are never shown again once saved."""

    name: str
    label: str
    secret: bool = False
    required: bool = True
    hint: str = ""


@dataclass
class AdapterSettings:
    urls: dict  # the providers' API addresses (app config; tests point them at fakes)
    timeout: float = 20.0
    breaker: str = "ats"  # one circuit breaker per connection: "ats-<id>"
    workday_allowed_hosts: tuple[str, ...] = ("*.workday.com", "*.myworkday.com")


class AtsError(RuntimeError):
    """Something the company owner should read: what failed, in plain words, without secrets.
    `status` is the HTTP status the ATS answered, when it answered."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class AtsAuthError(AtsError):
    """The ATS refused the credentials."""


class AtsUnavailable(AtsError):
    """The ATS is down, overloaded or rate-limiting past our patience: the next sync tries again."""


class AtsNotSupported(AtsError):
    """This ATS (or this mode) cannot do that."""


class AtsWebhookRejected(AtsError):
    """The delivery is not a genuine, well-formed webhook of this connection."""


class AtsAdapter:
    provider = ""
    label = ""
    supports_applications = False
    supports_webhooks = False
    # Why not, in words for the settings page (empty when supported).
    applications_unsupported_reason = ""
    webhooks_unsupported_reason = ""
    CREDENTIALS: tuple[CredentialField, ...] = ()

    def __init__(self, credentials: dict, options: dict | None, settings: AdapterSettings):
        self.credentials = credentials
        self.options = options or {}
        self.settings = settings

    @property
    def requests_made(self) -> int:
        return self.http.requests_made if hasattr(self, "http") else 0

    def test_connection(self) -> str:
        raise NotImplementedError

    def list_jobs(self) -> Iterator[list[AtsJob]]:
        raise NotImplementedError

    def fetch_description(self, external_id: str) -> str:
        raise AtsNotSupported(f"{self.label} job lists carry their descriptions.")

    def create_application(self, submission: CandidateSubmission) -> SentApplication:
        raise AtsNotSupported(self.applications_unsupported_reason)

    def get_application_stage(self, external_id: str) -> str | None:
        raise AtsNotSupported(self.applications_unsupported_reason)

    def application_stages(self, external_ids: Iterable[str]) -> Iterator[tuple[str, str | None]]:
        """Default: one read per application. Adapters whose ATS lists statuses in bulk override it."""
        for external_id in external_ids:
            yield external_id, self.get_application_stage(external_id)

    def verify_webhook(self, body: bytes, headers) -> None:
        raise AtsWebhookRejected(self.webhooks_unsupported_reason or f"{self.label} webhooks are not supported")

    def parse_webhook(self, body: bytes, data, headers) -> WebhookNotice:
        raise AtsWebhookRejected(self.webhooks_unsupported_reason or f"{self.label} webhooks are not supported")


def chunks(items: list, size: int = PAGE_SIZE) -> Iterator[list]:
    """A single, unpaginated answer in pages, so a sync commits and reports progress as it goes."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def same_origin(url: str, base: str) -> bool:
    """A next-page link must point at the API we were talking to (never follow one elsewhere)."""
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)


def retry_after_seconds(value: str | None) -> float | None:
    """A Retry-After header in seconds (the HTTP-date form is rare from APIs: treated as 'a while')."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        return MAX_RETRY_AFTER


class Http:
    """requests with our timeout, retries with backoff, Retry-After, rate-limit headers, the
    connection's circuit breaker, and errors in plain words. Counts the requests it makes."""

    def __init__(self, label: str, settings: AdapterSettings, auth=None, headers: dict | None = None):
        self.label = label
        self.settings = settings
        self.session = requests.Session()
        self.session.auth = auth
        self.session.headers.update({"User-Agent": "Jobifies ATS sync", **(headers or {})})
        self.requests_made = 0

    def request(self, method: str, url: str, *, ok=(200, 201), **kwargs) -> requests.Response:
        def attempt() -> requests.Response:
            self.requests_made += 1
            try:
                response = self.session.request(method, url, timeout=self.settings.timeout, **kwargs)
            except requests.Timeout as error:
                raise RetryableError(f"no answer within {self.settings.timeout:g} s") from error
            except requests.ConnectionError as error:
                raise RetryableError("could not connect") from error
            if response.status_code == 429:
                raise RetryableError(
                    "429 Too Many Requests", retry_after=retry_after_seconds(response.headers.get("Retry-After"))
                )
            if response.status_code >= 500:
                raise RetryableError(
                    f"{response.status_code} server error",
                    retry_after=retry_after_seconds(response.headers.get("Retry-After")),
                )
            return response

        try:
            response = call_with_retries(
                self.settings.breaker, attempt, attempts=ATTEMPTS, max_retry_after=MAX_RETRY_AFTER
            )
        except CircuitOpenError:
            raise AtsUnavailable(
                f"Calls to {self.label} are paused after repeated failures; the next sync tries again."
            ) from None
        except RetryableError as error:
            if error.retry_after is not None and error.retry_after > MAX_RETRY_AFTER:
                raise AtsUnavailable(
                    f"{self.label} asked us to wait {error.retry_after:.0f} s (rate limit); the next sync tries again."
                ) from None
            raise AtsUnavailable(f"{self.label} did not answer properly after {ATTEMPTS} attempts ({error}).") from None
        self._respect_rate_limit(response)
        if response.status_code in ok:
            return response
        raise self.error_for(response)

    def _respect_rate_limit(self, response: requests.Response) -> None:
        """Greenhouse (and others) announce the window: when none is left, wait for the reset
        instead of earning a 429."""
        remaining = response.headers.get("X-RateLimit-Remaining")
        reset = response.headers.get("X-RateLimit-Reset")
        if remaining is None or reset is None:
            return
        try:
            remaining_count, reset_at = int(remaining), float(reset)
        except ValueError:
            return
        if remaining_count > 0:
            return
        # Either a Unix time or seconds from now: a value this large can only be a time.
        wait = reset_at - time.time() if reset_at > 1_000_000_000 else reset_at
        wait = min(max(wait, 0.0), MAX_RATE_LIMIT_WAIT)
        if wait:
            log.info("%s rate-limit window used up; pausing %.1f s", self.label, wait)
            http._sleep(wait)

    def error_for(self, response: requests.Response) -> AtsError:
        status = response.status_code
        if status in (401, 403):
            return AtsAuthError(
                f"{self.label} refused the credentials ({status}). Check them, and that the API user has the "
                "permissions listed on this page.",
                status,
            )
        if status == 404:
            return AtsError(f"{self.label} answered 404 Not Found for {urlsplit(response.url).path}.", status)
        return AtsError(f"{self.label} refused the request ({status}): {_short_message(response)}", status)

    def json(self, response: requests.Response):
        try:
            return response.json()
        except ValueError:
            raise AtsError(f"{self.label} answered with something that is not JSON.") from None


def _short_message(response: requests.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return (response.text or "no details")[:200]
    if isinstance(data, dict):
        for key in ("message", "error", "errors", "detail"):
            if data.get(key):
                return str(data[key])[:200]
    return str(data)[:200]


def split_name(full_name: str, email: str) -> tuple[str, str]:
    """First and last name for an ATS that wants both (one word: it is the first name)."""
    parts = (full_name or "").strip().split()
    if not parts:
        return email.split("@")[0], "-"
    if len(parts) == 1:
        return parts[0], "-"
    return " ".join(parts[:-1]), parts[-1]


def workplace_from(text: str | None) -> str | None:
    text = (text or "").lower()
    if "remote" in text:
        return "remote"
    if "hybrid" in text:
        return "hybrid"
    if "onsite" in text or "on-site" in text or "in office" in text:
        return "onsite"
    return None


def employment_type_from(text: str | None) -> str | None:
    text = (text or "").lower().replace("-", " ")
    for needle, value in (
        ("part time", "part_time"),
        ("full time", "full_time"),
        ("intern", "internship"),
        ("contract", "contract"),
        ("temporary", "temporary"),
        ("temp", "temporary"),
    ):
        if needle in text:
            return value
    return None
