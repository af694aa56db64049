"""search: the board's facet counts kept by triggers, the yearly USD salary stored in search.jobs

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-07 14:10:00

On PostgreSQL (issue 8, SEARCH_BACKEND=postgres). A browse without words counted every facet over
every open row of search.jobs (~80k at 100k postings) on each search. Now:

- `search.jobs.salary_usd`: the upper end of the salary as US dollars a year, a stored generated
  column (`search.yearly_usd`, the same arithmetic as app/search/sql.py's `yearly_usd`, to the same
  float), so no search converts currencies row by row. Changing the rates in documents.py needs a
  migration that replaces `search.yearly_usd` and recomputes the column (a test compares the two).
- `search.facet_counts`: how many rows of search.jobs carry each facet value (workplace, employment
  type, seniority, location as entered, company, salary bucket, publication hour). Triggers on
  search.jobs append +1/-1 rows (never update a row: concurrent publishers take no lock on a shared
  counter, so they neither wait for each other nor deadlock); reading sums them. The backend folds
  the appended rows into one row per value now and then (`search.compact_facet_counts()`).
  Time: a published row whose expiry has passed (the sweeper has not run yet) is no longer open.
  Rows that expired up to `search.facet_watermark` are counted a second time as "x_<facet>" (the
  backend subtracts them); the backend moves the watermark forward now and then
  (`search.advance_facet_watermark`), and counts the few rows between the watermark and the search's
  time from search.jobs (the new index on expires_at), as it counts the rows of the partial hour at
  each "posted within" boundary (the index on published_at).

On SQLite this migration does nothing.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


# Frozen copies of documents.PERIODS_PER_YEAR, documents.USD_RATES and backend.SALARY_STEPS as of
# this migration: tests/test_search_board_counts.py fails when the Python side changes without a new
# migration.
PERIODS_PER_YEAR = {"year": 1, "month": 12, "week": 52, "day": 260, "hour": 2080}
USD_RATES = {
    "USD": 1.0,
    "EUR": 1.08,
    "GBP": 1.27,
    "INR": 0.012,
    "CAD": 0.73,
    "AUD": 0.66,
    "CHF": 1.13,
    "SGD": 0.74,
    "JPY": 0.0067,
    "BRL": 0.18,
}
SALARY_STEPS = (25_000, 50_000, 75_000, 100_000, 150_000, 200_000)


def _case(column, mapping, cast):
    whens = " ".join(f"WHEN {column} = '{key}' THEN {value!r}::{cast}" for key, value in mapping.items())
    return f"CASE {whens} ELSE 0::{cast} END"


# sql.yearly_usd: the integer product, then the float rate (one float multiplication, as in the
# statement it replaces); in bigint, so that no salary can make a trigger (a publish) fail.
YEARLY_USD = f"""
CREATE FUNCTION search.yearly_usd(upper integer, currency text, period text) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (upper::bigint * {_case("period", PERIODS_PER_YEAR, "bigint")})::double precision
         * {_case("currency", USD_RATES, "double precision")}
$$;
"""

SALARY_BUCKET = " ".join(
    f"WHEN salary_usd >= {step} THEN {n}" for n, step in reversed(list(enumerate(SALARY_STEPS, 1)))
)

# One (facet, value) per group of a row of search.jobs: the facet values the board counts; when the
# row's expiry is at or before the watermark (`expired`), each once more as "x_<facet>".
JOB_FACETS = f"""
CREATE FUNCTION search.job_facets(
  workplace text, employment_type text, seniority text, location text, company_id integer,
  salary_usd double precision, published_at timestamptz, expired boolean
) RETURNS TABLE (facet text, value text)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT p.prefix || f.facet, f.value
  FROM (VALUES ('workplace', workplace), ('employment_type', employment_type), ('seniority', seniority),
               ('location', location), ('company', company_id::text),
               ('salary', CASE {SALARY_BUCKET} ELSE 0 END::text),
               ('published', coalesce(floor(extract(epoch FROM published_at) / 3600)::bigint::text, ''))
       ) AS f (facet, value)
  CROSS JOIN (VALUES (''), ('x_')) AS p (prefix)
  WHERE p.prefix = '' OR expired
$$;
"""


def facets_of(row: str, watermark: str) -> str:
    return (
        f"search.job_facets({row}.workplace, {row}.employment_type, {row}.seniority, {row}.location,"
        f" {row}.company_id, {row}.salary_usd, {row}.published_at, coalesce({row}.expires_at <= {watermark}, false))"
    )


COUNTS = f"""
-- Appended to, summed when read, folded by search.compact_facet_counts(): no primary key.
CREATE TABLE search.facet_counts (
  facet text NOT NULL,
  value text NOT NULL,
  n integer NOT NULL
);

-- The instant up to which the expired rows are counted again as "x_<facet>" (one row). Writers read it
-- FOR SHARE (shared: they do not wait for each other); moving it needs it FOR UPDATE, so no writer
-- that read the old one is still running, and a writer that comes later reads the new one: no row is
-- counted twice or missed.
CREATE TABLE search.facet_watermark (at timestamptz NOT NULL);
INSERT INTO search.facet_watermark VALUES (now());

CREATE FUNCTION search.facet_counts_sync() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  w timestamptz;
BEGIN
  SELECT at INTO w FROM search.facet_watermark FOR SHARE;
  -- An edit moves only the values that changed.
  IF TG_OP = 'UPDATE' THEN
    INSERT INTO search.facet_counts (facet, value, n)
    SELECT facet, value, -1 FROM (SELECT * FROM {facets_of("OLD", "w")}
                                  EXCEPT SELECT * FROM {facets_of("NEW", "w")}) AS gone
    UNION ALL
    SELECT facet, value, 1 FROM (SELECT * FROM {facets_of("NEW", "w")}
                                 EXCEPT SELECT * FROM {facets_of("OLD", "w")}) AS came;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO search.facet_counts (facet, value, n) SELECT facet, value, -1 FROM {facets_of("OLD", "w")};
  ELSE
    INSERT INTO search.facet_counts (facet, value, n) SELECT facet, value, 1 FROM {facets_of("NEW", "w")};
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION search.facet_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE search.facet_counts;
  RETURN NULL;
END
$$;

-- One row per value again. Safe beside writers and another compaction: the DELETE takes only the
-- rows its snapshot sees (a row a writer appends meanwhile stays, and is summed next time), and
-- the sums go back in the same statement.
CREATE FUNCTION search.compact_facet_counts() RETURNS void LANGUAGE sql AS $$
  WITH gone AS (DELETE FROM search.facet_counts RETURNING facet, value, n)
  INSERT INTO search.facet_counts (facet, value, n)
  SELECT facet, value, sum(n) FROM gone GROUP BY facet, value HAVING sum(n) <> 0
$$;

-- Moves the watermark forward to `target`, counting the rows that expired in between as "x_". Not
-- while a writer holds it (SKIP LOCKED: it tries again next time): waiting for a long import would
-- queue every later writer behind this lock. Returns whether it moved.
CREATE FUNCTION search.advance_facet_watermark(target timestamptz) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
  w timestamptz;
BEGIN
  SELECT at INTO w FROM search.facet_watermark FOR UPDATE SKIP LOCKED;
  IF NOT FOUND OR target <= w THEN
    RETURN false;
  END IF;
  INSERT INTO search.facet_counts (facet, value, n)
  SELECT f.facet, f.value, count(*)
    FROM search.jobs AS s CROSS JOIN LATERAL {facets_of("s", "target")} AS f
   WHERE s.expires_at > w AND s.expires_at <= target AND left(f.facet, 2) = 'x_'
   GROUP BY f.facet, f.value;
  UPDATE search.facet_watermark SET at = target;
  RETURN true;
END
$$;
"""

BACKFILL = f"""
INSERT INTO search.facet_counts (facet, value, n)
SELECT f.facet, f.value, count(*)
  FROM search.jobs AS s CROSS JOIN LATERAL {facets_of("s", "(SELECT at FROM search.facet_watermark)")} AS f
 GROUP BY f.facet, f.value;
"""

TRIGGERS = """
CREATE TRIGGER facet_counts_insert AFTER INSERT ON search.jobs
  FOR EACH ROW EXECUTE FUNCTION search.facet_counts_sync();
CREATE TRIGGER facet_counts_delete AFTER DELETE ON search.jobs
  FOR EACH ROW EXECUTE FUNCTION search.facet_counts_sync();
-- Not when only the words or the featured time changed (most edits).
CREATE TRIGGER facet_counts_update AFTER UPDATE ON search.jobs
  FOR EACH ROW WHEN (
    OLD.workplace IS DISTINCT FROM NEW.workplace OR OLD.employment_type IS DISTINCT FROM NEW.employment_type
    OR OLD.seniority IS DISTINCT FROM NEW.seniority OR OLD.location IS DISTINCT FROM NEW.location
    OR OLD.company_id IS DISTINCT FROM NEW.company_id OR OLD.salary_usd IS DISTINCT FROM NEW.salary_usd
    OR OLD.published_at IS DISTINCT FROM NEW.published_at OR OLD.expires_at IS DISTINCT FROM NEW.expires_at
  ) EXECUTE FUNCTION search.facet_counts_sync();
CREATE TRIGGER facet_counts_truncate AFTER TRUNCATE ON search.jobs
  FOR EACH STATEMENT EXECUTE FUNCTION search.facet_counts_truncate();
ANALYZE search.jobs, search.facet_counts, search.facet_watermark;
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(YEARLY_USD)
    # Stored, computed by PostgreSQL on every insert and update of the row: the sync trigger of
    # 0027 needs no change. (Rewrites search.jobs once.)
    op.execute(
        "ALTER TABLE search.jobs ADD COLUMN salary_usd double precision NOT NULL GENERATED ALWAYS AS"
        " (coalesce(search.yearly_usd(salary_upper, salary_currency, salary_period), 0)) STORED"
    )
    # The published rows whose expiry has passed (the board's counts subtract them).
    op.execute("CREATE INDEX search_jobs_expires ON search.jobs (expires_at)")
    # A browse filtered on one company or one place reads only its jobs.
    op.execute("CREATE INDEX search_jobs_company ON search.jobs (company_id)")
    op.execute("CREATE INDEX search_jobs_location ON search.jobs (location_key)")
    # The board's first page: its featured jobs (a few percent of the rows) without a scan.
    op.execute("CREATE INDEX search_jobs_featured ON search.jobs (featured_until) WHERE featured_until IS NOT NULL")
    op.execute(JOB_FACETS)
    op.execute(COUNTS)
    op.execute(BACKFILL)  # under ALTER TABLE's lock on search.jobs: no write slips between
    op.execute(TRIGGERS)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS facet_counts_truncate ON search.jobs")
    op.execute("DROP TRIGGER IF EXISTS facet_counts_update ON search.jobs")
    op.execute("DROP TRIGGER IF EXISTS facet_counts_delete ON search.jobs")
    op.execute("DROP TRIGGER IF EXISTS facet_counts_insert ON search.jobs")
    op.execute("DROP FUNCTION IF EXISTS search.advance_facet_watermark(timestamptz)")
    op.execute("DROP FUNCTION IF EXISTS search.compact_facet_counts()")
    op.execute("DROP FUNCTION IF EXISTS search.facet_counts_truncate()")
    op.execute("DROP FUNCTION IF EXISTS search.facet_counts_sync()")
    op.execute("DROP TABLE IF EXISTS search.facet_watermark")
    op.execute("DROP TABLE IF EXISTS search.facet_counts")
    op.execute(
        "DROP FUNCTION IF EXISTS search.job_facets(text, text, text, text, integer, double precision, timestamptz, boolean)"
    )
    op.execute("DROP INDEX IF EXISTS search.search_jobs_featured")
    op.execute("DROP INDEX IF EXISTS search.search_jobs_location")
    op.execute("DROP INDEX IF EXISTS search.search_jobs_company")
    op.execute("DROP INDEX IF EXISTS search.search_jobs_expires")
    op.execute("ALTER TABLE search.jobs DROP COLUMN IF EXISTS salary_usd")
    op.execute("DROP FUNCTION IF EXISTS search.yearly_usd(integer, text, text)")
