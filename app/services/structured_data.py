"""schema.org JobPosting JSON-LD, so search engines list open jobs (Google for Jobs)."""

from __future__ import annotations

from ..links import absolute_url
from ..models import Job

EMPLOYMENT_TYPE = {
    "full_time": "FULL_TIME",
    "part_time": "PART_TIME",
    "contract": "CONTRACTOR",
    "temporary": "TEMPORARY",
    "internship": "INTERN",
}
UNIT_TEXT = {"year": "YEAR", "month": "MONTH", "week": "WEEK", "day": "DAY", "hour": "HOUR"}


def job_posting_json_ld(job: Job) -> dict | None:
    """The JobPosting for an open job; None for closed or expired ones (they must not be indexed)."""
    if not job.is_open:
        return None
    data = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        "description": job.description_html,
        "datePosted": job.published_at.date().isoformat(),
        "employmentType": EMPLOYMENT_TYPE.get(job.employment_type, "OTHER"),
        "hiringOrganization": {
            "@type": "Organization",
            "name": job.company.name,
            **({"sameAs": job.company.website} if job.company.website else {}),
            **({"logo": absolute_url("public.company_logo", slug=job.company.slug)} if job.company.logo_id else {}),
        },
        "url": absolute_url("public.job_detail", job_id=job.id, slug=job.slug),
        "identifier": {"@type": "PropertyValue", "name": job.company.name, "value": str(job.id)},
    }
    if job.expires_at:
        data["validThrough"] = job.expires_at.isoformat()
    if job.workplace == "remote":
        data["jobLocationType"] = "TELECOMMUTE"
    if job.location:
        data["jobLocation"] = {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": job.location}}
    if job.workplace == "remote":
        data["applicantLocationRequirements"] = {"@type": "Country", "name": job.location or "Anywhere"}
    if job.salary_min is not None or job.salary_max is not None:
        value = {"@type": "QuantitativeValue", "unitText": UNIT_TEXT.get(job.salary_period, "YEAR")}
        if job.salary_min is not None and job.salary_max is not None and job.salary_min != job.salary_max:
            value.update(minValue=job.salary_min, maxValue=job.salary_max)
        else:
            value["value"] = job.salary_min if job.salary_min is not None else job.salary_max
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": job.salary_currency, "value": value}
    return data
