"""The blueprint object, apart from the module that adds routes to it."""

from flask import Blueprint

bp = Blueprint("ops", "app.blueprints.ops")
