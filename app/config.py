"""Settings read from the environment once, validated once, with every problem reported together.

The embedded default (no variables at all) is a development set-up: SQLite in instance/, jobs run
inline, memory rate limits. `APP_ENV=production` turns on the strict checks (a strong SECRET_KEY and a
DATABASE_URL are then required) and secure cookies.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "development", "dev-secret-not-for-production"}
DEV_SECRET = "dev-secret-not-for-production"
MIN_SECRET_LENGTH = 32
ENVIRONMENTS = ("development", "production", "test")
SEARCH_BACKENDS = ("whoosh", "postgres")


class ConfigError(RuntimeError):
    """Raised at start-up with every configuration problem listed, one per line."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


def normalize_database_url(url: str) -> str:
    """Render and Heroku hand out postgres:// URLs; SQLAlchemy wants an explicit psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@dataclass
class _Reader:
    env: dict
    problems: list[str] = field(default_factory=list)

    def str(self, name: str, default: str | None = None) -> str | None:
        value = self.env.get(name)
        return default if value in (None, "") else value.strip()

    def int(self, name: str, default: int, minimum: int = 0) -> int:
        raw = self.str(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problems.append(f"{name} must be a whole number, got {raw!r}")
            return default
        if value < minimum:
            self.problems.append(f"{name} must be at least {minimum}, got {value}")
            return default
        return value

    def bool(self, name: str, default: bool) -> bool:
        raw = self.str(name)
        if raw is None:
            return default
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        self.problems.append(f"{name} must be true or false, got {raw!r}")
        return default


def load_config(env: dict | None = None, instance_path: str | None = None) -> dict:
    """Build the Flask config mapping from `env` (default: os.environ); raise ConfigError if invalid."""
    env = dict(os.environ if env is None else env)
    read = _Reader(env)
    app_env = (read.str("APP_ENV", "development") or "").lower()
    if app_env not in ENVIRONMENTS:
        read.problems.append(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, got {app_env!r}")
        app_env = "development"
    production = app_env == "production"
    instance = Path(instance_path or Path(__file__).resolve().parent.parent / "instance")

    secret = read.str("SECRET_KEY")
    if production:
        if not secret:
            read.problems.append("SECRET_KEY is required in production (generate one: python -c 'import secrets; print(secrets.token_hex(32))')")
        elif secret.lower() in WEAK_SECRETS or len(secret) < MIN_SECRET_LENGTH:
            read.problems.append(f"SECRET_KEY is too weak: use at least {MIN_SECRET_LENGTH} random characters")
    secret = secret or DEV_SECRET

    database_url = read.str("DATABASE_URL")
    if database_url:
        database_url = normalize_database_url(database_url)
        scheme = urlparse(database_url).scheme
        if not (scheme.startswith("postgresql") or scheme.startswith("sqlite")):
            read.problems.append(f"DATABASE_URL must be a postgres:// or sqlite:// URL, got scheme {scheme!r}")
    elif production:
        read.problems.append("DATABASE_URL is required in production (the PostgreSQL connection string)")
    else:
        database_url = f"sqlite:///{instance / 'jobifies.sqlite3'}"

    search_backend = (read.str("SEARCH_BACKEND", "whoosh") or "").lower()
    if search_backend not in SEARCH_BACKENDS:
        read.problems.append(f"SEARCH_BACKEND must be one of {', '.join(SEARCH_BACKENDS)}, got {search_backend!r}")
    elif search_backend == "postgres" and not (database_url or "").startswith("postgresql"):
        read.problems.append("SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL (full-text search runs in "
                             "the database); with SQLite use SEARCH_BACKEND=whoosh")

    redis_url = read.str("REDIS_URL")
    if redis_url and urlparse(redis_url).scheme not in ("redis", "rediss", "unix"):
        read.problems.append(f"REDIS_URL must be a redis:// or rediss:// URL, got {redis_url!r}")

    config = {
        "APP_ENV": app_env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # No pool_pre_ping: app/database.py pings only connections that sat idle (one round trip
        # less per request).
        # A pool at least as large as gunicorn's threads per process (8): connections beyond the
        # pool size are closed at checkin and reopened under the next burst.
        "SQLALCHEMY_ENGINE_OPTIONS": ({"pool_size": read.int("DB_POOL_SIZE", 10, minimum=1)}
                                      if (database_url or "").startswith("postgresql") else {}),
        "DB_PING_IDLE_SECONDS": read.int("DB_PING_IDLE_SECONDS", 10, minimum=0),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "JOB_EXPIRY_DAYS": read.int("JOB_EXPIRY_DAYS", 30, minimum=1),
        "MAX_RESUME_BYTES": read.int("MAX_RESUME_MB", 5, minimum=1) * 1024 * 1024,
        "INVITATION_DAYS": read.int("INVITATION_DAYS", 7, minimum=1),
        # Werkzeug's scrypt defaults (n=2**15, r=8, p=1); the test suite lowers n to stay fast.
        "PASSWORD_HASH_METHOD": read.str("PASSWORD_HASH_METHOD", "scrypt:32768:8:1"),
        "LOGIN_MAX_FAILURES": read.int("LOGIN_MAX_FAILURES", 5, minimum=1),
        "LOGIN_LOCKOUT_MINUTES": read.int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1),
        "SENDGRID_API_KEY": read.str("SENDGRID_API_KEY"),
        "SENDGRID_API_HOST": read.str("SENDGRID_API_HOST"),
        "SENDGRID_WEBHOOK_PUBLIC_KEY": read.str("SENDGRID_WEBHOOK_PUBLIC_KEY"),
        "WEBHOOK_MAX_AGE_SECONDS": read.int("WEBHOOK_MAX_AGE_SECONDS", 600, minimum=1),
        "MAIL_FROM": read.str("MAIL_FROM", "Jobifies <no-reply@jobifies.example.com>"),
        "OPENAI_API_KEY": read.str("OPENAI_API_KEY"),
        "OPENAI_BASE_URL": read.str("OPENAI_BASE_URL"),
        "OPENAI_MODEL": read.str("OPENAI_MODEL", "gpt-4o-mini"),
        "OUTBOUND_TIMEOUT_SECONDS": read.int("OUTBOUND_TIMEOUT_SECONDS", 20, minimum=1),
        # A worker that died mid-send leaves a 'sending' claim; after this lease another may take it.
        "EMAIL_CLAIM_LEASE_SECONDS": read.int("EMAIL_CLAIM_LEASE_SECONDS", 600, minimum=1),
        # Sweepers leave rows younger than this alone (their own job is probably still on its way).
        "SWEEP_GRACE_SECONDS": read.int("SWEEP_GRACE_SECONDS", 60, minimum=0),
        "EMAIL_VERIFY_DAYS": read.int("EMAIL_VERIFY_DAYS", 3, minimum=1),
        "PASSWORD_RESET_MINUTES": read.int("PASSWORD_RESET_MINUTES", 60, minimum=5),
        # Without Redis, run the periodic jobs on a thread of the web process (make run).
        "EMBEDDED_SCHEDULER": read.bool("EMBEDDED_SCHEDULER", app_env == "development"),
        "JOBS_PER_PAGE": read.int("JOBS_PER_PAGE", 20, minimum=1),
        "PROXY_HOPS": read.int("PROXY_HOPS", 1 if production else 0),
        "SITE_NAME": read.str("SITE_NAME", "Jobifies"),
        # Where links in emails point when no request is at hand (workers, CLI). Render sets
        # RENDER_EXTERNAL_URL for every web service.
        "BASE_URL": (read.str("BASE_URL") or read.str("RENDER_EXTERNAL_URL") or "http://127.0.0.1:5000").rstrip("/"),
        "INSTANCE_DIR": str(instance),
        # whoosh: an index per process in SEARCH_INDEX_DIR; postgres: full-text search in the database.
        "SEARCH_BACKEND": search_backend,
        # Unset: INSTANCE_DIR/search-index (the index is a rebuildable cache of the database).
        "SEARCH_INDEX_DIR": read.str("SEARCH_INDEX_DIR"),
        # Cookies: always HttpOnly and SameSite; Secure wherever the site is served over HTTPS.
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": read.bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": read.bool("SESSION_COOKIE_SECURE", production),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # A CSRF token lives as long as the session: a form left open over lunch still submits.
        "WTF_CSRF_TIME_LIMIT": None,
        # The request as a whole may be a little larger than a resume (cover letter, fields);
        # the resume limit itself is checked by the upload validator with a friendly message.
        "MAX_CONTENT_LENGTH": (read.int("MAX_RESUME_MB", 5, minimum=1) + 1) * 1024 * 1024,
    }
    if read.problems:
        raise ConfigError(read.problems)
    return config
