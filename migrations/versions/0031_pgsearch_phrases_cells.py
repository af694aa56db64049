"""search: adjacent word pairs answer quoted phrases; one small integer per job for the small facets

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-07 17:05:00

On PostgreSQL (issue 8, SEARCH_BACKEND=postgres), two costs of a search at 100k postings:

**Phrases.** A quoted phrase ("team offsites") is a tsquery with the phrase operator, which GIN
cannot decide: it returns every job holding both words and PostgreSQL rechecks each one's positions
in its tsvector (read out of line and decompressed). A phrase of common words has tens of thousands
of such candidates: 170 of a 225 ms search. Now:

- `search.word_pairs(tsvector)`: the pairs of lexemes at adjacent positions with the same weight
  (the same field: the fields are concatenated, so the last word of the title is adjacent to the
  first skill, in another weight), as lexemes "a b" without positions. `word_pairs(v) @@ 'a b'` is
  exactly `v @@ ('a':A <-> 'b':A | ... | 'a':D <-> 'b':D)`, the backend's phrase within one field
  (a test compares the two over generated documents).
- a GIN index on that expression (not a stored column: nothing more to read or keep per row). A
  two-word phrase is answered by the index alone; a longer one by its pairs, then the positions of
  the few jobs holding every pair.

Writes pay for it: the pairs are computed for each inserted or changed row of search.jobs (~0.45 ms
a job). No statistics are gathered on the expression (ANALYZE would compute it for 30,000 sampled
rows): the planner's default selectivity for `@@` is enough to choose the index.

**The small facets.** Counting a search's facets materialises its matching rows and groups them by
workplace, employment type, seniority, salary bucket and "posted within": three short texts per
row copied and hashed, a fifth of the search for a broad word. `search.jobs.cell` is those four
static values as one small integer (`search.facet_cell`, a stored generated column):
workplace x 1000 + employment type x 100 + seniority x 10 + salary bucket, each value numbered
from 1 in the order below (frozen copies of the model's values: a test fails when the code adds a
value without a migration). A value the numbering does not know makes the cell NULL, and the
backend reads that row's texts instead.

On SQLite this migration does nothing.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


# A self-join on the positions, not lead() over them: exact even where several lexemes share a
# position (tsvector positions stop at 16383, so the words past it all sit there).
WORD_PAIRS = """
CREATE FUNCTION search.word_pairs(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_to_tsvector(array_agg(DISTINCT a.lexeme || ' ' || b.lexeme)), ''::tsvector)
    FROM (SELECT u.lexeme, p.pos, p.weight FROM unnest(v) AS u, unnest(u.positions, u.weights) AS p (pos, weight)) AS a
    JOIN (SELECT u.lexeme, p.pos, p.weight FROM unnest(v) AS u, unnest(u.positions, u.weights) AS p (pos, weight)) AS b
      ON b.pos = a.pos + 1 AND b.weight = a.weight
$$;
"""

# Frozen copies of models.WORKPLACES, EMPLOYMENT_TYPES and SENIORITIES (their order numbers the
# values from 1) and of backend.SALARY_STEPS, as of this migration.
CELL_VALUES = {
    "workplace": ("onsite", "hybrid", "remote"),
    "employment_type": ("full_time", "part_time", "contract", "temporary", "internship"),
    "seniority": ("intern", "junior", "mid", "senior", "lead", "principal", "executive"),
}
SALARY_STEPS = (25_000, 50_000, 75_000, 100_000, 150_000, 200_000)


def _numbered(column: str) -> str:
    whens = " ".join(f"WHEN '{value}' THEN {n}" for n, value in enumerate(CELL_VALUES[column], 1))
    return f"CASE {column} {whens} END"


_SALARY_BUCKET = " ".join(f"WHEN usd >= {step} THEN {n}" for n, step in reversed(list(enumerate(SALARY_STEPS, 1))))

FACET_CELL = f"""
CREATE FUNCTION search.facet_cell(workplace text, employment_type text, seniority text,
                                  salary_upper integer, salary_currency text, salary_period text) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT ({_numbered("workplace")} * 1000 + {_numbered("employment_type")} * 100
          + {_numbered("seniority")} * 10
          + (SELECT CASE {_SALARY_BUCKET} ELSE 0 END
               FROM (SELECT coalesce(search.yearly_usd(salary_upper, salary_currency, salary_period), 0) AS usd) AS y)
         )::smallint
$$;
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FACET_CELL)
    # Before the pairs' index: adding a stored column rewrites the table and rebuilds its indexes.
    op.execute(
        "ALTER TABLE search.jobs ADD COLUMN cell smallint GENERATED ALWAYS AS (search.facet_cell("
        "workplace, employment_type, seniority, salary_upper, salary_currency, salary_period)) STORED"
    )
    op.execute(WORD_PAIRS)
    op.execute("CREATE INDEX search_jobs_word_pairs ON search.jobs USING gin (search.word_pairs(search_vector))")
    op.execute("ALTER INDEX search.search_jobs_word_pairs ALTER COLUMN 1 SET STATISTICS 0")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS search.search_jobs_word_pairs")
    op.execute("DROP FUNCTION IF EXISTS search.word_pairs(tsvector)")
    op.execute("ALTER TABLE search.jobs DROP COLUMN IF EXISTS cell")
    op.execute("DROP FUNCTION IF EXISTS search.facet_cell(text, text, text, integer, text, text)")
