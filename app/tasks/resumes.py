"""Resume parsing and match scoring jobs."""

from __future__ import annotations

from ..extensions import db
from ..services import matching, resumes
from ..telemetry import metrics
from . import enqueue_now
from .runtime import task


# No RQ retries: every outcome (including a crash) is recorded on the profile, and a lost job is
# found by sweep_parses. The timeout covers reading the file (PARSE_TIMEOUT_SECONDS, in a child) and
# OpenAI's worst case (3 attempts × the outbound timeout).
@task("resumes.parse", queue="parse", timeout=300, retries=())
def parse_resume(profile_id: int) -> str:
    """Parse the profile's resume into profile.parsed. Idempotent (see services.resumes.run_parse)."""
    outcome = resumes.run_parse(profile_id)
    metrics.resume_parse(outcome)  # resume_parses_total{outcome}
    return outcome


@task("resumes.score", queue="low", timeout=120, retries=(30, 120, 600))
def score_application(application_id: int) -> int | None:
    """Score one application (OpenAI, else the local scorer). Idempotent: scoring again overwrites."""
    application = matching.score_application(application_id)
    db.session.commit()
    return application.match_score if application is not None else None


@task("resumes.sweep", queue="low", timeout=300, retries=())
def sweep_parses() -> int:
    """Enqueue again the parses whose job was lost (Redis down, worker killed). Returns how many."""
    return sum(1 for profile_id in resumes.stale_parse_ids() if enqueue_now("resumes.parse", profile_id))
