"""The schema comes only from the migrations: they must match the models, and run both ways."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import PG_URL
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

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
