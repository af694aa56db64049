"""Development helpers (the email outbox). Never registered in production."""
from flask import Blueprint

bp = Blueprint("devtools", __name__)

from . import routes  # noqa: E402,F401
