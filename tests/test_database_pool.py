"""Pooled PostgreSQL connections: checked only after sitting idle, and replaced when found dead."""

import time

import pytest
from conftest import PG_URL
from sqlalchemy import create_engine, text

from app.database import install_idle_ping

pytestmark = pytest.mark.postgres


def _engine(idle_seconds):
    engine = create_engine(PG_URL, pool_size=1, max_overflow=0)
    install_idle_ping(engine, idle_seconds)
    return engine


def _kill_backend(pid):
    # What a server restart, a failover or a proxy's idle timeout does to a pooled connection.
    admin = create_engine(PG_URL)
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.commit()
        # The backend exits asynchronously: wait until it is gone.
        for _ in range(200):
            if not conn.execute(text("SELECT 1 FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}).first():
                break
            conn.commit()
            time.sleep(0.01)
    admin.dispose()


def test_a_connection_killed_while_idle_is_replaced_before_use():
    engine = _engine(idle_seconds=0.2)
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        _kill_backend(first)
        time.sleep(0.3)
        with engine.connect() as conn:  # pinged, found dead, replaced: no error for the caller
            second = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        assert second != first
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged():
    engine = _engine(idle_seconds=60)
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar()
        _kill_backend(first)
        # Used a moment ago, so no ping: the dead connection is only noticed by the statement, which
        # fails once and makes SQLAlchemy throw the pool away; the retry gets a fresh connection.
        from sqlalchemy.exc import OperationalError

        with pytest.raises(OperationalError), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != first
    finally:
        engine.dispose()


def _kill_backends_named(name):
    admin = create_engine(PG_URL)
    with admin.connect() as conn:
        pids = (
            conn.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"), {"name": name})
            .scalars()
            .all()
        )
    admin.dispose()
    for pid in pids:
        _kill_backend(pid)
    return pids


def test_the_app_survives_the_database_dropping_its_idle_connections(app, database_url, tmp_path):
    # `app`: the session app, whose migrations made the tables this second app reads.
    import os

    from sqlalchemy.engine import make_url

    from app import create_app
    from app.extensions import db

    name = "jobifies-pool-test"  # tells this app's connections apart from the rest of the suite's
    url = make_url(database_url).update_query_dict({"application_name": name}).render_as_string(hide_password=False)
    second = create_app(
        overrides={"TESTING": True, "INSTANCE_DIR": str(tmp_path)},
        env={"DATABASE_URL": url, "APP_ENV": "test", "DB_PING_IDLE_SECONDS": "0"},
    )
    # No search start-up work: a background thread holding a connection of its own would blur
    # which connection died (and its failure alone would make SQLAlchemy renew the pool).
    second.extensions["search"]["started"].add(os.getpid())
    client = second.test_client()
    try:
        assert client.get("/healthz").status_code == 200
        assert len(_kill_backends_named(name)) == 1, "the app should hold exactly one pooled connection"
        for _ in range(3):  # every pooled connection is dead; each request gets a fresh one
            response = client.get("/healthz")
            assert response.status_code == 200, response.text
    finally:
        with second.app_context():
            db.engine.dispose()


def test_a_webhook_leaves_its_pooled_connection_transactional(app, client, signer):
    """The webhook insert runs in autocommit; the connection must not go back to the pool that way,
    or the next request's writes would no longer be atomic."""
    from signing import batch, sendgrid_event

    from app.extensions import db

    body = batch(sendgrid_event("pool-evt-1", "delivered", "someone@example.com"))
    response = client.post(
        "/webhooks/sendgrid", data=body, content_type="application/json", headers=signer.headers(body)
    )
    assert response.status_code == 200
    assert response.get_json()["data"]["accepted"] == 1
    with app.app_context():
        # Check out every idle pooled connection, so the one the webhook used is among them.
        connections = [db.engine.raw_connection() for _ in range(db.engine.pool.checkedin())]
        try:
            assert connections
            assert all(c.driver_connection.autocommit is False for c in connections)
        finally:
            for connection in connections:
                connection.close()
