"""The one shape a parsed resume and a match score take, whichever parser or scorer produced them.

These pydantic models double as the JSON schema sent to OpenAI's structured output (strict mode).
Strict mode requires every property and rejects `default` keywords, so optional-looking fields use
`default_factory` (pydantic leaves factories out of the schema) instead of `= ""`.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DATE_HINT = "YYYY-MM, or YYYY when the month is unknown, or 'Present'; empty if not stated"


class Contact(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(default_factory=str, description="The candidate's full name")
    email: str = Field(default_factory=str)
    phone: str = Field(default_factory=str)
    location: str = Field(default_factory=str, description="City and country, as written")
    links: list[str] = Field(default_factory=list, description="Profile or portfolio URLs")


class Position(BaseModel):
    model_config = ConfigDict(extra="ignore")

    company: str = Field(default_factory=str)
    title: str = Field(default_factory=str)
    start: str = Field(default_factory=str, description=DATE_HINT)
    end: str = Field(default_factory=str, description=DATE_HINT)
    description: str = Field(default_factory=str, description="What they did there, in their words")


class Schooling(BaseModel):
    model_config = ConfigDict(extra="ignore")

    institution: str = Field(default_factory=str)
    degree: str = Field(default_factory=str)
    start: str = Field(default_factory=str, description=DATE_HINT)
    end: str = Field(default_factory=str, description=DATE_HINT)


class ResumeProfile(BaseModel):
    """A resume in structured form. `headline` (not in the first design) fills the profile's headline."""

    model_config = ConfigDict(extra="ignore")

    contact: Contact = Field(default_factory=Contact)
    headline: str = Field(default_factory=str, description="A short professional title, e.g. 'Senior Backend Engineer'")
    summary: str = Field(default_factory=str)
    experience: list[Position] = Field(default_factory=list, description="Most recent first")
    education: list[Schooling] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    confidence: float = Field(ge=0, le=1, description="How sure you are that the fields above are right, 0 to 1")


class MatchResult(BaseModel):
    """How well a candidate fits a job, with the reasons a recruiter can check."""

    model_config = ConfigDict(extra="ignore")

    score: int = Field(ge=0, le=100)
    skills_matched: list[str] = Field(default_factory=list)
    skills_missing: list[str] = Field(default_factory=list)
    experience_fit: str = Field(default_factory=str, description="One short sentence on years and seniority")
    strengths: list[str] = Field(default_factory=list)
    summary: str = Field(default_factory=str, description="One or two sentences a recruiter reads first")
