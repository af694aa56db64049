from flask import Blueprint

bp = Blueprint("candidate", __name__)

from . import routes  # noqa: E402,F401
from . import profile_routes  # noqa: E402,F401
from . import alert_routes  # noqa: E402,F401
