"""The PostgreSQL backend's relevance order with more matches than its ranking window: the newest
RANK_WINDOW matches (featured ones first) ranked by score, featured first, then the rest newest
first. The window is ranked in two parts (its featured matches, then its others) under one LIMIT,
so that a page the featured matches fill never ranks the others: the order must be exactly that of
ranking the whole window at once, and the second part must not run when the first fills the page
(nor are the matches kept then: they are counted straight from the scan)."""

from datetime import timedelta

import pytest
from conftest import app_config
from factories import make_job, make_recruiter
from sqlalchemy import event, text
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.models import utcnow
from app.search import parse_params, postgres_backend, search_jobs
from app.search.backend import RECENCY_HALF_LIFE, RECENCY_WEIGHT

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg(app, app_ctx):
    with app_config(app, SEARCH_BACKEND="postgres"):
        yield


def board(count: int, featured: int) -> None:
    """`count` postings that mention Kotlin, published an hour apart, the `featured` newest of them
    featured. The newer a posting, the longer its description: by score alone the order is the
    reverse of by recency, so a window ordered by recency instead of rank is seen."""
    owner = make_recruiter()
    now = utcnow()
    for n in range(count):
        job = make_job(
            owner,
            title=f"Engineer {n}",
            description="Kotlin services. " + "Plenty of other work here. " * (count - n),
            skills="Kotlin" if n % 3 == 0 else "Java",
            published_at=now - timedelta(hours=n + 1),
        )
        if n < featured:
            job.featured_until = now + timedelta(days=7)
    db.session.commit()


def expected(window: int) -> tuple[list[int], list[int]]:
    """(every match in the order the backend must give, the window by recency alone), computed
    from the definition: the window ranked as a whole by (featured, score), then the rest."""
    rows = db.session.execute(
        text(
            f"SELECT id, coalesce(featured_until > :now, false) AS featured, published_at,"
            f" ts_rank_cd({postgres_backend.RANK_WEIGHTS}, search_vector, to_tsquery('english', 'kotlin'),"
            f" {postgres_backend.RANK_NORMALIZATION}) * (1 + {RECENCY_WEIGHT} * power(0.5,"
            f" greatest(0, extract(epoch FROM CAST(:now AS timestamptz) - published_at)) / {RECENCY_HALF_LIFE}))"
            f" AS score FROM search.jobs WHERE search_vector @@ to_tsquery('english', 'kotlin')"
        ),
        {"now": utcnow()},
    ).all()
    by_recency = sorted(rows, key=lambda r: (not r.featured, -r.published_at.timestamp(), -r.id))
    head = sorted(by_recency[:window], key=lambda r: (not r.featured, -r.score, -r.published_at.timestamp(), -r.id))
    return [r.id for r in head + by_recency[window:]], [r.id for r in by_recency[:window]]


def pages(count: int) -> list[int]:
    found = []
    for page in range(1, count // 20 + 2):
        db.session.commit()
        results = search_jobs(parse_params(MultiDict({"q": "kotlin", "page": str(page)})))
        assert not results.degraded
        assert results.total == count
        found += [hit.job.id for hit in results.hits]
    return found


@pytest.mark.parametrize(
    ("count", "featured", "window"),
    [
        (16, 4, 10),  # the window: 4 featured, then the 6 newest others; 6 more by recency
        (16, 12, 10),  # the window: the 10 newest featured; 2 featured, then 4 others, by recency
        (30, 22, 25),  # page 1: 20 featured ranked; page 2 spans both parts and the rest
    ],
)
def test_the_window_is_ranked_featured_first_exactly_as_a_whole(pg, monkeypatch, count, featured, window):
    monkeypatch.setattr(postgres_backend, "RANK_WINDOW", window)
    postgres_backend._statements.clear()  # compiled with the window's size
    try:
        board(count, featured)
        order, window_by_recency = expected(window)
        assert order[:window] != window_by_recency  # the corpus tells ranking from recency
        assert pages(count) == order
    finally:
        postgres_backend._statements.clear()


def test_a_page_the_featured_matches_fill_never_ranks_or_keeps_the_others(pg, monkeypatch):
    monkeypatch.setattr(postgres_backend, "RANK_WINDOW", 25)
    postgres_backend._statements.clear()
    sent = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    try:
        board(30, 22)
        event.listen(db.engine, "before_cursor_execute", grab)
        try:
            search_jobs(parse_params(MultiDict({"q": "kotlin"})))
        finally:
            event.remove(db.engine, "before_cursor_execute", grab)
        statement, parameters = next((s, p) for s, p in sent if "ts_rank_cd" in s)
        plan = "\n".join(
            row[0]
            for row in db.session.connection().exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters)
        )
        ranked = [line for line in plan.splitlines() if "ts_rank_cd" in line]
        assert len(ranked) == 2, plan  # a sort by score for each part of the window
        assert "(never executed)" in plan, plan  # ... and the second one never ran
        # Nor were the matches kept: they were counted straight from the scan.
        lines = plan.splitlines()
        kept = lines[lines.index("  CTE m") + 1]
        assert "(never executed)" in kept, plan
    finally:
        db.session.rollback()
        postgres_backend._statements.clear()
