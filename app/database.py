"""Connection-pool policy: check a pooled connection only after it sat idle.

SQLAlchemy's `pool_pre_ping` costs one extra round trip to PostgreSQL on every checkout, that is on
every request; under load that round trip (and taking the GIL back after it) was a third of a
webhook's time. A connection that was in use a few seconds ago is alive unless the server restarted
in between, and then SQLAlchemy notices the failed statement and invalidates the whole pool. So the
ping only guards connections that have been idle for longer than `DB_PING_IDLE_SECONDS` — the ones a
server restart, a failover or a proxy's idle timeout (Render closes idle connections) has killed.
"""

from __future__ import annotations

import time

from sqlalchemy import event, exc
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from .extensions import db

_LAST_CHECKIN = "jobifies_last_checkin"


def install_idle_ping(engine: Engine, idle_seconds: float) -> None:
    if engine.dialect.name == "sqlite":
        return  # a file, not a server: nothing to go stale

    # A connection just opened counts as just used: no ping on top of the connect.
    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _remember_use(dbapi_connection, record):
        record.info[_LAST_CHECKIN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, proxy):
        last = record.info.get(_LAST_CHECKIN)
        if last is not None and time.monotonic() - last < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means "this connection is gone"
            # Documented pool contract: a DisconnectionError discards this connection and retries
            # the checkout with a fresh one; InvalidatePoolError (as pool_pre_ping does) also
            # retires every older pooled connection, which a server restart has killed as well.
            raise exc.InvalidatePoolError(f"stale pooled connection: {error}") from error


def insert_ignore(model, values: dict, conflict: list[str]) -> bool:
    """INSERT … ON CONFLICT (conflict) DO NOTHING in the current session; True if a row was added.

    One atomic statement instead of check-then-insert, which two requests or two workers can race
    into a unique-constraint error. Python-side column defaults apply as in the ORM.
    """
    table = model.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    primary_key = list(table.primary_key.columns)[0]
    # RETURNING rather than rowcount: psycopg 3 under SQLAlchemy 2.1 reports rowcount -1 here.
    statement = insert(table).values(**values).on_conflict_do_nothing(index_elements=conflict).returning(primary_key)
    return db.session.execute(statement).scalar() is not None
