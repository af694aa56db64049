"""Demo data for `make run`: a board that shows the product off, and one login per role.

Ten companies with logos post about sixty jobs (varied locations, remote regions, salaries and
currencies; one featured, one closed, one expired); candidates with reviewed profiles sit at every
stage of the demo recruiter's pipeline, with notes. Only runs on an empty database, so a second
`make run` keeps whatever you changed.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..models import Application, ApplicationEvent, ApplicationNote, CandidateProfile, User, utcnow
from ..services import accounts, companies, credits, documents, jobs, matching, plans
from . import data, logos

DEMO_PASSWORD = "jobifies-demo"  # noqa: S105  (published in the README; never used in production)
DEMO_LOGINS = {
    "admin": "admin@example.com",
    "recruiter": "recruiter@acme.example.com",
    "candidate": "candidate@example.com",
}

# Plans for the paid-postings demo (prices in minor units); the mock provider takes the payment.
PLANS = [
    (
        "Single posting",
        "One job for 30 days.",
        1,
        30,
        0,
        "one_time",
        {"USD": 4900, "EUR": 4500, "GBP": 3900, "INR": 399900},
    ),
    (
        "Featured pack",
        "Five jobs for 45 days, each featured for 14.",
        5,
        45,
        14,
        "one_time",
        {"USD": 19900, "EUR": 18900, "GBP": 15900, "INR": 1499900},
    ),
    (
        "Monthly hiring",
        "Ten jobs a month, 30 days each.",
        10,
        30,
        0,
        "monthly",
        {"USD": 29900, "EUR": 27900, "GBP": 23900},
    ),
]

DESCRIPTION = """## About the role
As our **{title}**, you will join a small team that ships to production every day. {pitch}

## What you will do
- Design, build and run the parts of {company} our customers touch every day
- Pair with colleagues, review code, and write the documentation you wish you had found
- Improve how we work: tooling, tests, observability

## What you bring
- Experience with {skills}
- Clear writing and a habit of asking "why?"
- Curiosity about the people who use what you build

## What we offer
A salary range published up front, {workplace} work, a learning budget, and 28 days of holiday.
"""


def seed_demo_data(force: bool = False, random_password: bool = False) -> tuple[bool, str]:
    """Create the demo world on an empty database. Returns (created, the demo accounts' password).

    `random_password` (production, with --force): the accounts get a random password instead of the
    published one, so a seeded live board is not an open door.
    """
    if not force and db.session.scalar(select(func.count(User.id))):
        return False, ""
    password = secrets.token_urlsafe(12) if random_password else DEMO_PASSWORD
    admin, _ = accounts.create_admin(DEMO_LOGINS["admin"], password)
    admin.name = "Ada Admin"
    owners = [_company(index, company, password) for index, company in enumerate(data.COMPANIES)]
    _plans(admin)
    if credits.charging():  # demo jobs are published below: their companies get the credits for it
        for owner in owners:
            credits.gift(admin, owner.company.id, 10, posting_days=30, note="Demo credits")
    postings = _jobs(owners)
    _applications(postings[0], owners[0], password)
    db.session.commit()
    for application_id in db.session.scalars(select(Application.id)).all():
        matching.score_application(application_id)
    db.session.commit()
    return True, password


def _company(index: int, company: data.DemoCompany, password: str) -> User:
    email = DEMO_LOGINS["recruiter"] if index == 0 else f"owner@{company.website.split('//')[1]}"
    owner = accounts.register_user(
        email, password, f"{company.name.split()[0]} Recruiter", role="recruiter", verify=False
    )
    owner.verified_at = utcnow()
    slug = company.name.lower().replace(" ", "-")
    logo = documents.CheckedFile(f"{slug}.png", "image/png", logos.draw(company.color, company.mark))
    companies.create_company(owner, company.name, company.website, company.about, logo=logo)
    return owner


def _plans(admin: User) -> None:
    for name, description, n, days, featured, interval, prices in PLANS:
        plans.save_plan(
            admin,
            None,
            {
                "name": name,
                "description": description,
                "posting_credits": n,
                "posting_days": days,
                "featured_days": featured,
                "interval": interval,
                "prices": prices,
            },
        )


def _jobs(owners: list[User]) -> list[list]:
    """Publish every company's six jobs, newest first across the board; returns them per company."""
    now = utcnow()
    postings: list[list] = []
    position = 0
    for index, company in enumerate(data.COMPANIES):
        owner = owners[index]
        mine = []
        for role, location, workplace in data.jobs_for(index, company):
            low, high = data.salary(role, company.currency)
            period = {"contract": "hour", "internship": "month"}.get(role.employment_type, "year")
            job = jobs.create_job(
                owner.company,
                owner,
                {
                    "title": role.title,
                    "location": location,
                    "workplace": workplace,
                    "employment_type": role.employment_type,
                    "seniority": role.seniority,
                    "salary_min": low,
                    "salary_max": high,
                    "salary_currency": company.currency,
                    "salary_period": period,
                    "skills": role.skills,
                    "description": DESCRIPTION.format(
                        title=role.title,
                        pitch=role.pitch,
                        company=company.name,
                        skills=role.skills,
                        workplace=workplace,
                    ),
                },
            )
            jobs.publish_job(job, owner)
            mine.append(job)
        postings.append(mine)
    # Interleave the companies' posting dates over the last three weeks, so "newest first" mixes them.
    for k in range(6):
        for mine in postings:
            job = mine[k]
            job.published_at = now - timedelta(hours=position * 8 + 1)
            job.view_count = max(3, 120 - position * 2)
            position += 1
    postings[0][0].featured_until = now + timedelta(days=14)  # shows the "Featured" mark, sorted first
    postings[3][1].featured_until = now + timedelta(days=7)
    jobs.close_job(postings[2][-1], owners[2])  # the "no longer accepting applications" page
    expired = postings[5][-1]  # an expired posting: off the board, still reachable by its link
    expired.published_at = now - timedelta(days=45)
    expired.expires_at = now - timedelta(days=5)
    expired.status = "expired"
    db.session.flush()
    return postings


def _applications(acme_jobs: list, recruiter: User, password: str) -> None:
    """Candidates with reviewed profiles at every stage of the demo recruiter's pipeline, with notes."""
    now = utcnow()
    candidate = accounts.register_user(DEMO_LOGINS["candidate"], password, "Casey Candidate", verify=False)
    candidate.verified_at = utcnow()
    _profile(
        candidate,
        "Python developer moving into data engineering",
        "Berlin, Germany",
        ["Python", "PostgreSQL", "Flask", "SQL"],
        [("Kiezkraft", "Software Developer", "2019-09", "")],
        [("TU Berlin", "BSc Computer Science", "2015", "2019")],
    )
    people = [(candidate, ["applied", "screening"])]
    for entry, path in zip(data.CANDIDATES, data.PATHS, strict=True):
        name, email, headline, location, skills, experience, education = entry
        person = accounts.register_user(email, password, name, verify=False)
        person.verified_at = utcnow()
        _profile(person, headline, location, skills, experience, education)
        people.append((person, path))
    for number, (person, path) in enumerate(people):
        job = acme_jobs[number % len(acme_jobs)]
        started = now - timedelta(days=2 + len(path) * 2, hours=number)
        application = Application(
            job=job,
            candidate=person,
            status=path[-1],
            cover_letter=f"I would love to bring my experience to {job.company.name} as your {job.title}.",
            created_at=started,
        )
        previous = None
        for step, stage in enumerate(path):
            actor = person if stage in ("applied", "withdrawn") else recruiter
            application.events.append(
                ApplicationEvent(
                    actor_id=actor.id,
                    from_status=previous,
                    to_status=stage,
                    created_at=started + timedelta(days=step * 2),
                )
            )
            if stage in data.NOTES:
                application.notes.append(
                    ApplicationNote(
                        author_id=recruiter.id,
                        body=data.NOTES[stage],
                        created_at=started + timedelta(days=step * 2, hours=1),
                    )
                )
            previous = stage
        db.session.add(application)
    db.session.flush()


def _profile(user: User, headline: str, location: str, skills, experience, education) -> None:
    db.session.add(
        CandidateProfile(
            user=user,
            headline=headline,
            summary=f"{headline}. Based in {location}.",
            location=location,
            skills=list(skills),
            experience=[
                {"company": c, "title": t, "start": s, "end": e, "description": ""} for c, t, s, e in experience
            ],
            education=[{"institution": i, "degree": d, "start": s, "end": e} for i, d, s, e in education],
            reviewed_at=utcnow(),
        )
    )
