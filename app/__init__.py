"""The application factory."""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from . import models
from .blueprints import register_blueprints
from .cli import register_cli
from .config import load_config
from .database import install_idle_ping
from .errors import register_error_handlers
from .extensions import compress, csrf, db, htmx, limiter, login_manager, migrate
from .memory import init_memory_trim
from .models import User
from .search import init_search
from .tasks.embedded import init_embedded_scheduler
from .telemetry import init_telemetry, metrics
from .web import register_web, unauthorized

MIGRATIONS_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")


def create_app(overrides: dict | None = None, env: dict | None = None) -> Flask:
    """Build the app from the environment (validated once), plus `overrides` (tests)."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(load_config(env))
    if overrides:
        app.config.update(overrides)
    os.makedirs(app.config["INSTANCE_DIR"], exist_ok=True)

    init_telemetry(app)  # first: its hooks time, count and log every request (JSON logs in production)
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    if limiter.enabled:
        metrics.count_rate_limit_store(limiter.storage)  # cache_requests_total{type="ratelimit"}
    compress.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.unauthorized_handler(unauthorized)

    register_web(app)  # before the blueprints: it installs the bounded <int:> converter
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    with app.app_context():
        install_idle_ping(db.engine, app.config["DB_PING_IDLE_SECONDS"])
    init_search(app)
    init_embedded_scheduler(app)
    init_memory_trim(app)

    if app.config["PROXY_HOPS"]:
        hops = app.config["PROXY_HOPS"]
        # X-Forwarded-Host only when a setting says the proxy sets it: otherwise a client could
        # choose the host name the app believes it serves.
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops if app.config["TRUST_FORWARDED_HOST"] else 0
        )
    return app


@login_manager.user_loader
def _load_user(session_id: str):
    """The user of a session or remember cookie, if its session version is still current."""
    user_id, _, version = (session_id or "").partition(":")
    if not (user_id.isdigit() and version.isdigit()) or int(user_id) > 2**31 - 1:
        return None
    user = db.session.get(User, int(user_id))
    # A deactivated user's sessions, and sessions ended by a password change, end here.
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


__all__ = ["create_app", "models"]
