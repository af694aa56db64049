"""Benchmark of job search: both backends (Whoosh, PostgreSQL) and SQLite FTS5 on one corpus, one run.

    .venv/bin/python bench/search.py --n 10000 --cpu 0      (or: taskset -c 0 .venv/bin/python ...)
    .venv/bin/python bench/search.py --n 100000 --cpu 0
    .venv/bin/python bench/search.py --n 1000000 --cpu 0 --engines postgres

Generates a deterministic corpus of N realistic postings. Whoosh: loads it into a temporary SQLite
database and builds the index (what `flask search reindex` runs). PostgreSQL: creates the database
bench_search_<N> (dropped first and afterwards; BENCH_PG_ADMIN_URL says where, default the local
server as postgres), migrates it and inserts the rows (the trigger writes each tsvector). Then, for
each backend in a process of its own, a fixed mix of 200 queries (single term, two terms, phrase,
prefix, words with filters, browsing with filters only, misspellings) through
`app.search.search_jobs`, the function the /jobs page calls (exact total, every facet count, top 20,
the 20 rows, snippets, "did you mean"); the same questions on SQLite FTS5 as the baseline. Prints
build times and sizes, p50/p95/max per query type, one-document update visibility and the memory
of each query process. --cpu pins everything, the PostgreSQL server processes serving the benchmark
included, to one core.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import logging
import math
import multiprocessing
import os
import platform
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import whoosh  # noqa: E402

from app import places  # noqa: E402

# =============================================================================================
# The corpus: realistic postings, deterministic for a given n and seed
FAMILIES = {
    "engineering": {
        "titles": [
            "Backend Engineer",
            "Frontend Developer",
            "Full Stack Developer",
            "Software Engineer",
            "Mobile Developer",
            "iOS Engineer",
            "Android Developer",
            "DevOps Engineer",
            "Site Reliability Engineer",
            "Platform Engineer",
            "Security Engineer",
            "QA Engineer",
            "Embedded Software Engineer",
            "Engineering Manager",
            "Cloud Architect",
        ],
        "skills": [
            "Python",
            "Django",
            "Flask",
            "FastAPI",
            "Go",
            "Rust",
            "Java",
            "Kotlin",
            "Swift",
            "TypeScript",
            "JavaScript",
            "React",
            "Vue",
            "Node.js",
            "PostgreSQL",
            "MySQL",
            "Redis",
            "Kafka",
            "Docker",
            "Kubernetes",
            "Terraform",
            "AWS",
            "GCP",
            "Azure",
            "GraphQL",
            "C++",
            "C#",
            ".NET",
            "Ruby on Rails",
            "Elixir",
            "Linux",
            "CI/CD",
            "gRPC",
        ],
        "nouns": [
            "services",
            "APIs",
            "microservices",
            "infrastructure",
            "deployment pipelines",
            "test suites",
            "code reviews",
            "architecture",
            "observability",
            "latency",
            "reliability",
            "scalability",
            "databases",
            "queues",
            "integrations",
            "release process",
            "incident response",
            "monitoring",
        ],
        "verbs": [
            "design",
            "build",
            "ship",
            "maintain",
            "scale",
            "debug",
            "refactor",
            "automate",
            "own",
            "improve",
            "migrate",
            "instrument",
            "review",
            "document",
        ],
    },
    "data": {
        "titles": [
            "Data Scientist",
            "Data Engineer",
            "Machine Learning Engineer",
            "Data Analyst",
            "Analytics Engineer",
            "Business Intelligence Analyst",
            "Research Scientist",
            "MLOps Engineer",
            "Statistician",
        ],
        "skills": [
            "Python",
            "SQL",
            "Pandas",
            "NumPy",
            "scikit-learn",
            "PyTorch",
            "TensorFlow",
            "Spark",
            "Airflow",
            "dbt",
            "Snowflake",
            "BigQuery",
            "Tableau",
            "Looker",
            "Power BI",
            "R",
            "Statistics",
            "Machine Learning",
            "Deep Learning",
            "NLP",
            "Computer Vision",
            "A/B Testing",
        ],
        "nouns": [
            "models",
            "dashboards",
            "data pipelines",
            "experiments",
            "forecasts",
            "features",
            "metrics",
            "datasets",
            "warehouse",
            "recommendations",
            "insights",
            "reports",
            "machine learning systems",
            "data quality",
        ],
        "verbs": [
            "analyse",
            "model",
            "train",
            "evaluate",
            "deploy",
            "visualise",
            "clean",
            "forecast",
            "explore",
            "validate",
            "present",
            "measure",
        ],
    },
    "product": {
        "titles": [
            "Product Manager",
            "Senior Product Owner",
            "Technical Program Manager",
            "Product Designer",
            "UX Designer",
            "UX Researcher",
            "UI Designer",
            "Project Manager",
            "Scrum Master",
        ],
        "skills": [
            "Figma",
            "Sketch",
            "User Research",
            "Prototyping",
            "Roadmapping",
            "Jira",
            "Agile",
            "Scrum",
            "Stakeholder Management",
            "Design Systems",
            "Accessibility",
            "Usability Testing",
            "Product Analytics",
            "OKRs",
        ],
        "nouns": [
            "roadmap",
            "user journeys",
            "prototypes",
            "requirements",
            "discovery",
            "launches",
            "customer feedback",
            "design system",
            "user interviews",
            "priorities",
            "backlog",
        ],
        "verbs": [
            "define",
            "prioritise",
            "research",
            "prototype",
            "launch",
            "facilitate",
            "align",
            "iterate",
            "validate",
            "communicate",
        ],
    },
    "sales": {
        "titles": [
            "Account Executive",
            "Sales Manager",
            "Business Development Representative",
            "Sales Development Representative",
            "Customer Success Manager",
            "Account Manager",
            "Solutions Engineer",
            "Partnerships Manager",
            "Head of Sales",
        ],
        "skills": [
            "Salesforce",
            "HubSpot",
            "Negotiation",
            "Prospecting",
            "Cold Calling",
            "CRM",
            "Account Management",
            "Pipeline Management",
            "B2B Sales",
            "SaaS",
            "Presentation Skills",
        ],
        "nouns": [
            "pipeline",
            "quota",
            "accounts",
            "deals",
            "renewals",
            "prospects",
            "territory",
            "customer relationships",
            "forecast",
            "contracts",
            "demos",
        ],
        "verbs": [
            "close",
            "prospect",
            "negotiate",
            "grow",
            "manage",
            "qualify",
            "present",
            "renew",
            "expand",
            "forecast",
        ],
    },
    "marketing": {
        "titles": [
            "Marketing Manager",
            "Content Marketing Manager",
            "Growth Marketer",
            "SEO Specialist",
            "Social Media Manager",
            "Brand Manager",
            "Product Marketing Manager",
            "Copywriter",
            "Performance Marketing Manager",
        ],
        "skills": [
            "SEO",
            "SEM",
            "Google Analytics",
            "Content Strategy",
            "Copywriting",
            "Email Marketing",
            "Paid Social",
            "Google Ads",
            "Marketing Automation",
            "Brand Strategy",
            "Video Editing",
        ],
        "nouns": [
            "campaigns",
            "content",
            "brand",
            "audience",
            "funnel",
            "newsletter",
            "landing pages",
            "social channels",
            "messaging",
            "conversion rates",
            "launch plans",
        ],
        "verbs": ["plan", "write", "launch", "optimise", "grow", "measure", "test", "edit", "publish", "promote"],
    },
    "finance": {
        "titles": [
            "Accountant",
            "Financial Analyst",
            "Finance Manager",
            "Controller",
            "Payroll Specialist",
            "Tax Advisor",
            "Auditor",
            "Bookkeeper",
            "Treasury Analyst",
        ],
        "skills": [
            "Excel",
            "IFRS",
            "GAAP",
            "SAP",
            "Xero",
            "QuickBooks",
            "Financial Modelling",
            "Budgeting",
            "Forecasting",
            "Audit",
            "Tax",
            "Payroll",
            "Reconciliation",
        ],
        "nouns": [
            "month-end close",
            "budgets",
            "forecasts",
            "financial statements",
            "audits",
            "invoices",
            "cash flow",
            "reporting",
            "controls",
            "payroll",
            "tax filings",
        ],
        "verbs": [
            "prepare",
            "reconcile",
            "review",
            "forecast",
            "audit",
            "report",
            "analyse",
            "improve",
            "manage",
            "support",
        ],
    },
    "people": {
        "titles": [
            "Recruiter",
            "Talent Acquisition Partner",
            "HR Business Partner",
            "People Operations Manager",
            "Learning and Development Specialist",
            "Office Manager",
            "Executive Assistant",
        ],
        "skills": [
            "Recruiting",
            "Interviewing",
            "Employee Relations",
            "HRIS",
            "Workday",
            "Onboarding",
            "Compensation",
            "Employment Law",
            "Coaching",
            "Scheduling",
        ],
        "nouns": [
            "hiring process",
            "candidates",
            "onboarding",
            "policies",
            "employee experience",
            "performance reviews",
            "training programmes",
            "interview loops",
            "benefits",
        ],
        "verbs": ["hire", "source", "interview", "coach", "support", "organise", "improve", "run", "design"],
    },
    "healthcare": {
        "titles": [
            "Registered Nurse",
            "Nurse Practitioner",
            "Pharmacist",
            "Physiotherapist",
            "Medical Assistant",
            "Care Coordinator",
            "Clinical Research Associate",
            "Radiographer",
            "Dental Hygienist",
        ],
        "skills": [
            "Patient Care",
            "Clinical Documentation",
            "Electronic Health Records",
            "Triage",
            "Medication Administration",
            "BLS",
            "Infection Control",
            "Clinical Trials",
            "GCP",
        ],
        "nouns": [
            "patients",
            "care plans",
            "clinical records",
            "ward",
            "treatments",
            "appointments",
            "medications",
            "trials",
            "families",
            "clinic",
        ],
        "verbs": [
            "care for",
            "assess",
            "treat",
            "document",
            "coordinate",
            "support",
            "monitor",
            "educate",
            "administer",
        ],
    },
    "operations": {
        "titles": [
            "Operations Manager",
            "Logistics Coordinator",
            "Supply Chain Analyst",
            "Warehouse Associate",
            "Fleet Manager",
            "Procurement Specialist",
            "Customer Support Specialist",
            "Technical Support Engineer",
            "Store Manager",
            "Chef",
            "Electrician",
            "Mechanical Engineer",
            "Civil Engineer",
            "Teacher",
        ],
        "skills": [
            "Logistics",
            "Inventory Management",
            "Lean",
            "Six Sigma",
            "Forklift",
            "Zendesk",
            "Customer Service",
            "Procurement",
            "ERP",
            "Health and Safety",
            "AutoCAD",
            "Scheduling",
        ],
        "nouns": [
            "shipments",
            "inventory",
            "suppliers",
            "processes",
            "shifts",
            "tickets",
            "customers",
            "warehouse",
            "routes",
            "orders",
            "safety standards",
            "budgets",
        ],
        "verbs": [
            "coordinate",
            "schedule",
            "improve",
            "manage",
            "resolve",
            "track",
            "plan",
            "train",
            "negotiate",
            "inspect",
        ],
    },
}
FAMILY_WEIGHTS = {
    "engineering": 30,
    "data": 12,
    "product": 9,
    "sales": 11,
    "marketing": 8,
    "finance": 8,
    "people": 6,
    "healthcare": 7,
    "operations": 9,
}

TEAMS = [
    "Payments",
    "Platform",
    "Growth",
    "Infrastructure",
    "Mobile",
    "Search",
    "Billing",
    "Security",
    "Analytics",
    "Checkout",
    "Identity",
    "Marketplace",
    "Logistics",
    "Risk",
    "Onboarding",
    "Core",
    "Developer Experience",
    "Enterprise",
    "Retail",
    "Ads",
]
SENIORITY = [
    ("intern", "Intern", 3),
    ("junior", "Junior", 15),
    ("mid", "", 35),
    ("senior", "Senior", 30),
    ("lead", "Lead", 9),
    ("principal", "Principal", 4),
    ("executive", "Head of", 4),
]
WORKPLACE = [("onsite", 40), ("hybrid", 35), ("remote", 25)]
EMPLOYMENT = [("full_time", 78), ("part_time", 7), ("contract", 10), ("temporary", 2), ("internship", 3)]

LOCATIONS = [
    ("Berlin, Germany", "EUR"),
    ("Munich, Germany", "EUR"),
    ("Hamburg, Germany", "EUR"),
    ("Amsterdam, Netherlands", "EUR"),
    ("Rotterdam, Netherlands", "EUR"),
    ("Paris, France", "EUR"),
    ("Lyon, France", "EUR"),
    ("Madrid, Spain", "EUR"),
    ("Barcelona, Spain", "EUR"),
    ("Lisbon, Portugal", "EUR"),
    ("Porto, Portugal", "EUR"),
    ("Dublin, Ireland", "EUR"),
    ("Milan, Italy", "EUR"),
    ("Rome, Italy", "EUR"),
    ("Vienna, Austria", "EUR"),
    ("Brussels, Belgium", "EUR"),
    ("Helsinki, Finland", "EUR"),
    ("Tallinn, Estonia", "EUR"),
    ("Warsaw, Poland", "EUR"),
    ("Prague, Czechia", "EUR"),
    ("London, UK", "GBP"),
    ("Manchester, UK", "GBP"),
    ("Edinburgh, UK", "GBP"),
    ("Bristol, UK", "GBP"),
    ("Cambridge, UK", "GBP"),
    ("Zurich, Switzerland", "CHF"),
    ("Geneva, Switzerland", "CHF"),
    ("New York, NY", "USD"),
    ("San Francisco, CA", "USD"),
    ("Seattle, WA", "USD"),
    ("Austin, TX", "USD"),
    ("Boston, MA", "USD"),
    ("Chicago, IL", "USD"),
    ("Denver, CO", "USD"),
    ("Los Angeles, CA", "USD"),
    ("Atlanta, GA", "USD"),
    ("Miami, FL", "USD"),
    ("Portland, OR", "USD"),
    ("Washington, DC", "USD"),
    ("Raleigh, NC", "USD"),
    ("Toronto, Canada", "CAD"),
    ("Vancouver, Canada", "CAD"),
    ("Montreal, Canada", "CAD"),
    ("Sydney, Australia", "AUD"),
    ("Melbourne, Australia", "AUD"),
    ("Brisbane, Australia", "AUD"),
    ("Singapore", "SGD"),
    ("Tokyo, Japan", "JPY"),
    ("Osaka, Japan", "JPY"),
    ("Bangalore, India", "INR"),
    ("Pune, India", "INR"),
    ("Hyderabad, India", "INR"),
    ("Mumbai, India", "INR"),
    ("Delhi, India", "INR"),
    ("Chennai, India", "INR"),
    ("São Paulo, Brazil", "BRL"),
    ("Rio de Janeiro, Brazil", "BRL"),
    ("Remote (Europe)", "EUR"),
    ("Remote (US)", "USD"),
    ("Remote (Worldwide)", "USD"),
]
# Typical yearly pay of a mid-level role per currency (the family and seniority scale it).
BASE_PAY = {
    "EUR": 60000,
    "GBP": 55000,
    "CHF": 105000,
    "USD": 110000,
    "CAD": 90000,
    "AUD": 100000,
    "SGD": 90000,
    "JPY": 7500000,
    "INR": 1800000,
    "BRL": 150000,
}
FAMILY_PAY = {
    "engineering": 1.15,
    "data": 1.15,
    "product": 1.1,
    "sales": 0.95,
    "marketing": 0.9,
    "finance": 0.95,
    "people": 0.85,
    "healthcare": 0.9,
    "operations": 0.75,
}
SENIORITY_PAY = {
    "intern": 0.35,
    "junior": 0.7,
    "mid": 1.0,
    "senior": 1.3,
    "lead": 1.5,
    "principal": 1.75,
    "executive": 2.0,
}

SYLLABLES = [
    "ac",
    "me",
    "no",
    "va",
    "zen",
    "lu",
    "ma",
    "ter",
    "ra",
    "qui",
    "flo",
    "bit",
    "sta",
    "co",
    "rio",
    "mon",
    "del",
    "ta",
    "ne",
    "xo",
    "pi",
    "vo",
    "ly",
    "tri",
    "gon",
    "sol",
    "ar",
    "is",
    "en",
    "ka",
]
COMPANY_SUFFIX = [
    "Labs",
    "Systems",
    "Health",
    "Analytics",
    "Logistics",
    "Bank",
    "Studio",
    "Technologies",
    "Group",
    "Foods",
    "Energy",
    "Robotics",
    "Software",
    "Networks",
    "Insurance",
    "Media",
    "Mobility",
    "Retail",
    "Cloud",
    "Games",
]

ABOUT = [
    "{company} builds tools that help {audience} work faster and with fewer mistakes.",
    "At {company} we serve {audience} across {region} with products they rely on every day.",
    "{company} is a {stage} company on a mission to make {domain} simple, fair and reliable.",
    "Founded by practitioners, {company} now supports thousands of {audience} in {region}.",
]
AUDIENCES = [
    "small businesses",
    "hospitals",
    "retailers",
    "developers",
    "farmers",
    "schools",
    "banks",
    "logistics teams",
    "families",
    "creators",
    "manufacturers",
    "public agencies",
]
REGIONS = ["Europe", "North America", "Asia", "Latin America", "the world", "our home market"]
STAGES = ["seed-stage", "Series A", "Series B", "profitable", "fast-growing", "publicly listed", "family-owned"]
DOMAINS = [
    "payments",
    "healthcare",
    "energy",
    "travel",
    "insurance",
    "education",
    "logistics",
    "hiring",
    "food delivery",
    "housing",
    "accounting",
    "security",
]
BENEFITS = [
    "flexible working hours",
    "a learning budget",
    "private health insurance",
    "a pension plan",
    "parental leave",
    "a home office allowance",
    "stock options",
    "30 days of holiday",
    "a public transport pass",
    "wellbeing support",
    "team offsites twice a year",
    "a four-day week trial",
    "relocation support",
    "free lunches",
    "a bike leasing scheme",
    "mentoring",
]
GENERIC = [
    "You will work closely with {team} and report to the {lead}.",
    "We value clear writing, kind feedback and steady progress over heroics.",
    "Our stack and processes evolve with the team, and you will have a real say in both.",
    "We hire for curiosity and care; you do not need to tick every box to apply.",
    "Most of the team works {workplace_text}, with regular time together in person.",
    "You will join a team of {size} people who ship small changes often.",
    "We measure success by outcomes for our customers, not by hours online.",
    "Expect a structured onboarding with a buddy and clear goals for your first ninety days.",
]
LONG_TAIL = [
    "accountability",
    "adaptable",
    "ambitious",
    "analytical",
    "approachable",
    "articulate",
    "attentive",
    "autonomous",
    "balanced",
    "candid",
    "collaborative",
    "committed",
    "compassionate",
    "composed",
    "conscientious",
    "considerate",
    "consistent",
    "constructive",
    "courageous",
    "creative",
    "curious",
    "decisive",
    "dedicated",
    "dependable",
    "detail-oriented",
    "diligent",
    "diplomatic",
    "disciplined",
    "dynamic",
    "empathetic",
    "energetic",
    "enthusiastic",
    "ethical",
    "flexible",
    "focused",
    "generous",
    "genuine",
    "gracious",
    "hardworking",
    "honest",
    "humble",
    "imaginative",
    "independent",
    "innovative",
    "insightful",
    "inspiring",
    "intentional",
    "inventive",
    "logical",
    "loyal",
    "meticulous",
    "motivated",
    "observant",
    "open-minded",
    "optimistic",
    "organised",
    "patient",
    "perceptive",
    "persistent",
    "personable",
    "practical",
    "pragmatic",
    "proactive",
    "productive",
    "punctual",
    "rational",
    "reflective",
    "reliable",
    "resilient",
    "resourceful",
    "respectful",
    "responsible",
    "self-directed",
    "sincere",
    "strategic",
    "supportive",
    "tactful",
    "tenacious",
    "thoughtful",
    "tolerant",
    "transparent",
    "trustworthy",
    "versatile",
    "welcoming",
    "warehouse",
    "compliance",
    "regulatory",
    "sustainability",
    "procurement",
    "multilingual",
    "bilingual",
    "german",
    "french",
    "spanish",
    "portuguese",
    "italian",
    "dutch",
    "japanese",
    "hindi",
    "mandarin",
    "stakeholders",
    "cross-functional",
    "ownership",
    "mentorship",
    "roadmap",
    "quarterly",
    "weekly",
    "biweekly",
    "fortnightly",
    "certification",
    "licence",
    "license",
    "degree",
    "bachelor",
    "master",
    "doctorate",
    "apprenticeship",
    "bootcamp",
    "portfolio",
    "shift",
    "nights",
    "weekends",
    "overtime",
    "travel",
    "relocation",
    "visa",
    "sponsorship",
    "equity",
    "bonus",
    "commission",
    "allowance",
    "hybrid",
    "distributed",
    "asynchronous",
    "timezone",
    "overlap",
    "offsite",
    "onsite",
    "headquarters",
    "campus",
    "studio",
    "lab",
    "clinic",
    "hospital",
    "ward",
    "pharmacy",
    "classroom",
    "kitchen",
    "restaurant",
    "depot",
    "fleet",
    "vehicle",
    "forklift",
    "licence",
    "scaffolding",
    "blueprint",
    "schematic",
    "firmware",
    "microcontroller",
    "sensor",
    "telemetry",
    "robotics",
    "automation",
    "manufacturing",
    "assembly",
    "biotech",
    "genomics",
    "chemistry",
    "laboratory",
    "pipette",
    "assay",
    "reagent",
    "diagnostics",
    "oncology",
    "cardiology",
    "paediatrics",
    "fintech",
    "insurtech",
    "proptech",
    "edtech",
    "healthtech",
    "agritech",
    "cleantech",
    "govtech",
    "legaltech",
    "martech",
    "adtech",
    "ecommerce",
    "marketplace",
    "subscription",
    "freemium",
    "enterprise",
    "midmarket",
    "startup",
    "scaleup",
    "nonprofit",
    "charity",
    "volunteer",
    "community",
    "inclusion",
    "diversity",
    "equity",
    "belonging",
    "wellbeing",
    "sabbatical",
    "parental",
    "childcare",
    "eldercare",
]


def _weighted(rng: random.Random, pairs):
    values = [p[0] for p in pairs]
    weights = [p[-1] for p in pairs]
    return rng.choices(values, weights)[0]


def _company_names(rng: random.Random, count: int) -> list[str]:
    names, seen = [], set()
    while len(names) < count:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        name = f"{stem} {rng.choice(COMPANY_SUFFIX)}"
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def _description(
    rng: random.Random, family: dict, title: str, company: str, skills: list[str], workplace: str, target_words: int
) -> tuple[str, str]:
    """(markdown, html) of a posting's description of about target_words words."""
    about = rng.choice(ABOUT).format(
        company=company,
        audience=rng.choice(AUDIENCES),
        region=rng.choice(REGIONS),
        stage=rng.choice(STAGES),
        domain=rng.choice(DOMAINS),
    )
    summary = (
        f"As our {title} you will {rng.choice(family['verbs'])} {rng.choice(family['nouns'])} and "
        f"{rng.choice(family['verbs'])} {rng.choice(family['nouns'])} for the {rng.choice(TEAMS)} team."
    )
    duties = [
        f"{rng.choice(family['verbs']).capitalize()} {rng.choice(family['nouns'])} "
        f"with {rng.choice(['care', 'ownership', 'the team', 'our customers', 'clear goals', 'good tests'])}"
        for _ in range(rng.randint(3, 6))
    ]
    years = rng.randint(1, 8)
    needs = [
        f"{years}+ years of experience with {', '.join(skills[:2])}",
        f"Comfortable with {rng.choice(skills)} and {rng.choice(family['nouns'])}",
        f"Strong {rng.choice(['written', 'spoken', 'analytical', 'organisational'])} skills",
    ]
    perks = rng.sample(BENEFITS, 4)
    workplace_text = {"remote": "remotely", "hybrid": "in a hybrid setup", "onsite": "from our office"}[workplace]
    paragraphs = [about, summary]
    words = sum(len(p.split()) for p in paragraphs + duties + needs + perks)
    extra = []
    while words < target_words:
        if rng.random() < 0.55:
            sentence = rng.choice(GENERIC).format(
                team=rng.choice(TEAMS) + " engineers",
                lead=f"Head of {rng.choice(TEAMS)}",
                workplace_text=workplace_text,
                size=rng.randint(4, 40),
            )
        else:
            chosen = rng.sample(LONG_TAIL, 5)
            sentence = (
                f"We are looking for someone {chosen[0]} and {chosen[1]}, who enjoys {chosen[2]} work, "
                f"{chosen[3]} teams and {chosen[4]} problems in {rng.choice(family['nouns'])}."
            )
        extra.append(sentence)
        words += len(sentence.split())
    paragraphs.append(" ".join(extra))
    md = "\n\n".join(
        [
            paragraphs[0],
            paragraphs[1],
            "## What you will do",
            "\n".join(f"- {d}" for d in duties),
            "## What you bring",
            "\n".join(f"- {n}" for n in needs),
            paragraphs[2],
            "## Benefits",
            "\n".join(f"- {p}" for p in perks),
        ]
    )
    html = "".join(
        [
            f"<p>{paragraphs[0]}</p>",
            f"<p>{paragraphs[1]}</p>",
            "<h2>What you will do</h2>",
            "<ul>" + "".join(f"<li>{d}</li>" for d in duties) + "</ul>",
            "<h2>What you bring</h2>",
            "<ul>" + "".join(f"<li>{n}</li>" for n in needs) + "</ul>",
            f"<p>{paragraphs[2]}</p>",
            "<h2>Benefits</h2>",
            "<ul>" + "".join(f"<li>{p}</li>" for p in perks) + "</ul>",
        ]
    ).replace("&", "&amp;")
    return md, html


def _place_columns(location: str) -> dict:
    place = places.normalize(location)
    return {
        "city": place.city,
        "country": place.country,
        "remote_region": place.remote_region if place.remote else "",
        "location_key": place.key,
    }


def generate(n: int, seed: int = 42, now: datetime | None = None):
    """(companies, jobs): lists of dicts for the companies and jobs tables (ids from 1)."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    company_count = max(5, min(4000, n // 8))
    names = _company_names(rng, company_count)
    companies = [
        {
            "id": i + 1,
            "name": name,
            "slug": name.lower().replace(" ", "-") + f"-{i + 1}",
            "website": "https://example.com",
            "about": "",
            "created_at": now - timedelta(days=90),
            "updated_at": now - timedelta(days=90),
        }
        for i, name in enumerate(names)
    ]
    # Zipf-like: a few companies post a lot.
    company_weights = [1.0 / (rank + 1) ** 0.8 for rank in range(company_count)]
    families = list(FAMILY_WEIGHTS)
    family_weights = [FAMILY_WEIGHTS[f] for f in families]
    jobs = []
    for job_id in range(1, n + 1):
        family_name = rng.choices(families, family_weights)[0]
        family = FAMILIES[family_name]
        seniority, prefix, _ = SENIORITY[rng.choices(range(len(SENIORITY)), [s[2] for s in SENIORITY])[0]]
        role = rng.choice(family["titles"])
        title = f"{prefix} {role}".strip() if prefix != "Head of" else f"Director of {family_name.capitalize()}"
        if rng.random() < 0.3:
            title += f", {rng.choice(TEAMS)}"
        company = companies[rng.choices(range(company_count), company_weights)[0]]
        workplace = _weighted(rng, WORKPLACE)
        location, currency = rng.choice(LOCATIONS)
        if workplace != "remote" and location.startswith("Remote"):
            workplace = "remote"
        employment = _weighted(rng, EMPLOYMENT)
        skills = rng.sample(family["skills"], rng.randint(3, min(8, len(family["skills"]))))
        md, html = _description(rng, family, title, company["name"], skills, workplace, rng.randint(150, 300))
        pay = BASE_PAY[currency] * FAMILY_PAY[family_name] * SENIORITY_PAY[seniority] * rng.uniform(0.85, 1.2)
        period = "year"
        if employment == "contract":
            period, pay = "day", pay / 220 * 1.4
        elif employment == "part_time" and rng.random() < 0.6:
            period, pay = "hour", pay / 2000
        salary_min = salary_max = None
        if rng.random() < 0.8:
            salary_min = int(round(pay, -2 if period == "year" else 0))
            salary_max = int(round(pay * rng.uniform(1.1, 1.35), -2 if period == "year" else 0))
        published = now - timedelta(minutes=rng.randint(10, 60 * 24 * 50))
        roll = rng.random()
        expires = published + timedelta(days=rng.randint(30, 60))
        status = "published"
        if roll < 0.04:
            expires = now - timedelta(hours=rng.randint(1, 200))  # past expiry, not yet swept
        elif roll < 0.07:
            status = "closed"
        featured = published + timedelta(days=14) if rng.random() < 0.03 else None
        jobs.append(
            {
                "id": job_id,
                "company_id": company["id"],
                "title": title,
                "slug": title.lower().replace(" ", "-")[:150],
                "description": md,
                "description_html": html,
                "location": location,
                # What Job's location validator sets: a Core insert does not run it, and without the key
                # a location filter on PostgreSQL (search.jobs.location_key) would match no job at all.
                **_place_columns(location),
                "workplace": workplace,
                "employment_type": employment,
                "seniority": seniority,
                "salary_min": salary_min,
                "salary_max": salary_max,
                "salary_currency": currency,
                "salary_period": period,
                "skills": skills,
                "status": status,
                "published_at": published,
                "expires_at": expires,
                "closed_at": now if status == "closed" else None,
                "featured_until": featured,
                "view_count": 0,
                "created_at": published,
                "updated_at": published,
            }
        )
    return companies, jobs


# =============================================================================================
# The query mix


def query_mix(companies: list[dict], jobs: list[dict], count: int = 200, seed: int = 7) -> list[tuple[str, dict]]:
    """(type, query-string arguments) pairs, the same for the same corpus and seed."""
    rng = random.Random(seed)
    skills = sorted({s for f in FAMILIES.values() for s in f["skills"] if s.isalpha() and len(s) > 2})
    title_words = sorted({w for f in FAMILIES.values() for t in f["titles"] for w in t.split() if len(w) > 3})
    words = (
        skills
        + title_words
        + [
            "remote",
            "payments",
            "platform",
            "growth",
            "security",
            "analytics",
            "healthcare",
            "logistics",
            "mentoring",
            "equity",
            "visa",
            "startup",
        ]
    )
    pairs = [
        ("python", "django"),
        ("data", "engineer"),
        ("senior", "nurse"),
        ("kubernetes", "terraform"),
        ("react", "typescript"),
        ("sales", "saas"),
        ("product", "designer"),
        ("machine", "learning"),
        ("finance", "excel"),
        ("marketing", "seo"),
        ("remote", "python"),
        ("backend", "go"),
        ("customer", "success"),
        ("warehouse", "forklift"),
        ("clinical", "trials"),
        ("java", "kotlin"),
    ]
    phrases = [
        "machine learning",
        "data engineer",
        "product manager",
        "customer success",
        "site reliability",
        "full stack",
        "registered nurse",
        "supply chain",
        "account executive",
        "user research",
        "financial modelling",
        "talent acquisition",
        "team offsites",
        "learning budget",
        "private health",
        "code reviews",
        "data pipelines",
        "a pension plan",
        "cold calling",
        "design systems",
    ]
    prefixes = [
        "pyth",
        "eng",
        "manag",
        "kube",
        "data",
        "anal",
        "market",
        "dev",
        "recruit",
        "nurs",
        "sec",
        "log",
        "fin",
        "sale",
        "cust",
        "mach",
        "des",
        "ops",
        "lead",
        "sen",
    ]
    typos = [
        "pyhton",
        "enginer",
        "kubernets",
        "managr",
        "analyts",
        "desinger",
        "recruter",
        "accountnt",
        "javascirpt",
        "nurce",
    ]
    locations = sorted({j["location"] for j in jobs})
    slugs = [c["slug"] for c in companies[:50]]
    filters_pool = [
        lambda: {"workplace": rng.choice(["remote", "hybrid", "onsite"])},
        lambda: {"employment_type": rng.choice(["full_time", "contract", "part_time"])},
        lambda: {"seniority": rng.choice(["junior", "mid", "senior", "lead"])},
        lambda: {"salary_min": str(rng.choice([50000, 75000, 100000, 150000]))},
        lambda: {"posted": rng.choice(["24h", "7d", "30d"])},
        lambda: {"location": rng.choice(locations)},
        lambda: {"company": rng.choice(slugs)},
        lambda: {"workplace": ["remote", "hybrid"]},
    ]

    def filters(k: int) -> dict:
        out: dict = {}
        for make in rng.sample(filters_pool, k):
            out.update(make())
        return out

    mix: list[tuple[str, dict]] = []
    plan = [
        ("term", 40),
        ("two terms", 35),
        ("phrase", 30),
        ("prefix", 30),
        ("filters", 35),
        ("browse", 20),
        ("typo", 10),
    ]
    scale = count / sum(n for _, n in plan)
    for kind, n in plan:
        for _ in range(max(1, round(n * scale))):
            if kind == "term":
                args = {"q": rng.choice(words).lower()}
            elif kind == "two terms":
                args = {"q": " ".join(rng.choice(pairs))}
            elif kind == "phrase":
                args = {"q": f'"{rng.choice(phrases)}"'}
            elif kind == "prefix":
                args = {"q": rng.choice(prefixes) + "*"}
            elif kind == "filters":
                args = {"q": rng.choice(words).lower(), **filters(rng.randint(1, 3))}
            elif kind == "browse":
                args = filters(rng.randint(0, 2))
                if rng.random() < 0.3:
                    args["sort"] = "newest"
            else:
                args = {"q": rng.choice(typos)}
            mix.append((kind, args))
    return mix[:count]


# =============================================================================================
# Measuring


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summarise(timings: dict[str, list[tuple[float, float]]]) -> dict[str, tuple]:
    """Per kind and overall: (wall p50, p95, max, n, CPU p50, CPU p95) from (wall, cpu) pairs in ms.

    CPU time is this process's (time.process_time): what the query costs on a core of its own,
    whatever else the machine runs. Wall time is what a user waits for."""

    def row(pairs):
        wall = [w for w, _ in pairs]
        cpu = [c for _, c in pairs]
        return (
            percentile(wall, 50),
            percentile(wall, 95),
            max(wall),
            len(wall),
            percentile(cpu, 50),
            percentile(cpu, 95),
        )

    rows = {kind: row(v) for kind, v in timings.items()}
    rows["overall"] = row([t for v in timings.values() for t in v])
    return rows


# =============================================================================================
# The backends under test: each is set up in this process, then queried from a process of its own
# (a fresh "web process": its memory is what serving these queries costs).

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def make_app(workdir: str, database_url: str, backend: str):
    from app import create_app

    env = {
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-" + "x" * 40,
        "SEARCH_BACKEND": backend,
    }
    return create_app(
        overrides={
            "TESTING": False,
            "INSTANCE_DIR": workdir,
            "SEARCH_INDEX_DIR": os.path.join(workdir, "search-index"),
        },
        env=env,
    )


def load_jobs(app, companies: list[dict], jobs: list[dict], migrate: bool) -> float:
    """Insert the corpus; returns the seconds the job rows took (PostgreSQL: with their triggers)."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from app.extensions import db
    from app.models import Company, Job

    with app.app_context():
        if migrate:
            upgrade()
        else:
            db.create_all()
        db.session.execute(insert(Company), companies)
        db.session.commit()
        started = time.perf_counter()
        for start in range(0, len(jobs), 5000):
            db.session.execute(insert(Job), jobs[start : start + 5000])
            db.session.commit()
        return time.perf_counter() - started


def dir_size(path: str) -> int:
    return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(path) for name in names)


def memory() -> dict[str, float]:
    """This process's resident memory now and at its peak, in MB."""
    values = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS:", "VmHWM:", "RssAnon:", "RssFile:")):
                values[line.split(":")[0]] = int(line.split()[1]) / 1024
    # RssFile: pages of mapped files (the Whoosh segments), shared by every process mapping them and
    # dropped by the kernel under pressure; RssAnon: this process's own heap.
    return {
        "rss": values.get("VmRSS", 0.0),
        "peak": values.get("VmHWM", 0.0),
        "anon": values.get("RssAnon", 0.0),
        "file": values.get("RssFile", 0.0),
    }


# The PostgreSQL server processes serving this process (their pids): their CPU time is added to the
# query process's in the CPU columns, so that on a shared machine (where wall times swing with the
# other users' load) "CPU" is what a search costs on one core, server work included.
SERVER_PIDS: list[int] = []
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_ms() -> float:
    """CPU time of this process and of its PostgreSQL server processes, in ms (the server's in
    clock ticks of 10 ms: compare percentiles over many searches, not single ones)."""
    total = time.process_time() * 1000
    for pid in SERVER_PIDS:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the connection closed
        total += (int(fields[11]) + int(fields[12])) * 1000 / CLOCK_TICKS  # utime + stime
    return total


def pin_postgres_connections(app, cpu: int | None) -> None:
    """Every connection's server process runs on the same CPU as this process, without parallel
    workers: "one core" covers the database too."""
    from sqlalchemy import event

    from app.extensions import db

    def on_connect(dbapi_connection, _record):
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SET max_parallel_workers_per_gather = 0")
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        dbapi_connection.commit()
        SERVER_PIDS.append(pid)
        if cpu is not None:
            try:
                os.sched_setaffinity(pid, {cpu})
            except OSError as error:  # another user's server process: measure unpinned, and say so
                print(f"  (could not pin PostgreSQL backend {pid}: {error})")

    with app.app_context():
        event.listen(db.engine, "connect", on_connect)
        db.engine.dispose()


def run_queries(app, backend: str, mix, clear_term_caches: bool = False, slowest: list | None = None):
    """Each query through search_jobs, as /jobs runs it; (timings by kind, answers)."""
    from werkzeug.datastructures import MultiDict

    from app.extensions import db
    from app.search import parse_params, search_jobs
    from app.search.index import get_index

    timings: dict[str, list[tuple[float, float]]] = {}
    answers = []
    with app.app_context():
        for kind, args in mix:
            if clear_term_caches:
                # "Cold": no posting list, phrase or expansion of any earlier query is cached.
                for data in get_index(app)._segments.values():
                    data.terms.clear()
                    data.cached_bytes = 0
                    data.phrases.clear()
                    data.expansions.clear()
            started, cpu = time.perf_counter(), cpu_ms()
            results = search_jobs(parse_params(MultiDict(args)))
            took, cpu = (time.perf_counter() - started) * 1000, cpu_ms() - cpu
            answers.append((results.total, [h.job.id for h in results.hits]))
            db.session.remove()  # each request has its own session (as in the web app)
            timings.setdefault(kind, []).append((took, cpu))
            if slowest is not None:
                slowest.append((took, kind, args))
            if results.degraded:
                raise SystemExit(f"{backend}: a search was answered by the database fallback: benchmark invalid")
    return timings, answers


def measure_updates(app, backend: str, rounds: int = 20, pause: float = 0.0) -> dict[str, list[tuple[float, float]]]:
    """Edit one job through the ORM and commit (as a recruiter's request does), then time until a
    search finds it by a word only it has. Whoosh: the catch-up the after-commit hook runs, then the
    search; PostgreSQL: the search (the commit already updated its tsvector). `pause` seconds pass
    between edits (Whoosh merges segments in pauses)."""
    from werkzeug.datastructures import MultiDict

    from app.extensions import db
    from app.models import Job
    from app.search import get_backend, parse_params, search_jobs

    out: dict[str, list[tuple[float, float]]] = {"visible in search": []}
    with app.app_context():
        ids = [
            j
            for (j,) in db.session.execute(
                db.select(Job.id).where(Job.open_clause()).order_by(Job.id).offset(rounds if pause else 0).limit(rounds)
            )
        ]
        for n, job_id in enumerate(ids):
            time.sleep(pause)
            word = f"zq{n}x{int(pause * 10)}marker"
            job = db.session.get(Job, job_id)
            # Without the marker an earlier run (--reuse-pg) left: titles stay within their column.
            job.title = f"{re.sub(r'( zq[0-9]+x[0-9]+marker)+$', '', job.title)} {word}"
            db.session.commit()
            started, cpu = time.perf_counter(), time.process_time()
            if backend == "whoosh":
                get_backend(app).catch_up()
            results = search_jobs(parse_params(MultiDict({"q": word})))
            if [h.job.id for h in results.hits] != [job_id]:
                raise SystemExit(f"{backend}: update not visible: {word}")
            out["visible in search"].append(
                ((time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000)
            )
            db.session.remove()
    return out


def query_process(spec: dict) -> dict:
    """Runs in a process of its own (spawned): open the backend as a web process would, run the
    query passes and the update rounds, report timings and memory."""
    if spec["cpu"] is not None:
        os.sched_setaffinity(0, {spec["cpu"]})
    logging.basicConfig(level=logging.WARNING)
    app = make_app(spec["workdir"], spec["database_url"], spec["backend"])
    if spec["backend"] == "postgres":
        pin_postgres_connections(app, spec["cpu"])
    out: dict = {"memory_start": memory()}  # the app built, nothing searched yet
    slow: list = []
    out["first"], _ = run_queries(app, spec["backend"], spec["mix"])  # caches filling
    out["steady"], out["answers"] = run_queries(app, spec["backend"], spec["mix"], slowest=slow)
    out["steady2"], _ = run_queries(app, spec["backend"], spec["mix"])
    out["memory_queries"] = memory()
    searches = 3 * len(spec["mix"])
    m = out["memory_queries"]
    print(
        f"{spec['backend']} query process after {searches} searches: RSS {m['rss']:.0f} MB = "
        f"{m['anon']:.0f} MB own (anonymous) + {m['file']:.0f} MB mapped files (shared), peak {m['peak']:.0f} MB",
        flush=True,
    )
    if spec["backend"] == "whoosh":
        out["cold"], _ = run_queries(app, spec["backend"], spec["mix"], clear_term_caches=True)
    out["updates"] = measure_updates(app, spec["backend"], pause=1.0)
    out["burst"] = measure_updates(app, spec["backend"], pause=0.0)
    out["memory_end"] = memory()
    out["slowest"] = sorted(slow, key=lambda t: t[0], reverse=True)[: spec["slowest"]]
    return out


def in_own_process(function, spec: dict) -> dict:
    """function(spec) in a new Python process (spawned: nothing inherited but the arguments)."""
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, spec).result()


def setup_whoosh(workdir: str, companies, jobs) -> dict:
    from app.search import get_backend
    from app.search.index import get_index

    url = f"sqlite:///{workdir}/bench.sqlite3"
    app = make_app(workdir, url, "whoosh")
    load_jobs(app, companies, jobs, migrate=False)
    started = time.perf_counter()
    with app.app_context():
        report = get_backend(app).rebuild(progress=lambda done, total: None)
        build = time.perf_counter() - started
        size = dir_size(get_index(app).current_path())
    return {"database_url": url, "docs": report.updated, "build": build, "size": size}


def setup_postgres(workdir: str, name: str, companies, jobs) -> dict:
    from sqlalchemy import create_engine, text

    from app.extensions import db
    from app.search import get_backend

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = pg_url(name)
    app = make_app(workdir, url, "postgres")
    load = load_jobs(app, companies, jobs, migrate=True)
    with app.app_context():
        started = time.perf_counter()
        get_backend(app).catch_up()  # the spelling vocabulary; the board's counts folded
        # What autovacuum would have done by now (it may be off, as on the machines these figures
        # come from): without it search.jobs keeps the statistics of the empty table the migration
        # created, and the planner prices every search for a handful of rows.
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE jobs, companies, search.jobs, search.facet_counts"
            )
        settle = time.perf_counter() - started
        sizes = db.session.execute(
            text(
                "SELECT pg_relation_size('jobs'), pg_total_relation_size('jobs'), "
                "pg_relation_size('ix_jobs_search_vector'),"
                " (SELECT count(*) FROM jobs WHERE search_vector IS NOT NULL)"
            )
        ).one()
        db.session.remove()
        db.engine.dispose()
    return {
        "database_url": url,
        "docs": sizes[3],
        "build": load,
        "settle": settle,
        "heap": sizes[0],
        "total": sizes[1],
        "gin": sizes[2],
    }


def reused_postgres(name: str) -> dict:
    """The database of an earlier --keep run, as it is (its load figures are not measured again)."""
    return {
        "database_url": pg_url(name),
        "docs": 0,
        "build": float("nan"),
        "settle": 0.0,
        "heap": 0,
        "total": 0,
        "gin": 0,
    }


def drop_postgres(name: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# ---- SQLite FTS5 baseline: the same corpus, the same questions, the same answers to give


def build_fts(path: str, companies: list[dict], jobs: list[dict]) -> float:
    from app.search.documents import epoch, location_key, plain_text, yearly_usd
    from app.search.schema import NO_EXPIRY

    con = sqlite3.connect(path)
    started = time.perf_counter()
    con.executescript("""
        CREATE VIRTUAL TABLE docs USING fts5(title, description, company, skills, location,
                                             tokenize='porter unicode61');
        CREATE TABLE meta (id INTEGER PRIMARY KEY, workplace TEXT, employment_type TEXT, seniority TEXT,
                           company_slug TEXT, company_name TEXT, location_key TEXT, location_label TEXT,
                           published INTEGER, expires INTEGER, featured_until INTEGER, salary_year INTEGER);
    """)
    by_id = {c["id"]: c for c in companies}
    now = datetime.now(UTC)
    rows, metas = [], []
    for j in jobs:
        if j["status"] != "published" or (j["expires_at"] and j["expires_at"] <= now):
            continue
        c = by_id[j["company_id"]]
        upper = j["salary_max"] if j["salary_max"] is not None else j["salary_min"]
        rows.append(
            (
                j["id"],
                j["title"],
                plain_text(j["description_html"], j["description"]),
                c["name"],
                ", ".join(j["skills"]),
                j["location"],
            )
        )
        metas.append(
            (
                j["id"],
                j["workplace"],
                j["employment_type"],
                j["seniority"],
                c["slug"],
                c["name"],
                location_key(j["location"]),
                j["location"],
                epoch(j["published_at"]),
                epoch(j["expires_at"], NO_EXPIRY),
                epoch(j["featured_until"]),
                yearly_usd(upper, j["salary_currency"], j["salary_period"]),
            )
        )
    con.executemany("INSERT INTO docs(rowid, title, description, company, skills, location) VALUES (?,?,?,?,?,?)", rows)
    con.executemany("INSERT INTO meta VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", metas)
    con.commit()
    con.close()
    return time.perf_counter() - started


def fts_query_text(q: str) -> str | None:
    """The same words as FTS5 syntax: terms ANDed, "phrases", prefix*."""
    if not q:
        return None
    if q.startswith('"'):
        return q
    parts = []
    for word in q.split():
        if word.endswith("*"):
            parts.append(f'"{word[:-1]}"*')
        else:
            parts.append(f'"{word}"')
    return " ".join(parts)


def run_fts_queries(path: str, main_db: str, mix, facets: bool = True) -> dict[str, list[float]]:
    """Per query, what the page needs: exact total, top 20 (featured first, bm25 with the same field
    weights x the same recency boost), snippets, counts for every facet group with the other
    filters applied, and the 20 rows from the jobs table. facets=False: total and top 20 only."""
    con = sqlite3.connect(path)
    con.execute(f"ATTACH DATABASE '{main_db}' AS main_db")
    timings: dict[str, list[tuple[float, float]]] = {}
    groups = ["workplace", "employment_type", "seniority", "location_key", "company_slug"]
    for kind, args in mix:
        started, cpu = time.perf_counter(), time.process_time()
        now = int(time.time())
        match = fts_query_text(args.get("q", ""))
        conditions: dict[str, tuple[str, list]] = {}
        for name, column in (
            ("workplace", "workplace"),
            ("employment_type", "employment_type"),
            ("seniority", "seniority"),
            ("location", "location_key"),
            ("company", "company_slug"),
        ):
            values = args.get(name)
            if values:
                values = values if isinstance(values, list) else [values]
                if name == "location":
                    values = [v.casefold() for v in values]
                conditions[column] = (f"m.{column} IN ({','.join('?' * len(values))})", values)
        if args.get("posted"):
            days = {"24h": 1, "7d": 7, "30d": 30}[args["posted"]]
            conditions["posted"] = ("m.published >= ?", [now - days * 86400])
        if args.get("salary_min"):
            conditions["salary"] = ("m.salary_year >= ?", [int(args["salary_min"])])

        def where(skip: str | None = None) -> tuple[str, list]:
            sql, params = ["m.expires > ?"], [now]
            if match:
                sql.append("docs MATCH ?")
                params.append(match)
            for key, (cond, values) in conditions.items():
                if key != skip:
                    sql.append(cond)
                    params.extend(values)
            return " AND ".join(sql), params

        source = "docs JOIN meta m ON m.id = docs.rowid" if match else "meta m"
        w, p = where()
        con.execute(f"SELECT count(*) FROM {source} WHERE {w}", p).fetchone()
        if match:
            order = (
                "(m.featured_until > ?) DESC, bm25(docs, 3.0, 1.0, 1.5, 2.0, 1.2) * "
                "(1 + 0.25 * pow(0.5, (? - m.published) / 1209600.0))"
            )
            top = con.execute(
                f"SELECT m.id, snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM {source} "
                f"WHERE {w} ORDER BY {order} LIMIT 20",
                p + [now, now],
            ).fetchall()
        else:
            order = (
                "m.published DESC, m.id DESC"
                if args.get("sort") == "newest"
                else "(m.featured_until > ?) DESC, m.published DESC, m.id DESC"
            )
            extra = [] if args.get("sort") == "newest" else [now]
            top = con.execute(f"SELECT m.id FROM {source} WHERE {w} ORDER BY {order} LIMIT 20", p + extra).fetchall()
        for column in groups if facets else ():
            w, p = where(column)
            con.execute(
                f"SELECT m.{column}, count(*) FROM {source} WHERE {w} GROUP BY m.{column} ORDER BY count(*) DESC", p
            ).fetchall()
        if facets:
            w, p = where("posted")
            con.execute(
                f"SELECT sum(m.published >= ?), sum(m.published >= ?), sum(m.published >= ?), count(*) "
                f"FROM {source} WHERE {w}",
                [now - 86400, now - 7 * 86400, now - 30 * 86400] + p,
            ).fetchone()
            w, p = where("salary")
            con.execute(
                "SELECT "
                + ", ".join(f"sum(m.salary_year >= {s})" for s in (25000, 50000, 75000, 100000, 150000, 200000))
                + " "
                f"FROM {source} WHERE {w}",
                p,
            ).fetchone()
        ids = [row[0] for row in top]
        if ids:
            con.execute(f"SELECT * FROM main_db.jobs WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
        timings.setdefault(kind, []).append(
            ((time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000)
        )
    con.close()
    return timings


def fts_process(spec: dict) -> dict:
    """The FTS5 baseline in a process of its own, like the backends."""
    if spec["cpu"] is not None:
        os.sched_setaffinity(0, {spec["cpu"]})
    start = memory()
    run_fts_queries(spec["path"], spec["main_db"], spec["mix"])  # warm the page cache
    queries = memory()
    out = {
        "steady": run_fts_queries(spec["path"], spec["main_db"], spec["mix"]),
        "steady2": run_fts_queries(spec["path"], spec["main_db"], spec["mix"]),
        "plain": run_fts_queries(spec["path"], spec["main_db"], spec["mix"], facets=False),
    }
    out["memory_start"], out["memory_queries"], out["memory_end"] = start, queries, memory()
    return out


# =============================================================================================
# Reporting


def table(title: str, columns: dict[str, dict[str, tuple]], kinds: list[str]) -> str:
    """p50 / p95 / max (wall ms) per query type, one column group per engine."""
    names = list(columns)
    lines = [
        title,
        "",
        "| query type | n | " + " | ".join(f"{name} p50 / p95 / max" for name in names) + " |",
        "|---|---:|" + "---:|" * len(names),
    ]
    for kind in kinds:
        cells = []
        n = 0
        for name in names:
            row = columns[name].get(kind)
            if row is None:
                cells.append("–")
                continue
            p50, p95, mx, n, _, _ = row
            cells.append(f"{p50:.1f} / {p95:.1f} / {mx:.1f}")
        lines.append(f"| {kind} | {n} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cpu_line(name: str, rows: dict[str, tuple]) -> str:
    p50, p95, _, _, c50, c95 = rows["overall"]
    whose = "CPU of this process and its PostgreSQL server" if name == "PostgreSQL" else "this process's CPU"
    return f"  {name}: wall p50/p95 {p50:.1f}/{p95:.1f} ms, {whose} p50/p95 {c50:.1f}/{c95:.1f} ms"


def agreement(a: list, b: list) -> str:
    same_total = sum(1 for (ta, _), (tb, _) in zip(a, b, strict=False) if ta == tb)
    same_first = sum(1 for (_, ha), (_, hb) in zip(a, b, strict=False) if ha[:1] == hb[:1])
    same_set = sum(1 for (_, ha), (_, hb) in zip(a, b, strict=False) if set(ha) == set(hb))
    return (
        f"{same_total}/{len(a)} same total, {same_set}/{len(a)} same set of shown jobs, "
        f"{same_first}/{len(a)} same first job"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="postings in the corpus (default 10,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument(
        "--engines", default="whoosh,postgres,fts5", help="comma-separated: whoosh, postgres, fts5 (default: all three)"
    )
    parser.add_argument("--dir", help="work directory (default: a temporary one, removed afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory and the PostgreSQL database")
    parser.add_argument(
        "--pg-database", help="PostgreSQL database to create (default bench_search_<n>); dropped first!"
    )
    parser.add_argument(
        "--cpu",
        type=int,
        help="pin to one CPU (this process, the query processes and their PostgreSQL server processes)",
    )
    parser.add_argument(
        "--reuse-pg",
        action="store_true",
        help="query the PostgreSQL database a --keep run left (same --n and --seed) instead of loading it again",
    )
    parser.add_argument("--slowest", type=int, default=0, help="list the N slowest steady-state queries per engine")
    opts = parser.parse_args(argv)
    engines = [e.strip() for e in opts.engines.split(",") if e.strip()]
    if opts.cpu is not None:
        os.sched_setaffinity(0, {opts.cpu})
    workdir = opts.dir or tempfile.mkdtemp(prefix="jobifies-bench-")
    os.makedirs(workdir, exist_ok=True)
    pg_name = opts.pg_database or f"bench_search_{opts.n}"
    logging.basicConfig(level=logging.WARNING)
    print(
        f"Jobifies search benchmark: {opts.n:,} postings, {opts.queries} queries, seed {opts.seed}, engines {engines}"
    )
    print(
        f"python {platform.python_version()}, whoosh-reloaded {whoosh.versionstring()}, "
        f"sqlite {sqlite3.sqlite_version}, "
        f"CPUs allowed: {sorted(os.sched_getaffinity(0))}, work dir {workdir}, {time.strftime('%Y-%m-%d %H:%M')}"
    )
    results: dict[str, dict] = {}
    try:
        started = time.perf_counter()
        companies, jobs = generate(opts.n, opts.seed)
        print(
            f"corpus generated in {time.perf_counter() - started:.1f} s "
            f"({sum(1 for j in jobs if j['status'] == 'published'):,} published, {len(companies):,} companies)"
        )
        mix = query_mix(companies, jobs, opts.queries, opts.seed)
        base = {"cpu": opts.cpu, "workdir": workdir, "mix": mix, "slowest": opts.slowest}

        if "whoosh" in engines or "fts5" in engines:
            setup = setup_whoosh(workdir, companies, jobs)
            print(
                f"\nWhoosh: index build {setup['docs']:,} docs in {setup['build']:.1f} s = "
                f"{setup['docs'] / setup['build']:,.0f} docs/s; index size {setup['size'] / 1e6:.1f} MB"
            )
            if "whoosh" in engines:
                results["whoosh"] = {
                    **setup,
                    **in_own_process(
                        query_process, {**base, "backend": "whoosh", "database_url": setup["database_url"]}
                    ),
                }
        if "postgres" in engines:
            if opts.reuse_pg:
                setup = reused_postgres(pg_name)
            else:
                setup = setup_postgres(workdir, pg_name, companies, jobs)
            print(
                f"PostgreSQL: {len(jobs):,} rows inserted with their tsvector trigger in {setup['build']:.1f} s = "
                f"{len(jobs) / setup['build']:,.0f} rows/s (+{setup['settle']:.1f} s VACUUM ANALYZE and vocabulary); "
                f"jobs heap {setup['heap'] / 1e6:.1f} MB, with TOAST and indexes {setup['total'] / 1e6:.1f} MB, "
                f"GIN {setup['gin'] / 1e6:.1f} MB"
            )
            results["postgres"] = {
                **setup,
                **in_own_process(query_process, {**base, "backend": "postgres", "database_url": setup["database_url"]}),
            }
        if "fts5" in engines:
            fts_path = os.path.join(workdir, "fts5.sqlite3")
            fts_build = build_fts(fts_path, companies, jobs)
            print(f"FTS5: build {fts_build:.1f} s; FTS5 database {os.path.getsize(fts_path) / 1e6:.1f} MB")
            results["fts5"] = in_own_process(
                fts_process,
                {"cpu": opts.cpu, "mix": mix, "path": fts_path, "main_db": os.path.join(workdir, "bench.sqlite3")},
            )

        kinds = list(dict.fromkeys(kind for kind, _ in mix)) + ["overall"]
        labels = {"whoosh": "Whoosh", "postgres": "PostgreSQL", "fts5": "FTS5"}
        for run in ("steady", "steady2"):
            columns = {labels[e]: summarise(results[e][run]) for e in ("whoosh", "postgres", "fts5") if e in results}
            print()
            print(
                table(
                    f"Full search, steady state, pass {run[-1] if run[-1].isdigit() else 1} (wall ms; the whole "
                    "search_jobs: query, filters, exact total, facet counts, top 20, rows, snippets)",
                    columns,
                    kinds,
                )
            )
        print()
        for e in ("whoosh", "postgres", "fts5"):
            if e in results:
                print(cpu_line(labels[e], summarise(results[e]["steady"])))
        first = {labels[e]: summarise(results[e]["first"]) for e in ("whoosh", "postgres") if e in results}
        if "whoosh" in results:
            first["Whoosh, cold term caches"] = summarise(results["whoosh"]["cold"])
        if "fts5" in results:
            first["FTS5 without facet counts"] = summarise(results["fts5"]["plain"])
        print()
        print(
            table(
                "First pass in a new process; Whoosh with cold term caches; FTS5 without facets (wall ms)", first, kinds
            )
        )
        print()
        print("One-document update: edit committed -> found by a search (wall ms, 20 edits)")
        print()
        print("| backend | one edit a second: p50 / p95 / max | back to back: p50 / p95 / max |")
        print("|---|---:|---:|")
        for e in ("whoosh", "postgres"):
            if e in results:
                a = summarise(results[e]["updates"])["visible in search"]
                b = summarise(results[e]["burst"])["visible in search"]
                print(f"| {labels[e]} | {a[0]:.0f} / {a[1]:.0f} / {a[2]:.0f} | {b[0]:.0f} / {b[1]:.0f} / {b[2]:.0f} |")
        print()
        print("Memory of the query process (RSS, MB): app started / after the query passes / peak")
        print()
        for e in ("whoosh", "postgres", "fts5"):
            if e in results:
                r = results[e]
                after = r.get("memory_queries", r["memory_end"])
                print(
                    f"  {labels[e]}: {r['memory_start']['rss']:.0f} / {after['rss']:.0f} / "
                    f"{r['memory_end']['peak']:.0f}"
                )
        if "whoosh" in results and "postgres" in results:
            print(
                "\nPostgreSQL vs Whoosh answers: "
                + agreement(results["whoosh"]["answers"], results["postgres"]["answers"])
            )
        for e in ("whoosh", "postgres"):
            for took, kind, args in results.get(e, {}).get("slowest", []):
                print(f"slow {labels[e]}: {took:7.1f} ms  {kind:10} {args}")
    finally:
        if not opts.keep and not opts.reuse_pg:
            if "postgres" in engines:
                drop_postgres(pg_name)
            if not opts.dir:
                shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
