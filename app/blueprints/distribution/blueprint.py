"""The blueprint object, apart from the modules that add routes to it."""

from flask import Blueprint

bp = Blueprint("distribution", "app.blueprints.distribution")
