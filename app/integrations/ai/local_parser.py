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

from ...vocabulary import canonical_skill, find_skills, known_skill, skill_key
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
LOCATION = re.compile(r"^[^\W\d_][\w.' -]{1,40},\s*[^\W\d_][\w.' -]{1,40}$")

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


# A line ending in one of these was cut by the column's width, not by the writer.
_JOINING_WORDS = {"of", "and", "for", "the", "in", "at", "with", "to", "on", "a", "an", "&", "de", "der", "für"}
_JOINING_WORDS |= {"und", "et", "y", "by", "from", "as", "—", "–", "-"}
_BULLET_ONLY = re.compile(r"^\s*[-*•·▪◦‣●○–]\s*$")


def _unwrap(lines: list[str]) -> list[str]:
    """Join what a narrow column wrapped back into one line, and a bullet glyph drawn on its own
    line (pypdf gives "•" then the text) to its text, so a wrapped bullet never reads as a new job.

    A line continues the one before when it starts with a lower-case word, or when the one before
    ends with a word that cannot end a phrase ("Chalmers University of" + "Technology") or with a
    comma. Headings and lines with dates are never joined.
    """
    out: list[str] = []
    bullet_pending = False
    for line in lines:
        if _BULLET_ONLY.match(line):
            bullet_pending = True
            continue
        if bullet_pending and line:
            out.append("• " + line)
            bullet_pending = False
            continue
        if out and line and _continues(out[-1], line):
            previous = out.pop()
            out.append(previous + line if _hyphenated(previous) else f"{previous} {line}")
            continue
        out.append(line)
    return out


def _continues(previous: str, line: str) -> bool:
    if not previous or _heading(previous) or _heading(line) or BULLET.match(line):
        return False
    if DATE_RANGE.search(line) or DATE_RANGE.search(previous) or EMAIL.search(previous):
        return False
    first_word = line.split()[0]
    if first_word[0].islower() and first_word.strip(",.;:").isalpha() and first_word.islower():
        return True
    last_word = previous.split()[-1].lower()
    return last_word in _JOINING_WORDS or previous.endswith(",") or _hyphenated(previous)


def _hyphenated(line: str) -> bool:
    """A word broken at its hyphen ("Lindqvist-" / "Öberg"): joined with no space."""
    return line.endswith("-") and line[-2:-1].isalpha()


_SEGMENTS = re.compile(r"\s+(?:\||·|•|—|–|-)\s+|,\s+(?=[A-Z])")


def _is_institution(text: str) -> bool:
    return any(word in text.lower() for word in INSTITUTION_WORDS)


def _unwrap_education(lines: list[str]) -> list[str]:
    """Education lines cut by a narrow sidebar: "Grado en Ingeniería" + "Informática — Universidad"
    + "Politécnica de Madrid", "BSc Computing — Trinity" + "College Dublin". A line carries on the
    one before unless either has a year or a bullet, or the line starts a degree or an institution
    of its own."""
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        if previous and line and not (SINGLE_YEAR.search(previous) or SINGLE_YEAR.search(line) or BULLET.match(line)):
            head = _SEGMENTS.split(line, maxsplit=1)[0]
            tail = _SEGMENTS.split(previous)[-1]
            carries = len(head.split()) <= 3 and not _is_institution(head) and not DEGREE_WORDS.match(head)
            finishes = _SEGMENTS.search(previous) and not _is_institution(tail) and not _SEGMENTS.search(line)
            if carries or finishes:
                out[-1] = f"{previous} {line}"
                continue
        out.append(line)
    return out


def _unwrap_skills(lines: list[str]) -> list[str]:
    """A comma-separated skills list wrapped over lines ("Penetration Testing, Threat" + "Modeling,
    SIEM"): one list again. A "Label: items" line or a bullet starts a new one."""
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        if previous and line and "," in previous and ":" not in line and not BULLET.match(line):
            out[-1] = f"{previous} {line}"
            continue
        out.append(line)
    return out


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

    name, used = _header_name(header)
    name = name.title() if name.isupper() else name
    header = header[used:]
    location = headline = ""
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


# Lower-case name particles ("Aḥmad ibn Yūsuf al-Masri", "Ana de la Cruz", "Ludwig van Beethoven").
NAME_PARTICLES = {"ibn", "bin", "bint", "binti", "al", "el", "de", "del", "della", "der", "den", "la", "le", "van"}
NAME_PARTICLES |= {"von", "da", "di", "du", "dos", "das", "do", "y", "e", "zu", "ter", "ten", "af", "av", "ap"}


def _name_word(word: str) -> bool:
    """A word of a name in any script: letters (with ' ’ . - inside), starting with a capital, a
    letter of an uncased script (Han, Arabic, Devanagari...), or a particle such as "ibn" or "al-"."""
    if not word or not word[0].isalpha() or not all(c.isalpha() or c in "'’.-" for c in word):
        return False
    first = word[0]
    if first.isupper() or not (first.isupper() or first.islower()):
        return True
    return word.lower() in NAME_PARTICLES or word.split("-", 1)[0].lower() in NAME_PARTICLES and "-" in word


def _looks_like_name(part: str) -> bool:
    words = part.split()
    if not 1 <= len(words) <= 6 or len(part) > 60:
        return False
    if any(word.lower().strip(",") in TITLE_WORDS for word in words) or _heading(part):
        return False
    if not all(_name_word(word) for word in words) or not _name_word(words[0]) or words[0].lower() in NAME_PARTICLES:
        return False
    if len(words) == 1:  # one word is a name only in scripts written without spaces ("王小明")
        return 2 <= len(part) <= 8 and not any(c.isupper() or c.islower() for c in part)
    return True


def _header_name(header: list[str]) -> tuple[str, int]:
    """A name a narrow sidebar wrapped over two or three lines ("Nguyễn Thị" / "Minh Anh", "JOSÉ" /
    "ÁLVAREZ" / "GARCÍA", "Åsa Lindqvist" / "-Öberg"), and how many lines it took; ("", 0) if none."""
    best, used, joined = "", 0, ""
    for count, line in enumerate(header[:3], 1):
        line = line.strip()
        if not line or SEPARATORS.search(line) or LOCATION.match(line) or EMAIL.search(line) or known_skill(line):
            break
        # A third line joins only as one more word in the same case ("GARCÍA"), not a headline.
        if count == 3 and (len(line.split()) > 1 or line.isupper() != header[0].isupper()):
            break
        glue = "" if joined.endswith("-") or line.startswith("-") else " "
        joined = (joined + glue + line).strip()
        if count >= 2 and _looks_like_name(joined) and len(joined.split()) >= 2:
            best, used = joined, count
        elif count >= 2:
            break
    return best, used


def _entries(lines: list[str], education: bool = False) -> list[_Entry]:
    """Split a section into entries: a run of short header lines, then description lines.

    A new entry starts at a header line after a description, or at a second date range. In
    education, where entries have no description, also at a school or degree line after an entry's
    dates ("MBA — IIM Bangalore" / "2014 – 2016" / "B.Tech — Anna University" / "2010 – 2014").
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
        if education and is_header and not dates and current is not None and current.start and current.header:
            starts_new = starts_new or _is_institution(line) or bool(DEGREE_WORDS.match(line))
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
    for entry in _entries(lines, education=True):
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
        for listed in re.split(r"[,;|•·]|\s+-\s+", line):
            # "A/B Testing" and "CI/CD" are one skill each; "Python/Go" is two.
            for item in [listed] if known_skill(listed) else listed.split("/"):
                item = item.strip(" .()")
                if item and len(item) <= 40 and len(item.split()) <= 4 and not item[0].isdigit():
                    items.append(canonical_skill(item))
    return items


def parse_resume(text: str) -> ResumeProfile:
    """Parse plain resume text. Never raises on odd input; an unreadable resume gets a low confidence."""
    text = (text or "")[:MAX_CHARS]
    lines = _unwrap(_lines(text))
    header, sections = _split_sections(lines)
    contact, headline = _contact(text, [line for line in header if line])
    experience = _experience(sections.get("experience", []))
    education = _education(_unwrap_education(sections.get("education", [])))
    summary = " ".join(line for line in sections.get("summary", []) if line).strip()

    skills: dict[str, str] = {}
    for name in _listed_skills(_unwrap_skills(sections.get("skills", []))) + find_skills("\n".join(lines)):
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
