"""search: a weighted tsvector on jobs, kept current by PostgreSQL

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00

On PostgreSQL (what SEARCH_BACKEND=postgres searches):
- `jobs.search_vector`: title (weight A), skills (B), company name and location (C), description
  as plain text (D). A BEFORE trigger on jobs writes it on every insert and every update of those
  columns; an AFTER trigger on companies rewrites it for a company's jobs when the company is
  renamed (a generated column cannot read another table). The application never writes it.
- A GIN index on it (matching, `@@`), and `toast_tuple_target = 128` on jobs: descriptions and
  the vector are stored out of line, so scanning the rows a search counts reads a narrow heap.
- `pg_trgm` and `search_vocabulary`, a materialized view of the unstemmed words of published
  titles and skills with a trigram index: the "Did you mean ...?" candidates. Alembic does not
  manage views, so it stays out of the models; the backend refreshes it (CONCURRENTLY).

On SQLite the PostgreSQL-only objects (functions, triggers, extension, view) are not created. The
column and its index are, as a NULL TEXT column and a plain index: the models declare them (so that
models and migrations agree on both databases) and nothing reads them there.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


# The description as the Whoosh index sees it (app/search/schema.py plain_text): tags that end a
# block become a space, inline tags vanish, the entities nh3 writes are decoded, whitespace collapsed.
PLAIN_TEXT = r"""
CREATE FUNCTION search_plain_text(html text, fallback text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN coalesce(html, '') <> '' THEN
    btrim(regexp_replace(
      replace(replace(replace(replace(replace(replace(
        regexp_replace(
          regexp_replace(html, '</?(p|div|br|hr|li|ul|ol|h[1-6]|blockquote|pre|table|thead|tbody|tr|td|th|dl|dt|dd)\y[^>]*>', ' ', 'gi'),
          '<[^>]+>', '', 'g'),
        '&lt;', '<'), '&gt;', '>'), '&quot;', '"'), '&#39;', ''''), '&#x27;', ''''), '&amp;', '&'),
      '\s+', ' ', 'g'))
  ELSE btrim(regexp_replace(coalesce(fallback, ''), '\s+', ' ', 'g')) END
$$;

CREATE FUNCTION search_skills_text(skills json) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE json_typeof(skills)
    WHEN 'array' THEN (SELECT coalesce(string_agg(value, ', '), '') FROM json_array_elements_text(skills))
    WHEN 'string' THEN skills #>> '{}'
    ELSE '' END
$$;

CREATE FUNCTION job_search_vector(title text, skills json, company text, location text,
                                  description_html text, description text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT setweight(to_tsvector('english', coalesce(title, '')), 'A')
      || setweight(to_tsvector('english', search_skills_text(skills)), 'B')
      || setweight(to_tsvector('english', coalesce(company, '') || ' ' || coalesce(location, '')), 'C')
      || setweight(to_tsvector('english', search_plain_text(description_html, description)), 'D')
$$;
"""

TRIGGERS = """
CREATE FUNCTION jobs_search_vector_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.search_vector := job_search_vector(NEW.title, NEW.skills,
                                         (SELECT name FROM companies WHERE id = NEW.company_id),
                                         NEW.location, NEW.description_html, NEW.description);
  RETURN NEW;
END
$$;

CREATE TRIGGER jobs_search_vector
  BEFORE INSERT OR UPDATE OF title, skills, location, description, description_html, company_id ON jobs
  FOR EACH ROW EXECUTE FUNCTION jobs_search_vector_update();

CREATE FUNCTION companies_search_vector_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE jobs SET search_vector = job_search_vector(title, skills, NEW.name, location, description_html, description)
   WHERE company_id = NEW.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER companies_search_vector
  AFTER UPDATE OF name ON companies
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION companies_search_vector_update();
"""

BACKFILL = """
UPDATE jobs AS j
   SET search_vector = job_search_vector(j.title, j.skills, c.name, j.location, j.description_html, j.description)
  FROM companies AS c
 WHERE c.id = j.company_id
"""

# Words of published titles and skills as typed (lower-cased, no stop words), with how many jobs
# use each. refreshed_at tells the backend how old the list is.
VOCABULARY = """
CREATE MATERIALIZED VIEW search_vocabulary AS
  SELECT w.lexeme AS word, count(*)::integer AS jobs, now() AS refreshed_at
    FROM jobs AS j
   CROSS JOIN LATERAL unnest(to_tsvector('simple', j.title || ' ' || search_skills_text(j.skills))) AS w
   WHERE j.status = 'published' AND length(w.lexeme) >= 2 AND ts_lexize('english_stem', w.lexeme) <> '{}'
   GROUP BY w.lexeme;
CREATE UNIQUE INDEX search_vocabulary_word ON search_vocabulary (word);
CREATE INDEX search_vocabulary_word_trgm ON search_vocabulary USING gin (word gin_trgm_ops);
"""


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_vector', postgresql.TSVECTOR() if postgres else sa.Text(), nullable=True))
    if not postgres:
        with op.batch_alter_table('jobs', schema=None) as batch_op:
            batch_op.create_index('ix_jobs_search_vector', ['search_vector'], unique=False)
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # Long values (descriptions, the tsvector) go out of line, so the jobs heap holds only the short
    # columns a search filters and counts: ~260 bytes a row instead of ~1.5 kB (100k jobs: 26 MB,
    # which stays in shared_buffers). Applies to rows written from now on; the backfill rewrites all.
    op.execute("ALTER TABLE jobs SET (toast_tuple_target = 128)")
    op.execute(PLAIN_TEXT)
    op.execute(TRIGGERS)
    op.execute(BACKFILL)
    op.create_index('ix_jobs_search_vector', 'jobs', ['search_vector'], unique=False, postgresql_using='gin')
    op.execute(VOCABULARY)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP MATERIALIZED VIEW IF EXISTS search_vocabulary")
        op.execute("DROP TRIGGER IF EXISTS companies_search_vector ON companies")
        op.execute("DROP TRIGGER IF EXISTS jobs_search_vector ON jobs")
        op.execute("DROP FUNCTION IF EXISTS companies_search_vector_update()")
        op.execute("DROP FUNCTION IF EXISTS jobs_search_vector_update()")
        op.execute("DROP FUNCTION IF EXISTS job_search_vector(text, json, text, text, text, text)")
        op.execute("DROP FUNCTION IF EXISTS search_skills_text(json)")
        op.execute("DROP FUNCTION IF EXISTS search_plain_text(text, text)")
        op.execute("ALTER TABLE jobs RESET (toast_tuple_target)")
        # pg_trgm stays: other objects of the database may use it, and keeping it is harmless.
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_search_vector')
        batch_op.drop_column('search_vector')
