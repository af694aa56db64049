"""A deterministic resume parser: no network, same schema as the OpenAI parser.

Heuristics, in order: contact details anywhere near the top (email, phone, links, a name-like
first line, a "City, Country" line), sections by their headings, entries inside Experience and
Education split where a new heading line or date range starts, skills from the shipped vocabulary
plus anything listed under a Skills heading. The confidence says how much of that was found, so a
poor parse is visible rather than silently empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...vocabulary import canonical_skill, find_skills, skill_key
from .schema import Contact, Position, ResumeProfile, Schooling

MAX_CHARS = 50_000  # a long resume is ~10,000 characters; past this is not worth the time

SECTION_HEADINGS = {
    "summary": (
        "summary",
        "professional summary",
        "profile",
        "professional profile",
        "about",
        "about me",
        "objective",
        "career objective",
        "personal statement",
        "overview",
    ),
    "experience": (
        "experience",
        "work experience",
        "professional experience",
        "work history",
        "employment",
        "employment history",
        "career history",
        "relevant experience",
        "positions held",
    ),
    "education": (
        "education",
        "education and training",
        "academic background",
        "qualifications",
        "academic qualifications",
        "studies",
    ),
    "skills": (
        "skills",
        "technical skills",
        "core skills",
        "key skills",
        "skills and tools",
        "core competencies",
        "competencies",
        "technologies",
        "tech stack",
        "tools",
        "expertise",
        "areas of expertise",
    ),
    # Sections we do not map, recognised so they end the one before them.
    "other": (
        "projects",
        "personal projects",
        "certifications",
        "certificates",
        "licenses",
        "awards",
        "honors",
        "publications",
        "languages",
        "interests",
        "hobbies",
        "volunteering",
        "volunteer experience",
        "references",
        "courses",
        "training",
        "achievements",
        "activities",
        "memberships",
    ),
}
_HEADING_LOOKUP = {name: section for section, names in SECTION_HEADINGS.items() for name in names}

MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = rf"(?:{_MONTH}\s+\d{{4}}|\d{{1,2}}[/.]\d{{4}}|\d{{4}}[/.-]\d{{1,2}}(?!\d)|\d{{4}})"
_OPEN_END = r"(?:present|current|now|today|ongoing|to date)"
DATE_RANGE = re.compile(rf"(?P<start>{_DATE})\s*(?:-|–|—|to|until|till)\s*(?P<end>{_DATE}|{_OPEN_END})", re.IGNORECASE)
SINGLE_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")

# Bounded and anchored at the start of a run of address characters: unbounded `[...]+@` is
# quadratic on a long run without an "@" (a PDF can hold one 200,000-character "word").
EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}"
)
PHONE = re.compile(r"(?<![\w/])\+?\(?\d[\d\s().-]{6,}\d(?![\w/])")
URL = re.compile(
    r"(?:https?://|www\.)[^\s,;|<>()]+|(?<![\w@.])(?:linkedin\.com|github\.com|gitlab\.com|behance\.net|dribbble\.com)/[^\s,;|<>()]+",
    re.IGNORECASE,
)
BULLET = re.compile(r"^\s*(?:[-*•·▪◦‣●○–—>]|\d+[.)])\s+")
SEPARATORS = re.compile(r"\s+(?:\||·|•|—|–|-)\s+|\s{3,}|\t")
LOCATION = re.compile(r"^[A-Z][A-Za-zÀ-ÿ.' -]{1,40},\s*[A-Z][A-Za-zÀ-ÿ.' -]{1,40}$")

TITLE_WORDS = {
    "engineer",
    "developer",
    "manager",
    "designer",
    "analyst",
    "intern",
    "lead",
    "director",
    "consultant",
    "specialist",
    "scientist",
    "architect",
    "officer",
    "assistant",
    "coordinator",
    "administrator",
    "nurse",
    "teacher",
    "accountant",
    "head",
    "vp",
    "president",
    "founder",
    "co-founder",
    "cto",
    "ceo",
    "cfo",
    "associate",
    "representative",
    "executive",
    "programmer",
    "technician",
    "tester",
    "writer",
    "editor",
    "researcher",
    "advisor",
    "agent",
    "clerk",
    "owner",
    "supervisor",
    "trainee",
    "apprentice",
    "sre",
    "devops",
    "product",
    "marketer",
    "recruiter",
    "sales",
    "support",
    "operator",
    "chef",
    "driver",
    "principal",
    "staff",
    "senior",
    "junior",
    "freelance",
    "freelancer",
    "contractor",
    "tutor",
    "lecturer",
    "professor",
    "instructor",
}
INSTITUTION_WORDS = (
    "university",
    "college",
    "school",
    "institute",
    "academy",
    "polytechnic",
    "universität",
    "université",
    "universidad",
    "conservatory",
    "bootcamp",
    "hochschule",
)
DEGREE_WORDS = re.compile(
    r"\b(?:bachelor|master|b\.?\s?sc|m\.?\s?sc|b\.?a\b|m\.?a\b|b\.?eng|m\.?eng|b\.?tech|m\.?tech|ph\.?d|mba|"
    r"diploma|degree|associate|certificate|a-levels?|high school|gcse|abitur|bsc|msc|ba|ma|bs|ms|doctorate)",
    re.IGNORECASE,
)


@dataclass
class _Entry:
    header: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    start: str = ""
    end: str = ""


def normalize_date(raw: str) -> str:
    """'Jan 2019' -> '2019-01', '03/2018' -> '2018-03', '2017' -> '2017', 'Present' -> 'Present'."""
    value = raw.strip().rstrip(".").lower()
    if re.fullmatch(_OPEN_END, value, re.IGNORECASE):
        return "Present"
    match = re.fullmatch(rf"({_MONTH})\s+(\d{{4}})", value, re.IGNORECASE)
    if match:
        month = MONTHS[match.group(1).rstrip(".")[: 4 if match.group(1).startswith("sept") else 3]]
        return f"{match.group(2)}-{month:02d}"
    match = re.fullmatch(r"(\d{1,2})[/.](\d{4})", value)
    if match and 1 <= int(match.group(1)) <= 12:
        return f"{match.group(2)}-{int(match.group(1)):02d}"
    match = re.fullmatch(r"(\d{4})[/.-](\d{1,2})", value)
    if match and 1 <= int(match.group(2)) <= 12:
        return f"{match.group(1)}-{int(match.group(2)):02d}"
    match = re.fullmatch(r"\d{4}", value)
    return match.group(0) if match else ""


def _lines(text: str) -> list[str]:
    return [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in (text or "").replace("\r", "\n").split("\n")]


def _heading(line: str) -> str | None:
    """The section a line opens, if it is a heading ("EXPERIENCE", "Work history:", "Skills & Tools")."""
    cleaned = re.sub(r"[^a-z ]", " ", line.lower().replace("&", " and "))
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if not cleaned or len(cleaned) > 40:
        return None
    return _HEADING_LOOKUP.get(cleaned)


def _split_sections(lines: list[str]) -> tuple[list[str], dict[str, list[str]]]:
    """(the lines before the first heading, {section: its lines}); a repeated section is appended."""
    header: list[str] = []
    sections: dict[str, list[str]] = {}
    current: list[str] = header
    for line in lines:
        section = _heading(line)
        if section is not None:
            current = sections.setdefault(section, [])
            continue
        current.append(line)
    return header, sections


def _contact(text: str, header: list[str]) -> tuple[Contact, str]:
    """Contact details, and a headline if the header block has one ("Senior Backend Engineer")."""
    top = "\n".join(_lines(text)[:40])
    email = EMAIL.search(top) or EMAIL.search(text)
    links = []
    for match in URL.finditer(text):
        link = match.group(0).rstrip(".")
        if email and link in email.group(0):
            continue
        links.append(link if "://" in link else "https://" + link)
    phone = ""
    for match in PHONE.finditer(EMAIL.sub(" ", URL.sub(" ", top))):
        if looks_like_phone(match.group(0)):
            phone = match.group(0).strip()
            break

    name = location = headline = ""
    for line in header[:12]:
        for part in (p.strip(" ,") for p in SEPARATORS.split(line)):
            if not part or EMAIL.search(part) or URL.search(part):
                continue
            digits = re.sub(r"\D", "", part)
            if len(digits) >= 7:
                continue
            if not location and LOCATION.match(part):
                location = part
            elif not name and _looks_like_name(part):
                name = part.title() if part.isupper() else part
            elif (
                name
                and not headline
                and 3 <= len(part) <= 80
                and not part.endswith(".")
                and any(word.lower().strip(",") in TITLE_WORDS for word in part.split())
            ):
                headline = part
    return Contact(
        name=name,
        email=email.group(0) if email else "",
        phone=phone,
        location=location,
        links=list(dict.fromkeys(links)),
    ), headline


def looks_like_phone(candidate: str) -> bool:
    """A PHONE match that is a number, not a date range such as "2014-2016" or "03.2018 - 06.2021"."""
    candidate = candidate.strip()
    digits = re.sub(r"\D", "", candidate)
    if not 7 <= len(digits) <= 15 or DATE_RANGE.fullmatch(candidate):
        return False
    return not re.fullmatch(r"(?:\d{1,2}[./-])?(?:19|20)\d\d\s*[-–.]\s*(?:\d{1,2}[./-])?(?:19|20)\d\d", candidate)


def _looks_like_name(part: str) -> bool:
    words = part.split()
    if not 2 <= len(words) <= 4 or len(part) > 60:
        return False
    if any(word.lower().strip(",") in TITLE_WORDS for word in words) or _heading(part):
        return False
    return all(re.fullmatch(r"[A-ZÀ-Þ][A-Za-zÀ-ÿ'’.-]*", word) for word in words)


def _entries(lines: list[str]) -> list[_Entry]:
    """Split a section into entries: a run of short header lines, then description lines.

    A new entry starts at a header line after a description, or at a second date range.
    """
    entries: list[_Entry] = []
    current: _Entry | None = None
    for line in lines:
        if not line:
            continue
        is_bullet = bool(BULLET.match(line))
        dates = DATE_RANGE.search(line)
        is_header = not is_bullet and len(line) <= 100 and not (line.endswith(".") and len(line) > 60)
        starts_new = current is None or (is_header and (current.body or (dates and current.start)))
        if starts_new:
            current = _Entry()
            entries.append(current)
        if dates and not current.start:
            current.start, current.end = normalize_date(dates.group("start")), normalize_date(dates.group("end"))
            rest = (line[: dates.start()] + " " + line[dates.end() :]).strip(" ,|·–—-()")
            if rest:
                (current.header if is_header and not current.body else current.body).append(rest)
        elif is_header and not current.body and not (current.start and _header_complete(current.header)):
            current.header.append(line)
        else:
            current.body.append(BULLET.sub("", line) if is_bullet else line)
    return [entry for entry in entries if entry.header or entry.start]


def _header_complete(header: list[str]) -> bool:
    """Title and company both seen: after the dates, further lines describe the job."""
    title, company = _split_title_company(header)
    return bool(title and company)


def _split_title_company(parts: list[str]) -> tuple[str, str]:
    pieces: list[str] = []
    for part in parts:
        at = re.split(r"\s+(?:at|@)\s+", part, maxsplit=1)
        if len(at) == 2:
            return at[0].strip(" ,"), at[1].strip(" ,")
        pieces += [p.strip(" ,") for p in re.split(r"\s+(?:\||·|•|—|–|-)\s+|,\s+", part) if p.strip(" ,")]
    if not pieces:
        return "", ""
    if len(pieces) == 1:
        return (pieces[0], "") if _is_title(pieces[0]) else ("", pieces[0])
    first, second = pieces[0], pieces[1]
    if _is_title(second) and not _is_title(first):
        return second, first
    return first, second


def _is_title(text: str) -> bool:
    return any(word.lower().strip(",()") in TITLE_WORDS for word in text.split())


def _experience(lines: list[str]) -> list[Position]:
    positions = []
    for entry in _entries(lines):
        title, company = _split_title_company(entry.header)
        if not (title or company):
            continue
        positions.append(
            Position(company=company, title=title, start=entry.start, end=entry.end, description="\n".join(entry.body))
        )
    return positions


def _education(lines: list[str]) -> list[Schooling]:
    schools = []
    for entry in _entries(lines):
        texts = [
            p.strip(" ,")
            for line in entry.header + entry.body[:1]
            for p in re.split(r"\s+(?:\||·|•|—|–|-)\s+|,\s+(?=[A-Z])", line)
            if p.strip(" ,")
        ]
        institution = next((t for t in texts if any(w in t.lower() for w in INSTITUTION_WORDS)), "")
        degree = next((t for t in texts if t != institution and DEGREE_WORDS.search(t)), "")
        if not institution and texts:
            institution = next((t for t in texts if t != degree), "")
        start, end = entry.start, entry.end
        if not start:
            years = SINGLE_YEAR.findall(" ".join(entry.header))
            end = years[-1] if years else ""
        if institution or degree:
            schools.append(
                Schooling(institution=_strip_years(institution), degree=_strip_years(degree), start=start, end=end)
            )
    return schools


def _strip_years(text: str) -> str:
    return SINGLE_YEAR.sub("", text).strip(" ,()–—-|")


def _listed_skills(lines: list[str]) -> list[str]:
    """Items under a Skills heading ("Languages: Python, Go" -> Python, Go), short ones only."""
    items = []
    for line in lines:
        line = BULLET.sub("", line)
        if ":" in line and len(line.split(":", 1)[0]) <= 30:
            line = line.split(":", 1)[1]
        for item in re.split(r"[,;|•·/]|\s+-\s+", line):
            item = item.strip(" .()")
            if item and len(item) <= 40 and len(item.split()) <= 4 and not item[0].isdigit():
                items.append(canonical_skill(item))
    return items


def parse_resume(text: str) -> ResumeProfile:
    """Parse plain resume text. Never raises on odd input; an unreadable resume gets a low confidence."""
    text = (text or "")[:MAX_CHARS]
    lines = _lines(text)
    header, sections = _split_sections(lines)
    contact, headline = _contact(text, [line for line in header if line])
    experience = _experience(sections.get("experience", []))
    education = _education(sections.get("education", []))
    summary = " ".join(line for line in sections.get("summary", []) if line).strip()

    skills: dict[str, str] = {}
    for name in _listed_skills(sections.get("skills", [])) + find_skills(text):
        skills.setdefault(skill_key(name), name)
    if not headline and experience:
        headline = experience[0].title

    signals = [
        (0.15, bool(contact.name)),
        (0.15, bool(contact.email or contact.phone)),
        (0.25, bool(experience)),
        (0.10, any(p.start for p in experience)),
        (0.15, bool(education)),
        (0.15, bool(skills)),
        (0.05, bool(summary)),
    ]
    confidence = round(sum(weight for weight, found in signals if found), 2)
    return ResumeProfile(
        contact=contact,
        headline=headline,
        summary=summary[:2000],
        experience=experience,
        education=education,
        skills=list(skills.values())[:60],
        confidence=min(1.0, confidence),
    )
