"""Settings read from the environment once, validated once, with every problem reported together.

The embedded default (no variables at all) is a development set-up: SQLite in instance/, jobs run
inline, memory rate limits. `APP_ENV=production` turns on the strict checks (a strong SECRET_KEY and a
DATABASE_URL are then required) and secure cookies.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from cryptography.fernet import Fernet
from limits import parse_many

WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "development", "dev-secret-not-for-production"}
DEV_SECRET = "dev-secret-not-for-production"  # noqa: S105  (refused in production, see WEAK_SECRETS)
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
            return "postgresql+psycopg://" + url[len(prefix) :]
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

    def list(self, name: str) -> list[str]:
        """A comma-separated setting as a list of trimmed, non-empty items."""
        return [item.strip() for item in (self.str(name) or "").split(",") if item.strip()]

    def rate(self, name: str, default: str) -> str:
        """A rate limit such as "5 per hour" or "100/minute" (the `limits` package's notation)."""
        value = self.str(name, default)
        try:
            parse_many(value)
        except ValueError:
            self.problems.append(f"{name} must be a rate such as '5 per hour', got {value!r}")
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


def _site_address(read: _Reader, production: bool) -> tuple[str, list[str] | None]:
    """(BASE_URL, TRUSTED_HOSTS). BASE_URL falls back to Render's RENDER_EXTERNAL_URL; production
    requires one of them and trusts only its host, ALLOWED_HOSTS and Render's own host name."""
    base_url = (read.str("BASE_URL") or read.str("RENDER_EXTERNAL_URL") or "").rstrip("/")
    if not base_url:
        if production:
            read.problems.append(
                "BASE_URL is required in production (the public address, e.g. "
                "https://jobs.example.com; Render's RENDER_EXTERNAL_URL also works)"
            )
        base_url = "http://127.0.0.1:5000"
    parts = urlparse(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        read.problems.append(f"BASE_URL must be an http(s):// address with a host name, got {base_url!r}")
        return "http://127.0.0.1:5000", None
    if not production:
        return base_url, None
    hosts = [parts.hostname, *read.list("ALLOWED_HOSTS")]
    render_host = read.str("RENDER_EXTERNAL_HOSTNAME")  # Render's health checks use it
    if render_host:
        hosts.append(render_host)
    return base_url, list(dict.fromkeys(host.lower() for host in hosts))


PAYMENT_PROVIDER_NAMES = ("stripe", "paypal", "razorpay", "mock")
PAYPAL_API_BASES = {"sandbox": "https://api-m.sandbox.paypal.com", "live": "https://api-m.paypal.com"}
# What each real provider needs; one with none of them set is simply not in the chain.
PAYMENT_PROVIDER_KEYS = {
    "stripe": ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET"),
    "razorpay": ("RAZORPAY_KEY_ID", "RAZORPAY_KEY_SECRET", "RAZORPAY_WEBHOOK_SECRET"),
    "paypal": ("PAYPAL_CLIENT_ID", "PAYPAL_CLIENT_SECRET", "PAYPAL_WEBHOOK_ID"),
}


def _prefixed(read: _Reader, name: str, prefixes: tuple[str, ...]) -> str | None:
    value = read.str(name)
    if value and not value.startswith(prefixes):
        read.problems.append(f"{name} must start with {' or '.join(prefixes)}")
    return value


def _payment_settings(read: _Reader, production: bool, secret: str) -> dict:
    """Providers, keys and the chain. A provider with some but not all of its keys is a mistake
    worth stopping for (checkouts would open but webhooks never verify, or the reverse)."""
    settings = {
        "STRIPE_SECRET_KEY": _prefixed(read, "STRIPE_SECRET_KEY", ("sk_", "rk_")),
        "STRIPE_WEBHOOK_SECRET": _prefixed(read, "STRIPE_WEBHOOK_SECRET", ("whsec_",)),
        "STRIPE_API_BASE": read.str("STRIPE_API_BASE"),
        "RAZORPAY_KEY_ID": _prefixed(read, "RAZORPAY_KEY_ID", ("rzp_",)),
        "RAZORPAY_KEY_SECRET": read.str("RAZORPAY_KEY_SECRET"),
        "RAZORPAY_WEBHOOK_SECRET": read.str("RAZORPAY_WEBHOOK_SECRET"),
        "RAZORPAY_API_BASE": read.str("RAZORPAY_API_BASE"),
        "PAYPAL_CLIENT_ID": read.str("PAYPAL_CLIENT_ID"),
        "PAYPAL_CLIENT_SECRET": read.str("PAYPAL_CLIENT_SECRET"),
        "PAYPAL_WEBHOOK_ID": read.str("PAYPAL_WEBHOOK_ID"),
    }
    mode = (read.str("PAYPAL_MODE", "sandbox") or "").lower()
    if mode not in PAYPAL_API_BASES:
        read.problems.append(f"PAYPAL_MODE must be sandbox or live, got {mode!r}")
        mode = "sandbox"
    settings["PAYPAL_MODE"] = mode
    settings["PAYPAL_API_BASE"] = read.str("PAYPAL_API_BASE", PAYPAL_API_BASES[mode])
    for name in ("STRIPE_API_BASE", "RAZORPAY_API_BASE", "PAYPAL_API_BASE"):
        if settings[name] and urlparse(settings[name]).scheme not in ("http", "https"):
            read.problems.append(f"{name} must be an http(s):// address, got {settings[name]!r}")
    for provider, keys in PAYMENT_PROVIDER_KEYS.items():
        missing = [key for key in keys if not settings[key]]
        if missing and len(missing) < len(keys):
            read.problems.append(f"{provider} is half configured: also set {', '.join(missing)}")
    default_chain = "stripe,paypal,razorpay" + ("" if production else ",mock")
    chain = [name.lower() for name in read.list("PAYMENT_PROVIDERS")] or default_chain.split(",")
    for name in chain:
        if name not in PAYMENT_PROVIDER_NAMES:
            read.problems.append(
                f"PAYMENT_PROVIDERS: unknown provider {name!r} (known: {', '.join(PAYMENT_PROVIDER_NAMES)})"
            )
    if production and "mock" in chain:
        read.problems.append("PAYMENT_PROVIDERS: the mock provider is for development and tests, not production")
    settings["PAYMENT_PROVIDERS"] = [name for name in dict.fromkeys(chain) if name in PAYMENT_PROVIDER_NAMES]
    # The mock provider signs its own webhooks with a key derived from SECRET_KEY.
    settings["MOCK_PAYMENTS_SECRET"] = (
        None if production else hashlib.sha256(f"mock-payments:{secret}".encode()).hexdigest()
    )
    settings["POSTINGS_REQUIRE_PAYMENT"] = read.bool("POSTINGS_REQUIRE_PAYMENT", False)
    settings["PAYMENT_TIMEOUT_SECONDS"] = read.int("PAYMENT_TIMEOUT_SECONDS", 10, minimum=1)
    settings["DEFAULT_POSTING_DAYS"] = read.int("DEFAULT_POSTING_DAYS", 30, minimum=1)
    settings["RATE_LIMIT_CHECKOUT"] = read.rate("RATE_LIMIT_CHECKOUT", "20 per hour")
    settings["SELLER_NAME"] = read.str("SELLER_NAME", read.str("SITE_NAME", "Jobifies"))
    settings["SELLER_ADDRESS"] = read.str("SELLER_ADDRESS", "")
    settings["SELLER_TAX_ID"] = read.str("SELLER_TAX_ID", "")
    return settings


def _duration(read: _Reader, name: str, default: str) -> int:
    """Seconds from "900", "15m", "12h" or "7d" (the seed's notation)."""
    raw = (read.str(name, default) or default).strip().lower()
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = (raw[:-1], units[raw[-1]]) if raw and raw[-1] in units else (raw, 1)
    if not number.isdigit() or int(number) == 0:
        read.problems.append(f"{name} must be a duration such as '15m' or '7d', got {raw!r}")
        number, unit = default[:-1], units[default[-1]]
    return int(number) * unit


def _api_settings(read: _Reader, secret: str) -> dict:
    """REST API v1 (/api/v1): rate limits as in the seed, RATE_LIMIT_MAX_REQUESTS per
    RATE_LIMIT_WINDOW seconds per token (per IP without one), and a looser one per IP."""
    max_requests = read.int("RATE_LIMIT_MAX_REQUESTS", 100, minimum=1)
    window = read.int("RATE_LIMIT_WINDOW", 60, minimum=1)
    return {
        # JWT login for apps (POST /api/v1/auth/token); the secrets default to ones derived from SECRET_KEY.
        "JWT_ACCESS_SECRET": read.str("JWT_ACCESS_SECRET")
        or hashlib.sha256(f"jwt-access:{secret}".encode()).hexdigest(),
        "JWT_REFRESH_SECRET": read.str("JWT_REFRESH_SECRET")
        or hashlib.sha256(f"jwt-refresh:{secret}".encode()).hexdigest(),
        "JWT_ACCESS_EXPIRES_IN": _duration(read, "JWT_ACCESS_EXPIRES_IN", "15m"),
        "JWT_REFRESH_EXPIRES_IN": _duration(read, "JWT_REFRESH_EXPIRES_IN", "7d"),
        "RATE_LIMIT_API": f"{max_requests} per {window} seconds",
        "RATE_LIMIT_API_PER_IP": read.rate("RATE_LIMIT_API_PER_IP", f"{max_requests * 10} per {window} seconds"),
        # Origins (scheme://host[:port]) whose pages may call the API with a bearer token; none: CORS off.
        "CORS_ORIGINS": [origin.rstrip("/") for origin in read.list("CORS_ORIGINS")],
        # Outbound webhooks refuse private, loopback and link-local addresses unless this is on (tests).
        "WEBHOOKS_ALLOW_PRIVATE": read.bool("WEBHOOKS_ALLOW_PRIVATE", False),
    }


def _encryption_keys(read: _Reader) -> list[str]:
    """ENCRYPTION_KEY: one Fernet key, or several comma-separated, newest first (key rotation).
    Unset is fine: no ATS can be connected until it is set."""
    keys = read.list("ENCRYPTION_KEY")
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            # The key itself is a secret: the message says which one, never what it is.
            read.problems.append(
                f"ENCRYPTION_KEY: key {position} of {len(keys)} is not a Fernet key (32 url-safe base64-encoded "
                "bytes; generate one: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            )
    return keys


# Sign-in providers: name -> (its addresses' settings with their defaults). Google and LinkedIn speak
# OpenID Connect (discovery document); GitHub is plain OAuth2 plus its REST API. Tests point the
# addresses at a local fake provider.
SIGNIN_PROVIDER_URLS = {
    "GOOGLE": {"GOOGLE_METADATA_URL": "https://accounts.google.com/.well-known/openid-configuration"},
    "GITHUB": {"GITHUB_OAUTH_URL": "https://github.com/login/oauth", "GITHUB_API_URL": "https://api.github.com"},
    "LINKEDIN": {"LINKEDIN_METADATA_URL": "https://www.linkedin.com/oauth/.well-known/openid-configuration"},
}


def _signin_settings(read: _Reader) -> dict:
    """<PROVIDER>_CLIENT_ID / _CLIENT_SECRET (both or neither: a provider is offered only with both)."""
    settings = {}
    for provider, urls in SIGNIN_PROVIDER_URLS.items():
        client_id, secret = read.str(f"{provider}_CLIENT_ID"), read.str(f"{provider}_CLIENT_SECRET")
        if bool(client_id) != bool(secret):
            read.problems.append(f"{provider}_CLIENT_ID and {provider}_CLIENT_SECRET go together: set both or neither")
        settings[f"{provider}_CLIENT_ID"] = client_id
        settings[f"{provider}_CLIENT_SECRET"] = secret
        for name, default in urls.items():
            url = read.str(name, default).rstrip("/")
            if urlparse(url).scheme not in ("http", "https"):
                read.problems.append(f"{name} must be an http(s):// address, got {url!r}")
            settings[name] = url
    return settings


def _notify_settings(read: _Reader) -> dict:
    """Notifications beyond email (issue 16): Twilio SMS/WhatsApp, phone verification, Slack.
    Without TWILIO_ACCOUNT_SID SMS and WhatsApp go to the dev outbox."""
    settings = {
        "TWILIO_ACCOUNT_SID": _prefixed(read, "TWILIO_ACCOUNT_SID", ("AC",)),
        "TWILIO_AUTH_TOKEN": read.str("TWILIO_AUTH_TOKEN"),
        "TWILIO_PHONE_NUMBER": read.str("TWILIO_PHONE_NUMBER"),
        "TWILIO_MESSAGING_SERVICE_SID": _prefixed(read, "TWILIO_MESSAGING_SERVICE_SID", ("MG",)),
        "TWILIO_WHATSAPP_FROM": _prefixed(read, "TWILIO_WHATSAPP_FROM", ("whatsapp:+",)),
        # Twilio's API address is fixed in its client; tests point it at a local fake through this.
        "TWILIO_API_BASE": read.str("TWILIO_API_BASE"),
        # Numbers typed without a +country code are read as numbers of this region (ISO 3166 code).
        "PHONE_DEFAULT_REGION": (read.str("PHONE_DEFAULT_REGION", "US") or "US").upper(),
        "PHONE_CODE_MINUTES": read.int("PHONE_CODE_MINUTES", 10, minimum=1),
        "PHONE_CODE_MAX_ATTEMPTS": read.int("PHONE_CODE_MAX_ATTEMPTS", 5, minimum=1),
        "RATE_LIMIT_PHONE_CODE_PER_NUMBER": read.rate("RATE_LIMIT_PHONE_CODE_PER_NUMBER", "3 per hour"),
        "RATE_LIMIT_PHONE_CODE_PER_IP": read.rate("RATE_LIMIT_PHONE_CODE_PER_IP", "10 per hour"),
        # A Slack webhook URL typed by a company owner is fetched by the server: only these prefixes.
        "SLACK_WEBHOOK_PREFIXES": read.list("SLACK_WEBHOOK_PREFIXES") or ["https://hooks.slack.com/"],
        "SLACK_DISABLE_AFTER_404S": read.int("SLACK_DISABLE_AFTER_404S", 3, minimum=1),
        "NOTIFY_MAX_ATTEMPTS": read.int("NOTIFY_MAX_ATTEMPTS", 8, minimum=1),
        "NOTIFY_EXPIRING_DAYS": read.int("NOTIFY_EXPIRING_DAYS", 3, minimum=1),
    }
    twilio = ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
    if any(settings[name] for name in twilio) and not all(settings[name] for name in twilio):
        read.problems.append("Twilio is half configured: set both TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN")
    if settings["TWILIO_ACCOUNT_SID"] and not (
        settings["TWILIO_PHONE_NUMBER"] or settings["TWILIO_MESSAGING_SERVICE_SID"]
    ):
        read.problems.append("Twilio needs a sender: set TWILIO_PHONE_NUMBER or TWILIO_MESSAGING_SERVICE_SID")
    return settings


def _operations_settings(read: _Reader, production: bool) -> dict:
    """Health, metrics, logs and Sentry (README "Operating Jobifies")."""
    log_format = (read.str("LOG_FORMAT", "json" if production else "text") or "").lower()
    if log_format not in ("json", "text"):
        read.problems.append(f"LOG_FORMAT must be json or text, got {log_format!r}")
        log_format = "text"
    networks = []
    for item in read.list("METRICS_ALLOW_IPS"):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            read.problems.append(f"METRICS_ALLOW_IPS: {item!r} is not an IP address or network (e.g. 10.0.0.0/8)")
    token = read.str("METRICS_TOKEN")
    if token and len(token) < 16:
        read.problems.append("METRICS_TOKEN is too short: use at least 16 random characters")
    dsn = read.str("SENTRY_DSN")
    if dsn and urlparse(dsn).scheme not in ("http", "https"):
        read.problems.append("SENTRY_DSN must be an http(s):// DSN from your Sentry project's settings")
    return {
        "LOG_FORMAT": log_format,
        # The per-request metrics (http_*, db_query_*) and the log line per request; off only to
        # measure what they cost (bench/pages.py) or on a box where nobody reads them.
        "REQUEST_TELEMETRY": read.bool("REQUEST_TELEMETRY", True),
        "SENTRY_DSN": dsn,
        "METRICS_TOKEN": token,
        "METRICS_ALLOW_IPS": networks,
        # /health answers from a cache this old at most: load balancers poll it often.
        "HEALTH_CACHE_SECONDS": read.int("HEALTH_CACHE_SECONDS", 2, minimum=0),
        # A worker or scheduler heartbeat older than this is reported stale.
        "HEARTBEAT_STALE_SECONDS": read.int("HEARTBEAT_STALE_SECONDS", 30, minimum=5),
    }


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
            read.problems.append(
                "SECRET_KEY is required in production "
                "(generate one: python -c 'import secrets; print(secrets.token_hex(32))')"
            )
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

    base_url, trusted_hosts = _site_address(read, production)

    search_backend = (read.str("SEARCH_BACKEND", "whoosh") or "").lower()
    if search_backend not in SEARCH_BACKENDS:
        read.problems.append(f"SEARCH_BACKEND must be one of {', '.join(SEARCH_BACKENDS)}, got {search_backend!r}")
    elif search_backend == "postgres" and not (database_url or "").startswith("postgresql"):
        read.problems.append(
            "SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL (full-text search runs in "
            "the database); with SQLite use SEARCH_BACKEND=whoosh"
        )

    redis_url = read.str("REDIS_URL")
    if redis_url and urlparse(redis_url).scheme not in ("redis", "rediss", "unix"):
        read.problems.append(f"REDIS_URL must be a redis:// or rediss:// URL, got {redis_url!r}")

    max_resume_mb = read.int("MAX_RESUME_MB", 5, minimum=1)
    config = {
        "APP_ENV": app_env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # No pool_pre_ping: app/database.py pings only connections that sat idle (one round trip
        # less per request).
        # A pool at least as large as gunicorn's threads per process (8): connections beyond the
        # pool size are closed at checkin and reopened under the next burst.
        "SQLALCHEMY_ENGINE_OPTIONS": (
            {"pool_size": read.int("DB_POOL_SIZE", 10, minimum=1)}
            if (database_url or "").startswith("postgresql")
            else {}
        ),
        "DB_PING_IDLE_SECONDS": read.int("DB_PING_IDLE_SECONDS", 10, minimum=0),
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "JOB_EXPIRY_DAYS": read.int("JOB_EXPIRY_DAYS", 30, minimum=1),
        "MAX_RESUME_BYTES": max_resume_mb * 1024 * 1024,
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
        "OPEN_COUNT_CACHE_SECONDS": read.int("OPEN_COUNT_CACHE_SECONDS", 30, minimum=0),
        # Response compression (Flask-Compress): on unless a proxy in front already compresses.
        "COMPRESS_REGISTER": read.bool("COMPRESS_RESPONSES", True),
        "COMPRESS_MIMETYPES": [
            "text/html",
            "application/json",
            "text/css",
            "text/javascript",
            "application/javascript",
            "image/svg+xml",
            "application/xml",
        ],
        "COMPRESS_ALGORITHM": ["zstd", "br", "gzip"],
        "COMPRESS_BR_LEVEL": 4,  # brotli 4: near gzip-6 speed, smaller output
        "COMPRESS_LEVEL": 6,
        "COMPRESS_MIN_SIZE": 1024,
        # Without Redis, each web process adds the job views it counted in memory this often (with
        # Redis, the scheduler's jobs.flush_views does it every minute).
        "VIEW_FLUSH_SECONDS": read.int("VIEW_FLUSH_SECONDS", 10, minimum=1),
        "PROXY_HOPS": read.int("PROXY_HOPS", 1 if production else 0),
        # X-Forwarded-Host is whatever the client typed unless the proxy in front overwrites it.
        "TRUST_FORWARDED_HOST": read.bool("TRUST_FORWARDED_HOST", False),
        "SITE_NAME": read.str("SITE_NAME", "Jobifies"),
        # Part of every page's ETag, so a deploy (new templates) invalidates cached pages. Render
        # sets RENDER_GIT_COMMIT.
        "RELEASE": (read.str("RELEASE") or read.str("RENDER_GIT_COMMIT") or "dev")[:40],
        # Every absolute link (emails, feeds, API answers) is built from this, never from the
        # request's Host header, which the client controls.
        "BASE_URL": base_url,
        # Production answers only its own host names (400 otherwise); None accepts any (development).
        "TRUSTED_HOSTS": trusted_hosts,
        # Rate limits (the `limits` notation). Email-sending forms are limited per target address
        # and per client IP; counters live in Redis when REDIS_URL is set, else in memory.
        "RATELIMIT_ENABLED": read.bool("RATE_LIMIT_ENABLED", True),
        "RATE_LIMIT_EMAIL_PER_ADDRESS": read.rate("RATE_LIMIT_EMAIL_PER_ADDRESS", "3 per hour"),
        "RATE_LIMIT_EMAIL_PER_IP": read.rate("RATE_LIMIT_EMAIL_PER_IP", "20 per hour"),
        "RATE_LIMIT_SIGNUP_PER_IP": read.rate("RATE_LIMIT_SIGNUP_PER_IP", "10 per hour"),
        "RATE_LIMIT_APPLY": read.rate("RATE_LIMIT_APPLY", "30 per hour"),
        "RATE_LIMIT_UPLOAD": read.rate("RATE_LIMIT_UPLOAD", "20 per hour"),
        "RATE_LIMIT_ALERTS": read.rate("RATE_LIMIT_ALERTS", "20 per hour"),
        "RATE_LIMIT_WEBHOOKS": read.rate("RATE_LIMIT_WEBHOOKS", "6000 per minute"),
        # However many requests get through, the outbox holds at most this many account emails
        # (verification, reset, invitation...) of one kind per address per hour.
        "EMAIL_MAX_PER_ADDRESS_HOUR": read.int("EMAIL_MAX_PER_ADDRESS_HOUR", 3, minimum=1),
        # Login: failures are counted per (account, IP) and per IP; past LOGIN_SLOWDOWN_AFTER
        # failures from anywhere, an account answers at most once per 2, 4, 8 ... seconds (capped).
        "LOGIN_SLOWDOWN_AFTER": read.int("LOGIN_SLOWDOWN_AFTER", 10, minimum=1),
        "LOGIN_MAX_DELAY_SECONDS": read.int("LOGIN_MAX_DELAY_SECONDS", 60, minimum=1),
        # Resume parsing runs in a forked child with these limits, after an archive check.
        "PARSE_MEMORY_MB": read.int("PARSE_MEMORY_MB", 768, minimum=64),
        "PARSE_TIMEOUT_SECONDS": read.int("PARSE_TIMEOUT_SECONDS", 60, minimum=1),
        "PARSE_MAX_UNZIPPED_MB": read.int("PARSE_MAX_UNZIPPED_MB", 25, minimum=1),
        "PARSE_MAX_ZIP_ENTRIES": read.int("PARSE_MAX_ZIP_ENTRIES", 500, minimum=10),
        "PARSE_MAX_ZIP_RATIO": read.int("PARSE_MAX_ZIP_RATIO", 100, minimum=2),
        "PARSE_MAX_PDF_PAGES": read.int("PARSE_MAX_PDF_PAGES", 30, minimum=1),
        "PARSE_MAX_TEXT_CHARS": read.int("PARSE_MAX_TEXT_CHARS", 200_000, minimum=1000),
        # ATS integrations. Credentials are encrypted with ENCRYPTION_KEY (MultiFernet: newest key
        # first; `flask ats rotate-key` re-encrypts every row with it). The API addresses are the
        # providers' own; tests point them at local fakes.
        "ENCRYPTION_KEYS": _encryption_keys(read),
        "ATS_GREENHOUSE_API_URL": read.str("ATS_GREENHOUSE_API_URL", "https://harvest.greenhouse.io/v3"),
        "ATS_GREENHOUSE_AUTH_URL": read.str("ATS_GREENHOUSE_AUTH_URL", "https://auth.greenhouse.io/token"),
        "ATS_GREENHOUSE_BOARDS_URL": read.str("ATS_GREENHOUSE_BOARDS_URL", "https://boards-api.greenhouse.io/v1"),
        "ATS_LEVER_API_URL": read.str("ATS_LEVER_API_URL", "https://api.lever.co/v1"),
        "ATS_BAMBOOHR_API_URL": read.str("ATS_BAMBOOHR_API_URL", "https://api.bamboohr.com/api/gateway.php"),
        "ATS_BAMBOOHR_CAREERS_URL": read.str("ATS_BAMBOOHR_CAREERS_URL", "https://{subdomain}.bamboohr.com/careers"),
        # A Workday report URL is typed in by a company owner: the server fetches it only from these
        # hosts (a leading "*." matches any subdomain), so the field cannot reach internal addresses.
        "ATS_WORKDAY_ALLOWED_HOSTS": read.list("ATS_WORKDAY_ALLOWED_HOSTS") or ["*.workday.com", "*.myworkday.com"],
        # How many sent applications one sync reads the ATS stage of (oldest-checked first).
        "ATS_STAGE_READS_PER_SYNC": read.int("ATS_STAGE_READS_PER_SYNC", 200, minimum=1),
        "RATE_LIMIT_ATS_SYNC": read.rate("RATE_LIMIT_ATS_SYNC", "12 per hour"),
        "RATE_LIMIT_ATS_CONNECT": read.rate("RATE_LIMIT_ATS_CONNECT", "20 per hour"),
        # Trust and control (issue 14 A). MODERATE_NEW_COMPANIES: a company's first job waits for
        # an admin's approval. RETENTION_DAYS: 0 (off) or how long a candidate may stay inactive
        # before their resumes and profile are deleted (after a warning RETENTION_WARNING_DAYS before).
        "MODERATE_NEW_COMPANIES": read.bool("MODERATE_NEW_COMPANIES", False),
        "RETENTION_DAYS": read.int("RETENTION_DAYS", 0),
        "RETENTION_WARNING_DAYS": read.int("RETENTION_WARNING_DAYS", 14, minimum=1),
        "ACCOUNT_DELETION_GRACE_DAYS": read.int("ACCOUNT_DELETION_GRACE_DAYS", 14, minimum=0),
        "DATA_EXPORT_DAYS": read.int("DATA_EXPORT_DAYS", 7, minimum=1),
        "RATE_LIMIT_REPORTS": read.rate("RATE_LIMIT_REPORTS", "10 per hour"),
        "INSTANCE_DIR": str(instance),
        # whoosh: an index per process in SEARCH_INDEX_DIR; postgres: full-text search in the database.
        "SEARCH_BACKEND": search_backend,
        # Unset: INSTANCE_DIR/search-index (the index is a rebuildable cache of the database).
        "SEARCH_INDEX_DIR": read.str("SEARCH_INDEX_DIR"),
        # Whoosh: a search checks for other processes' changes at most this often per process (a
        # round trip each); this process's own changes are always on its next search. 0: every
        # search (the test suite's default, so cross-process tests need no waiting).
        "SEARCH_CATCH_UP_MS": read.int("SEARCH_CATCH_UP_MS", 0 if app_env == "test" else 1000, minimum=0),
        # Anonymous search pages rendered and kept per index version in each web process (entries;
        # 0: none). A repeat of the same search and page within the same minute is served from it.
        "SEARCH_PAGE_CACHE_SIZE": read.int("SEARCH_PAGE_CACHE_SIZE", 256, minimum=0),
        # Whoosh: what each process's cache of searched words may hold. 16 MB keeps one web worker
        # with the 100k index under 250 MB after 1,000 mixed searches (README, "Pages").
        "SEARCH_TERM_CACHE_MB": read.int("SEARCH_TERM_CACHE_MB", 16, minimum=0),
        # Return freed heap pages to the OS at most this often per process (app/memory.py); 0 = never.
        "MALLOC_TRIM_SECONDS": read.int("MALLOC_TRIM_SECONDS", 10, minimum=0),
        # glibc's heaps per process (its own variable, also applied with mallopt at start); 0 = glibc's default.
        "MALLOC_ARENA_MAX": read.int("MALLOC_ARENA_MAX", 2, minimum=0),
        # Whoosh: may a web process build a missing index in a background thread? Only in the embedded
        # mode by default (no REDIS_URL: no worker to do it); otherwise the worker or a release step builds.
        "SEARCH_REBUILD_IN_WEB": read.bool("SEARCH_REBUILD_IN_WEB", not redis_url),
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
        "MAX_CONTENT_LENGTH": (max_resume_mb + 1) * 1024 * 1024,
    }
    config.update(_payment_settings(read, production, secret))
    config.update(_signin_settings(read))
    config.update(_notify_settings(read))
    config.update(_operations_settings(read, production))
    config.update(_api_settings(read, secret))
    if read.problems:
        raise ConfigError(read.problems)
    return config
