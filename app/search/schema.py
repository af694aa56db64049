"""The Whoosh schema for job postings and the mapping from a Job row to an index document.

What is indexed, and why in this shape:
- `id` (ID, unique) is the key `update_document` and `delete_by_term` use; `job_id` repeats it as a
  numeric column so the query engine can map document numbers to job ids in bulk.
- title, description, company, skills, location: full text with English stemming (Porter) and stop
  words, so "engineers" finds "engineering". Skills use a tokenizer that keeps `c++`, `c#`, `node.js`.
  title and skills also keep their unstemmed words in a spelling field for "Did you mean ...?".
- workplace, employment_type, seniority, company_slug, location_key: ID fields, one term per
  document. Their posting lists are the facet value sets (filters and counts).
- published, expires, featured_until, salary_year: numeric columns (not indexed terms): ranges
  ("posted within", "not expired", "featured now", "salary at least") are evaluated from the column
  values, which the engine loads in bulk once per segment.
- No description text is stored: the page loads the 20 shown jobs from the database (the truth)
  and highlights from there. The index stays small.
- Plain text, location key and yearly salary are computed as documents.py says, the same for every
  backend.
"""

from __future__ import annotations

from whoosh import columns, fields
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StemmingAnalyzer, StopFilter

from .documents import epoch, location_key, location_label, plain_text, yearly_usd

# Bump when the schema or the document mapping changes: an index built with another version is
# treated as unreadable and rebuilt in the background.
SCHEMA_VERSION = 3  # 3: location_key and location_label are the normalised place (app/places.py)

META_ID = "__meta__"

# Stemming, lower-casing, English stop words, tokens of 2+ characters. The same analyzer runs on
# queries (the parser uses the field's analyzer) and in the highlighter.
TEXT_ANALYZER = StemmingAnalyzer(cachesize=100_000)
# Skills keep one-letter and symbol-bearing names ("R", "C", "C++", "C#", "Node.js").
SKILL_ANALYZER = (
    RegexTokenizer(r"\w[\w+#]*(?:\.[\w+#]+)*")
    | LowercaseFilter()
    | StopFilter(minsize=1)
    | StemFilter(cachesize=20_000)
)

TEXT_FIELDS = ("title", "skills", "company", "location", "description")
# Query-time weights: a word in the title says more about the job than the same word in the text.
FIELD_BOOSTS = {"title": 3.0, "skills": 2.0, "company": 1.5, "location": 1.2, "description": 1.0}
FACET_FIELDS = ("workplace", "employment_type", "seniority", "company_slug", "location_key")
NUMERIC_COLUMNS = ("job_id", "published", "expires", "featured_until", "salary_year")
LABEL_COLUMNS = {"company_slug": "company_name", "location_key": "location_label"}

NO_EXPIRY = 2**62  # "never expires" sorts after every real timestamp


def build_schema() -> fields.Schema:
    def numeric(default: int = 0):
        return fields.COLUMN(columns.NumericColumn("q", default=default))

    return fields.Schema(
        id=fields.ID(unique=True),
        job_id=numeric(),
        title=fields.TEXT(analyzer=TEXT_ANALYZER, spelling=True),
        description=fields.TEXT(analyzer=TEXT_ANALYZER),
        company=fields.TEXT(analyzer=TEXT_ANALYZER),
        skills=fields.TEXT(analyzer=SKILL_ANALYZER, spelling=True),
        location=fields.TEXT(analyzer=TEXT_ANALYZER),
        workplace=fields.ID(),
        employment_type=fields.ID(),
        seniority=fields.ID(),
        company_slug=fields.ID(),
        location_key=fields.ID(),
        company_name=fields.COLUMN(columns.VarBytesColumn()),
        location_label=fields.COLUMN(columns.VarBytesColumn()),
        published=numeric(),
        expires=numeric(NO_EXPIRY),
        featured_until=numeric(),
        salary_year=numeric(),
        meta=fields.STORED(),
    )


def job_document(job) -> dict:
    """The index document for an open job (a Job row with its company loaded)."""
    company = job.company
    skills = job.skills or []
    location = " ".join((job.location or "").split())
    label = location_label(location)
    upper = job.salary_max if job.salary_max is not None else job.salary_min
    return {
        "id": str(job.id),
        "job_id": int(job.id),
        "title": job.title or "",
        "description": plain_text(job.description_html, job.description),
        "company": company.name if company is not None else "",
        "skills": ", ".join(skills) if isinstance(skills, list) else str(skills),
        # As typed and as filed, so "Europe" finds "Remote (EU)" and "New York" finds "NYC".
        "location": location if label.casefold() == location.casefold() else f"{location} {label}",
        "workplace": job.workplace or "",
        "employment_type": job.employment_type or "",
        "seniority": job.seniority or "",
        "company_slug": company.slug if company is not None else "",
        "location_key": location_key(location),
        "company_name": (company.name if company is not None else "").encode("utf-8"),
        "location_label": label.encode("utf-8"),
        "published": epoch(job.published_at),
        "expires": epoch(job.expires_at, NO_EXPIRY),
        "featured_until": epoch(job.featured_until),
        "salary_year": yearly_usd(upper, job.salary_currency, job.salary_period),
    }
