"""The schema comes only from the migrations: they must match the models, and run both ways."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import PG_URL
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from app import create_app
from app.extensions import db


def _diff(app):
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app):
    assert _diff(app) == [], "models changed without a migration: run `flask db migrate`"


def _round_trip(database_url, tmp_path):
    app = create_app(
        overrides={"TESTING": True, "INSTANCE_DIR": str(tmp_path)},
        env={"DATABASE_URL": database_url, "APP_ENV": "test"},
    )
    with app.app_context():
        upgrade()
        assert {"users", "jobs", "applications", "application_events"} <= set(inspect(db.engine).get_table_names())
        downgrade(revision="base")
        assert "jobs" not in inspect(db.engine).get_table_names()
        upgrade()
    assert _diff(app) == []
    with app.app_context():
        db.engine.dispose()


def test_migrations_run_up_and_down_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}", tmp_path)


@pytest.mark.postgres
def test_migrations_run_up_and_down_on_postgresql(tmp_path):
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS jobifies_migration_test"))
        conn.execute(text("CREATE DATABASE jobifies_migration_test"))
    url = PG_URL.rsplit("/", 1)[0] + "/jobifies_migration_test"
    try:
        _round_trip(url, tmp_path)
    finally:
        with admin.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS jobifies_migration_test"))
        admin.dispose()


def test_migration_0028_backfills_the_place_of_existing_jobs(tmp_path):
    app = create_app(
        overrides={"TESTING": True, "INSTANCE_DIR": str(tmp_path)},
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'places.sqlite3'}", "APP_ENV": "test"},
    )
    with app.app_context():
        upgrade(revision="0021")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO companies (id, name, slug, website, about, created_at, updated_at) "
                    "VALUES (1, 'Acme', 'acme', '', '', '2026-01-01', '2026-01-01')"
                )
            )
            for n, location in enumerate(["Remote (EU)", "Remote (Europe)", "Berlin, DE", ""], 1):
                conn.execute(
                    text(
                        "INSERT INTO jobs (id, company_id, title, slug, description, description_html, location, "
                        "workplace, employment_type, seniority, salary_currency, salary_period, skills, status, "
                        "view_count, created_at, updated_at) VALUES (:id, 1, 'Role', 'role', '', '', :location, "
                        "'remote', 'full_time', 'mid', 'EUR', 'year', '[]', 'draft', 0, '2026-01-01', '2026-01-01')"
                    ),
                    {"id": n, "location": location},
                )
        upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT location, city, country, remote_region, location_key, updated_at FROM jobs ORDER BY id")
            ).all()
        db.engine.dispose()
    assert [tuple(row[:5]) for row in rows] == [
        ("Remote (EU)", "", "", "Europe", "remote (europe)"),
        ("Remote (Europe)", "", "", "Europe", "remote (europe)"),
        ("Berlin, DE", "Berlin", "Germany", "", "berlin, germany"),
        ("", "", "", "", ""),
    ]
    assert {str(row[5])[:10] for row in rows} == {"2026-01-01"}  # not an edit
