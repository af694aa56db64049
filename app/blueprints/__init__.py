"""One blueprint per feature; register_blueprints() mounts them."""

from flask import Flask

from .admin import bp as admin_bp
from .api import bp as api_bp
from .auth import bp as auth_bp
from .billing import bp as billing_bp
from .candidate import bp as candidate_bp
from .devtools import bp as devtools_bp
from .distribution import bp as distribution_bp
from .integrations import bp as integrations_bp
from .notifications import bp as notifications_bp
from .ops import bp as ops_bp
from .public import bp as public_bp
from .recruiter import bp as recruiter_bp
from .signin import bp as signin_bp
from .trust import bp as trust_bp
from .webhooks import bp as webhooks_bp


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(public_bp)
    app.register_blueprint(distribution_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(signin_bp)
    app.register_blueprint(candidate_bp)
    app.register_blueprint(recruiter_bp, url_prefix="/recruiter")
    app.register_blueprint(integrations_bp, url_prefix="/recruiter/integrations")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(billing_bp, url_prefix="/billing")
    app.register_blueprint(webhooks_bp)
    app.register_blueprint(trust_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(ops_bp)  # /health, /metrics, /admin/system
    app.register_blueprint(api_bp)  # its rules carry /api/v1 (and /api/docs) themselves
    if app.config["APP_ENV"] != "production":  # the dev outbox shows every email: never in production
        app.register_blueprint(devtools_bp)
