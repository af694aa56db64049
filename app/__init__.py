"""The application factory."""
from __future__ import annotations

import logging
import os

from flask import Flask

from .config import load_config
from .extensions import csrf, db, htmx, login_manager, migrate


def create_app(overrides: dict | None = None, env: dict | None = None) -> Flask:
    """Build the app from the environment (validated once), plus `overrides` (tests)."""
    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(load_config(env))
    if overrides:
        app.config.update(overrides)
    os.makedirs(app.config["INSTANCE_DIR"], exist_ok=True)
    if not app.debug and not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"),
                     render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    from .web import unauthorized
    login_manager.unauthorized_handler(unauthorized)

    from . import models  # noqa: F401  (register the tables)
    from .blueprints import register_blueprints
    from .cli import register_cli
    from .errors import register_error_handlers
    from .search import init_search
    from .tasks.embedded import init_embedded_scheduler
    from .web import register_web

    register_blueprints(app)
    register_error_handlers(app)
    register_web(app)
    register_cli(app)
    with app.app_context():
        from .database import install_idle_ping
        install_idle_ping(db.engine, app.config["DB_PING_IDLE_SECONDS"])
    init_search(app)
    init_embedded_scheduler(app)

    if app.config["PROXY_HOPS"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


@login_manager.user_loader
def _load_user(user_id: str):
    from .models import User
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    # A deactivated user's existing session ends at their next request.
    return user if user is not None and user.active else None
