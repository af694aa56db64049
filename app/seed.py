"""Demo data for `make run`: a few companies with real-looking jobs, and one login per role.

Only runs on an empty database, so a second `make run` keeps whatever you changed.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, select

from .extensions import db
from .models import Application, ApplicationEvent, User, utcnow
from .services import accounts, companies, credits, jobs, matching, plans

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

COMPANIES = [
    (
        "Acme Analytics",
        "https://acme.example.com",
        "Acme builds the analytics platform that 4,000 retailers use to plan their stock.",
    ),
    (
        "Northwind Health",
        "https://northwind.example.com",
        "Northwind Health runs clinics in twelve cities and the software their nurses rely on.",
    ),
    (
        "Globex Robotics",
        "https://globex.example.com",
        "Globex designs warehouse robots and the fleet software that keeps them moving.",
    ),
]

JOBS = [
    # company index, title, location, workplace, type, seniority, salary min, max, currency, skills
    (
        0,
        "Senior Python Engineer",
        "Berlin, Germany",
        "hybrid",
        "full_time",
        "senior",
        75000,
        95000,
        "EUR",
        "Python, PostgreSQL, Flask, Redis",
    ),
    (0, "Data Analyst", "Remote (EU)", "remote", "full_time", "mid", 55000, 70000, "EUR", "SQL, Python, dbt, Looker"),
    (
        0,
        "Frontend Developer (htmx)",
        "Amsterdam, Netherlands",
        "onsite",
        "full_time",
        "mid",
        60000,
        75000,
        "EUR",
        "HTML, CSS, htmx, Accessibility",
    ),
    (0, "Engineering Intern", "Berlin, Germany", "onsite", "internship", "intern", 1800, 2000, "EUR", "Python, Git"),
    (
        1,
        "Site Reliability Engineer",
        "Remote (US)",
        "remote",
        "full_time",
        "senior",
        150000,
        185000,
        "USD",
        "Kubernetes, Terraform, PostgreSQL, Linux",
    ),
    (
        1,
        "Product Designer",
        "Boston, MA, USA",
        "hybrid",
        "full_time",
        "mid",
        110000,
        135000,
        "USD",
        "Figma, User research, Accessibility",
    ),
    (
        1,
        "Clinical Data Engineer",
        "Chicago, IL, USA",
        "hybrid",
        "contract",
        "senior",
        85,
        110,
        "USD",
        "Python, HL7 FHIR, SQL",
    ),
    (
        2,
        "Robotics Software Engineer",
        "Bangalore, India",
        "onsite",
        "full_time",
        "mid",
        2400000,
        3600000,
        "INR",
        "C++, ROS 2, Python",
    ),
    (
        2,
        "Machine Learning Engineer",
        "Remote (India)",
        "remote",
        "full_time",
        "senior",
        3500000,
        5000000,
        "INR",
        "Python, PyTorch, Computer vision",
    ),
    (
        2,
        "Technical Writer",
        "London, UK",
        "hybrid",
        "part_time",
        "mid",
        30000,
        38000,
        "GBP",
        "Technical writing, Markdown, APIs",
    ),
]

DESCRIPTION = """## About the role
As our **{title}**, you will join a small team that ships to production every day. You will own
features from the first sketch to the metrics that tell us they worked.

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
    owners = []
    for index, (name, website, about) in enumerate(COMPANIES):
        email = DEMO_LOGINS["recruiter"] if index == 0 else f"owner@{name.split()[0].lower()}.example.com"
        owner = accounts.register_user(email, password, f"{name.split()[0]} Recruiter", role="recruiter", verify=False)
        owner.verified_at = utcnow()
        companies.create_company(owner, name, website, about)
        owners.append(owner)
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
    if credits.charging():  # demo jobs are published below: their companies get the credits for it
        for owner in owners:
            credits.gift(admin, owner.company.id, 10, posting_days=30, note="Demo credits")
    candidate = accounts.register_user(DEMO_LOGINS["candidate"], password, "Casey Candidate", verify=False)
    candidate.verified_at = utcnow()

    now = utcnow()
    created = []
    for position, (ci, title, location, workplace, etype, seniority, low, high, currency, skills) in enumerate(JOBS):
        owner = owners[ci]
        job = jobs.create_job(
            owner.company,
            owner,
            {
                "title": title,
                "location": location,
                "workplace": workplace,
                "employment_type": etype,
                "seniority": seniority,
                "salary_min": low,
                "salary_max": high,
                "salary_currency": currency,
                "salary_period": "hour" if etype == "contract" else ("month" if etype == "internship" else "year"),
                "skills": skills,
                "description": DESCRIPTION.format(
                    title=title, company=owner.company.name, skills=skills, workplace=workplace
                ),
            },
        )
        jobs.publish_job(job, owner)
        # Spread posting dates over the last two weeks so "newest first" means something.
        job.published_at = now - timedelta(days=position * 1.5, hours=position)
        job.view_count = 40 - position * 3
        created.append(job)

    # One closed job, to show the "no longer accepting applications" page.
    jobs.close_job(created[-1], owners[2])

    # The demo candidate already applied to one job, which has moved to screening.
    application = Application(
        job=created[0],
        candidate=candidate,
        status="screening",
        cover_letter="I have run Flask apps on PostgreSQL for six years.",
        created_at=now - timedelta(days=2),
    )
    application.events.append(
        ApplicationEvent(actor_id=candidate.id, to_status="applied", created_at=now - timedelta(days=2))
    )
    application.events.append(
        ApplicationEvent(
            actor_id=owners[0].id, from_status="applied", to_status="screening", created_at=now - timedelta(days=1)
        )
    )
    db.session.add(application)
    db.session.commit()
    matching.score_application(application.id)
    db.session.commit()
    return True, password
