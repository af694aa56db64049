"""Quoted phrases on the PostgreSQL backend are answered by the adjacent word pairs of migration 0031
(the GIN index on search.word_pairs(search_vector)) instead of rechecking every candidate's word
positions: the pairs must say exactly what the phrase operator says, the phrases must still find
what they found, and the index must be what answers them. Also: "Did you mean" asks the database
nothing when the search found jobs holding every word it could correct."""

import random

import pytest
from conftest import app_config
from factories import make_job, make_recruiter
from sqlalchemy import event, text
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.search import parse_params, search_jobs

pytestmark = pytest.mark.postgres

WEIGHTS = "ABCD"


@pytest.fixture
def pg(app, app_ctx):
    with app_config(app, SEARCH_BACKEND="postgres"):
        yield


class Statements:
    """The SQL statements (and parameters) the app sends while attached."""

    def __init__(self):
        self.sent: list[tuple[str, object]] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.sent.append((statement, parameters))

    def __enter__(self):
        event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(db.engine, "before_cursor_execute", self)


def search(**args):
    multi = MultiDict()
    for key, value in args.items():
        multi.add(key, value)
    db.session.commit()
    results = search_jobs(parse_params(multi))
    assert not results.degraded
    return results


def titles(**args) -> set[str]:
    return {hit.job.title for hit in search(**args).hits}


def test_word_pairs_say_exactly_what_the_phrase_operator_says(app_ctx):
    """Generated documents of four weighted fields from a small vocabulary (so that words repeat,
    sit at field boundaries and apart), one of them past the 16,383 positions a tsvector keeps:
    for every ordered pair of words, `word_pairs(v) @@ 'a b'` is `v @@ ('a':A <-> 'b':A | ... D)`."""
    rng = random.Random(8)
    words = ["alpha", "beta", "gamma", "delta", "omega", "sigma"]
    documents = [[" ".join(rng.choices(words, k=rng.randint(0, 9))) for _ in WEIGHTS] for _ in range(60)]
    documents.append(["alpha beta", "", "gamma", " ".join(rng.choices(words, k=17000)) + " omega sigma"])
    # As job_search_vector builds it: each field weighted, then concatenated.
    vector = " || ".join(f"setweight(to_tsvector('simple', :field_{i}), '{w}')" for i, w in enumerate(WEIGHTS))
    disagreements = []
    for n, fields in enumerate(documents):
        params = {f"field_{i}": field for i, field in enumerate(fields)}
        for a in words:
            for b in words:
                phrase = " | ".join(f"'{a}':{w} <-> '{b}':{w}" for w in WEIGHTS)
                by_pairs, by_positions = db.session.execute(
                    text(
                        f"SELECT search.word_pairs(v) @@ CAST(:pair AS tsquery), v @@ CAST(:phrase AS tsquery)"
                        f" FROM (SELECT {vector} AS v) AS d"
                    ),
                    {**params, "pair": f"'{a} {b}'", "phrase": phrase},
                ).one()
                if by_pairs != by_positions:
                    disagreements.append((n, a, b, by_pairs, by_positions))
    assert disagreements == []
    # And the pairs are not everything-matches: some pairs are absent from some documents.
    pairs_of = "SELECT search.word_pairs(to_tsvector('simple', 'alpha beta')) @@ CAST(:pair AS tsquery)"
    assert db.session.scalar(text(pairs_of), {"pair": "'alpha beta'"}) is True
    assert db.session.scalar(text(pairs_of), {"pair": "'beta alpha'"}) is False


@pytest.fixture
def board(pg):
    owner = make_recruiter("Phrase Co")
    make_job(owner, title="Data Engineer", skills="SQL, Spark", description="Pipelines all day.")
    make_job(owner, title="Data Analyst", skills="Excel", description="Work with an engineer on data.")
    make_job(
        owner,
        title="Senior Software Engineer",
        skills="Python",
        description="Head of engineering is your manager. Remote.",
        workplace="remote",
    )
    make_job(owner, title="Software Tester", skills="Senior software engineer mindset", description="QA.")
    make_job(owner, title="Engineer", skills="Software", description="Senior people here.")
    db.session.commit()


def test_phrases_find_the_words_together_in_one_field(board):
    assert titles(q='"data engineer"') == {"Data Engineer"}
    assert titles(q='"senior software engineer"') == {"Senior Software Engineer", "Software Tester"}
    assert titles(q='"senior software engineer" python') == {"Senior Software Engineer"}
    assert titles(q='"senior software engineer"', workplace="remote") == {"Senior Software Engineer"}
    assert titles(q='"engineer sql"') == set()  # the title's last word, the skills' first
    assert titles(q='"software senior"') == set()
    assert titles(q='"engineer software"') == set()  # "Engineer" then the skill "Software"


def test_phrases_the_pairs_do_not_decide_still_work(board):
    assert titles(q='"head of engineering"') == {"Senior Software Engineer"}  # a stop word inside
    assert titles(q='data -"data engineer"') == {"Data Analyst"}
    assert titles(q='"data engineer" OR "software tester"') == {"Data Engineer", "Software Tester"}
    everyone = {"Data Engineer", "Senior Software Engineer", "Engineer", "Software Tester", "Data Analyst"}
    assert titles(q='"engineer"') == everyone  # one word in quotes: a word


def _count_statement(sent):
    (statement, params), *_ = [(s, p) for s, p in sent if "search.word_pairs" in s or "WITH m AS" in s]
    return statement, params


def test_a_two_word_phrase_is_answered_by_the_pairs_index_alone(board):
    with Statements() as recorded:
        assert titles(q='"data engineer"') == {"Data Engineer"}
    statement, params = _count_statement(recorded.sent)
    assert params["pairs"] == "'data engin'"
    assert params["match"] is None  # no positions to check: GIN's answer is exact
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(row[0] for row in db.session.connection().exec_driver_sql("EXPLAIN " + statement, params))
    assert "search_jobs_word_pairs" in plan
    assert "search_jobs_vector" not in plan


def test_a_longer_phrase_is_narrowed_by_its_pairs_and_its_positions_checked(board):
    with Statements() as recorded:
        titles(q='"senior software engineer"')
    _, params = _count_statement(recorded.sent)
    assert params["pairs"] == "'senior softwar' & 'softwar engin'"
    assert "<->" in params["match"]


def test_did_you_mean_asks_nothing_when_every_word_was_found(board):
    with Statements() as recorded:
        assert search(q="data engineer").suggestion is None
    assert not any("search_vocabulary" in statement for statement, _ in recorded.sent)
    db.session.execute(text("REFRESH MATERIALIZED VIEW search_vocabulary"))
    assert search(q="pyhton").suggestion == "python"
    assert search(q="data pyhton").suggestion == "data python"  # no match: still asked
    with Statements() as recorded:
        search(q="data -analist")  # a word no match holds may be misspelled: asked
    assert any("search_vocabulary" in statement for statement, _ in recorded.sent)
