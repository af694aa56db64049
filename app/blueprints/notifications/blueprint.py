"""The blueprint object, apart from the modules that add routes to it: they import it from here,
so no module imports the package that imports it back."""

from flask import Blueprint

bp = Blueprint("notifications", "app.blueprints.notifications")
