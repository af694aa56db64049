from . import billing_routes, moderation_routes, routes  # noqa: F401  (add their routes to bp)
from .blueprint import bp

__all__ = ["bp"]
