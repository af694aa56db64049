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
        data["validThrough"] = job.expires_at.isoformat(timespec="seconds")
    if job.workplace == "remote":
        data["jobLocationType"] = "TELECOMMUTE"
    locality, country = _split_location(job.location)
    if job.location and job.workplace != "remote":
        address = {"@type": "PostalAddress", "addressLocality": locality}
        if country:
            address["addressCountry"] = country
        data["jobLocation"] = {"@type": "Place", "address": address}
    if job.workplace == "remote":
        # Google wants the countries a remote worker may live in; our location field names it.
        data["applicantLocationRequirements"] = {"@type": "Country", "name": country or job.location or "Anywhere"}
    # Candidates apply on this site (the job page's own form), not through a third party.
    data["directApply"] = True
    if job.salary_min is not None or job.salary_max is not None:
        value = {"@type": "QuantitativeValue", "unitText": UNIT_TEXT.get(job.salary_period, "YEAR")}
        if job.salary_min is not None and job.salary_max is not None and job.salary_min != job.salary_max:
            value.update(minValue=job.salary_min, maxValue=job.salary_max)
        else:
            value["value"] = job.salary_min if job.salary_min is not None else job.salary_max
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": job.salary_currency, "value": value}
    return data


def _split_location(location: str) -> tuple[str, str]:
    """("Berlin", "Germany") from "Berlin, Germany": the last comma-separated part is the country
    (how the job form asks for it); one part alone is the locality."""
    parts = [part.strip() for part in (location or "").split(",") if part.strip()]
    if len(parts) < 2:
        return (parts[0] if parts else ""), ""
    return ", ".join(parts[:-1]), parts[-1]
