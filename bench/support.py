"""What the benchmark scripts share: a fresh migrated database, waiting for a server, percentiles.

Imported by the scripts in this folder (run as `python bench/<name>.py`, so this folder is on
sys.path).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent


def percentile(values, p):
    """The nearest-rank p-th percentile of `values` (any order)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def fresh_database(admin_url: str, database_url: str, env: dict) -> None:
    """Drop and create the database of `database_url` (through `admin_url`, another database on the
    same server), then run the migrations against it with `env` (which must point DATABASE_URL at it)."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = database_url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(url: str, timeout: float = 30) -> None:
    """Return once `url` answers 200; RuntimeError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")
