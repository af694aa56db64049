"""Request and response schemas of the API (pydantic). The OpenAPI document's schemas are their
JSON Schemas (2020-12, the dialect OpenAPI 3.1 uses), so the document cannot drift from what the
routes accept and return: every answer is built through these models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ...models import (
    API_SCOPES,
    CURRENCIES,
    EMPLOYMENT_TYPES,
    RECRUITER_STAGES,
    SALARY_PERIODS,
    SENIORITIES,
    WORKPLACES,
)
from ...search.backend import POSTED, SORTS
from ...services import jobs as job_rules

Workplace = Literal[tuple(WORKPLACES)]  # type: ignore[valid-type]
EmploymentType = Literal[tuple(EMPLOYMENT_TYPES)]  # type: ignore[valid-type]
Seniority = Literal[tuple(SENIORITIES)]  # type: ignore[valid-type]
Currency = Literal[CURRENCIES]  # type: ignore[valid-type]
SalaryPeriod = Literal[tuple(SALARY_PERIODS)]  # type: ignore[valid-type]
Stage = Literal[tuple(str(s) for s in RECRUITER_STAGES)]  # type: ignore[valid-type]
Scope = Literal[tuple(API_SCOPES)]  # type: ignore[valid-type]
Salary = Annotated[int, Field(ge=0, le=job_rules.MAX_SALARY)]


class Strict(BaseModel):
    """Unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --- Requests -------------------------------------------------------------------------------------


class JobIn(Strict):
    """A whole job (POST and PUT). Limits are the job rules' (services/jobs.py), as the form's are."""

    title: Annotated[str, Field(min_length=1, max_length=job_rules.MAX_TITLE)]
    description: Annotated[str, Field(min_length=1, max_length=job_rules.MAX_DESCRIPTION)]
    location: Annotated[str, Field(max_length=job_rules.MAX_LOCATION)] = ""
    workplace: Workplace = "onsite"
    employment_type: EmploymentType = "full_time"
    seniority: Seniority = "mid"
    salary_min: Salary | None = None
    salary_max: Salary | None = None
    salary_currency: Currency = "USD"
    salary_period: SalaryPeriod = "year"
    skills: Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=job_rules.MAX_JOB_SKILLS)] = []

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Senior Python Developer",
                    "description": "Build our **job board**.",
                    "location": "Berlin, Germany",
                    "workplace": "hybrid",
                    "salary_min": 70000,
                    "salary_max": 90000,
                    "salary_currency": "EUR",
                    "skills": ["Python", "PostgreSQL"],
                }
            ]
        },
    )


class JobPatch(Strict):
    """Some fields of a job (PATCH): those left out keep their value."""

    title: Annotated[str, Field(min_length=1, max_length=job_rules.MAX_TITLE)] | None = None
    description: Annotated[str, Field(min_length=1, max_length=job_rules.MAX_DESCRIPTION)] | None = None
    location: Annotated[str, Field(max_length=job_rules.MAX_LOCATION)] | None = None
    workplace: Workplace | None = None
    employment_type: EmploymentType | None = None
    seniority: Seniority | None = None
    salary_min: Salary | None = None
    salary_max: Salary | None = None
    salary_currency: Currency | None = None
    salary_period: SalaryPeriod | None = None
    skills: Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=job_rules.MAX_JOB_SKILLS)] | None = (
        None
    )


class ApplyIn(Strict):
    """Apply with a resume stored before (its id from an earlier application or upload). To send a
    new file, post multipart/form-data with `resume` (the file) and `cover_letter` instead."""

    resume_id: Annotated[int, Field(ge=1, le=2**31 - 1)]
    cover_letter: Annotated[str, Field(max_length=10_000)] = ""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"resume_id": 12, "cover_letter": ""}]})


class ApplyMultipart(BaseModel):
    resume: bytes = Field(json_schema_extra={"format": "binary", "contentMediaType": "application/octet-stream"})
    cover_letter: Annotated[str, Field(max_length=10_000)] = ""


class ApplicationPatch(Strict):
    """Recruiters move the stage; the candidate sends {"status": "withdrawn"}."""

    status: Stage | Literal["withdrawn"]
    note: Annotated[str, Field(max_length=500)] = ""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"status": "interview", "note": ""}]})


class MePatch(Strict):
    name: Annotated[str, Field(max_length=120)]


class UserCreate(Strict):
    email: Annotated[str, Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    password: Annotated[str, Field(min_length=1, max_length=200)]
    name: Annotated[str, Field(max_length=120)] = ""


class UserPut(Strict):
    name: Annotated[str, Field(max_length=120)]
    active: bool


class UserPatch(Strict):
    name: Annotated[str, Field(max_length=120)] | None = None
    active: bool | None = None


class TokenRequest(Strict):
    email: Annotated[str, Field(min_length=1, max_length=254)]
    password: Annotated[str, Field(min_length=1, max_length=200)]

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"email": "you@example.com", "password": "…"}]}
    )


class RefreshRequest(Strict):
    refresh_token: Annotated[str, Field(min_length=1, max_length=2000)]


# --- Query strings --------------------------------------------------------------------------------


class JobsQuery(Strict):
    """The search page's filters, plus page, limit and sort."""

    q: Annotated[str, Field(max_length=200)] = ""
    location: list[Annotated[str, Field(max_length=160)]] = []
    workplace: list[Workplace] = []
    employment_type: list[EmploymentType] = []
    seniority: list[Seniority] = []
    company: list[Annotated[str, Field(max_length=160)]] = []
    salary_min: Annotated[int, Field(ge=0, le=10_000_000)] | None = None
    posted: Literal[tuple(POSTED)] | None = None  # type: ignore[valid-type]
    sort: Literal[tuple(SORTS)] = "relevance"  # type: ignore[valid-type]
    page: Annotated[int, Field(ge=1, le=1000)] = 1
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class PageQuery(Strict):
    page: Annotated[int, Field(ge=1, le=1000)] = 1
    limit: Annotated[int, Field(ge=1, le=100)] = 20


class UsersQuery(PageQuery):
    q: Annotated[str, Field(max_length=200)] = ""


class ApplicationsQuery(PageQuery):
    stage: list[Stage | Literal["withdrawn"]] = []


# --- Responses ------------------------------------------------------------------------------------


class CompanyRef(BaseModel):
    slug: str
    name: str


class JobOut(BaseModel):
    id: int
    title: str
    slug: str
    status: Literal["draft", "published", "closed", "expired"]
    company: CompanyRef
    description: str
    description_html: str
    location: str
    workplace: str
    employment_type: str
    seniority: str
    salary_min: int | None
    salary_max: int | None
    salary_currency: str
    salary_period: str
    skills: list[str]
    url: str | None = Field(description="The public page (null for a draft)")
    published_at: datetime | None
    expires_at: datetime | None
    closed_at: datetime | None
    created_at: datetime
    updated_at: datetime


class CandidateRef(BaseModel):
    id: int
    name: str
    email: str


class ApplicationOut(BaseModel):
    id: int
    job_id: int
    job_title: str
    candidate: CandidateRef
    status: str
    cover_letter: str
    resume_id: int | None
    match_score: int | None
    source: str
    created_at: datetime
    updated_at: datetime


class EventOut(BaseModel):
    id: int
    from_status: str | None
    to_status: str
    note: str | None = Field(description="Recruiters only; null for the candidate")
    created_at: datetime


class NoteOut(BaseModel):
    id: int
    author_id: int | None
    body: str
    created_at: datetime


class MembershipOut(BaseModel):
    company: CompanyRef
    role: Literal["owner", "recruiter"]


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: Literal["candidate", "recruiter", "admin"]
    active: bool
    verified_at: datetime | None
    created_at: datetime
    membership: MembershipOut | None


class CompanyOut(BaseModel):
    slug: str
    name: str
    website: str
    about: str
    url: str
    open_jobs: list[JobOut]


class MemberOut(BaseModel):
    id: int
    user_id: int
    name: str
    email: str
    role: Literal["owner", "recruiter"]
    joined_at: datetime


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int = Field(description="Seconds the access token lives")
    refresh_token: str
    refresh_expires_in: int


class LoggedOut(BaseModel):
    logged_out: bool


# --- The envelope (seed §7.2, §7.3) ---------------------------------------------------------------


class Meta(BaseModel):
    timestamp: str
    requestId: str | None
    version: Literal["1.0"]


class Pagination(BaseModel):
    page: int
    limit: int
    total: int
    pages: int


class ErrorBody(BaseModel):
    code: Literal[
        "VALIDATION_ERROR",
        "UNAUTHORIZED",
        "INVALID_TOKEN",
        "TOKEN_EXPIRED",
        "FORBIDDEN",
        "RESOURCE_NOT_FOUND",
        "CONFLICT",
        "RATE_LIMIT_EXCEEDED",
        "EXTERNAL_SERVICE_ERROR",
        "INTERNAL_SERVER_ERROR",
    ]
    message: str
    details: dict[str, Any]


class ErrorEnvelope(BaseModel):
    success: Literal[False]
    error: ErrorBody
    meta: Meta
