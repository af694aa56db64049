"""The Whoosh backend's private reads (app/search/whoosh_codec.py) against the public API and against
Whoosh's own searcher: a few hundred generated searches over an index with several segments and
deleted documents must give the same hits, totals and counts through the bulk reads, through the
public API only, and (hits and totals) through Whoosh's searcher."""

import importlib
import logging
import random
from datetime import timedelta

import pytest
import whoosh
from factories import make_recruiter
from search_support import fresh_index  # noqa: F401  (fixture)
from sqlalchemy import insert, update
from whoosh import query as wq

from app.extensions import db
from app.models import Job, utcnow
from app.search import whoosh_codec as codec
from app.search.backend import SearchRequest
from app.search.engine import Snapshot
from app.search.engine.matching import stem
from app.search.index import get_index
from app.search.sync import catch_up
from app.search.whoosh_backend import FIELDS, engine_request, parse_query

WORDS = [
    "python",
    "django",
    "data",
    "engineer",
    "engineering",
    "manager",
    "nurse",
    "warehouse",
    "forklift",
    "remote",
    "payments",
    "platform",
    "kotlin",
    "swift",
    "analyst",
    "finance",
    "teacher",
    "design",
    "designer",
    "research",
    "cloud",
    "security",
    "growth",
    "sales",
    "support",
    "backend",
    "mobile",
]
FILLER = ["team", "with", "and", "the", "build", "care", "ship", "weekly", "customers", "tools", "clear", "goals"]
LOCATIONS = ["Berlin, Germany", "London, UK", "Lisbon, Portugal", "Remote (Europe)", "New York, NY"]
QUERIES = 300


@pytest.fixture
def corpus(app, app_ctx, fresh_index):
    """150 jobs in four segments, the last three holding edited versions (their old ones deleted),
    a few jobs closed (deleted from the index); returns (company slugs, now)."""
    rng = random.Random(11)
    owners = [make_recruiter(f"Codec Co {n}") for n in range(4)]
    now = utcnow()
    rows = []
    for _ in range(150):
        title = " ".join(rng.sample(WORDS, rng.randint(1, 3))).title()
        text = " ".join(rng.choice(WORDS + FILLER * 2) for _ in range(rng.randint(8, 60)))
        salary = rng.choice([None, 30000, 60000, 90000, 140000])
        rows.append(
            {
                "company_id": rng.choice(owners).company.id,
                "title": title,
                "slug": "role",
                "description": text,
                "description_html": f"<p>{text}</p>",
                "skills": rng.sample(["Python", "SQL", "Go", "Excel", "Care"], 2),
                "location": rng.choice(LOCATIONS),
                "workplace": rng.choice(["onsite", "hybrid", "remote"]),
                "employment_type": rng.choice(["full_time", "contract"]),
                "seniority": rng.choice(["junior", "mid", "senior"]),
                "salary_min": salary,
                "salary_max": salary and salary + 10000,
                "salary_currency": rng.choice(["USD", "EUR"]),
                "salary_period": "year",
                "status": "published",
                "published_at": now - timedelta(hours=rng.randint(1, 1500)),
                "expires_at": now + timedelta(days=rng.randint(1, 30)),
                "featured_until": now + timedelta(days=3) if rng.random() < 0.1 else None,
                "created_at": now,
                "updated_at": now,
            }
        )
    db.session.execute(insert(Job), rows)
    db.session.commit()
    catch_up(app)
    ids = sorted(db.session.scalars(db.select(Job.id)))
    for round_ in range(3):  # three more commits: three more segments, with deletions
        for job_id in rng.sample(ids, 12):
            db.session.execute(
                update(Job)
                .where(Job.id == job_id)
                .values(title=" ".join(rng.sample(WORDS, 2)).title() + f" r{round_}", updated_at=utcnow())
            )
        if round_ == 2:
            db.session.execute(
                update(Job).where(Job.id.in_(rng.sample(ids, 6))).values(status="closed", updated_at=utcnow())
            )
        db.session.commit()
        catch_up(app)
    segments = get_index(app).segments()
    assert len(segments) >= 4
    assert sum(s.deleted_count() for s in segments) >= 30
    return [owner.company.slug for owner in owners], now


def generated_searches(slugs, count: int):
    """Search-box texts of every shape the grammar has, with random filters and sorts."""
    rng = random.Random(7)

    def word():
        return rng.choice(WORDS + FILLER[:4])

    shapes = [
        lambda: word(),
        lambda: f"{word()} {word()}",
        lambda: f"{word()} OR {word()}",
        lambda: f"{word()} -{word()}",
        lambda: f"NOT {word()}",
        lambda: f'"{word()} {word()}"',
        lambda: f'"{rng.choice(FILLER)} {word()}" {word()}',
        lambda: rng.choice(WORDS)[: rng.randint(2, 5)] + "*",
        lambda: f"({word()} OR {word()}) {word()}",
        lambda: f"+{word()} {word()}",
        lambda: f"{word()} AND NOT ({word()} OR {word()})",
        lambda: "",
    ]
    for _ in range(count):
        filters = {}
        if rng.random() < 0.3:
            filters["workplace"] = tuple(rng.sample(["onsite", "hybrid", "remote"], rng.randint(1, 2)))
        if rng.random() < 0.2:
            filters["seniority"] = (rng.choice(["junior", "mid", "senior"]),)
        if rng.random() < 0.2:
            filters["location"] = (rng.choice(LOCATIONS).casefold(),)
        if rng.random() < 0.15:
            filters["company"] = (rng.choice(slugs),)
        yield (
            rng.choice(shapes)(),
            filters,
            rng.choice([None, None, "7d", "30d"]),
            rng.choice([None, None, 50000, 100000]),
            rng.choice(["relevance", "relevance", "newest"]),
        )


def whoosh_query(node):
    """Our query as Whoosh's own searcher should run it: a prefix expands as typed and as its
    stem (the engine's documented rule: "engineer*" finds engineering, whose stem is "engin").

    `a ANDNOT b` is asked as `a AND NOT b`: in Whoosh-Reloaded 2.7.5 the AndNotMatcher of a segment
    with deleted documents returned a document that contains b ("support -remote", found by this
    test), while AND NOT gives the right answer for the same question."""
    if isinstance(node, wq.Prefix):
        stemmed = stem(node.text.lower(), node.fieldname)
        return wq.Or([wq.Prefix(node.fieldname, node.text.lower()), wq.Prefix(node.fieldname, stemmed or node.text)])
    if isinstance(node, wq.AndNot):
        return wq.And([whoosh_query(node.a), wq.Not(whoosh_query(node.b))])
    if isinstance(node, (wq.AndMaybe, wq.Require)):
        return type(node)(whoosh_query(node.a), whoosh_query(node.b))
    if isinstance(node, wq.CompoundQuery):
        return type(node)([whoosh_query(child) for child in node.subqueries], boost=node.boost)
    if isinstance(node, wq.Not):
        return wq.Not(whoosh_query(node.query))
    return node


def whoosh_hits(ix, query, request: SearchRequest, req) -> set[int]:
    """Job ids Whoosh's own searcher finds, with the term filters as a Whoosh filter and the
    column ranges (expiry, posted, salary) applied to its hits. Documents Whoosh's own reader calls
    deleted are dropped: for a query that is only a NOT ("NOT research"), Whoosh-Reloaded 2.7.5's
    searcher returned the deleted old versions of edited and closed jobs (found by this test)."""
    terms = [wq.Or([wq.Term(FIELDS[group], value) for value in values]) for group, values in request.filters.items()]
    with ix.searcher() as searcher:
        results = searcher.search(
            whoosh_query(query) if query is not None else wq.Every(),
            limit=None,
            filter=wq.And(terms) if terms else None,
        )
        reader = searcher.reader()
        columns = {name: reader.column_reader(name) for name in ("job_id", "expires", "published", "salary_year")}
        found = set()
        for docnum in results.docs():
            if reader.is_deleted(docnum):
                continue
            job_id = columns["job_id"][docnum]
            if not job_id or columns["expires"][docnum] <= req.now:
                continue  # the meta document; an expired job
            if "posted" in req.ranges and columns["published"][docnum] < req.ranges["posted"]:
                continue
            if "salary_min" in req.ranges and columns["salary_year"][docnum] < req.ranges["salary_min"]:
                continue
            found.add(job_id)
    return found


def test_bulk_reads_public_api_and_whooshs_own_searcher_agree(app, corpus):
    slugs, now = corpus
    ix = get_index(app).index()
    fast_searcher, fast_current = codec.open_searcher(ix)
    fast = Snapshot(fast_searcher, {}, fast_current)
    with codec.public_api_only():
        public_searcher, public_current = codec.open_searcher(ix)
        public = Snapshot(public_searcher, {}, public_current)
    assert fast.doc_count == public.doc_count == 144
    shapes_with_hits = 0
    for text, filters, posted, salary_min, sort in generated_searches(slugs, QUERIES):
        request = SearchRequest(
            text=text, filters=filters, posted=posted, salary_min=salary_min, sort=sort, offset=0, limit=500, now=now
        )
        query = parse_query(text)
        req = engine_request(request, query)
        by_bulk_reads = fast.search(req)
        with codec.public_api_only():
            by_public_api = public.search(req)
        case = (text, filters, posted, salary_min, sort)
        assert by_public_api.total == by_bulk_reads.total, case
        assert by_public_api.job_ids == by_bulk_reads.job_ids, case  # same order: same scores
        assert by_public_api.facets == by_bulk_reads.facets, case
        expected = whoosh_hits(ix, query, request, req)
        assert set(by_bulk_reads.job_ids) == expected, case
        assert by_bulk_reads.total == len(expected), case
        shapes_with_hits += bool(expected)
    assert shapes_with_hits > QUERIES // 2  # the generator asks questions that have answers


def test_spelling_suggestions_agree_through_bulk_reads_and_the_public_api(app, corpus):
    ix = get_index(app).index()
    fast = Snapshot(*codec.open_searcher(ix)[:1], {})
    with codec.public_api_only():
        public = Snapshot(ix.searcher(), {})
        for typo, meant in (("pyhton", "python"), ("enginer", "engineer"), ("fianance", "finance"), ("zzzz", None)):
            assert public.suggest(typo) == meant
    for typo, meant in (("pyhton", "python"), ("enginer", "engineer"), ("fianance", "finance"), ("zzzz", None)):
        assert fast.suggest(typo) == meant


def test_another_whoosh_version_switches_to_the_public_api_and_says_so(monkeypatch, caplog):
    assert codec.VERSION_OK
    assert whoosh.versionstring() == codec.PINNED_VERSION
    monkeypatch.setattr(whoosh, "versionstring", lambda build=True, extra=True: "2.7.6")
    try:
        with caplog.at_level(logging.WARNING, logger="app.search.whoosh_codec"):
            importlib.reload(codec)
        assert not codec.VERSION_OK
        assert not codec.fast_path()
        assert "whoosh 2.7.6 is not 2.7.5" in caplog.text
        assert "public API only" in caplog.text
        assert codec.mode().startswith("public API only")
    finally:
        monkeypatch.undo()
        importlib.reload(codec)
    assert codec.VERSION_OK
    assert codec.fast_path()


def test_forcing_the_public_api_is_per_thread_and_scoped():
    assert codec.fast_path()
    with codec.public_api_only():
        assert not codec.fast_path()
        with codec.public_api_only():
            assert not codec.fast_path()
        assert not codec.fast_path()
    assert codec.fast_path()
