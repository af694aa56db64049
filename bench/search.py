"""Benchmark of job search: Whoosh (the code the jobs page runs) against SQLite FTS5 on one corpus.

    .venv/bin/python bench/search.py --n 10000 --cpu 0      (or: taskset -c 0 .venv/bin/python ...)
    .venv/bin/python bench/search.py --n 100000 --cpu 0

Generates a deterministic corpus of N realistic postings, loads it into a temporary SQLite database,
builds the index with `app.search.rebuild` (what `flask search reindex` runs), then runs a fixed mix
of 200 queries (single term, two terms, phrase, prefix, words with filters, browsing with filters
only, misspellings) through `app.search.search_jobs` — the function the /jobs page calls: catch-up
check against the database, parse, filters, facet counts, top 20, loading the 20 rows, snippets —
and the same questions on SQLite FTS5 over the same corpus in the same run. Prints build time,
index size, p50/p95/max per query type (steady state, cold term caches, first pass) and the
one-document update latency. Needs no services.
"""
from __future__ import annotations

import argparse
import logging
import math
import os
import platform
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import whoosh  # noqa: E402

# =============================================================================================
# The corpus: realistic postings, deterministic for a given n and seed
FAMILIES = {
    "engineering": {
        "titles": ["Backend Engineer", "Frontend Developer", "Full Stack Developer", "Software Engineer",
                   "Mobile Developer", "iOS Engineer", "Android Developer", "DevOps Engineer",
                   "Site Reliability Engineer", "Platform Engineer", "Security Engineer", "QA Engineer",
                   "Embedded Software Engineer", "Engineering Manager", "Cloud Architect"],
        "skills": ["Python", "Django", "Flask", "FastAPI", "Go", "Rust", "Java", "Kotlin", "Swift",
                   "TypeScript", "JavaScript", "React", "Vue", "Node.js", "PostgreSQL", "MySQL", "Redis",
                   "Kafka", "Docker", "Kubernetes", "Terraform", "AWS", "GCP", "Azure", "GraphQL",
                   "C++", "C#", ".NET", "Ruby on Rails", "Elixir", "Linux", "CI/CD", "gRPC"],
        "nouns": ["services", "APIs", "microservices", "infrastructure", "deployment pipelines", "test suites",
                  "code reviews", "architecture", "observability", "latency", "reliability", "scalability",
                  "databases", "queues", "integrations", "release process", "incident response", "monitoring"],
        "verbs": ["design", "build", "ship", "maintain", "scale", "debug", "refactor", "automate", "own",
                  "improve", "migrate", "instrument", "review", "document"],
    },
    "data": {
        "titles": ["Data Scientist", "Data Engineer", "Machine Learning Engineer", "Data Analyst",
                   "Analytics Engineer", "Business Intelligence Analyst", "Research Scientist",
                   "MLOps Engineer", "Statistician"],
        "skills": ["Python", "SQL", "Pandas", "NumPy", "scikit-learn", "PyTorch", "TensorFlow", "Spark",
                   "Airflow", "dbt", "Snowflake", "BigQuery", "Tableau", "Looker", "Power BI", "R",
                   "Statistics", "Machine Learning", "Deep Learning", "NLP", "Computer Vision", "A/B Testing"],
        "nouns": ["models", "dashboards", "data pipelines", "experiments", "forecasts", "features",
                  "metrics", "datasets", "warehouse", "recommendations", "insights", "reports",
                  "machine learning systems", "data quality"],
        "verbs": ["analyse", "model", "train", "evaluate", "deploy", "visualise", "clean", "forecast",
                  "explore", "validate", "present", "measure"],
    },
    "product": {
        "titles": ["Product Manager", "Senior Product Owner", "Technical Program Manager", "Product Designer",
                   "UX Designer", "UX Researcher", "UI Designer", "Project Manager", "Scrum Master"],
        "skills": ["Figma", "Sketch", "User Research", "Prototyping", "Roadmapping", "Jira", "Agile",
                   "Scrum", "Stakeholder Management", "Design Systems", "Accessibility", "Usability Testing",
                   "Product Analytics", "OKRs"],
        "nouns": ["roadmap", "user journeys", "prototypes", "requirements", "discovery", "launches",
                  "customer feedback", "design system", "user interviews", "priorities", "backlog"],
        "verbs": ["define", "prioritise", "research", "prototype", "launch", "facilitate", "align",
                  "iterate", "validate", "communicate"],
    },
    "sales": {
        "titles": ["Account Executive", "Sales Manager", "Business Development Representative",
                   "Sales Development Representative", "Customer Success Manager", "Account Manager",
                   "Solutions Engineer", "Partnerships Manager", "Head of Sales"],
        "skills": ["Salesforce", "HubSpot", "Negotiation", "Prospecting", "Cold Calling", "CRM",
                   "Account Management", "Pipeline Management", "B2B Sales", "SaaS", "Presentation Skills"],
        "nouns": ["pipeline", "quota", "accounts", "deals", "renewals", "prospects", "territory",
                  "customer relationships", "forecast", "contracts", "demos"],
        "verbs": ["close", "prospect", "negotiate", "grow", "manage", "qualify", "present", "renew",
                  "expand", "forecast"],
    },
    "marketing": {
        "titles": ["Marketing Manager", "Content Marketing Manager", "Growth Marketer", "SEO Specialist",
                   "Social Media Manager", "Brand Manager", "Product Marketing Manager", "Copywriter",
                   "Performance Marketing Manager"],
        "skills": ["SEO", "SEM", "Google Analytics", "Content Strategy", "Copywriting", "Email Marketing",
                   "Paid Social", "Google Ads", "Marketing Automation", "Brand Strategy", "Video Editing"],
        "nouns": ["campaigns", "content", "brand", "audience", "funnel", "newsletter", "landing pages",
                  "social channels", "messaging", "conversion rates", "launch plans"],
        "verbs": ["plan", "write", "launch", "optimise", "grow", "measure", "test", "edit", "publish",
                  "promote"],
    },
    "finance": {
        "titles": ["Accountant", "Financial Analyst", "Finance Manager", "Controller", "Payroll Specialist",
                   "Tax Advisor", "Auditor", "Bookkeeper", "Treasury Analyst"],
        "skills": ["Excel", "IFRS", "GAAP", "SAP", "Xero", "QuickBooks", "Financial Modelling", "Budgeting",
                   "Forecasting", "Audit", "Tax", "Payroll", "Reconciliation"],
        "nouns": ["month-end close", "budgets", "forecasts", "financial statements", "audits", "invoices",
                  "cash flow", "reporting", "controls", "payroll", "tax filings"],
        "verbs": ["prepare", "reconcile", "review", "forecast", "audit", "report", "analyse", "improve",
                  "manage", "support"],
    },
    "people": {
        "titles": ["Recruiter", "Talent Acquisition Partner", "HR Business Partner", "People Operations Manager",
                   "Learning and Development Specialist", "Office Manager", "Executive Assistant"],
        "skills": ["Recruiting", "Interviewing", "Employee Relations", "HRIS", "Workday", "Onboarding",
                   "Compensation", "Employment Law", "Coaching", "Scheduling"],
        "nouns": ["hiring process", "candidates", "onboarding", "policies", "employee experience",
                  "performance reviews", "training programmes", "interview loops", "benefits"],
        "verbs": ["hire", "source", "interview", "coach", "support", "organise", "improve", "run", "design"],
    },
    "healthcare": {
        "titles": ["Registered Nurse", "Nurse Practitioner", "Pharmacist", "Physiotherapist", "Medical Assistant",
                   "Care Coordinator", "Clinical Research Associate", "Radiographer", "Dental Hygienist"],
        "skills": ["Patient Care", "Clinical Documentation", "Electronic Health Records", "Triage",
                   "Medication Administration", "BLS", "Infection Control", "Clinical Trials", "GCP"],
        "nouns": ["patients", "care plans", "clinical records", "ward", "treatments", "appointments",
                  "medications", "trials", "families", "clinic"],
        "verbs": ["care for", "assess", "treat", "document", "coordinate", "support", "monitor", "educate",
                  "administer"],
    },
    "operations": {
        "titles": ["Operations Manager", "Logistics Coordinator", "Supply Chain Analyst", "Warehouse Associate",
                   "Fleet Manager", "Procurement Specialist", "Customer Support Specialist",
                   "Technical Support Engineer", "Store Manager", "Chef", "Electrician", "Mechanical Engineer",
                   "Civil Engineer", "Teacher"],
        "skills": ["Logistics", "Inventory Management", "Lean", "Six Sigma", "Forklift", "Zendesk",
                   "Customer Service", "Procurement", "ERP", "Health and Safety", "AutoCAD", "Scheduling"],
        "nouns": ["shipments", "inventory", "suppliers", "processes", "shifts", "tickets", "customers",
                  "warehouse", "routes", "orders", "safety standards", "budgets"],
        "verbs": ["coordinate", "schedule", "improve", "manage", "resolve", "track", "plan", "train",
                  "negotiate", "inspect"],
    },
}
FAMILY_WEIGHTS = {"engineering": 30, "data": 12, "product": 9, "sales": 11, "marketing": 8, "finance": 8,
                  "people": 6, "healthcare": 7, "operations": 9}

TEAMS = ["Payments", "Platform", "Growth", "Infrastructure", "Mobile", "Search", "Billing", "Security",
         "Analytics", "Checkout", "Identity", "Marketplace", "Logistics", "Risk", "Onboarding", "Core",
         "Developer Experience", "Enterprise", "Retail", "Ads"]
SENIORITY = [("intern", "Intern", 3), ("junior", "Junior", 15), ("mid", "", 35), ("senior", "Senior", 30),
             ("lead", "Lead", 9), ("principal", "Principal", 4), ("executive", "Head of", 4)]
WORKPLACE = [("onsite", 40), ("hybrid", 35), ("remote", 25)]
EMPLOYMENT = [("full_time", 78), ("part_time", 7), ("contract", 10), ("temporary", 2), ("internship", 3)]

LOCATIONS = [
    ("Berlin, Germany", "EUR"), ("Munich, Germany", "EUR"), ("Hamburg, Germany", "EUR"), ("Amsterdam, Netherlands", "EUR"),
    ("Rotterdam, Netherlands", "EUR"), ("Paris, France", "EUR"), ("Lyon, France", "EUR"), ("Madrid, Spain", "EUR"),
    ("Barcelona, Spain", "EUR"), ("Lisbon, Portugal", "EUR"), ("Porto, Portugal", "EUR"), ("Dublin, Ireland", "EUR"),
    ("Milan, Italy", "EUR"), ("Rome, Italy", "EUR"), ("Vienna, Austria", "EUR"), ("Brussels, Belgium", "EUR"),
    ("Helsinki, Finland", "EUR"), ("Tallinn, Estonia", "EUR"), ("Warsaw, Poland", "EUR"), ("Prague, Czechia", "EUR"),
    ("London, UK", "GBP"), ("Manchester, UK", "GBP"), ("Edinburgh, UK", "GBP"), ("Bristol, UK", "GBP"),
    ("Cambridge, UK", "GBP"), ("Zurich, Switzerland", "CHF"), ("Geneva, Switzerland", "CHF"),
    ("New York, NY", "USD"), ("San Francisco, CA", "USD"), ("Seattle, WA", "USD"), ("Austin, TX", "USD"),
    ("Boston, MA", "USD"), ("Chicago, IL", "USD"), ("Denver, CO", "USD"), ("Los Angeles, CA", "USD"),
    ("Atlanta, GA", "USD"), ("Miami, FL", "USD"), ("Portland, OR", "USD"), ("Washington, DC", "USD"),
    ("Raleigh, NC", "USD"), ("Toronto, Canada", "CAD"), ("Vancouver, Canada", "CAD"), ("Montreal, Canada", "CAD"),
    ("Sydney, Australia", "AUD"), ("Melbourne, Australia", "AUD"), ("Brisbane, Australia", "AUD"),
    ("Singapore", "SGD"), ("Tokyo, Japan", "JPY"), ("Osaka, Japan", "JPY"), ("Bangalore, India", "INR"),
    ("Pune, India", "INR"), ("Hyderabad, India", "INR"), ("Mumbai, India", "INR"), ("Delhi, India", "INR"),
    ("Chennai, India", "INR"), ("São Paulo, Brazil", "BRL"), ("Rio de Janeiro, Brazil", "BRL"),
    ("Remote (Europe)", "EUR"), ("Remote (US)", "USD"), ("Remote (Worldwide)", "USD"),
]
# Typical yearly pay of a mid-level role per currency (the family and seniority scale it).
BASE_PAY = {"EUR": 60000, "GBP": 55000, "CHF": 105000, "USD": 110000, "CAD": 90000, "AUD": 100000,
            "SGD": 90000, "JPY": 7500000, "INR": 1800000, "BRL": 150000}
FAMILY_PAY = {"engineering": 1.15, "data": 1.15, "product": 1.1, "sales": 0.95, "marketing": 0.9,
              "finance": 0.95, "people": 0.85, "healthcare": 0.9, "operations": 0.75}
SENIORITY_PAY = {"intern": 0.35, "junior": 0.7, "mid": 1.0, "senior": 1.3, "lead": 1.5, "principal": 1.75,
                 "executive": 2.0}

SYLLABLES = ["ac", "me", "no", "va", "zen", "lu", "ma", "ter", "ra", "qui", "flo", "bit", "sta", "co", "rio",
             "mon", "del", "ta", "ne", "xo", "pi", "vo", "ly", "tri", "gon", "sol", "ar", "is", "en", "ka"]
COMPANY_SUFFIX = ["Labs", "Systems", "Health", "Analytics", "Logistics", "Bank", "Studio", "Technologies",
                  "Group", "Foods", "Energy", "Robotics", "Software", "Networks", "Insurance", "Media",
                  "Mobility", "Retail", "Cloud", "Games"]

ABOUT = [
    "{company} builds tools that help {audience} work faster and with fewer mistakes.",
    "At {company} we serve {audience} across {region} with products they rely on every day.",
    "{company} is a {stage} company on a mission to make {domain} simple, fair and reliable.",
    "Founded by practitioners, {company} now supports thousands of {audience} in {region}.",
]
AUDIENCES = ["small businesses", "hospitals", "retailers", "developers", "farmers", "schools", "banks",
             "logistics teams", "families", "creators", "manufacturers", "public agencies"]
REGIONS = ["Europe", "North America", "Asia", "Latin America", "the world", "our home market"]
STAGES = ["seed-stage", "Series A", "Series B", "profitable", "fast-growing", "publicly listed", "family-owned"]
DOMAINS = ["payments", "healthcare", "energy", "travel", "insurance", "education", "logistics", "hiring",
           "food delivery", "housing", "accounting", "security"]
BENEFITS = ["flexible working hours", "a learning budget", "private health insurance", "a pension plan",
            "parental leave", "a home office allowance", "stock options", "30 days of holiday",
            "a public transport pass", "wellbeing support", "team offsites twice a year", "a four-day week trial",
            "relocation support", "free lunches", "a bike leasing scheme", "mentoring"]
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
LONG_TAIL = (
    "accountability adaptable ambitious analytical approachable articulate attentive autonomous balanced "
    "candid collaborative committed compassionate composed conscientious considerate consistent constructive "
    "courageous creative curious decisive dedicated dependable detail-oriented diligent diplomatic disciplined "
    "dynamic empathetic energetic enthusiastic ethical flexible focused generous genuine gracious hardworking "
    "honest humble imaginative independent innovative insightful inspiring intentional inventive logical loyal "
    "meticulous motivated observant open-minded optimistic organised patient perceptive persistent personable "
    "practical pragmatic proactive productive punctual rational reflective reliable resilient resourceful "
    "respectful responsible self-directed sincere strategic supportive tactful tenacious thoughtful tolerant "
    "transparent trustworthy versatile welcoming warehouse compliance regulatory sustainability procurement "
    "multilingual bilingual german french spanish portuguese italian dutch japanese hindi mandarin "
    "stakeholders cross-functional ownership mentorship roadmap quarterly weekly biweekly fortnightly "
    "certification licence license degree bachelor master doctorate apprenticeship bootcamp portfolio "
    "shift nights weekends overtime travel relocation visa sponsorship equity bonus commission allowance "
    "hybrid distributed asynchronous timezone overlap offsite onsite headquarters campus studio lab clinic "
    "hospital ward pharmacy classroom kitchen restaurant depot fleet vehicle forklift licence scaffolding "
    "blueprint schematic firmware microcontroller sensor telemetry robotics automation manufacturing assembly "
    "biotech genomics chemistry laboratory pipette assay reagent diagnostics oncology cardiology paediatrics "
    "fintech insurtech proptech edtech healthtech agritech cleantech govtech legaltech martech adtech "
    "ecommerce marketplace subscription freemium enterprise midmarket startup scaleup nonprofit charity "
    "volunteer community inclusion diversity equity belonging wellbeing sabbatical parental childcare eldercare"
).split()


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


def _description(rng: random.Random, family: dict, title: str, company: str, skills: list[str],
                 workplace: str, target_words: int) -> tuple[str, str]:
    """(markdown, html) of a posting's description of about target_words words."""
    about = rng.choice(ABOUT).format(company=company, audience=rng.choice(AUDIENCES), region=rng.choice(REGIONS),
                                     stage=rng.choice(STAGES), domain=rng.choice(DOMAINS))
    summary = (f"As our {title} you will {rng.choice(family['verbs'])} {rng.choice(family['nouns'])} and "
               f"{rng.choice(family['verbs'])} {rng.choice(family['nouns'])} for the {rng.choice(TEAMS)} team.")
    duties = [f"{rng.choice(family['verbs']).capitalize()} {rng.choice(family['nouns'])} "
              f"with {rng.choice(['care', 'ownership', 'the team', 'our customers', 'clear goals', 'good tests'])}"
              for _ in range(rng.randint(3, 6))]
    years = rng.randint(1, 8)
    needs = [f"{years}+ years of experience with {', '.join(skills[:2])}",
             f"Comfortable with {rng.choice(skills)} and {rng.choice(family['nouns'])}",
             f"Strong {rng.choice(['written', 'spoken', 'analytical', 'organisational'])} skills"]
    perks = rng.sample(BENEFITS, 4)
    workplace_text = {"remote": "remotely", "hybrid": "in a hybrid setup", "onsite": "from our office"}[workplace]
    paragraphs = [about, summary]
    words = sum(len(p.split()) for p in paragraphs + duties + needs + perks)
    extra = []
    while words < target_words:
        if rng.random() < 0.55:
            sentence = rng.choice(GENERIC).format(team=rng.choice(TEAMS) + " engineers", lead=f"Head of {rng.choice(TEAMS)}",
                                                  workplace_text=workplace_text, size=rng.randint(4, 40))
        else:
            chosen = rng.sample(LONG_TAIL, 5)
            sentence = (f"We are looking for someone {chosen[0]} and {chosen[1]}, who enjoys {chosen[2]} work, "
                        f"{chosen[3]} teams and {chosen[4]} problems in {rng.choice(family['nouns'])}.")
        extra.append(sentence)
        words += len(sentence.split())
    paragraphs.append(" ".join(extra))
    md = "\n\n".join([
        paragraphs[0], paragraphs[1], "## What you will do", "\n".join(f"- {d}" for d in duties),
        "## What you bring", "\n".join(f"- {n}" for n in needs), paragraphs[2],
        "## Benefits", "\n".join(f"- {p}" for p in perks),
    ])
    html = "".join([
        f"<p>{paragraphs[0]}</p>", f"<p>{paragraphs[1]}</p>", "<h2>What you will do</h2>",
        "<ul>" + "".join(f"<li>{d}</li>" for d in duties) + "</ul>", "<h2>What you bring</h2>",
        "<ul>" + "".join(f"<li>{n}</li>" for n in needs) + "</ul>", f"<p>{paragraphs[2]}</p>",
        "<h2>Benefits</h2>", "<ul>" + "".join(f"<li>{p}</li>" for p in perks) + "</ul>",
    ]).replace("&", "&amp;")
    return md, html


def generate(n: int, seed: int = 42, now: datetime | None = None):
    """(companies, jobs): lists of dicts for the companies and jobs tables (ids from 1)."""
    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc)
    company_count = max(5, min(4000, n // 8))
    names = _company_names(rng, company_count)
    companies = [{"id": i + 1, "name": name, "slug": name.lower().replace(" ", "-") + f"-{i + 1}",
                  "website": "https://example.com", "about": "", "created_at": now - timedelta(days=90),
                  "updated_at": now - timedelta(days=90)}
                 for i, name in enumerate(names)]
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
            expires = now - timedelta(hours=rng.randint(1, 200))   # past expiry, not yet swept
        elif roll < 0.07:
            status = "closed"
        featured = published + timedelta(days=14) if rng.random() < 0.03 else None
        jobs.append({
            "id": job_id, "company_id": company["id"], "title": title, "slug": title.lower().replace(" ", "-")[:150],
            "description": md, "description_html": html, "location": location, "workplace": workplace,
            "employment_type": employment, "seniority": seniority, "salary_min": salary_min,
            "salary_max": salary_max, "salary_currency": currency, "salary_period": period, "skills": skills,
            "status": status, "published_at": published, "expires_at": expires,
            "closed_at": now if status == "closed" else None, "featured_until": featured,
            "view_count": 0, "created_at": published, "updated_at": published,
        })
    return companies, jobs


# =============================================================================================
# The query mix


def query_mix(companies: list[dict], jobs: list[dict], count: int = 200, seed: int = 7) -> list[tuple[str, dict]]:
    """(type, query-string arguments) pairs, the same for the same corpus and seed."""
    rng = random.Random(seed)
    skills = sorted({s for f in FAMILIES.values() for s in f["skills"] if s.isalpha() and len(s) > 2})
    title_words = sorted({w for f in FAMILIES.values() for t in f["titles"] for w in t.split() if len(w) > 3})
    words = skills + title_words + ["remote", "payments", "platform", "growth", "security", "analytics",
                                    "healthcare", "logistics", "mentoring", "equity", "visa", "startup"]
    pairs = [("python", "django"), ("data", "engineer"), ("senior", "nurse"), ("kubernetes", "terraform"),
             ("react", "typescript"), ("sales", "saas"), ("product", "designer"), ("machine", "learning"),
             ("finance", "excel"), ("marketing", "seo"), ("remote", "python"), ("backend", "go"),
             ("customer", "success"), ("warehouse", "forklift"), ("clinical", "trials"), ("java", "kotlin")]
    phrases = ["machine learning", "data engineer", "product manager", "customer success", "site reliability",
               "full stack", "registered nurse", "supply chain", "account executive", "user research",
               "financial modelling", "talent acquisition", "team offsites", "learning budget", "private health",
               "code reviews", "data pipelines", "a pension plan", "cold calling", "design systems"]
    prefixes = ["pyth", "eng", "manag", "kube", "data", "anal", "market", "dev", "recruit", "nurs", "sec", "log",
                "fin", "sale", "cust", "mach", "des", "ops", "lead", "sen"]
    typos = ["pyhton", "enginer", "kubernets", "managr", "analyts", "desinger", "recruter", "accountnt",
             "javascirpt", "nurce"]
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
    plan = [("term", 40), ("two terms", 35), ("phrase", 30), ("prefix", 30), ("filters", 35), ("browse", 20),
            ("typo", 10)]
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
        return (percentile(wall, 50), percentile(wall, 95), max(wall), len(wall), percentile(cpu, 50),
                percentile(cpu, 95))
    rows = {kind: row(v) for kind, v in timings.items()}
    rows["overall"] = row([t for v in timings.values() for t in v])
    return rows


def make_app(workdir: str):
    from app import create_app
    env = {"APP_ENV": "test", "DATABASE_URL": f"sqlite:///{workdir}/bench.sqlite3", "SECRET_KEY": "bench-" + "x" * 40}
    return create_app(overrides={"TESTING": False, "INSTANCE_DIR": workdir,
                                 "SEARCH_INDEX_DIR": os.path.join(workdir, "search-index")}, env=env)


def load_database(app, companies: list[dict], jobs: list[dict]) -> None:
    from sqlalchemy import insert

    from app.extensions import db
    from app.models import Company, Job
    with app.app_context():
        db.create_all()
        db.session.execute(insert(Company), companies)
        for start in range(0, len(jobs), 5000):
            db.session.execute(insert(Job), jobs[start:start + 5000])
        db.session.commit()


def dir_size(path: str) -> int:
    return sum(os.path.getsize(os.path.join(root, name)) for root, _, names in os.walk(path) for name in names)


def run_index_queries(app, mix, clear_term_caches: bool = False, slowest: list | None = None) -> tuple[dict[str, list[float]], list]:
    from werkzeug.datastructures import MultiDict

    from app.extensions import db
    from app.search import get_index, parse_params, search_jobs
    timings: dict[str, list[tuple[float, float]]] = {}
    answers = []
    with app.app_context():
        idx = get_index(app)
        for kind, args in mix:
            if clear_term_caches:
                # "Cold": no posting list, phrase or expansion of any earlier query is cached.
                for data in idx._segments.values():
                    data.terms.clear()
                    data.cached_postings = 0
                    data.phrases.clear()
                    data.expansions.clear()
            started, cpu = time.perf_counter(), time.process_time()
            results = search_jobs(parse_params(MultiDict(args)))
            took, cpu = (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000
            answers.append((results.total, [h.job.id for h in results.hits]))
            db.session.remove()   # each request has its own session (as in the web app)
            timings.setdefault(kind, []).append((took, cpu))
            if slowest is not None:
                slowest.append((took, kind, args))
            if results.degraded:
                raise SystemExit("the index answered from the database fallback: benchmark invalid")
    return timings, answers


def measure_updates(app, rounds: int = 20, pause: float = 0.0) -> dict[str, list[float]]:
    """Edit one job through the ORM and commit (as a recruiter's request does), then time the
    catch-up (what the after-commit hook runs) and the time until a search finds the job by a word
    only it has. `pause` seconds pass between edits (background merges run in pauses)."""
    from werkzeug.datastructures import MultiDict

    from app.extensions import db
    from app.models import Job
    from app.search import catch_up, parse_params, search_jobs
    out: dict[str, list[tuple[float, float]]] = {"catch-up (1 job)": [], "visible in search": []}
    with app.app_context():
        ids = [j for j, in db.session.execute(db.select(Job.id).where(Job.open_clause()).order_by(Job.id)
                                              .offset(rounds if pause else 0).limit(rounds))]
        for n, job_id in enumerate(ids):
            time.sleep(pause)
            word = f"zq{n}x{int(pause * 10)}marker"
            job = db.session.get(Job, job_id)
            job.title = f"{job.title} {word}"
            db.session.commit()
            started, cpu0 = time.perf_counter(), time.process_time()
            catch_up(app)
            caught, cpu1 = time.perf_counter(), time.process_time()
            results = search_jobs(parse_params(MultiDict({"q": word})))
            done, cpu2 = time.perf_counter(), time.process_time()
            if [h.job.id for h in results.hits] != [job_id]:
                raise SystemExit(f"update not visible: {word}")
            db.session.remove()
            out["catch-up (1 job)"].append(((caught - started) * 1000, (cpu1 - cpu0) * 1000))
            out["visible in search"].append(((done - started) * 1000, (cpu2 - cpu0) * 1000))
    return out


# ---- SQLite FTS5 baseline: the same corpus, the same questions, the same answers to give


def build_fts(path: str, companies: list[dict], jobs: list[dict]) -> float:
    from app.search.schema import NO_EXPIRY, epoch, location_key, plain_text, yearly_usd
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
    now = datetime.now(timezone.utc)
    rows, metas = [], []
    for j in jobs:
        if j["status"] != "published" or (j["expires_at"] and j["expires_at"] <= now):
            continue
        c = by_id[j["company_id"]]
        upper = j["salary_max"] if j["salary_max"] is not None else j["salary_min"]
        rows.append((j["id"], j["title"], plain_text(j["description_html"], j["description"]), c["name"],
                     ", ".join(j["skills"]), j["location"]))
        metas.append((j["id"], j["workplace"], j["employment_type"], j["seniority"], c["slug"], c["name"],
                      location_key(j["location"]), j["location"], epoch(j["published_at"]),
                      epoch(j["expires_at"], NO_EXPIRY), epoch(j["featured_until"]),
                      yearly_usd(upper, j["salary_currency"], j["salary_period"])))
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
        for name, column in (("workplace", "workplace"), ("employment_type", "employment_type"),
                             ("seniority", "seniority"), ("location", "location_key"), ("company", "company_slug")):
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
            order = ("(m.featured_until > ?) DESC, bm25(docs, 3.0, 1.0, 1.5, 2.0, 1.2) * "
                     "(1 + 0.25 * pow(0.5, (? - m.published) / 1209600.0))")
            top = con.execute(f"SELECT m.id, snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM {source} "
                              f"WHERE {w} ORDER BY {order} LIMIT 20", p + [now, now]).fetchall()
        else:
            order = "m.published DESC, m.id DESC" if args.get("sort") == "newest" else \
                "(m.featured_until > ?) DESC, m.published DESC, m.id DESC"
            extra = [] if args.get("sort") == "newest" else [now]
            top = con.execute(f"SELECT m.id FROM {source} WHERE {w} ORDER BY {order} LIMIT 20", p + extra).fetchall()
        for column in groups if facets else ():
            w, p = where(column)
            con.execute(f"SELECT m.{column}, count(*) FROM {source} WHERE {w} GROUP BY m.{column} "
                        f"ORDER BY count(*) DESC", p).fetchall()
        if facets:
            w, p = where("posted")
            con.execute(f"SELECT sum(m.published >= ?), sum(m.published >= ?), sum(m.published >= ?), count(*) "
                        f"FROM {source} WHERE {w}", [now - 86400, now - 7 * 86400, now - 30 * 86400] + p).fetchone()
            w, p = where("salary")
            con.execute(f"SELECT {', '.join(f'sum(m.salary_year >= {s})' for s in (25000, 50000, 75000, 100000, 150000, 200000))} "
                        f"FROM {source} WHERE {w}", p).fetchone()
        ids = [row[0] for row in top]
        if ids:
            con.execute(f"SELECT * FROM main_db.jobs WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
        timings.setdefault(kind, []).append(((time.perf_counter() - started) * 1000,
                                             (time.process_time() - cpu) * 1000))
    con.close()
    return timings


# =============================================================================================


def table(title: str, rows: dict[str, tuple], baseline: dict[str, tuple] | None = None) -> str:
    lines = [title, ""]
    if baseline:
        lines.append("| query type | n | p50 ms | p95 ms | max ms | CPU p50 | CPU p95 | FTS5 p50 | FTS5 p95 | "
                     "FTS5 CPU p95 | p95 / FTS5 | CPU p95 / FTS5 |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for kind, (p50, p95, mx, n, c50, c95) in rows.items():
            b50, b95, _, _, _, bc95 = baseline.get(kind, (float("nan"),) * 6)
            lines.append(f"| {kind} | {n} | {p50:.1f} | {p95:.1f} | {mx:.1f} | {c50:.1f} | {c95:.1f} | {b50:.1f} | "
                         f"{b95:.1f} | {bc95:.1f} | {p95 / b95:.2f}x | {c95 / bc95:.2f}x |")
    else:
        lines.append("| measure | n | p50 ms | p95 ms | max ms | CPU p50 | CPU p95 |")
        lines.append("|---|---:|---:|---:|---:|---:|---:|")
        for kind, (p50, p95, mx, n, c50, c95) in rows.items():
            lines.append(f"| {kind} | {n} | {p50:.1f} | {p95:.1f} | {mx:.1f} | {c50:.1f} | {c95:.1f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="postings in the corpus (default 10,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--dir", help="work directory (default: a temporary one, removed afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--cpu", type=int, help="pin this process to one CPU (like taskset -c N)")
    parser.add_argument("--no-fts", action="store_true", help="skip the SQLite FTS5 baseline")
    parser.add_argument("--profile", action="store_true", help="cProfile the warm query pass")
    parser.add_argument("--slowest", type=int, default=0, help="list the N slowest steady-state queries")
    opts = parser.parse_args(argv)
    if opts.cpu is not None:
        os.sched_setaffinity(0, {opts.cpu})
    workdir = opts.dir or tempfile.mkdtemp(prefix="jobifies-bench-")
    os.makedirs(workdir, exist_ok=True)
    logging.basicConfig(level=logging.WARNING)
    print(f"Jobifies search benchmark: {opts.n:,} postings, {opts.queries} queries, seed {opts.seed}")
    print(f"python {platform.python_version()}, whoosh-reloaded {whoosh.versionstring()}, "
          f"sqlite {sqlite3.sqlite_version}, CPUs allowed: {sorted(os.sched_getaffinity(0))}, work dir {workdir}")
    try:
        started = time.perf_counter()
        companies, jobs = generate(opts.n, opts.seed)
        print(f"corpus generated in {time.perf_counter() - started:.1f} s "
              f"({sum(1 for j in jobs if j['status'] == 'published'):,} published, {len(companies):,} companies)")
        app = make_app(workdir)
        load_database(app, companies, jobs)

        from app.search import get_index, rebuild
        started = time.perf_counter()
        with app.app_context():
            report = rebuild(app, progress=lambda done, total: None)
        build = time.perf_counter() - started
        with app.app_context():
            index_dir = get_index(app).current_path()
        size = dir_size(index_dir)
        print(f"\nindex build: {report.updated:,} docs in {build:.1f} s = {report.updated / build:,.0f} docs/s; "
              f"index size {size / 1e6:.1f} MB")

        mix = query_mix(companies, jobs, opts.queries, opts.seed)
        first, _ = run_index_queries(app, mix)                         # caches filling
        if opts.profile:
            import cProfile
            import pstats
            profiler = cProfile.Profile()
            profiler.enable()
        slow: list = []
        warm, answers = run_index_queries(app, mix, slowest=slow)      # steady state
        if opts.profile:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        cold, _ = run_index_queries(app, mix, clear_term_caches=True)  # every posting list read again
        updates = measure_updates(app, pause=1.0)
        burst = measure_updates(app, pause=0.0)

        fts_rows = fts_min_rows = None
        if not opts.no_fts:
            fts_path = os.path.join(workdir, "fts5.sqlite3")
            fts_build = build_fts(fts_path, companies, jobs)
            run_fts_queries(fts_path, os.path.join(workdir, "bench.sqlite3"), mix)   # warm the page cache
            fts = run_fts_queries(fts_path, os.path.join(workdir, "bench.sqlite3"), mix)
            fts_rows = summarise(fts)
            fts_min_rows = summarise(run_fts_queries(fts_path, os.path.join(workdir, "bench.sqlite3"), mix, facets=False))
            print(f"FTS5 build: {fts_build:.1f} s; FTS5 database {os.path.getsize(fts_path) / 1e6:.1f} MB")

        print()
        print(table("Whoosh, steady state (the full search: catch-up check, query, filters, facet counts, "
                    "top 20, rows, snippets)", summarise(warm), fts_rows))
        print()
        print(table("Whoosh, cold term caches (every posting list, phrase and prefix read from the index again)",
                    summarise(cold), fts_rows))
        if fts_rows:
            print()
            print(table("SQLite FTS5 without facet counts (total + top 20 + snippets + rows only), for reference",
                        fts_min_rows))
        print()
        print(table("Whoosh, first pass after opening (per-segment caches being built)", summarise(first)))
        print()
        rows = {f"{k}, one edit a second": row for k, row in summarise(updates).items() if k != "overall"}
        rows.update({f"{k}, back to back": row for k, row in summarise(burst).items() if k != "overall"})
        print(table("One-document update (edit committed -> catch-up -> found by a search)", rows))
        for took, kind, args in sorted(slow, key=lambda t: t[0], reverse=True)[:opts.slowest]:
            print(f"slow: {took:7.1f} ms  {kind:10} {args}")
        total_hits = sum(1 for total, _ in answers if total)
        print(f"\n{total_hits} of {len(answers)} queries had results.")
    finally:
        if not opts.keep and not opts.dir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
