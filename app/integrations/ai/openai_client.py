"""Resume parsing and match scoring through the official `openai` client, with structured output.

Resilience: the SDK itself retries connection errors, 408/409/429 and 5xx with exponential backoff
and honours Retry-After (max_retries=2); we do not stack a second retry loop on top. What we add is
a short timeout (the SDK default is 600 s) and the per-provider circuit breaker `breaker("openai")`:
a call that still fails after the SDK's retries because the provider is down, slow or rate-limiting
counts as a failure; after repeated failures calls are refused at once (CircuitOpenError) until a
cool-down passes. Errors that are ours (400, 401, a refusal) do not trip the breaker.

Everything raised is an AIError with a message fit to store on the object it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass

import pydantic

from ..http import CircuitOpenError, breaker
from .schema import MatchResult, ResumeProfile

PROVIDER = "openai"
MAX_RESUME_CHARS = 30_000  # a long resume is ~10k characters; beyond this is noise, and cost

RESUME_INSTRUCTIONS = (
    "You read resumes for a job board. Extract the candidate's details from the resume text into the "
    "given schema. Copy facts as written; do not invent anything that is not in the text. Leave a field "
    "empty when the resume does not say. Dates: YYYY-MM, or YYYY when only the year is given, or 'Present'. "
    "List positions most recent first. Skills: short names (e.g. 'Python', 'Project Management'). "
    "Set confidence lower when the text is garbled, partial or not a resume."
)
MATCH_INSTRUCTIONS = (
    "You help recruiters triage applicants. Score how well the candidate fits the job from 0 to 100, using "
    "only the evidence given: the job's required skills found or missing in the candidate's profile and resume, "
    "years and seniority of experience, and how close past roles are to this one. Do not consider age, gender, "
    "ethnicity, nationality, disability, religion or any other protected characteristic, nor gaps in employment. "
    "Be brief and concrete; the recruiter reads the summary first."
)


class AIError(RuntimeError):
    """The AI provider could not give an answer; the message says why, for the record."""


class AIUnavailable(AIError):
    """The provider is down, slow, rate-limiting or its breaker is open: worth falling back."""


@dataclass
class OpenAIResumeAI:
    api_key: str
    model: str
    base_url: str | None = None
    timeout: float = 20.0
    max_retries: int = 2

    name = PROVIDER

    def parse_resume(self, text: str) -> ResumeProfile:
        """Structured resume from plain text. Raises AIUnavailable or AIError."""
        return self._parse(
            ResumeProfile,
            [
                {"role": "system", "content": RESUME_INSTRUCTIONS},
                {"role": "user", "content": "Resume text:\n\n" + text[:MAX_RESUME_CHARS]},
            ],
        )

    def score_match(self, job_summary: str, profile_summary: str) -> MatchResult:
        """Score a candidate for a job from two plain-text summaries. Raises AIUnavailable or AIError."""
        return self._parse(
            MatchResult,
            [
                {"role": "system", "content": MATCH_INSTRUCTIONS},
                {"role": "user", "content": f"The job:\n{job_summary}\n\nThe candidate:\n{profile_summary}"},
            ],
        )

    def _parse(self, schema, messages):
        # Imported here: the SDK takes ~2 s to import, and most installs never configure OpenAI.
        import openai
        from openai import OpenAI

        circuit = breaker(PROVIDER)
        try:
            circuit.before_call()
        except CircuitOpenError as error:
            raise AIUnavailable(f"OpenAI is paused after repeated failures: {error}") from error
        try:
            with OpenAI(
                api_key=self.api_key, base_url=self.base_url or None, timeout=self.timeout, max_retries=self.max_retries
            ) as client:
                completion = client.chat.completions.parse(model=self.model, messages=messages, response_format=schema)
        except openai.APITimeoutError as error:
            circuit.record_failure()
            raise AIUnavailable(
                f"OpenAI did not answer within {self.timeout:g} s ({self.max_retries + 1} attempts)."
            ) from error
        except openai.APIConnectionError as error:
            circuit.record_failure()
            raise AIUnavailable(f"Could not reach OpenAI: {error}") from error
        except (openai.RateLimitError, openai.InternalServerError) as error:
            circuit.record_failure()
            raise AIUnavailable(
                f"OpenAI answered {error.status_code} after {self.max_retries + 1} attempts: {_message(error)}"
            ) from error
        except openai.APIStatusError as error:
            # 400/401/403/404: a wrong key, model name or request. Not the provider being down.
            circuit.record_success()
            raise AIError(f"OpenAI refused the request ({error.status_code}): {_message(error)}") from error
        except openai.LengthFinishReasonError as error:
            circuit.record_success()
            raise AIError("OpenAI stopped before finishing the answer (output length limit).") from error
        except openai.ContentFilterFinishReasonError as error:
            circuit.record_success()
            raise AIError("OpenAI's content filter stopped the answer.") from error
        except pydantic.ValidationError as error:
            circuit.record_success()
            raise AIError(f"OpenAI's answer did not match the expected format: {error.errors()[0]['msg']}") from error
        except (ValueError, openai.OpenAIError) as error:  # e.g. an answer that is not JSON at all
            circuit.record_success()
            raise AIError(f"OpenAI's answer could not be read: {error}") from error
        circuit.record_success()
        message = completion.choices[0].message if completion.choices else None
        if message is None:
            raise AIError("OpenAI returned no answer.")
        if message.refusal:
            raise AIError(f"OpenAI declined: {message.refusal}")
        if message.parsed is None:
            raise AIError("OpenAI returned an empty answer.")
        return message.parsed


def _message(error) -> str:
    body = error.body
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])[:300]
    return str(error)[:300]


def from_config(config) -> OpenAIResumeAI | None:
    """The configured OpenAI client, or None when OPENAI_API_KEY is not set (use the local parser)."""
    if not config.get("OPENAI_API_KEY"):
        return None
    return OpenAIResumeAI(
        api_key=config["OPENAI_API_KEY"],
        model=config.get("OPENAI_MODEL") or "gpt-4o-mini",
        base_url=config.get("OPENAI_BASE_URL") or None,
        timeout=float(config.get("OUTBOUND_TIMEOUT_SECONDS") or 20),
    )
