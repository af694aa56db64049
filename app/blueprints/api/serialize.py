"""Rows -> the response schemas (every answer goes through a schema, so it matches the document)."""

from __future__ import annotations

from ...links import absolute_url
from ...models import Application, ApplicationEvent, ApplicationNote, Company, Job, Membership, User
from . import schemas as s


def job(row: Job) -> dict:
    return s.JobOut(
        id=row.id,
        title=row.title,
        slug=row.slug,
        status=row.effective_status,
        company=s.CompanyRef(slug=row.company.slug, name=row.company.name),
        description=row.description,
        description_html=row.description_html,
        location=row.location,
        workplace=row.workplace,
        employment_type=row.employment_type,
        seniority=row.seniority,
        salary_min=row.salary_min,
        salary_max=row.salary_max,
        salary_currency=row.salary_currency,
        salary_period=row.salary_period,
        skills=list(row.skills or []),
        url=absolute_url("public.job_detail", job_id=row.id, slug=row.slug) if row.is_public else None,
        published_at=row.published_at,
        expires_at=row.expires_at,
        closed_at=row.closed_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    ).model_dump(mode="json")


def application(row: Application) -> dict:
    return s.ApplicationOut(
        id=row.id,
        job_id=row.job_id,
        job_title=row.job.title,
        candidate=s.CandidateRef(id=row.candidate.id, name=row.candidate.display_name, email=row.candidate.email),
        status=row.status,
        cover_letter=row.cover_letter,
        resume_id=row.resume_id,
        match_score=row.match_score,
        source=row.source,
        created_at=row.created_at,
        updated_at=row.updated_at,
    ).model_dump(mode="json")


def event(row: ApplicationEvent, company_side: bool) -> dict:
    return s.EventOut(
        id=row.id,
        from_status=row.from_status,
        to_status=row.to_status,
        note=row.note if company_side else None,
        created_at=row.created_at,
    ).model_dump(mode="json")


def note(row: ApplicationNote) -> dict:
    return s.NoteOut(id=row.id, author_id=row.author_id, body=row.body, created_at=row.created_at).model_dump(
        mode="json"
    )


def user(row: User) -> dict:
    membership = row.membership
    return s.UserOut(
        id=row.id,
        email=row.email,
        name=row.name,
        role=row.role,
        active=row.active,
        verified_at=row.verified_at,
        created_at=row.created_at,
        membership=s.MembershipOut(
            company=s.CompanyRef(slug=membership.company.slug, name=membership.company.name), role=membership.role
        )
        if membership
        else None,
    ).model_dump(mode="json")


def company(row: Company, open_jobs: list[Job]) -> dict:
    return s.CompanyOut(
        slug=row.slug,
        name=row.name,
        website=row.website,
        about=row.about,
        url=absolute_url("public.company", slug=row.slug),
        open_jobs=[s.JobOut.model_validate(job(j)) for j in open_jobs],
    ).model_dump(mode="json")


def member(row: Membership) -> dict:
    return s.MemberOut(
        id=row.id,
        user_id=row.user_id,
        name=row.user.display_name,
        email=row.user.email,
        role=row.role,
        joined_at=row.created_at,
    ).model_dump(mode="json")
