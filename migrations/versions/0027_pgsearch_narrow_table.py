"""search: a narrow table of published jobs for SEARCH_BACKEND=postgres, kept current by triggers

Revision ID: 0027
Revises: 0028
Create Date: 2026-12-07 05:30:00

On PostgreSQL: `search.jobs`, one row per published job (closed, expired-by-sweeper and draft jobs
have none) with only what a search filters, counts and orders by: the facet columns, the times that
decide "open", "featured" and "posted", the salary as entered, and the weighted tsvector (moved here
from the wide jobs row's index; its GIN index is here). Counting the facets of a search reads ~70
bytes a job here instead of deforming a jobs row, and the tsvector is compressed with lz4, which
decompresses several times faster than pglz when a phrase or the ranking reads it.

Kept current by AFTER triggers on jobs (insert, delete, truncate, and updates of the columns it copies or
that feed the tsvector): a job that becomes published gets its row, one that leaves "published"
or is deleted loses it. A company rename already rewrites its jobs' search_vector (0007), which
fires the trigger. The salary is copied as entered (upper end, currency, period): the conversion to
yearly USD stays in Python (app/search/sql.py), so changing its rates needs no migration.

It lives in the schema `search`, outside the models and Alembic's comparison, like the spelling
vocabulary (0007): it is PostgreSQL-only. On SQLite this migration does nothing.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0028'  # after jobs.location_key (0028), which it copies
branch_labels = None
depends_on = None


COLUMNS = (
    "id, company_id, published_at, expires_at, featured_until, salary_upper, workplace, employment_type,"
    " seniority, salary_currency, salary_period, location, location_key, search_vector"
)
NEW_VALUES = (
    "NEW.id, NEW.company_id, NEW.published_at, NEW.expires_at, NEW.featured_until,"
    " coalesce(NEW.salary_max, NEW.salary_min), NEW.workplace, NEW.employment_type, NEW.seniority,"
    " NEW.salary_currency, NEW.salary_period, btrim(NEW.location), NEW.location_key, NEW.search_vector"
)

# Fixed-width columns first (no alignment padding, found at fixed offsets), then the short texts,
# then the tsvector, stored out of line (toast_tuple_target) so the heap a count reads stays narrow.
TABLE = f"""
CREATE SCHEMA IF NOT EXISTS search;
CREATE TABLE search.jobs (
  id integer PRIMARY KEY,
  company_id integer NOT NULL,
  published_at timestamptz,
  expires_at timestamptz,
  featured_until timestamptz,
  salary_upper integer,
  workplace text NOT NULL,
  employment_type text NOT NULL,
  seniority text NOT NULL,
  salary_currency text NOT NULL,
  salary_period text NOT NULL,
  location text NOT NULL,
  location_key text NOT NULL,
  search_vector tsvector COMPRESSION lz4
) WITH (toast_tuple_target = 128, fillfactor = 90);

CREATE FUNCTION search.jobs_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.status <> 'published' THEN
    DELETE FROM search.jobs WHERE id = OLD.id;
    RETURN NULL;
  END IF;
  INSERT INTO search.jobs ({COLUMNS}) VALUES ({NEW_VALUES})
  ON CONFLICT (id) DO UPDATE SET
    company_id = EXCLUDED.company_id, published_at = EXCLUDED.published_at,
    expires_at = EXCLUDED.expires_at, featured_until = EXCLUDED.featured_until,
    salary_upper = EXCLUDED.salary_upper, workplace = EXCLUDED.workplace,
    employment_type = EXCLUDED.employment_type, seniority = EXCLUDED.seniority,
    salary_currency = EXCLUDED.salary_currency, salary_period = EXCLUDED.salary_period,
    location = EXCLUDED.location, location_key = EXCLUDED.location_key,
    search_vector = EXCLUDED.search_vector;
  RETURN NULL;
END
$$;

CREATE TRIGGER jobs_search_insert AFTER INSERT ON jobs
  FOR EACH ROW WHEN (NEW.status = 'published') EXECUTE FUNCTION search.jobs_sync();
-- Not on every update: a view_count increment must not rewrite the search row.
CREATE TRIGGER jobs_search_update
  AFTER UPDATE OF status, company_id, published_at, expires_at, featured_until, salary_min, salary_max,
    salary_currency, salary_period, workplace, employment_type, seniority, location, location_key, title, skills,
    description, description_html, search_vector ON jobs
  FOR EACH ROW WHEN (OLD.status = 'published' OR NEW.status = 'published') EXECUTE FUNCTION search.jobs_sync();
CREATE TRIGGER jobs_search_delete AFTER DELETE ON jobs
  FOR EACH ROW WHEN (OLD.status = 'published') EXECUTE FUNCTION search.jobs_sync();

-- TRUNCATE fires no row triggers.
CREATE FUNCTION search.jobs_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  TRUNCATE search.jobs;
  RETURN NULL;
END
$$;
CREATE TRIGGER jobs_search_truncate AFTER TRUNCATE ON jobs
  FOR EACH STATEMENT EXECUTE FUNCTION search.jobs_truncate();
"""

# After the backfill: its rows would leave deferred trigger events that block CREATE INDEX.
CHANGES = """
-- Every change of search.jobs advances search.changes, at commit (a deferred trigger): the backend's
-- per-process count cache keys its entries by it, so a change (a deletion too) is counted at once.
CREATE SEQUENCE search.changes;
CREATE FUNCTION search.jobs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM nextval('search.changes');
  RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER jobs_changed AFTER INSERT OR UPDATE OR DELETE ON search.jobs
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION search.jobs_changed();
CREATE TRIGGER jobs_truncated AFTER TRUNCATE ON search.jobs
  FOR EACH STATEMENT EXECUTE FUNCTION search.jobs_changed();
"""

BACKFILL = f"""
INSERT INTO search.jobs ({COLUMNS})
SELECT {NEW_VALUES.replace('NEW.', 'j.')}
  FROM jobs AS j
 WHERE j.status = 'published'
"""

INDEXES = """
CREATE INDEX search_jobs_vector ON search.jobs USING gin (search_vector);
-- Browsing newest first (and the ranking window) reads matches in this order.
CREATE INDEX search_jobs_published ON search.jobs (published_at DESC NULLS LAST, id DESC);
ANALYZE search.jobs;
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(TABLE)
    op.execute(BACKFILL)
    op.execute(INDEXES)
    op.execute(CHANGES)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS jobs_search_truncate ON jobs")
    op.execute("DROP TRIGGER IF EXISTS jobs_search_delete ON jobs")
    op.execute("DROP TRIGGER IF EXISTS jobs_search_update ON jobs")
    op.execute("DROP TRIGGER IF EXISTS jobs_search_insert ON jobs")
    op.execute("DROP SCHEMA IF EXISTS search CASCADE")
