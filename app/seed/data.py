"""The demo world's content: ten companies, the roles they hire for, and candidates with profiles.

Jobs are not listed one by one: each company posts six of the roles below, in its own city and
currency, spread over on-site, hybrid and remote work (`jobs_for`). That gives about sixty jobs with
varied locations, remote regions, salaries and currencies from a page of data. Places are spelled the
ways recruiters spell them ("Berlin, DE", "Remote (EU)", "Remote (Europe)", "Remote - USA"...): the
search files each spelling under one place (app/places.py).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoCompany:
    name: str
    website: str
    about: str
    city: str
    remote_region: str
    currency: str
    color: tuple[int, int, int]
    mark: str  # a shape in logos.SHAPES


@dataclass(frozen=True)
class Role:
    title: str
    seniority: str
    employment_type: str
    usd_low: int  # yearly, or hourly for contracts, or monthly for internships
    usd_high: int
    skills: str
    pitch: str


# Rough purchasing-power factors from a USD salary to a local one: enough for believable ranges.
CURRENCY_FACTOR = {"USD": 1.0, "EUR": 0.8, "GBP": 0.7, "INR": 25.0, "CAD": 1.25, "SGD": 1.2, "AUD": 1.35, "CHF": 0.95}

COMPANIES = [
    DemoCompany(
        "Acme Analytics",
        "https://acme.example.com",
        "Acme builds the analytics platform that 4,000 retailers use to plan their stock.",
        "Berlin, DE",
        "Remote (EU)",
        "EUR",
        (37, 99, 235),
        "bars",
    ),
    DemoCompany(
        "Northwind Health",
        "https://northwind.example.com",
        "Northwind Health runs clinics in twelve cities and the software their nurses rely on.",
        "Boston, MA, USA",
        "Remote (US only)",
        "USD",
        (13, 148, 136),
        "plus",
    ),
    DemoCompany(
        "Globex Robotics",
        "https://globex.example.com",
        "Globex designs warehouse robots and the fleet software that keeps them moving.",
        "Bangalore, India",
        "Remote (India)",
        "INR",
        (234, 88, 12),
        "orbit",
    ),
    DemoCompany(
        "Tessellate Studio",
        "https://tessellate.example.com",
        "Tessellate is a product design studio building apps for charities and public services.",
        "London, UK",
        "Remote (UK)",
        "GBP",
        (190, 24, 93),
        "diamond",
    ),
    DemoCompany(
        "Bluefin Maritime",
        "https://bluefin.example.com",
        "Bluefin tracks 9,000 cargo ships and tells ports when each one will really arrive.",
        "Rotterdam, Netherlands",
        "Remote (Europe)",
        "EUR",
        (3, 105, 161),
        "waves",
    ),
    DemoCompany(
        "Kestrel Security",
        "https://kestrel.example.com",
        "Kestrel protects hospitals and schools from ransomware with a managed detection service.",
        "Toronto, ON",
        "Remote (Canada)",
        "CAD",
        (71, 85, 105),
        "shield",
    ),
    DemoCompany(
        "Marigold Foods",
        "https://marigold.example.com",
        "Marigold delivers groceries from local farms to 200,000 households every week.",
        "Austin, TX",
        "Remote - USA",
        "USD",
        (202, 138, 4),
        "leaf",
    ),
    DemoCompany(
        "Orbital Transit",
        "https://orbital.example.com",
        "Orbital writes the timetable and ticketing software behind buses in forty Asian cities.",
        "Singapore",
        "Remote (Asia-Pacific)",
        "SGD",
        (109, 40, 217),
        "ring",
    ),
    DemoCompany(
        "Quarry Finance",
        "https://quarry.example.com",
        "Quarry is the accounting platform for Europe's small construction firms.",
        "Dublin, Ireland",
        "Remote – European Union",
        "EUR",
        (22, 101, 52),
        "triangle",
    ),
    DemoCompany(
        "Fernwood Labs",
        "https://fernwood.example.com",
        "Fernwood is a fully remote lab building open-source tools for climate scientists.",
        "Zürich, Switzerland",
        "Anywhere",
        "CHF",
        (21, 128, 61),
        "circle",
    ),
]

ROLES = [
    Role(
        "Senior Python Engineer",
        "senior",
        "full_time",
        95000,
        125000,
        "Python, PostgreSQL, Flask, Redis",
        "You will own the services behind our busiest pages.",
    ),
    Role(
        "Data Analyst",
        "mid",
        "full_time",
        65000,
        85000,
        "SQL, Python, dbt, Looker",
        "You will turn raw events into the numbers our teams steer by.",
    ),
    Role(
        "Frontend Developer (htmx)",
        "mid",
        "full_time",
        75000,
        95000,
        "HTML, CSS, htmx, Accessibility",
        "You will build fast, accessible pages that work on any phone.",
    ),
    Role(
        "Site Reliability Engineer",
        "senior",
        "full_time",
        120000,
        150000,
        "Kubernetes, Terraform, PostgreSQL, Linux",
        "You will keep the platform up and make on-call boring.",
    ),
    Role(
        "Product Designer",
        "mid",
        "full_time",
        85000,
        110000,
        "Figma, User research, Accessibility",
        "You will talk to customers every week and turn what you hear into flows.",
    ),
    Role(
        "Engineering Manager",
        "lead",
        "full_time",
        140000,
        175000,
        "People management, Hiring, Agile",
        "You will lead a team of six engineers and grow the next leads.",
    ),
    Role(
        "Machine Learning Engineer",
        "senior",
        "full_time",
        120000,
        160000,
        "Python, PyTorch, MLOps",
        "You will take models from a notebook to production and keep them honest.",
    ),
    Role(
        "Backend Engineer (Go)",
        "mid",
        "full_time",
        85000,
        110000,
        "Go, gRPC, PostgreSQL, Kafka",
        "You will build the APIs that partners integrate with.",
    ),
    Role(
        "Customer Success Manager",
        "mid",
        "full_time",
        55000,
        75000,
        "Customer success, SaaS, Salesforce",
        "You will help our largest customers get everything out of the product.",
    ),
    Role(
        "Technical Writer",
        "mid",
        "part_time",
        45000,
        60000,
        "Technical writing, Markdown, APIs",
        "You will write the guides developers actually read.",
    ),
    Role(
        "Security Engineer",
        "senior",
        "full_time",
        115000,
        145000,
        "Threat modeling, AWS, Incident response",
        "You will find the holes before anyone else does.",
    ),
    Role(
        "Mobile Developer (React Native)",
        "mid",
        "full_time",
        80000,
        105000,
        "React Native, TypeScript, iOS, Android",
        "You will ship the app our users open every morning.",
    ),
    Role(
        "QA Automation Engineer",
        "junior",
        "full_time",
        50000,
        65000,
        "Playwright, Python, CI/CD",
        "You will make releases calm with tests that catch what matters.",
    ),
    Role(
        "Data Engineer",
        "senior",
        "contract",
        70,
        95,
        "Python, Airflow, Spark, SQL",
        "You will build the pipelines that feed every report we ship.",
    ),
    Role(
        "Engineering Intern",
        "intern",
        "internship",
        2000,
        2600,
        "Python, Git",
        "You will ship real features with a mentor beside you.",
    ),
    Role(
        "Head of Marketing",
        "lead",
        "full_time",
        110000,
        140000,
        "Content strategy, SEO, Analytics",
        "You will tell our story and build the team that tells it.",
    ),
    Role(
        "Sales Engineer",
        "mid",
        "full_time",
        80000,
        100000,
        "Solution selling, SQL, Demos",
        "You will show prospects what the product can do with their own data.",
    ),
    Role(
        "DevOps Engineer",
        "mid",
        "contract",
        60,
        80,
        "Docker, GitHub Actions, Terraform, Linux",
        "You will make deploys take minutes, not afternoons.",
    ),
]

# (name, email, headline, location, skills, [(company, title, start, end)], [(institution, degree, start, end)])
CANDIDATES = [
    (
        "Łukasz Nowak",
        "lukasz@example.com",
        "Backend engineer who likes boring, reliable systems",
        "Warsaw, Poland",
        ["Python", "PostgreSQL", "Flask", "Redis", "Docker"],
        [("Allegro", "Software Engineer", "2019-03", "2024-06"), ("Comarch", "Junior Developer", "2017-07", "2019-02")],
        [("Warsaw University of Technology", "MSc Computer Science", "2012", "2017")],
    ),
    (
        "Nguyễn Thị Minh Anh",
        "minhanh@example.com",
        "Data analyst turning messy events into decisions",
        "Ho Chi Minh City, Vietnam",
        ["SQL", "Python", "dbt", "Looker", "Statistics"],
        [("Tiki", "Data Analyst", "2020-01", ""), ("FPT Software", "BI Developer", "2018-06", "2019-12")],
        [("Vietnam National University", "BSc Mathematics", "2014", "2018")],
    ),
    (
        "Amara Okafor",
        "amara@example.com",
        "Frontend developer focused on accessibility",
        "Lagos, Nigeria",
        ["HTML", "CSS", "htmx", "Accessibility", "JavaScript"],
        [("Paystack", "Frontend Engineer", "2021-02", ""), ("Andela", "Software Developer", "2018-09", "2021-01")],
        [("University of Lagos", "BSc Computer Engineering", "2013", "2018")],
    ),
    (
        "Priya Raghunathan",
        "priya@example.com",
        "SRE who has been on call for millions of users",
        "Chennai, India",
        ["Kubernetes", "Terraform", "Linux", "PostgreSQL", "Prometheus"],
        [("Freshworks", "Senior SRE", "2020-04", ""), ("Zoho", "Systems Engineer", "2016-08", "2020-03")],
        [("Anna University", "BE Electronics", "2012", "2016")],
    ),
    (
        "Mateo García",
        "mateo@example.com",
        "Product designer who ships",
        "Madrid, Spain",
        ["Figma", "User research", "Accessibility", "Prototyping"],
        [("Cabify", "Product Designer", "2019-05", ""), ("Idealista", "UX Designer", "2017-01", "2019-04")],
        [("Universidad Politécnica de Madrid", "BA Industrial Design", "2012", "2016")],
    ),
    (
        "Sofia Rossi",
        "sofia@example.com",
        "Machine learning engineer, from research to production",
        "Milan, Italy",
        ["Python", "PyTorch", "MLOps", "SQL"],
        [
            ("Prima Assicurazioni", "ML Engineer", "2021-09", ""),
            ("Politecnico di Milano", "Research Assistant", "2019-10", "2021-08"),
        ],
        [("Politecnico di Milano", "MSc Computer Engineering", "2017", "2019")],
    ),
    (
        "Kenji Watanabe",
        "kenji@example.com",
        "Go developer building APIs for partners",
        "Osaka, Japan",
        ["Go", "gRPC", "PostgreSQL", "Kafka"],
        [("Mercari", "Backend Engineer", "2018-04", ""), ("Rakuten", "Software Engineer", "2015-04", "2018-03")],
        [("Osaka University", "BEng Information Science", "2011", "2015")],
    ),
    (
        "Hannah Schmidt",
        "hannah@example.com",
        "QA engineer who automates the boring parts",
        "Hamburg, Germany",
        ["Playwright", "Python", "CI/CD", "Testing"],
        [("XING", "QA Engineer", "2021-01", "")],
        [("Hamburg University of Applied Sciences", "BSc Computer Science", "2016", "2020")],
    ),
]

# How far each demo application has gone: the stages it passed through, in order.
PATHS = [
    ["applied"],
    ["applied", "screening"],
    ["applied", "screening", "interview"],
    ["applied", "screening", "interview", "offer"],
    ["applied", "screening", "interview", "offer", "hired"],
    ["applied", "screening", "rejected"],
    ["applied", "withdrawn"],
    ["applied"],
]

NOTES = {
    "screening": "Strong portfolio. Schedule a first call this week.",
    "interview": "Technical interview went well; clear on trade-offs. Next: a culture chat with the team.",
    "offer": "Offer sent at the top of the band; waiting to hear back.",
    "hired": "Accepted! Start date agreed for the first of next month.",
    "rejected": "Great communicator, but we need more production PostgreSQL experience for this one.",
}


def jobs_for(index: int, company: DemoCompany) -> list[tuple[Role, str, str]]:
    """The six roles company `index` posts, each with (role, location, workplace)."""
    picks = [ROLES[(index * 5 + k * 3) % len(ROLES)] for k in range(6)]
    if index == 0:  # the demo recruiter's company keeps the roles the README and tests mention
        picks[0] = ROLES[0]
    workplaces = ("onsite", "hybrid", "remote")
    out = []
    for k, role in enumerate(picks):
        workplace = workplaces[(index + k) % 3]
        location = company.remote_region if workplace == "remote" else company.city
        out.append((role, location, workplace))
    return out


def salary(role: Role, currency: str) -> tuple[int, int]:
    factor = CURRENCY_FACTOR.get(currency, 1.0)
    step = 1 if role.employment_type == "contract" else 1000 if role.usd_high > 10000 else 100
    return (round(role.usd_low * factor / step) * step, round(role.usd_high * factor / step) * step)
