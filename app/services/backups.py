"""`flask db backup` / `flask db restore`: the whole database to one file and back.

PostgreSQL through pg_dump / pg_restore (custom format, no owners, so a backup restores into any
database the URL's user owns); SQLite through its online backup API (a consistent copy while the
app keeps writing). A restore replaces every table in one transaction (PostgreSQL:
--single-transaction), so a failed one leaves the database as it was.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess

from ..extensions import db


class BackupError(RuntimeError):
    pass


def _libpq_url() -> str:
    return db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_path() -> str:
    return db.engine.url.database


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600)  # noqa: S603  (fixed tools)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "failed")


def backup(path: str) -> None:
    if db.engine.dialect.name == "postgresql":
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", "--file", path, _libpq_url()])
        return
    source = sqlite3.connect(_sqlite_path())
    target = sqlite3.connect(path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def restore(path: str) -> None:
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold a lock on a table being replaced
    if db.engine.dialect.name == "postgresql":
        _run(
            [
                _tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--dbname",
                _libpq_url(),
                path,
            ]
        )
        return
    source = sqlite3.connect(path)
    target = sqlite3.connect(_sqlite_path())
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
